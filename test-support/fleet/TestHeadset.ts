import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import { DEVICE_API, type Challenge, type RegistrationRequest } from '../../src/fleet/deviceApi.js';
import type { Inventory } from '../../src/fleet/inventory.js';
import { SIGNED_REQUEST_HEADERS, registrationMessage, requestMessage } from '../../src/fleet/signing.js';
import type { Answer, Sender } from './httpSender.js';

interface KeyPair {
  publicKey: KeyObject;
  privateKey: KeyObject;
}

/**
 * A headset as the fleet server sees it: a device id and an Ed25519 key pair, registering by
 * answering a challenge and signing its requests the way `src/fleet/signing.ts` says.
 */
export class TestHeadset {
  readonly publicKey: string;

  constructor(
    private readonly send: Sender,
    readonly deviceId: string = randomUUID(),
    private readonly keys: KeyPair = generateKeyPairSync('ed25519'),
  ) {
    // The raw 32-byte key is the last part of its DER SubjectPublicKeyInfo.
    this.publicKey = keys.publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('base64');
  }

  /** The same headset after a factory reset: same device id, a new key. */
  afterFactoryReset(): TestHeadset {
    return new TestHeadset(this.send, this.deviceId);
  }

  /** Another headset claiming `victim`'s device id while signing with its own key. */
  impersonating(victim: TestHeadset): TestHeadset {
    return new TestHeadset(this.send, victim.deviceId, this.keys);
  }

  signText(text: string): string {
    return sign(null, Buffer.from(text, 'utf8'), this.keys.privateKey).toString('base64');
  }

  async challenge(): Promise<Challenge> {
    const answer = await this.post(DEVICE_API.challenges, { deviceId: this.deviceId });
    if (answer.status !== 200) throw new Error(`challenge: ${answer.status} ${answer.text}`);
    return answer.json<Challenge>();
  }

  /** The registration answering `challenge`, signed with this headset's key. */
  registration(challenge: Challenge): RegistrationRequest {
    const message = registrationMessage({
      challengeId: challenge.challengeId,
      nonce: challenge.nonce,
      deviceId: this.deviceId,
      publicKey: this.publicKey,
    });
    return { challengeId: challenge.challengeId, deviceId: this.deviceId, publicKey: this.publicKey, signature: this.signText(message) };
  }

  postRegistration(registration: RegistrationRequest): Promise<Answer> {
    return this.post(DEVICE_API.registrations, registration);
  }

  /** Challenge and answer in one go. */
  async register(): Promise<Answer> {
    return this.postRegistration(this.registration(await this.challenge()));
  }

  /** A signed request's headers for exactly these bytes. */
  signedHeaders(method: string, path: string, body: string, options: { timestamp?: number; nonce?: string } = {}): Record<string, string> {
    const timestamp = String(options.timestamp ?? Date.now());
    const nonce = options.nonce ?? randomBytes(18).toString('base64url');
    const bodySha256 = createHash('sha256').update(body).digest('hex');
    const signature = this.signText(requestMessage({ method, path, bodySha256, timestamp, nonce, deviceId: this.deviceId }));
    return {
      'content-type': 'application/json',
      [SIGNED_REQUEST_HEADERS.device]: this.deviceId,
      [SIGNED_REQUEST_HEADERS.timestamp]: timestamp,
      [SIGNED_REQUEST_HEADERS.nonce]: nonce,
      [SIGNED_REQUEST_HEADERS.signature]: signature,
    };
  }

  /** A signed check-in with this inventory; `options` fixes the timestamp or nonce (for replays). */
  checkInRequest(inventory: Inventory = sampleInventory(), options: { timestamp?: number; nonce?: string } = {}) {
    const body = JSON.stringify({ inventory });
    return { method: 'POST', url: DEVICE_API.checkIns, headers: this.signedHeaders('POST', DEVICE_API.checkIns, body, options), body };
  }

  checkIn(inventory?: Inventory, options?: { timestamp?: number; nonce?: string }): Promise<Answer> {
    return this.send(this.checkInRequest(inventory, options));
  }

  private post(url: string, body: unknown): Promise<Answer> {
    return this.send({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }
}

/** What a simulated headset reports: its model, components, slots, latest health and group tags. */
export function sampleInventory(overrides: Partial<Inventory> = {}): Inventory {
  return {
    model: 'HC-1',
    appVersion: '0.1.0',
    components: { bootloader: '2024.01', firmware: '2.1.0', system: '1.0.0' },
    slots: {
      active: 'A',
      order: ['A', 'B'],
      list: [
        { name: 'A', version: '1.0.0', bootable: true, triesLeft: 3, active: true },
        { name: 'B', version: '0.9.0', bootable: true, triesLeft: 3, active: false },
      ],
      fellBack: false,
    },
    health: {
      takenAt: '2026-01-01T12:00:00.000Z',
      cpuLoadPercent: 12.5,
      temperatureC: 41.5,
      memory: { usedBytes: 1_200_000_000, totalBytes: 4_000_000_000 },
      disk: { path: '/data', usedBytes: 10_000_000_000, totalBytes: 64_000_000_000 },
      battery: { percent: 85, charging: false },
      gps: { timeToLockMs: 4_200, locked: true, satellites: 9 },
    },
    groupTags: ['site:berlin', 'beta'],
    ...overrides,
  };
}
