import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FleetConfigError, checkFleetUrl, openFleetConfig, parseFleetTags } from './fleetConfig.js';
import { RegistrationJournal } from './RegistrationJournal.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});
async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fleet-config-'));
  dirs.push(dir);
  return dir;
}

describe('--fleet-url and --fleet-tags', () => {
  it('takes an http(s) address, without a trailing slash, and refuses credentials, queries and other schemes', () => {
    expect(checkFleetUrl('https://fleet.example.org/')).toBe('https://fleet.example.org');
    expect(checkFleetUrl('http://127.0.0.1:8400/fleet/')).toBe('http://127.0.0.1:8400/fleet');
    expect(() => checkFleetUrl('fleet.example.org')).toThrow(FleetConfigError);
    expect(() => checkFleetUrl('ftp://fleet.example.org')).toThrow(/http:\/\/ or https:\/\//);
    expect(() => checkFleetUrl('https://admin:secret@fleet.example.org')).toThrow(/must not carry a user name or password/);
    expect(() => checkFleetUrl('https://fleet.example.org/?token=x')).toThrow(/query or a fragment/);
  });

  it('takes up to 16 group tags in the server’s spelling, naming a bad one', () => {
    expect(parseFleetTags('site:berlin, beta,,beta')).toEqual(['site:berlin', 'beta']);
    expect(() => parseFleetTags('Site Berlin')).toThrow(/"Site Berlin" is not a group tag/);
    expect(() => parseFleetTags(Array.from({ length: 17 }, (_, i) => `t${i}`).join(','))).toThrow(/at most 16/);
  });
});

describe('the remembered fleet configuration', () => {
  it('is remembered once given, its tags changed alone, and forgotten with "off"', async () => {
    const dir = await stateDir();
    expect(await openFleetConfig({ stateDir: dir })).toBeUndefined();
    expect(await openFleetConfig({ stateDir: dir, url: 'https://fleet.example.org/', tags: 'beta' })).toEqual({
      serverUrl: 'https://fleet.example.org',
      groupTags: ['beta'],
    });
    expect(await openFleetConfig({ stateDir: dir })).toEqual({ serverUrl: 'https://fleet.example.org', groupTags: ['beta'] });
    expect(await openFleetConfig({ stateDir: dir, tags: 'site:lyon' })).toEqual({ serverUrl: 'https://fleet.example.org', groupTags: ['site:lyon'] });
    expect(await openFleetConfig({ stateDir: dir, url: 'off' })).toBeUndefined();
    expect(await openFleetConfig({ stateDir: dir })).toBeUndefined();
    // Forgetting what was never configured is no error either.
    expect(await openFleetConfig({ stateDir: dir, url: 'off' })).toBeUndefined();
  });

  it('a file that is not a configuration is named in a FleetConfigError (headsetd then starts unmanaged)', async () => {
    const dir = await stateDir();
    await writeFile(join(dir, 'fleet-config.json'), '{"serverUrl": ');
    await expect(openFleetConfig({ stateDir: dir })).rejects.toThrow(/fleet-config.json is not readable JSON/);
    await writeFile(join(dir, 'fleet-config.json'), JSON.stringify({ serverUrl: 'https://fleet.example.org', groupTags: ['Not A Tag'] }));
    await expect(openFleetConfig({ stateDir: dir })).rejects.toBeInstanceOf(FleetConfigError);
    // Given again, the address replaces what could not be read.
    await writeFile(join(dir, 'fleet-config.json'), 'garbage');
    expect(await openFleetConfig({ stateDir: dir, url: 'https://fleet.example.org' })).toEqual({
      serverUrl: 'https://fleet.example.org',
      groupTags: [],
    });
    expect(JSON.parse(await readFile(join(dir, 'fleet-config.json'), 'utf8'))).toEqual({ serverUrl: 'https://fleet.example.org', groupTags: [] });
  });
});

describe('the registration journal', () => {
  it('keeps the record; one it cannot read counts as none, said as unreadable (the headset registers again)', async () => {
    const dir = await stateDir();
    const journal = new RegistrationJournal(dir);
    expect(await journal.load()).toEqual({ record: undefined, unreadable: false });
    const record = {
      version: 1 as const,
      serverUrl: 'https://fleet.example.org',
      deviceId: '6f1c1f9e-3b0a-4f5e-9a4b-2a8f4c1d7e10',
      publicKey: 'A'.repeat(43) + '=',
      status: 'accepted' as const,
      acceptedAt: '2026-01-01T00:00:00.000Z',
      lastCheckInAt: '2026-01-01T00:01:00.000Z',
    };
    await journal.save(record);
    expect(await journal.load()).toEqual({ record, unreadable: false });
    await writeFile(join(dir, 'fleet-registration.json'), (await readFile(join(dir, 'fleet-registration.json'), 'utf8')).slice(0, 40));
    expect(await journal.load()).toEqual({ record: undefined, unreadable: true });
    await writeFile(join(dir, 'fleet-registration.json'), JSON.stringify({ ...record, status: 'maybe' }));
    expect(await journal.load()).toEqual({ record: undefined, unreadable: true });
  });
});
