import { z } from 'zod';
import { ERROR_CODES, type ErrorPayload } from './errors.js';

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

const id = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const name = z.string().min(1).max(128);

export const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('call'), id, method: name, input: z.unknown().optional() }).strict(),
  z.object({ type: z.literal('cancel'), id }).strict(),
  z.object({ type: z.literal('subscribe'), id, event: name }).strict(),
  z.object({ type: z.literal('unsubscribe'), id }).strict(),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

const errorPayloadSchema = z.object({
  code: z.enum(ERROR_CODES as [string, ...string[]]),
  message: z.string(),
  details: z.unknown().optional(),
});

export const hostMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ok'), id, output: z.unknown() }),
  z.object({ type: z.literal('error'), id: id.nullable(), error: errorPayloadSchema }),
  z.object({ type: z.literal('event'), id, event: name, payload: z.unknown() }),
]);
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
