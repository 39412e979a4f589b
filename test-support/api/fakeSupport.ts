import type { CallHandlers, SupportStatus } from '../../src/api/contract.js';
import { AppError } from '../../src/api/errors.js';
import { StateChannel } from '../../src/api/stateChannel.js';
import { SessionLimits, sessionMinutes } from '../../src/support/SessionLimits.js';

export interface FakeSupportOptions {
  /** Whether a relay is configured (default true). */
  configured?: boolean;
  /** The relay's name the wearer is told (default "Acme support"). */
  who?: string;
  /** What the headset lacks for a session (as the device's availability check words it); starting then fails. */
  missing?: string[];
}

/**
 * Remote support on the fake headset: the real duration rules and limits (src/support/), with a
 * tunnel that is up at once. Stopping, or the timer, ends it as on the device.
 */
export function createFakeSupport(options: FakeSupportOptions = {}) {
  const configured = options.configured ?? true;
  const channel = new StateChannel<SupportStatus>({ state: 'off', configured, switchOn: false, session: null, lastEnded: null });
  let session: { limits: SessionLimits; status: NonNullable<SupportStatus['session']>; timer: ReturnType<typeof setTimeout> } | undefined;
  let count = 0;
  const status = (): SupportStatus => {
    const current = channel.current()!;
    if (!session) return current;
    const now = performance.now();
    return { ...current, session: { ...session.status, endsInMs: session.limits.endsInMs(now), idleEndsInMs: session.limits.idleEndsInMs(now) } };
  };
  const end = (reason: 'wearer' | 'timer') => {
    if (!session) return;
    clearTimeout(session.timer);
    const id = session.status.id;
    session = undefined;
    channel.set({ ...channel.current()!, state: 'off', session: null, lastEnded: { id, at: new Date().toISOString(), reason, problem: null } });
  };
  const handlers: Pick<CallHandlers, 'support.status' | 'support.start' | 'support.stop'> = {
    'support.status': () => status(),
    'support.start': ({ durationMinutes, reason }) => {
      const minutes = sessionMinutes(durationMinutes);
      if (!configured) throw new AppError('SUPPORT_NOT_CONFIGURED');
      if (session) throw new AppError('SUPPORT_ALREADY_ACTIVE');
      if (options.missing?.length) throw new AppError('SUPPORT_UNAVAILABLE', undefined, { missing: options.missing });
      const durationMs = minutes * 60_000;
      const limits = new SessionLimits(performance.now(), durationMs, 15 * 60_000);
      session = {
        limits,
        timer: setTimeout(() => end('timer'), Math.min(durationMs, 2 ** 31 - 1)),
        status: {
          id: `fake${++count}`,
          startedBy: 'settings',
          reason: reason?.trim() || null,
          who: options.who ?? 'Acme support',
          viewers: [],
          since: new Date().toISOString(),
          durationMinutes: minutes,
          endsInMs: durationMs,
          idleEndsInMs: 15 * 60_000,
          relay: 'relay.example.com:22',
          relayPort: 40022,
          reads: 0,
          attempt: 0,
          retryInMs: null,
          problem: null,
        },
      };
      channel.set({ ...channel.current()!, state: 'active', session: session.status });
      return status();
    },
    'support.stop': () => {
      end('wearer');
      return status();
    },
  };
  return { channel, handlers };
}
