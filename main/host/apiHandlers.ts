import type { CallHandlers, SystemInfo } from '../../src/api/contract.js';
import type { ComponentRegistry } from '../services/update/ComponentRegistry.js';
import { AppError } from '../../src/api/errors.js';
import { redactText } from '../../src/telemetry/anonymize.js';
import type { BootService } from '../services/boot/BootService.js';
import type { HealthService } from '../services/health/HealthService.js';
import type { Observability } from './observability.js';
import type { IdentityService } from '../services/identity/IdentityService.js';
import type { ModeService } from '../services/mode/ModeService.js';
import type { PowerControl } from '../services/platform/PowerControl.js';
import type { UpdateService } from '../services/update/UpdateService.js';
import type { TelemetryService } from '../services/telemetry/TelemetryService.js';
import type { TelemetryDelivery } from '../services/telemetry/TelemetryDelivery.js';
import type { LogAnalysisService } from '../services/logging/LogAnalysisService.js';
import type { LogExporter } from '../services/logging/LogExporter.js';

export interface Services {
  info: SystemInfo;
  identity: IdentityService;
  boot: BootService;
  health: HealthService;
  mode: ModeService;
  power: PowerControl | undefined;
  updates: UpdateService;
  /** The telemetry outbox on disk and its OTLP forwarder (telemetry.outbox). */
  telemetryDelivery: TelemetryDelivery;
  /** Consent-gated, anonymized telemetry (privacy.*, usage.record). */
  telemetry: TelemetryService;
  /** Crash records, the health history, the UI processes' log entries. */
  observability: Observability;
  /** Component versions (bootloader, firmware, system), shown with system.info. */
  components?: ComponentRegistry;
  /** Log queries, summaries (templates, anomalies, insights) and export to a USB stick. */
  logs: { analysis: LogAnalysisService; exporter: LogExporter };
}

/** Binds each call of the contract to the service that answers it. */
export function createApiHandlers(services: Services): CallHandlers {
  return {
    'system.ping': ({ payload }) => ({ payload }),
    'system.info': async () => (services.components ? { ...services.info, components: await services.components.versions() } : services.info),
    'identity.get': () => services.identity.get(),
    'boot.status': () => {
      const status = services.boot.status.current();
      if (!status) throw new Error('boot status not loaded');
      return status;
    },
    'health.snapshot': () => services.health.snapshot.current() ?? services.health.sample(),
    'health.history': (query) => services.observability.healthHistory.query(query),
    // A crash message may quote what the crashed code held: secrets and e-mails never reach the UI.
    'crashes.list': async () => (await services.observability.crashes.list()).map((crash) => ({ ...crash, error: redactText(crash.error) })),
    'logs.write': (input, context) => services.observability.uiLog.write(input, context.connection),
    'logs.query': (input, context) => services.logs.analysis.query(input, context.signal),
    'logs.summary': (input) => services.logs.analysis.summary(input),
    'logs.export': (filter, context) => services.logs.exporter.export(filter, context.signal),
    'mode.get': () => services.mode.state.current() ?? { mode: services.mode.mode(), reason: 'default', setupComplete: false },
    'setup.complete': () => services.mode.completeSetup(),
    'system.restart': () => restart(services.power),
    'recovery.restart': () => restart(services.power),
    'update.status': () => services.updates.snapshot(),
    'update.check': () => services.updates.check(),
    'update.download': () => services.updates.startDownloadCall(),
    'update.pause': () => services.updates.pause(),
    'update.resume': () => services.updates.resume(),
    'update.install': () => services.updates.install(),
    'update.restart': async () => {
      await services.updates.restartIntoUpdate();
      return { restarting: true as const };
    },
    'update.rollback': async ({ version }) => {
      await services.updates.rollback(version);
      return { restarting: true as const };
    },
    'update.settings': (change) => services.updates.updateSettings(change),
    'update.history': () => services.updates.history(),
    'privacy.get': () => services.telemetry.privacy(),
    'privacy.set': (decision) => services.telemetry.setConsent(decision),
    'telemetry.outbox': () => services.telemetryDelivery.status(),
    'usage.record': async ({ event, name }) => ({ recorded: await services.telemetry.record(event, null, event === 'ui.screen_view' ? { screen: name } : { feature: name }) }),
  };
}

function restart(power: PowerControl | undefined): { restarting: true } {
  if (!power) throw new AppError('NOT_SUPPORTED', 'This device profile cannot restart itself.');
  // Answer first: the restart takes the connection down with it.
  // Nobody awaits it: a failed restart leaves the headset running, as the wearer sees; an unhandled rejection would end headsetd.
  setTimeout(() => power.reboot().catch(() => undefined), 100);
  return { restarting: true };
}
