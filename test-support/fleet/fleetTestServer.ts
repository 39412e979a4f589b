import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { BlobStore } from '../../server/blobs/BlobStore.js';
import { FolderBlobStore } from '../../server/blobs/FolderBlobStore.js';
import type { OperatorRole } from '../../src/fleet/operatorApi.js';
import type { SupportRelayOffer } from '../../src/fleet/supportApi.js';
import { buildServer } from '../../server/buildServer.js';
import type { Clock } from '../../server/clock.js';
import type { Database } from '../../server/db/Database.js';
import type { LicenseSigningKey } from '../../server/licenses/licenseKey.js';
import { createOperator } from '../../server/operators/accounts.js';
import { argon2idHasher } from '../../server/operators/passwords.js';
import { injectSender, type Sender } from './httpSender.js';
import { OperatorClient } from './OperatorClient.js';
import { TestHeadset } from './TestHeadset.js';

/** A clock tests move by hand. */
export class TestClock implements Clock {
  constructor(private time = Date.now()) {}
  now(): Date {
    return new Date(this.time);
  }
  advance(ms: number): void {
    this.time += ms;
  }
}

export interface FleetTestServer {
  app: FastifyInstance;
  db: Database;
  clock: TestClock;
  send: Sender;
  headset(): TestHeadset;
  /** An operator with this role whose one-time password is already changed, logged in. */
  operator(role: OperatorRole): Promise<OperatorClient>;
  /** A headset registered and accepted by an admin. */
  acceptedHeadset(): Promise<TestHeadset>;
  close(): Promise<void>;
}

export const TEST_PASSWORD = 'correct horse battery staple';

/** The fleet server in process over `db` (already migrated), with the cheapest Argon2id cost and a hand-moved clock. */
export async function startFleetTestServer(
  db: Database,
  options: { licenseKey?: LicenseSigningKey; blobs?: BlobStore; supportRelay?: SupportRelayOffer } = {},
): Promise<FleetTestServer> {
  const clock = new TestClock();
  const passwords = argon2idHasher('minimum');
  const blobsDir = options.blobs ? undefined : mkdtempSync(join(tmpdir(), 'fleet-blobs-'));
  const blobs = options.blobs ?? new FolderBlobStore(blobsDir!);
  const app = await buildServer({
    db,
    clock,
    passwords,
    secureCookies: false,
    licenseKey: options.licenseKey,
    blobs,
    supportRelay: options.supportRelay,
  });
  const send = injectSender(app);
  let operators = 0;
  const operator = async (role: OperatorRole) => {
    const username = `${role}${++operators}`;
    const oneTimePassword = await createOperator(db, passwords, clock, 'test', username, role);
    const client = new OperatorClient(send);
    await client.login(username, oneTimePassword);
    const changed = await client.changePassword(oneTimePassword, TEST_PASSWORD);
    if (changed.status !== 200) throw new Error(`password change: ${changed.status} ${changed.text}`);
    return client;
  };
  let admin: Promise<OperatorClient> | undefined;
  return {
    app,
    db,
    clock,
    send,
    headset: () => new TestHeadset(send),
    operator,
    async acceptedHeadset() {
      const headset = new TestHeadset(send);
      const registered = await headset.register();
      if (registered.status !== 200) throw new Error(`register: ${registered.status} ${registered.text}`);
      admin ??= operator('admin');
      const accepted = await (await admin).post(`/api/v1/devices/${headset.deviceId}/accept`, {});
      if (accepted.status !== 200) throw new Error(`accept: ${accepted.status} ${accepted.text}`);
      return headset;
    },
    close: async () => {
      await app.close();
      if (blobsDir) rmSync(blobsDir, { recursive: true, force: true });
    },
  };
}
