import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { TIMESTAMP_SIGNED_AT } from '../../src/update/tuf/metadata.js';
import { UpdateTestRepository } from '../../test-support/host/updateTestRepository.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';

// The licence's clock mark fed by the update capability: the signing time of each TUF timestamp the
// headset verified (TIMESTAMP_SIGNED_AT, signed with the rest of the timestamp metadata).

const DAY_MS = 86_400_000;
let repository: UpdateTestRepository | undefined;
afterEach(async () => {
  await repository?.close();
  repository = undefined;
});

function markOf(root: string): { highWaterMs: number; source: string } | undefined {
  const file = join(new SimulatedDeviceLayout(root).stateDir, 'license', 'trusted-time.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { highWaterMs: number; source: string }) : undefined;
}

function servedTimestamp(repo: UpdateTestRepository): { path: string; json: { signed: Record<string, unknown> } } {
  const path = join(repo.work, 'repo', 'repository', 'timestamp.json');
  return { path, json: JSON.parse(readFileSync(path, 'utf8')) as { signed: Record<string, unknown> } };
}

it("raises the licence's trusted-time mark to the signing time of a verified TUF timestamp, ahead of the headset's clock", async () => {
  repository = new UpdateTestRepository();
  await repository.open([{ version: '1.1.0' }]);
  // The repository's clock two days ahead of the headset's: the headset's clock was set back.
  await repository.republish(new Date(Date.now() + 2 * DAY_MS));
  const signedAt = Date.parse(servedTimestamp(repository).json.signed[TIMESTAMP_SIGNED_AT] as string);
  expect(signedAt).toBeGreaterThan(Date.now() + DAY_MS);
  const root = repository.newDevice();
  const { client } = await repository.start(root);
  await client.call('update.check');
  await expect.poll(() => markOf(root)).toEqual({ highWaterMs: signedAt, source: 'tuf' });
}, 60_000);

it('takes no time from a timestamp whose signing time was altered (its signature no longer verifies)', async () => {
  repository = new UpdateTestRepository();
  await repository.open([{ version: '1.1.0' }]);
  const { path, json } = servedTimestamp(repository);
  // A year ahead would expire every licence at once if it were believed.
  const forged = Date.now() + 365 * DAY_MS;
  json.signed[TIMESTAMP_SIGNED_AT] = new Date(forged).toISOString().replace(/\.\d{3}Z$/, 'Z');
  writeFileSync(path, JSON.stringify(json));
  const root = repository.newDevice();
  const { client } = await repository.start(root);
  await expect(client.call('update.check')).rejects.toMatchObject({ code: expect.any(String) });
  const mark = markOf(root);
  expect(mark?.source).not.toBe('tuf');
  expect(mark?.highWaterMs ?? 0).toBeLessThan(forged - 300 * DAY_MS);
}, 60_000);
