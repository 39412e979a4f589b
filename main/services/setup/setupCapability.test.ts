import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SubsystemLogger } from '../logging/Logger.js';
import { setupCapability } from './setupCapability.js';

const quietLog = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined } as unknown as SubsystemLogger;
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('setupCapability', () => {
  it('hands the name and formats entered on to the wearer’s profile, and nothing else', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'setup-'));
    dirs.push(dir);
    const changes: unknown[] = [];
    const setup = setupCapability({ stateDir: dir, log: quietLog, profile: { set: async (c) => void changes.push(c) } });
    await setup.start?.();
    const save = setup.handlers!['setup.save']!;
    await save({ step: 'network', outcome: { step: 'language', result: 'done' }, entered: { locale: 'en-GB' } }, {} as never);
    await save({ step: 'account', entered: { networkSsid: 'Harbour Home' } }, {} as never);
    await save({ step: 'account', entered: { wearerName: 'Ada' } }, {} as never);
    expect(changes).toEqual([
      { locale: 'en-GB', wearerName: undefined },
      { locale: undefined, wearerName: 'Ada' },
    ]);
  });

  it('a profile that cannot be written fails the save after the journal kept the step', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'setup-'));
    dirs.push(dir);
    const setup = setupCapability({
      stateDir: dir,
      log: quietLog,
      profile: {
        set: async () => {
          throw new Error('disk full');
        },
      },
    });
    await setup.start?.();
    await expect(setup.handlers!['setup.save']!({ step: 'account', entered: { wearerName: 'Ada' } }, {} as never)).rejects.toThrow('disk full');
    expect(setup.provides.current().entered.wearerName).toBe('Ada');
  });

  it('saves asked together are answered in order: a slow profile write is not overtaken by the next step', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'setup-'));
    dirs.push(dir);
    let release!: () => void;
    const profileWritten = new Promise<void>((resolve) => (release = resolve));
    const setup = setupCapability({ stateDir: dir, log: quietLog, profile: { set: () => profileWritten } });
    await setup.start?.();
    const save = setup.handlers!['setup.save']!;
    const answers: string[] = [];
    const first = Promise.resolve(
      save({ step: 'network', outcome: { step: 'language', result: 'done' }, entered: { locale: 'en-GB' } }, {} as never),
    ).then((p) => answers.push(p.step));
    const second = Promise.resolve(
      save({ step: 'account', outcome: { step: 'network', result: 'done' }, entered: { networkSsid: null } }, {} as never),
    ).then((p) => answers.push(p.step));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answers).toEqual([]);
    release();
    await Promise.all([first, second]);
    expect(answers).toEqual(['network', 'account']);
    expect(setup.provides.current().step).toBe('account');
  });

  it('a failed save does not stop the next one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'setup-'));
    dirs.push(dir);
    let fail = true;
    const setup = setupCapability({
      stateDir: dir,
      log: quietLog,
      profile: {
        set: async () => {
          if (fail) throw new Error('disk full');
        },
      },
    });
    await setup.start?.();
    const save = setup.handlers!['setup.save']!;
    await expect(save({ step: 'account', entered: { wearerName: 'Ada' } }, {} as never)).rejects.toThrow('disk full');
    fail = false;
    expect((await save({ step: 'restore', outcome: { step: 'account', result: 'done' } }, {} as never)).step).toBe('restore');
  });
});
