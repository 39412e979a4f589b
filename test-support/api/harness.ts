import { ApiClient } from '../../src/api/client.js';
import type { EventSources, Scope } from '../../src/api/contract.js';
import { createMemoryPortPair } from '../../src/api/memoryPort.js';
import { ApiRouter } from '../../src/api/router.js';
import { createFakeDevice, type FakeDevice } from './fakeDevice.js';
import { MessageLog } from './messageLog.js';
import { addTestHandlers, testCalls } from './testCalls.js';

// The real router and client around a fake device, over an in-memory port pair.

export interface FakeRouterOptions {
  maxInFlight?: number;
  maxMessageBytes?: number;
  /** Serve the test-only calls too (testCalls.ts), e.g. one in the `unlocked` scope. */
  testCalls?: boolean;
}

/** The real router over a fake device; the device lock grants `unlocked`, as headsetd's does. */
export function createFakeRouter(device: FakeDevice, options: FakeRouterOptions = {}) {
  const internalErrors: { where: string; error: unknown }[] = [];
  const events: EventSources = device.events;
  const { testCalls: withTestCalls, ...limits } = options;
  // Added to the device's own handlers, which the router reads per call: tests replace single ones after connecting.
  if (withTestCalls) addTestHandlers(device.handlers);
  const router = new ApiRouter(device.handlers, events, {
    ...limits,
    mode: () => device.mode,
    onInternalError: (where, error) => internalErrors.push({ where, error }),
    scopeProvider: device.lock,
    calls: withTestCalls ? testCalls : undefined,
  });
  return { router, internalErrors };
}

export interface Harness {
  device: FakeDevice;
  router: ApiRouter;
  client: ApiClient;
  /** The client's own port, seen raw: send malformed messages, read every host message. */
  raw: MessageLog;
  internalErrors: { where: string; error: unknown }[];
}

export const ALL_SCOPES: readonly Scope[] = ['status', 'user', 'unlocked', 'recovery'];

/** A fake device behind a real router, and a real client, over an in-memory port pair. */
export function connectHarness(options: { device?: FakeDevice; scopes?: readonly Scope[] } & FakeRouterOptions = {}): Harness {
  const device = options.device ?? createFakeDevice();
  const { router, internalErrors } = createFakeRouter(device, options);
  const [hostPort, clientPort] = createMemoryPortPair();
  router.connect(hostPort, { label: 'memory test', scopes: new Set(options.scopes ?? ALL_SCOPES) });
  return { device, router, client: new ApiClient(clientPort), raw: new MessageLog(clientPort), internalErrors };
}
