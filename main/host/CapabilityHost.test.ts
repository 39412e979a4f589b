import { describe, expect, it } from 'vitest';
import type { SubsystemLogger } from '../services/logging/Logger.js';
import { CapabilityHost } from './CapabilityHost.js';

function recordingHost(names: string[], failingStop?: string) {
  const host = new CapabilityHost();
  const calls: string[] = [];
  for (const name of names)
    host.add(name, {
      provides: {},
      start: async () => void calls.push(`start ${name}`),
      stop: async () => {
        calls.push(`stop ${name}`);
        if (name === failingStop) throw new Error(`${name} would not stop`);
      },
    });
  const errors: string[] = [];
  const log = { error: (message: string) => errors.push(message), info: () => undefined, warn: () => undefined } as unknown as SubsystemLogger;
  return { host, calls, errors, log };
}

describe('CapabilityHost.quiesce (the services stopped before a wipe)', () => {
  it('stops every capability but those kept, in reverse order; the orderly stop then stops only the kept ones', async () => {
    const { host, calls, log } = recordingHost(['identity', 'health', 'logs', 'telemetry', 'reset', 'backup']);
    await host.start(log);
    calls.length = 0;
    await host.quiesce(['identity', 'logs', 'reset'], log);
    expect(calls).toEqual(['stop backup', 'stop telemetry', 'stop health']);
    calls.length = 0;
    await host.quiesce(['identity', 'logs', 'reset'], log);
    expect(calls).toEqual([]);
    await host.stop(log);
    expect(calls).toEqual(['stop reset', 'stop logs', 'stop identity']);
  });

  it('a capability quiesced before the start reached it (a wipe resumed at start) is not started', async () => {
    const { host, calls, log } = recordingHost(['identity', 'reset', 'backup']);
    await host.quiesce(['identity', 'reset'], log);
    calls.length = 0;
    await host.start(log);
    expect(calls).toEqual(['start identity', 'start reset']);
  });

  it('one that will not stop is logged and the others still stop; a kept name never added is refused', async () => {
    const { host, calls, errors, log } = recordingHost(['identity', 'health', 'telemetry'], 'telemetry');
    await host.quiesce(['identity'], log);
    expect(calls).toEqual(['stop telemetry', 'stop health']);
    expect(errors).toEqual(['stopping telemetry before the wipe failed']);
    await expect(host.quiesce(['identity', 'gps'], log)).rejects.toThrow(/never added: gps/);
  });
});
