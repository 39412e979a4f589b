import { createHash, randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { RegistrationProblem } from '../../../src/api/contract.js';
import {
  DEVICE_API,
  challengeSchema,
  checkInResultSchema,
  registrationResultSchema,
  type CheckInResult,
  type RegistrationRequest,
  type RegistrationResult,
} from '../../../src/fleet/deviceApi.js';
import type { FleetErrorCode } from '../../../src/fleet/errors.js';
import type { Inventory } from '../../../src/fleet/inventory.js';
import {
  TRACK_API,
  trackProposalResultSchema,
  trackSyncResultSchema,
  type TrackProposalRequest,
  type TrackProposalResult,
  type TrackSyncResult,
} from '../../../src/fleet/trackApi.js';
import type { UpdateReport } from '../../../src/fleet/updateApi.js';
import { SIGNED_REQUEST_HEADERS, registrationMessage, requestMessage } from '../../../src/fleet/signing.js';
import { answerInvalid, problemOfAnswer, unreachable } from '../../../src/registration/registrationProblem.js';
import type { IdentitySigner } from './ports.js';

/** What one exchange with the server gave: its answer, or why there is none (a state, not a throw). */
export type FleetExchange<T> = { ok: true; value: T } | { ok: false; problem: RegistrationProblem & { fleetCode?: FleetErrorCode } };

export interface FleetClientOptions {
  /** How long an answer may take before the server counts as unreachable. */
  timeoutMs?: number;
  /** The wall clock a signed request's timestamp is read from. */
  now?: () => number;
  /** Aborts a request in flight (headsetd stopping). */
  signal?: AbortSignal;
}

const DEFAULT_TIMEOUT_MS = 15_000;
/** Answers larger than this are not the fleet API's (its answers are a few hundred bytes). */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * The headset's side of the fleet server's device API (`src/fleet/deviceApi.ts`): registration by a
 * challenge signed with the identity key, and check-ins signed per request over method, path, the
 * body's SHA-256, a timestamp and a fresh nonce (`src/fleet/signing.ts`). No bearer secret, cookie or
 * stored token: the key, which never leaves IdentityService, is the only credential.
 */
export class FleetClient {
  private readonly base: string;

  constructor(
    serverUrl: string,
    private readonly identity: IdentitySigner,
    private readonly options: FleetClientOptions = {},
  ) {
    this.base = serverUrl.replace(/\/+$/, '');
  }

  /** Answers a fresh challenge with the current key: `pending` until an operator accepts it, or `accepted`. */
  async register(): Promise<FleetExchange<RegistrationResult>> {
    const { deviceId, publicKey } = this.identity.get();
    const challenge = await this.send(DEVICE_API.challenges, JSON.stringify({ deviceId }), {}, challengeSchema);
    if (!challenge.ok) return challenge;
    const { challengeId, nonce } = challenge.value;
    const signature = this.signText(registrationMessage({ challengeId, nonce, deviceId, publicKey }));
    const request: RegistrationRequest = { challengeId, deviceId, publicKey, signature };
    return this.send(DEVICE_API.registrations, JSON.stringify(request), {}, registrationResultSchema);
  }

  /** A signed check-in with this inventory; the answer says when the server wants the next. */
  async checkIn(inventory: Inventory, updateReports: readonly UpdateReport[] = []): Promise<FleetExchange<CheckInResult>> {
    // Left out when there is nothing to report: a server without rollouts knows only the inventory.
    const body = JSON.stringify(updateReports.length > 0 ? { inventory, updateReports } : { inventory });
    return this.send(DEVICE_API.checkIns, body, this.signedHeaders('POST', this.pathOf(DEVICE_API.checkIns), body), checkInResultSchema);
  }

  /** A track the headset learned (signature and coarse cells, no trace), signed: what the registry made of it. */
  async proposeTrack(proposal: TrackProposalRequest): Promise<FleetExchange<TrackProposalResult>> {
    return this.signedPost(TRACK_API.proposals, JSON.stringify(proposal), trackProposalResultSchema);
  }

  /** The registry's changes after `since`, a page at a time, signed. */
  async syncTracks(since: number): Promise<FleetExchange<TrackSyncResult>> {
    return this.signedPost(TRACK_API.sync, JSON.stringify({ since }), trackSyncResultSchema);
  }

  private signedPost<S extends z.ZodType>(route: string, body: string, schema: S): Promise<FleetExchange<z.output<S>>> {
    return this.send(route, body, this.signedHeaders('POST', this.pathOf(route), body), schema);
  }

  private signedHeaders(method: string, path: string, body: string): Record<string, string> {
    const { deviceId } = this.identity.get();
    const timestamp = String(this.options.now?.() ?? Date.now());
    // 18 random bytes: 24 base64url characters, never repeated by this headset in practice.
    const nonce = randomBytes(18).toString('base64url');
    const bodySha256 = createHash('sha256').update(body, 'utf8').digest('hex');
    return {
      [SIGNED_REQUEST_HEADERS.device]: deviceId,
      [SIGNED_REQUEST_HEADERS.timestamp]: timestamp,
      [SIGNED_REQUEST_HEADERS.nonce]: nonce,
      [SIGNED_REQUEST_HEADERS.signature]: this.signText(requestMessage({ method, path, bodySha256, timestamp, nonce, deviceId })),
    };
  }

  private signText(text: string): string {
    return Buffer.from(this.identity.sign(Buffer.from(text, 'utf8'))).toString('base64');
  }

  /** The path as the server receives it (a server under a path prefix sees the prefix too). */
  private pathOf(route: string): string {
    return new URL(this.base + route).pathname;
  }

  private async send<S extends z.ZodType>(
    route: string,
    body: string,
    headers: Record<string, string>,
    schema: S,
  ): Promise<FleetExchange<z.output<S>>> {
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const signals = [AbortSignal.timeout(timeoutMs), ...(this.options.signal ? [this.options.signal] : [])];
    let status: number;
    let text: string;
    try {
      const response = await fetch(this.base + route, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        signal: AbortSignal.any(signals),
        redirect: 'error',
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      return { ok: false, problem: unreachable(reasonOf(error, timeoutMs)) };
    }
    if (text.length > MAX_ANSWER_BYTES) return { ok: false, problem: answerInvalid(`HTTP ${status}, an answer of ${text.length} bytes`) };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (status !== 200) return { ok: false, problem: problemOfAnswer(status, json) };
    const parsed = schema.safeParse(json);
    return parsed.success
      ? { ok: true, value: parsed.data }
      : { ok: false, problem: answerInvalid(`HTTP 200 from ${route}, a body off the contract`) };
  }
}

/** The system's word for a request that got no answer: ECONNREFUSED, ENOTFOUND, a timeout. */
function reasonOf(error: unknown, timeoutMs: number): string {
  const e = error as { name?: string; cause?: { code?: unknown; message?: unknown }; message?: string };
  if (e?.name === 'TimeoutError') return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  if (e?.name === 'AbortError') return 'stopped';
  if (typeof e?.cause?.code === 'string') return e.cause.code;
  if (typeof e?.cause?.message === 'string') return e.cause.message;
  return e?.message ?? String(error);
}
