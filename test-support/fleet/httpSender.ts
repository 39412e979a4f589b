import type { FastifyInstance } from 'fastify';

export interface SentRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** Sent exactly as given (a signed request's hash covers these bytes). */
  body?: string | Buffer;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: <T = Record<string, unknown>>() => T;
}

/** Sends a request to a fleet server: in process (Fastify's inject) or over HTTP. */
export type Sender = (request: SentRequest) => Promise<Answer>;

export function injectSender(app: FastifyInstance): Sender {
  return async (request) => {
    const response = await app.inject({ method: request.method as 'GET', url: request.url, headers: request.headers, payload: request.body });
    return answer(response.statusCode, response.headers as Answer['headers'], response.body);
  };
}

export function fetchSender(baseUrl: string): Sender {
  return async (request) => {
    const body = request.body === undefined || typeof request.body === 'string' ? request.body : new Uint8Array(request.body);
    const response = await fetch(new URL(request.url, baseUrl), { method: request.method, headers: request.headers, body });
    const headers: Record<string, string | string[]> = {};
    response.headers.forEach((value, name) => (headers[name] = value));
    const setCookie = response.headers.getSetCookie();
    if (setCookie.length > 0) headers['set-cookie'] = setCookie;
    return answer(response.status, headers, await response.text());
  };
}

function answer(status: number, headers: Answer['headers'], text: string): Answer {
  return { status, headers, text, json: <T>() => JSON.parse(text) as T };
}
