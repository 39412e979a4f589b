import type { ErrorPayload } from './errors.js';

/**
 * The wire protocol every transport carries, as JSON text, one message per frame.
 *
 *   client -> host: call {id, method, input} | cancel {id} | subscribe {id, event} | unsubscribe {id}
 *   host -> client: ok {id, output} | error {id, error} | event {id, event, payload}
 *
 * `id` is chosen by the client and unique among its in-flight calls and subscriptions.
 * An error about a message whose id could not be read carries `id: null`.
 */
export const PROTOCOL_VERSION = 1;

/** Frames above this size are refused by every transport (bytes of UTF-8 JSON). */
export const DEFAULT_MAX_MESSAGE_BYTES = 256 * 1024;

export type ClientMessage =
  | { type: 'call'; id: number; method: string; input?: unknown }
  | { type: 'cancel'; id: number }
  | { type: 'subscribe'; id: number; event: string }
  | { type: 'unsubscribe'; id: number };

const CLIENT_FIELDS: Record<ClientMessage['type'], { required: readonly string[]; optional: readonly string[] }> = {
  call: { required: ['type', 'id', 'method'], optional: ['input'] },
  cancel: { required: ['type', 'id'], optional: [] },
  subscribe: { required: ['type', 'id', 'event'], optional: [] },
  unsubscribe: { required: ['type', 'id'], optional: [] },
};

/**
 * Checks a decoded client message's envelope; returns the message or why it is not one. Written
 * by hand rather than with a schema: every call passes here, and it is the router's hot path.
 */
export interface EnvelopeIssue {
  path: string;
  message: string;
}

export function parseClientMessage(json: unknown): { ok: true; message: ClientMessage } | { ok: false; issue: EnvelopeIssue } {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return bad('', 'The message is not an object.');
  const record = json as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== 'string' || !Object.hasOwn(CLIENT_FIELDS, type)) return bad('type', 'Unknown message type.');
  const fields = CLIENT_FIELDS[type as ClientMessage['type']];
  for (const key of fields.required) if (!(key in record)) return bad(key, 'Required.');
  for (const key of Object.keys(record)) {
    if (!fields.required.includes(key) && !fields.optional.includes(key)) return bad(key, 'Unexpected field.');
  }
  if (!isMessageId(record.id)) return bad('id', 'Must be a non-negative safe integer.');
  for (const key of ['method', 'event'] as const) {
    if (key in record && !isName(record[key])) return bad(key, 'Must be a name of 1 to 128 characters.');
  }
  return { ok: true, message: record as ClientMessage };
}

function bad(path: string, message: string): { ok: false; issue: EnvelopeIssue } {
  return { ok: false, issue: { path, message } };
}

export function isMessageId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= 128;
}

export type HostMessage =
  | { type: 'ok'; id: number; output: unknown }
  | { type: 'error'; id: number | null; error: ErrorPayload }
  | { type: 'event'; id: number; event: string; payload: unknown };

/** Byte length of a string as UTF-8, without needing TextEncoder's allocation for ASCII. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
