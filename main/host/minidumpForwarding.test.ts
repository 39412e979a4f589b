import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ApiClient } from '../../src/api/client.js';
import { createMemoryPortPair } from '../../src/api/memoryPort.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { waitFor } from '../../test-support/telemetry/fixtures.js';
import { useOtlpTestReceiver } from '../../test-support/telemetry/receiverFixture.js';
import { LOCAL_UI_SCOPES, createHeadset } from './composition.js';

const otlp = useOtlpTestReceiver('headset-minidumps-');

it('a minidump the UI left in the simulated device reaches the receiver once errors is granted, and leaves the device', async () => {
  const root = join(otlp.work, 'device');
  const layout = new SimulatedDeviceLayout(root);
  const dump = randomBytes(2048);
  const dumpFile = join(layout.crashDumpsDir, 'completed', '0b5d4c1e-aaaa-4bbb-8ccc-123456789abc.dmp');
  mkdirSync(join(layout.crashDumpsDir, 'completed'), { recursive: true });
  writeFileSync(dumpFile, dump);
  const build = { version: '1.2.3', commit: 'abc123', builtAt: '2026-01-01T00:00:00Z' };
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
    // Not granted: it stays on the device.
    expect(await headset.services.telemetry.telemetry.forwardCrashes()).toBe(0);
    expect(existsSync(dumpFile)).toBe(true);
    await client.call('privacy.set', { policyVersion: 1, granted: { errors: true } });
    expect(await headset.services.telemetry.telemetry.forwardCrashes()).toBe(1);
    expect(existsSync(dumpFile)).toBe(false);
    // Its size and hash arrive; its bytes (unscrubbed memory) never leave the headset.
    await waitFor(
      () => otlp.receiver.logBodies().some((body) => body.startsWith('crash dump kept on the headset')),
      15_000,
      "delivery of the dump's description",
    );
    expect(otlp.receiver.logBodies().join('\n')).not.toContain(dump.toString('base64').slice(0, 64));
    expect(otlp.receiver.problems).toEqual([]);
  } finally {
    await headset.close();
  }
});
