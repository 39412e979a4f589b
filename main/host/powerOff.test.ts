import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiClient } from '../../src/api/client.js';
import { createMemoryPortPair } from '../../src/api/memoryPort.js';
import { SimulatedDeviceLayout } from '../services/device/SimulatedDeviceLayout.js';
import { LOCAL_UI_SCOPES, createHeadset, type Headset } from './composition.js';

const build = { version: '1.2.3', commit: 'abc123', builtAt: '2026-01-01T00:00:00Z' };
const roots: string[] = [];
const running: Headset[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.close()));
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

async function boot(root: string, mode: 'settings' | 'recovery', onPowerOff: () => void, lines: string[] = []) {
  const headset = await createHeadset({
    device: 'simulated',
    root,
    build,
    mode,
    healthIntervalMs: 60_000,
    watchdogTimeoutMs: 60_000,
    onPowerOff,
    log: (line) => lines.push(line),
  });
  running.push(headset);
  const [a, b] = createMemoryPortPair();
  headset.router.connect(b, { label: 'test', scopes: LOCAL_UI_SCOPES });
  return { headset, client: new ApiClient(a) };
}

function newRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'headset-off-'));
  roots.push(root);
  return root;
}

describe('switching the simulated headset off', () => {
  it('answers first, then runs the power-down steps and hands over to the orderly stop; the next start is a power-on', async () => {
    const root = newRoot();
    const layout = new SimulatedDeviceLayout(root);
    let offAt = 0;
    const lines: string[] = [];
    const { client, headset } = await boot(root, 'settings', () => (offAt = Date.now()), lines);
    const bootCount = headset.services.boot.status.current()!.bootCount;
    const answeredAt = Date.now();
    await expect(client.call('system.powerOff')).resolves.toEqual({ poweringOff: true });
    // Answered before the power goes: the answer must reach the UI.
    expect(offAt).toBe(0);
    await expect.poll(() => offAt, { timeout: 5000 }).toBeGreaterThanOrEqual(answeredAt);
    // The watchdog was stopped before the power went (a pet after it would be a lie).
    const petted = readFileSync(layout.watchdogState, 'utf8');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(readFileSync(layout.watchdogState, 'utf8')).toBe(petted);
    expect(lines.some((line) => line.includes('simulated power off'))).toBe(true);
    await Promise.all(running.splice(0).map((h) => h.close()));
    const next = await boot(root, 'settings', () => undefined);
    expect(next.headset.services.boot.status.current()!.bootCount).toBe(bootCount + 1);
  });

  it('recovery.powerOff switches off from recovery, and only there', async () => {
    let offs = 0;
    const root = newRoot();
    const settings = await boot(root, 'settings', () => offs++);
    await expect(settings.client.call('recovery.powerOff')).rejects.toMatchObject({ code: 'WRONG_MODE' });
    await Promise.all(running.splice(0).map((h) => h.close()));
    const recovery = await boot(root, 'recovery', () => offs++);
    await expect(recovery.client.call('recovery.powerOff')).resolves.toEqual({ poweringOff: true });
    await expect.poll(() => offs, { timeout: 5000 }).toBe(1);
  });
});
