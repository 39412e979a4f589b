import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { UpdateTestRepository, downloadAndInstall } from '../../test-support/host/updateTestRepository.js';

// The services a bundle touches (its signed `services`), through the API of a simulated headset:
// restarted around the slot write; one that fails to start again is named in the update history.

const repository = new UpdateTestRepository();
beforeAll(() => repository.open([{ version: '1.1.0', services: ['headset-tracking.service'] }]));
afterAll(() => repository.close());

describe('services around an update', () => {
  it('a service that did not start again after the write is named in the history of the committed update', async () => {
    const root = repository.newDevice();
    const { client } = await repository.start(root);
    const layout = new SimulatedDeviceLayout(root);
    const units = JSON.parse(readFileSync(layout.serviceUnits, 'utf8')) as Record<string, object>;
    writeFileSync(layout.serviceUnits, JSON.stringify({ ...units, 'headset-tracking.service': { enabled: true, failsToStart: true } }));
    await downloadAndInstall(client);
    expect(JSON.parse(readFileSync(layout.serviceStates, 'utf8'))).toEqual({
      'headset-slot-inspector.service': 'active',
      'headset-tracking.service': 'failed',
    });
    await client.call('update.restart');
    await expect.poll(async () => (await client.call('update.history'))[0]?.outcome, { timeout: 10_000 }).toBe('committed');
    expect((await client.call('update.history'))[0]!.detail).toBe(
      'Installed, tried and committed. Not started again after the install: start headset-tracking.service: Job for headset-tracking.service failed because the control process exited with error code.',
    );
  });
});
