import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect, it } from 'vitest';
import { ApiClient } from '../../src/api/client.js';
import { createMemoryPortPair } from '../../src/api/memoryPort.js';
import { logRecordToOtlp } from '../../src/telemetry/otlpEncode.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { waitFor } from '../../test-support/telemetry/fixtures.js';
import { useOtlpTestReceiver } from '../../test-support/telemetry/receiverFixture.js';
import { LOCAL_UI_SCOPES, createHeadset } from './composition.js';

const otlp = useOtlpTestReceiver('headset-forwarding-');

it('headsetd forwards its outbox to the configured endpoint, signed with a weekly telemetry key (never the identity key), and reports it over the API', async () => {
  const root = join(otlp.work, 'device');
  const build = { version: '1.2.3', commit: 'abc123', builtAt: '2026-01-01T00:00:00Z' };
  // The simulated cable is pulled from the start: records wait, and the API says why.
  const networkState = new SimulatedDeviceLayout(root).networkState;
  mkdirSync(dirname(networkState), { recursive: true });
  writeFileSync(networkState, 'offline\n');
  const headset = await createHeadset({
    device: 'simulated',
    root,
    build,
    healthIntervalMs: 60_000,
    telemetryUrl: otlp.receiver.url,
    telemetryCa: otlp.certPath,
  });
  try {
    const [a, b] = createMemoryPortPair();
    headset.router.connect(b, { label: 'test', scopes: LOCAL_UI_SCOPES });
    const client = new ApiClient(a);
    const identity = await client.call('identity.get');
    const record = logRecordToOtlp({
      time: '2026-11-22T10:00:00.000Z',
      level: 'fatal',
      subsystem: 'system',
      msg: 'crash test',
      version: '1.2.3',
      commit: 'abc123',
      bootId: 'b',
      seq: 1,
    });
    await headset.services.telemetry.delivery.outbox.enqueue('essential', 'critical', { signal: 'logs', record });
    await waitFor(() => headset.services.telemetry.delivery.status().waitingFor === 'network', 10_000, 'the offline wait');
    expect(await client.call('telemetry.outbox')).toMatchObject({ endpoint: otlp.receiver.url, waitingFor: 'network', queued: { critical: 1 } });
    writeFileSync(networkState, 'online\n');
    await waitFor(() => otlp.receiver.logBodies().includes('crash test'), 15_000, 'delivery');
    expect(otlp.receiver.problems).toEqual([]);
    // One signing key (this week's), and it is not the device identity key: requests name no device.
    expect(otlp.receiver.devices.size).toBe(1);
    expect(otlp.receiver.devices.has(identity.publicKey)).toBe(false);
    await waitFor(() => headset.services.telemetry.delivery.status().queued.critical === 0, 5000, 'the acknowledgement');
    const status = await client.call('telemetry.outbox');
    expect(status).toMatchObject({ endpoint: otlp.receiver.url, waitingFor: null, lastError: null, queued: { critical: 0 } });
    expect(status.delivered).toBeGreaterThanOrEqual(1);
  } finally {
    await headset.close();
  }
});
