import { describe, expect, it } from 'vitest';
import { AppError } from '../api/errors.js';
import { SessionLimits, sessionMinutes } from './SessionLimits.js';
import { classifyTunnelLine } from './tunnelOutput.js';
import { parseSftpLogMessage, parseViewLogin } from './viewLogLines.js';

describe('SessionLimits', () => {
  it('runs the duration and the idle limit on the clock it is given; activity restarts only the idle one', () => {
    const limits = new SessionLimits(1000, 60_000, 10_000);
    expect(limits.endsInMs(1000)).toBe(60_000);
    expect(limits.expired(10_999)).toBeNull();
    expect(limits.expired(11_000)).toBe('idle');
    limits.touch(9000);
    expect(limits.expired(11_000)).toBeNull();
    expect(limits.idleEndsInMs(11_000)).toBe(8000);
    expect(limits.nextDeadlineInMs(11_000)).toBe(8000);
    for (let t = 9000; t < 61_000; t += 5000) limits.touch(t);
    expect(limits.expired(61_000)).toBe('timer');
  });

  it('a clock that goes back does not lengthen the idle limit', () => {
    const limits = new SessionLimits(0, 60_000, 10_000);
    limits.touch(5000);
    limits.touch(1000);
    expect(limits.idleEndsInMs(5000)).toBe(10_000);
  });

  it('durations: 60 minutes by default, 1 to 1440 whole minutes', () => {
    expect(sessionMinutes(undefined)).toBe(60);
    expect(sessionMinutes(1)).toBe(1);
    expect(sessionMinutes(1440)).toBe(1440);
    for (const bad of [0, -1, 1441, 2.5, Number.NaN]) {
      expect(() => sessionMinutes(bad)).toThrow(AppError);
      try {
        sessionMinutes(bad);
      } catch (error) {
        expect((error as AppError).code).toBe('SUPPORT_DURATION_OUT_OF_RANGE');
      }
    }
  });
});

describe('what ssh says about the tunnel (OpenSSH 9.2 lines)', () => {
  it.each([
    ['debug1: remote forward success for: listen localhost:24001, connect 127.0.0.1:24002', { kind: 'up', relayPort: 24001 }],
    ['debug1: remote forward success for: listen localhost:0, connect 127.0.0.1:24002', { kind: 'up', relayPort: null }],
    ['Allocated port 41235 for remote forward to 127.0.0.1:24002', { kind: 'up', relayPort: 41235 }],
    ['Host key verification failed.', { kind: 'problem', problem: 'relay-host-key', terminal: true }],
    ['@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @', { kind: 'problem', problem: 'relay-host-key', terminal: true }],
    ['headset-relay@127.0.0.1: Permission denied (publickey).', { kind: 'problem', problem: 'relay-refused', terminal: false }],
    ['ssh: connect to host 127.0.0.1 port 2222: Connection refused', { kind: 'problem', problem: 'relay-unreachable', terminal: false }],
    ['ssh: Could not resolve hostname relay.invalid: Name or service not known', { kind: 'problem', problem: 'relay-unreachable', terminal: false }],
    ['Error: remote port forwarding failed for listen port 24001', { kind: 'problem', problem: 'forward-refused', terminal: false }],
    ['Timeout, server 127.0.0.1 not responding.', { kind: 'problem', problem: 'tunnel-lost', terminal: false }],
  ])('%s', (line, expected) => {
    expect(classifyTunnelLine(line)).toMatchObject(expected);
  });

  it('ignores the rest of -v chatter', () => {
    expect(classifyTunnelLine('debug1: Reading configuration data /dev/null')).toBeNull();
    expect(classifyTunnelLine('debug1: Will attempt key: /run/x/tunnel_ed25519 ED25519 SHA256:abc explicit')).toBeNull();
  });
});

describe("the view's log lines", () => {
  it('reads who logged in, by key fingerprint and port', () => {
    expect(
      parseViewLogin(
        'Accepted publickey for headset-support from 127.0.0.1 port 44018 ssh2: ED25519 SHA256:LA4QxNaJxd+6lpuN04rAguSVi19MNNrrxERNCKs98nk',
      ),
    ).toEqual({ user: 'headset-support', port: '44018', fingerprint: 'SHA256:LA4QxNaJxd+6lpuN04rAguSVi19MNNrrxERNCKs98nk' });
    expect(parseViewLogin('Server listening on 127.0.0.1 port 24002.')).toBeNull();
  });

  it('turns internal-sftp syslog messages (as sent to the chroot /dev/log) into actions', () => {
    const m = (text: string) => parseSftpLogMessage(`<38>Dec  7 18:19:42 internal-sftp[9468]: ${text}\0`);
    expect(m('session opened for local user headset-support from [127.0.0.1]')).toEqual({ op: 'session-opened' });
    expect(m('close "/logs/a.log" bytes read 6 written 0')).toEqual({ op: 'read', path: '/logs/a.log', bytes: 6 });
    expect(m('open "/logs/x" flags WRITE,CREATE,TRUNCATE mode 0755')).toEqual({ op: 'open', path: '/logs/x', write: true });
    expect(m('open "/logs/a.log" flags READ mode 0666')).toEqual({ op: 'open', path: '/logs/a.log', write: false });
    expect(m('opendir "/"')).toEqual({ op: 'list', path: '/' });
    expect(m('sent status Permission denied')).toEqual({ op: 'refused', status: 'Permission denied' });
    expect(m('sent status No such file')).toBeNull();
    expect(m('closedir "/"')).toBeNull();
    expect(m('remove name "/logs/a.log"')).toEqual({ op: 'other', text: 'remove name "/logs/a.log"' });
    expect(parseSftpLogMessage('<38>Dec  7 18:19:42 sshd[1]: something else')).toBeNull();
  });
});
