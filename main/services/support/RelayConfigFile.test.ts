import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SecretRegistry } from '../../../src/secrets/SecretRegistry.js';
import { RelayConfigFile } from './RelayConfigFile.js';
import { redactConfig } from './SupportView.js';

const dir = mkdtempSync(join(tmpdir(), 'relay-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIECXUDoKcLzYZYvTuRj5G4c9EgMWsHHrq3s6u+BGdG7t';

describe('RelayConfigFile', () => {
  it('reads a relay, with defaults; a missing file is no relay', async () => {
    const path = join(dir, 'ok.json');
    expect(await new RelayConfigFile(path).relay()).toBeNull();
    writeFileSync(path, JSON.stringify({ name: 'Acme support', host: 'relay.example.com', user: 'headset-relay', hostKey: KEY }));
    expect(await new RelayConfigFile(path).relay()).toMatchObject({ port: 22, remotePort: 0, viewers: [] });
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['a host with a space', JSON.stringify({ name: 'a', host: 'relay example', user: 'r', hostKey: KEY }), /host/],
    ['an RSA host key', JSON.stringify({ name: 'a', host: 'h', user: 'r', hostKey: 'ssh-rsa AAAA' }), /hostKey/],
    ['an option ssh would take as a flag', JSON.stringify({ name: 'a', host: '-oProxyCommand=x', user: 'r', hostKey: KEY }), /host/],
    ['an unknown field', JSON.stringify({ name: 'a', host: 'h', user: 'r', hostKey: KEY, shell: true }), /shell|Unrecognized/],
  ])('a file with %s is no relay, and says why', async (_name, text, why) => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, text);
    const reasons: string[] = [];
    expect(await new RelayConfigFile(path, (r) => reasons.push(r)).relay()).toBeNull();
    expect(reasons.join(' ')).toMatch(why);
  });

  it('adds the session key to a local relay with forwarding of one port only, and takes it out again', async () => {
    const keys = join(dir, 'authorized_keys');
    writeFileSync(keys, 'ssh-ed25519 AAAAother someone\n', { mode: 0o644 });
    const file = new RelayConfigFile(join(dir, 'x.json'));
    const relay = { name: 'a', host: 'h', port: 22, user: 'r', hostKey: KEY, remotePort: 40022, viewers: [], authorizedKeysFile: keys };
    const revoke = await file.authorize(relay, `${KEY} comment`, 'abc123');
    expect(readFileSync(keys, 'utf8')).toContain(
      `restrict,port-forwarding,permitlisten="localhost:40022",command="/usr/sbin/nologin" ${KEY} headset-support-session-abc123`,
    );
    await revoke();
    expect(readFileSync(keys, 'utf8')).toBe('ssh-ed25519 AAAAother someone\n');
  });
});

describe('configuration shown to support', () => {
  it('loses secret-named fields and every registered secret, wherever it stands', () => {
    const secrets = new SecretRegistry();
    secrets.register('correct-horse-battery', 'a Wi-Fi password');
    const text = JSON.stringify({ ssid: 'Home', psk: 'x1y2z3w4', note: 'uses correct-horse-battery', nested: { apiToken: 'abc' } });
    const shown = redactConfig(text, secrets);
    expect(shown).toContain('Home');
    for (const secret of ['x1y2z3w4', 'correct-horse-battery', '"abc"']) expect(shown).not.toContain(secret);
    expect(redactConfig('password=hunter22 and correct-horse-battery', secrets)).not.toMatch(/hunter22|correct-horse/);
  });
});
