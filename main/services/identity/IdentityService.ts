import { randomUUID } from 'node:crypto';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import sodium from 'sodium-native';
import type { IdentityRecord as Identity } from '../../../src/api/contract.js';
import type { SecretRegistrar, Unregister } from '../../../src/secrets/SecretRegistry.js';
import { registerKeyBytes } from '../secrets/registerKeyBytes.js';
import { readFileIfExists, readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import type { HardwareIdSource } from './ports.js';

const SECRET_KEY_FILE = 'ed25519.secret';
const IDENTITY_FILE = 'identity.json';

/**
 * The device's identity: a UUID (the hardware's, else generated once) and an Ed25519 key pair made
 * on first boot. Kept in a folder the factory reset never touches, private key mode 0600. The
 * private key stays inside this class: callers get signatures, never the key. Its text forms are
 * registered as secrets, so no log line or record carries them even if printed by mistake.
 */
export class IdentityService {
  private identity: Identity | undefined;
  private secretKey: Buffer | undefined;
  private unregisterKey: Unregister | undefined;

  constructor(
    private readonly dir: string,
    private readonly hardwareId: HardwareIdSource,
    private readonly secrets?: SecretRegistrar,
  ) {}

  async load(): Promise<Identity> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700);
    const stored = await readJsonIfExists<Identity>(join(this.dir, IDENTITY_FILE));
    const secret = await readFileIfExists(join(this.dir, SECRET_KEY_FILE));
    if (stored && secret?.length === sodium.crypto_sign_SECRETKEYBYTES) {
      await this.assertPrivate(join(this.dir, SECRET_KEY_FILE));
      this.identity = stored;
      this.holdKey(secret);
      return stored;
    }
    return this.create(stored?.deviceId);
  }

  get(): Identity {
    if (!this.identity) throw new Error('IdentityService.load() has not run');
    return this.identity;
  }

  /** Detached Ed25519 signature of `message` by the device key. */
  sign(message: Uint8Array): Buffer {
    if (!this.secretKey) throw new Error('IdentityService.load() has not run');
    const signature = Buffer.alloc(sodium.crypto_sign_BYTES);
    sodium.crypto_sign_detached(signature, Buffer.from(message), this.secretKey);
    return signature;
  }

  private async create(keepDeviceId: string | undefined): Promise<Identity> {
    const hardware = await this.hardwareId.read();
    const publicKey = Buffer.alloc(sodium.crypto_sign_PUBLICKEYBYTES);
    const secretKey = Buffer.alloc(sodium.crypto_sign_SECRETKEYBYTES);
    sodium.crypto_sign_keypair(publicKey, secretKey);
    const identity: Identity = {
      deviceId: keepDeviceId ?? hardware ?? randomUUID(),
      idSource: keepDeviceId ? 'generated' : hardware ? 'hardware' : 'generated',
      keyAlgorithm: 'ed25519',
      publicKey: publicKey.toString('base64'),
      createdAt: new Date().toISOString(),
    };
    if (keepDeviceId && hardware === keepDeviceId) identity.idSource = 'hardware';
    // Key first, then the record that points to it: a cut between the two regenerates both.
    await writeFileAtomic(join(this.dir, SECRET_KEY_FILE), secretKey, { mode: 0o600 });
    await writeFileAtomic(join(this.dir, IDENTITY_FILE), JSON.stringify(identity, null, 2), { mode: 0o644 });
    this.identity = identity;
    this.holdKey(secretKey);
    return identity;
  }

  /** The key and, registered, its text forms: the whole 64 bytes and the 32-byte seed they start with. */
  private holdKey(secretKey: Buffer): void {
    this.unregisterKey?.();
    this.secretKey = secretKey;
    if (!this.secrets) return;
    const whole = registerKeyBytes(this.secrets, secretKey, 'identity key');
    const seed = registerKeyBytes(this.secrets, secretKey.subarray(0, 32), 'identity key seed');
    this.unregisterKey = () => {
      whole();
      seed();
    };
  }

  private async assertPrivate(path: string): Promise<void> {
    const info = await stat(path);
    if ((info.mode & 0o077) !== 0) await chmod(path, 0o600);
  }
}
