import { beforeEach, describe, expect, it } from 'vitest';
import type { UpdateHistoryEntry } from '../../../src/api/contract.js';
import { AppError } from '../../../src/api/errors.js';
import { DEFAULT_ALERT_THRESHOLDS } from '../../../src/alerts/thresholds.js';
import { sampleBoot, sampleIdentity, sampleInfo, sampleUpdateStatus } from '../../../test-support/api/samples.js';
import { createFakeDevice } from '../../../test-support/api/fakeDevice.js';
import { connectHarness } from '../../../test-support/api/harness.js';
import { useAlertsStore } from '../alerts/alertsStore.js';
import { useConnectionStore } from '../api/connectionStore.js';
import { useBootStore } from '../boot/bootStore.js';
import { useHealthStore } from '../health/healthStore.js';
import { useLockStore } from '../lock/lockStore.js';
import { useModeStore } from '../mode/modeStore.js';
import { useNetworkStore } from '../network/networkStore.js';
import { usePrivacyStore } from '../privacy/privacyStore.js';
import { useRegistrationStore } from '../registration/registrationStore.js';
import { useSetupStore } from '../setup/setupStore.js';
import { useDeviceStore } from '../system/deviceStore.js';
import { useUpdateStore } from '../update/updateStore.js';
import { bindStores } from './bindStores.js';

const until = (check: () => boolean) => expect.poll(check, { timeout: 2000, interval: 5 }).toBe(true);

describe('bindStores', () => {
  beforeEach(() => {
    useConnectionStore.setState({ status: 'connecting' }, true);
    useDeviceStore.setState({ info: undefined, identity: undefined });
    useModeStore.setState({ state: undefined });
    useBootStore.setState({ status: undefined });
    usePrivacyStore.setState({ status: undefined });
    useHealthStore.setState({ latest: undefined, recent: [] });
    useUpdateStore.setState({ status: undefined, history: undefined });
    useAlertsStore.setState({ alerts: [], thresholds: undefined });
    useLockStore.setState({ state: undefined, status: undefined, statusAt: undefined });
    useNetworkStore.setState({ status: undefined });
    useRegistrationStore.setState({ status: undefined });
  });

  it('binds every capability store, reports connected once the device is known, and disconnected on close', async () => {
    const { client, device } = connectHarness();
    await bindStores(client);
    expect(useConnectionStore.getState()).toEqual({ status: 'connected' });
    expect(useDeviceStore.getState()).toMatchObject({ info: sampleInfo, identity: sampleIdentity });
    // The alert thresholds are known before the screens show: Home's meters colour at them.
    expect(useAlertsStore.getState().thresholds).toEqual(DEFAULT_ALERT_THRESHOLDS);
    await until(() => useModeStore.getState().state?.mode === 'settings');
    await until(() => useBootStore.getState().status?.activeSlot === sampleBoot.activeSlot);
    await until(() => usePrivacyStore.getState().status !== undefined);
    await until(() => useHealthStore.getState().recent.length === 1);
    await until(() => useUpdateStore.getState().status?.state.status === sampleUpdateStatus.state.status);
    // The first update status may come with a history: it is loaded without being asked for.
    await until(() => Array.isArray(useUpdateStore.getState().history));
    // The lock as pushed, and as this connection sees it: no PIN, so unlocked.
    await until(() => useLockStore.getState().state?.pin === 'none' && useLockStore.getState().status?.unlocked === true);
    await until(() => useNetworkStore.getState().status?.state === 'online');
    await until(() => useRegistrationStore.getState().status?.state === 'unmanaged');
    await until(() => useSetupStore.getState().progress?.step === 'language');
    for (const [name, source] of Object.entries(device.events)) expect(source.subscribers(), name).toBe(1);
    // Later pushes keep arriving: an operation that ends reloads the history.
    const entry: UpdateHistoryEntry = {
      version: '1.1.0',
      fromVersion: '1.0.0',
      slot: 'B',
      startedAt: '2025-01-02T00:00:00.000Z',
      finishedAt: '2025-01-02T00:05:00.000Z',
      outcome: 'committed',
      detail: '',
    };
    device.handlers['update.history'] = () => [entry];
    device.events['update.changed'].channel.set({ ...sampleUpdateStatus, state: { status: 'up-to-date' } });
    await until(() => useUpdateStore.getState().status?.state.status === 'up-to-date');
    await until(() => useUpdateStore.getState().history?.[0]?.version === '1.1.0');
    // A hot headset: headsetd's alerts reach the alerts store.
    device.events['health.changed'].channel.set({ ...device.events['health.changed'].channel.current()!, temperatureC: 109 });
    await until(() => useAlertsStore.getState().alerts[0]?.id === 'temperature-critical');

    client.close();
    expect(useConnectionStore.getState()).toEqual({ status: 'disconnected', reason: 'The connection to the headset closed.' });
  });

  it('fails, and never reports connected, when the device cannot say what it is', async () => {
    const device = createFakeDevice({ overrides: { 'system.info': () => Promise.reject(new AppError('INTERNAL', 'no release file')) } });
    await expect(bindStores(connectHarness({ device }).client)).rejects.toMatchObject({ code: 'INTERNAL' });
    expect(useConnectionStore.getState()).toEqual({ status: 'connecting' });
    expect(useDeviceStore.getState().info).toBeUndefined();
  });
});
