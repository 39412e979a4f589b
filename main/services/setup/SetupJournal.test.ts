import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiCalls } from '../../../src/api/contract.js';
import { FRESH_SETUP, SetupJournal } from './SetupJournal.js';

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'setup-journal-'));
  file = join(dir, 'setup-journal.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('SetupJournal', () => {
  it('starts at the first step when nothing was journaled', async () => {
    expect(await new SetupJournal(file).load()).toEqual(FRESH_SETUP);
  });

  it('returns a new start to the step it was on with what was entered', async () => {
    const journal = new SetupJournal(file);
    await journal.load();
    await journal.save({ step: 'network', outcome: { step: 'language', result: 'done' }, entered: { locale: 'en-GB' } });
    await journal.save({ step: 'account', outcome: { step: 'network', result: 'skipped' }, entered: { wearerName: 'Ada' } });
    const again = await new SetupJournal(file).load();
    expect(again).toMatchObject({
      step: 'account',
      outcomes: { language: 'done', network: 'skipped' },
      entered: { locale: 'en-GB', wearerName: 'Ada', networkSsid: null },
    });
    // Written by rename: no temporary file is left beside it.
    expect(await readdir(dir)).toEqual(['setup-journal.json']);
  });

  it('keeps a value left out and clears one set to null', async () => {
    const journal = new SetupJournal(file);
    await journal.load();
    await journal.save({ step: 'restore', entered: { restorePlace: 'usb', restoreClasses: ['apps'] } });
    const next = await journal.save({ step: 'restore', entered: { restorePlace: null } });
    expect(next.entered).toMatchObject({ restorePlace: null, restoreClasses: ['apps'] });
  });

  it('applies quick saves in order', async () => {
    const journal = new SetupJournal(file);
    await journal.load();
    await Promise.all([
      journal.save({ step: 'network', entered: { locale: 'en-US' } }),
      journal.save({ step: 'account', entered: { wearerName: 'Bo' } }),
    ]);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ step: 'account', entered: { locale: 'en-US', wearerName: 'Bo' } });
  });

  it('starts afresh from a file that does not parse, and says so', async () => {
    const reasons: string[] = [];
    await writeFile(file, '{"step": "nowhere"');
    expect(await new SetupJournal(file, (r) => reasons.push(r)).load()).toEqual(FRESH_SETUP);
    await writeFile(file, JSON.stringify({ step: 'nowhere', outcomes: {}, entered: {}, updatedAt: null }));
    expect(await new SetupJournal(file, (r) => reasons.push(r)).load()).toEqual(FRESH_SETUP);
    expect(reasons).toHaveLength(2);
  });
});

describe('setup.save input', () => {
  const input = apiCalls['setup.save'].input;
  it('has no room for a secret', () => {
    expect(input.safeParse({ step: 'restore', entered: { passphrase: 'correct horse battery' } }).success).toBe(false);
    expect(input.safeParse({ step: 'account', pin: '1234' }).success).toBe(false);
    expect(input.safeParse({ step: 'network', entered: { networkSsid: 'Home', password: 'x' } }).success).toBe(false);
  });
  it('refuses a name with control characters, an unknown step or locale', () => {
    expect(input.safeParse({ step: 'account', entered: { wearerName: 'A\u0007' } }).success).toBe(false);
    expect(input.safeParse({ step: 'welcome' }).success).toBe(false);
    expect(input.safeParse({ step: 'language', entered: { locale: 'xx-XX' } }).success).toBe(false);
    expect(input.safeParse({ step: 'account', entered: { wearerName: 'Ada Lovelace' } }).success).toBe(true);
  });
});
