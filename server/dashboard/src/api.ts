import type { z } from 'zod';
import { CSRF_HEADER } from '../../../src/fleet/operatorApi.js';

/** A refusal from the fleet server, with its catalogue code (docs/fleet-errors.md). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

let csrfToken: string | undefined;

/** The session's CSRF token, sent on every state-changing request (the cookie itself is HttpOnly). */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Calls the fleet server's operator API and checks the answer against its schema. */
export async function api<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  schema: z.ZodType<T> | undefined,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers[CSRF_HEADER] = csrfToken;
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  } catch {
    throw new ApiError('UNREACHABLE', 'The fleet server cannot be reached.', 0);
  }
  if (response.status === 204) return undefined as T;
  const payload: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = payload as { code?: string; message?: string } | undefined;
    throw new ApiError(error?.code ?? 'INTERNAL', error?.message ?? `The server answered ${response.status}.`, response.status);
  }
  return schema ? schema.parse(payload) : (payload as T);
}
