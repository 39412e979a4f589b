import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { relaySshdConfig } from '../../../test-support/support/relaySshdConfig.js';
import { relayKeyOptions } from './RelayConfigFile.js';
import { viewSshdConfig } from './viewSshdConfig.js';

const native = (name: string) => readFileSync(join(import.meta.dirname, '../../../native/support', name), 'utf8');
const EXAMPLE = {
  port: 40100,
  hostKey: '/run/headset-support/session/view_host_ed25519',
  authorizedKeys: '/run/headset-support/viewers',
  user: 'headset-support',
  viewDir: '/run/headset-support/view',
  clientAliveInterval: 15,
};
const sshdThere = spawnSync('test', ['-x', '/usr/sbin/sshd']).status === 0;

describe('native/support', () => {
  it('headset-view-sshd_config is what headsetd writes per session (with example paths)', () => {
    expect(native('headset-view-sshd_config')).toBe(viewSshdConfig(EXAMPLE));
  });

  it('the relay key options in the example are the ones headsetd adds', () => {
    expect(native('relay-authorized_keys.example')).toContain(`${relayKeyOptions('localhost:40022')} ssh-ed25519 `);
  });

  it('the relay config of the tests keeps the restrictions of the shipped one', () => {
    const shipped = native('relay-sshd_config');
    const test = relaySshdConfig({ port: 1, hostKey: 'k', authorizedKeys: 'a', user: 'headset-relay' });
    for (const option of [
      'AllowTcpForwarding remote',
      'GatewayPorts no',
      'PermitTTY no',
      'X11Forwarding no',
      'PasswordAuthentication no',
      'AllowAgentForwarding no',
    ]) {
      expect(shipped).toContain(option);
      expect(test).toContain(option);
    }
  });

  it.skipIf(!sshdThere)('sshd -t accepts both configurations', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sshd-t-'));
    try {
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'key')]);
      const view = viewSshdConfig({ ...EXAMPLE, hostKey: join(dir, 'key') });
      const relay = native('relay-sshd_config').replace('/etc/headset-relay/ssh_host_ed25519_key', join(dir, 'key'));
      for (const [name, text] of [
        ['view', view],
        ['relay', relay],
      ] as const) {
        writeFileSync(join(dir, name), text);
        const result = spawnSync('/usr/sbin/sshd', ['-t', '-f', join(dir, name)], { encoding: 'utf8' });
        expect(result.status, `${name}: ${result.stderr}`).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
