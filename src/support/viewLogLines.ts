/**
 * What the headset's sftp view says about support: the sshd's stderr (who logged in, by key
 * fingerprint) and internal-sftp's syslog messages at INFO (what was read, what was refused).
 */

/** sshd: `Accepted publickey for USER from ADDR port N ssh2: ED25519 SHA256:…`. */
export interface ViewLogin {
  user: string;
  /** The client's port: its later disconnect names the same one. */
  port: string;
  fingerprint: string;
}

const ACCEPTED = /^Accepted publickey for (\S+) from \S+ port (\d+) ssh2: \S+ (SHA256:[A-Za-z0-9+/=]+)/;

export function parseViewLogin(line: string): ViewLogin | null {
  const m = ACCEPTED.exec(line);
  return m ? { user: m[1]!, port: m[2]!, fingerprint: m[3]! } : null;
}

/** One thing support did through sftp, as internal-sftp -l INFO logs it. */
export type SftpAction =
  | { op: 'session-opened' | 'session-closed' }
  | { op: 'read'; path: string; bytes: number }
  | { op: 'open'; path: string; write: boolean }
  | { op: 'list'; path: string }
  | { op: 'refused'; status: string }
  | { op: 'other'; text: string };

/**
 * One syslog message (`<PRI>Mon dd hh:mm:ss internal-sftp[PID]: text`, NUL-terminated on a stream
 * socket) from the view's `/dev/log`; null for anything that is not internal-sftp's.
 */
export function parseSftpLogMessage(message: string): SftpAction | null {
  const m = /^<\d+>(?:\w{3} [ \d]\d \d\d:\d\d:\d\d )?internal-sftp\[\d+\]: (.*)$/s.exec(message.replace(/\0+$/, '').trim());
  if (!m) return null;
  const text = m[1]!;
  if (/^session opened for local user /.test(text)) return { op: 'session-opened' };
  if (/^session closed for local user /.test(text)) return { op: 'session-closed' };
  let p = /^close "(.*)" bytes read (\d+) written \d+$/.exec(text);
  if (p) return { op: 'read', path: p[1]!, bytes: Number(p[2]) };
  p = /^open "(.*)" flags (\S+) mode \d+$/.exec(text);
  if (p) return { op: 'open', path: p[1]!, write: /WRITE|CREATE|TRUNCATE|APPEND/.test(p[2]!) };
  p = /^opendir "(.*)"$/.exec(text);
  if (p) return { op: 'list', path: p[1]! };
  p = /^sent status (.*)$/.exec(text);
  if (p) return p[1] === 'No such file' || p[1] === 'End of file' ? null : { op: 'refused', status: p[1]! };
  if (/^closedir "/.test(text)) return null;
  return { op: 'other', text };
}
