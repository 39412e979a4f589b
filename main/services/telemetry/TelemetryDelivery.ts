import type { OtlpResourceInfo } from '../../../src/telemetry/otlpEncode.js';
import { OtlpForwarder, type WeekSigners } from './OtlpForwarder.js';
import type { Outbox } from './Outbox.js';
import type { NetworkMonitor } from '../platform/NetworkMonitor.js';
import type { OutboxStats } from './ports.js';
import type { RequestSigner } from './RequestSigner.js';
import { loadTelemetryEndpoint } from './telemetryConfig.js';
import type { SubsystemLogger } from '../logging/Logger.js';

/** The outbox and, when an endpoint is configured, the forwarder draining it. */
export interface TelemetryDelivery {
  outbox: Outbox;
  /** The configured endpoint, or null: records then stay in the outbox. */
  endpoint: string | null;
  start(): void;
  stop(): Promise<void>;
  status(): OutboxStats & { endpoint: string | null };
}

/** The endpoint (given now, or remembered in `stateDir`) and a forwarder for `outbox`. */
export async function openTelemetryDelivery(options: {
  outbox: Outbox;
  stateDir: string;
  url?: string;
  caFile?: string;
  signer: RequestSigner;
  weeks?: WeekSigners;
  network: NetworkMonitor;
  resource: () => OtlpResourceInfo;
  log?: SubsystemLogger;
}): Promise<TelemetryDelivery> {
  const endpoint = await loadTelemetryEndpoint({ url: options.url, caFile: options.caFile, stateDir: options.stateDir });
  const { outbox } = options;
  const forwarder = endpoint
    ? new OtlpForwarder({
        outbox,
        endpoint,
        signer: options.signer,
        weeks: options.weeks,
        network: options.network,
        resource: options.resource,
        log: options.log,
      })
    : undefined;
  const url = forwarder?.endpoint ?? null;
  return {
    outbox,
    endpoint: url,
    start: () => forwarder?.start(),
    stop: async () => {
      await forwarder?.stop();
      await outbox.close();
    },
    status: () => ({ ...outbox.stats(), endpoint: url }),
  };
}
