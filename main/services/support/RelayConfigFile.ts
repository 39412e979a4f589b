import { readFile, stat } from 'node:fs/promises';
import { z } from 'zod';
import { readFileIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import type { RelayDirectory, SupportRelay } from './ports.js';

/** `ssh-ed25519 AAAA…` (a comment after it is allowed and ignored). */
const publicKey = z.string().regex(/^ssh-ed25519 [A-Za-z0-9+/]+={0,2}( .*)?$/, 'an ssh-ed25519 public key line');

const relayConfigSchema = z
  .object({
    name: z.string().min(1).max(80),
    host: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9.:_-]*$/, 'a host name or address (never starting with -)'),
    port: z.number().int().min(1).max(65535).default(22),
    user: z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'an account name'),
    hostKey: publicKey,
    remotePort: z.number().int().min(0).max(65535).default(0),
    viewers: z.array(z.object({ name: z.string().min(1).max(80), key: publicKey })).default([]),
    /**
     * A relay on this machine (a developer's, the tests'): its authorized_keys file, where the
     * session key is added for the session with the restrictions native/support/ documents.
     */
    authorizedKeysFile: z.string().optional(),
  })
  .strict();
export type RelayConfig = z.infer<typeof relayConfigSchema>;

/**
 * The relay as `support-relay.json` in headsetd's state folder says (docs/support.md). A file that
 * is not a valid relay reads as none configured, and says why once in the log.
 */
export class RelayConfigFile implements RelayDirectory {
  constructor(
    readonly path: string,
    private readonly onInvalid: (reason: string) => void = () => undefined,
  ) {}

  async relay(): Promise<(SupportRelay & { authorizedKeysFile?: string }) | null> {
    const bytes = await readFileIfExists(this.path);
    if (bytes === undefined) return null;
    let json: unknown;
    try {
      json = JSON.parse(bytes.toString('utf8'));
    } catch {
      this.onInvalid('is not JSON');
      return null;
    }
    const parsed = relayConfigSchema.safeParse(json);
    if (!parsed.success) {
      this.onInvalid(parsed.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; '));
      return null;
    }
    return parsed.data;
  }

  async authorize(relay: SupportRelay & { authorizedKeysFile?: string }, publicKeyLine: string, sessionId: string): Promise<() => Promise<void>> {
    const file = relay.authorizedKeysFile;
    // A relay elsewhere lets the key in by its own means (the fleet server, later): nothing to do here.
    if (!file) return async () => undefined;
    const marker = `headset-support-session-${sessionId}`;
    const listen = relay.remotePort === 0 ? 'localhost:*' : `localhost:${relay.remotePort}`;
    const line = `${relayKeyOptions(listen)} ${publicKeyLine.split(' ').slice(0, 2).join(' ')} ${marker}`;
    await editLines(file, (lines) => [...lines.filter((l) => !l.endsWith(` ${marker}`)), line]);
    return () => editLines(file, (lines) => lines.filter((l) => !l.endsWith(` ${marker}`)));
  }
}

/** The options a session key gets on the relay: nothing but forwarding the one port back (native/support/). */
export function relayKeyOptions(listen: string): string {
  return `restrict,port-forwarding,permitlisten="${listen}",command="/usr/sbin/nologin"`;
}

async function editLines(file: string, edit: (lines: string[]) => string[]): Promise<void> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const lines = edit(text.split('\n').filter((l) => l.trim() !== ''));
  // The relay's sshd reads the file as its account: keep whatever mode the relay gave it.
  const mode = await stat(file).then(
    (info) => info.mode & 0o777,
    () => 0o644,
  );
  await writeFileAtomic(file, lines.length ? `${lines.join('\n')}\n` : '', { mode });
}
