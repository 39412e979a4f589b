import type { HealthSnapshot, StateSource } from '../../../src/api/contract.js';
import type { logsCalls } from '../../../src/api/contract/logs.js';
import type { SecretRedactor } from '../../../src/secrets/SecretRegistry.js';
import { redactText } from '../../../src/telemetry/anonymize.js';
import type { BootStatusSource } from '../boot/ports.js';
import type { Capability, HandlersOf } from '../capability.js';
import type { BuildInfo } from '../system/buildInfo.js';
import { CrashRecorder } from './CrashRecorder.js';
import type { ExportMedium } from './ExportMedium.js';
import { LogAnalysisService } from './LogAnalysisService.js';
import { LogArchive } from './LogArchive.js';
import { LogExporter } from './LogExporter.js';
import type { Logger } from './Logger.js';
import type { RecentLines } from './RecentLines.js';
import { UiLogWriter } from './UiLogWriter.js';

export interface LogsNeeds {
  logger: Logger;
  recent: RecentLines;
  build: BuildInfo;
  boot: BootStatusSource;
  health: { readonly snapshot: StateSource<HealthSnapshot> };
  logDir: string;
  crashesDir: string;
  exportMedium: ExportMedium;
  /** The secrets the headset holds: cut out of crash records and exports by value. */
  secrets?: SecretRedactor;
  /** The signed sanitization records of past wipes, exported with the logs (a folder on the persist partition). */
  sanitizationRecordsDir?: string;
}

/**
 * The log as the wearer and the UI processes use it: the UI's entries (logs.write), crash records
 * (crashes.list), queries, summaries and export to a USB stick (logs.query, logs.summary, logs.export).
 */
export function logsCapability(needs: LogsNeeds): Capability<{ crashes: CrashRecorder }> {
  const crashes = new CrashRecorder(
    needs.crashesDir,
    {
      version: needs.build.version,
      commit: needs.build.commit,
      bootId: () => needs.boot.status.current()?.bootId ?? '',
      recentLines: () => needs.recent.lines(),
      lastHealth: () => needs.health.snapshot.current(),
    },
    { secrets: needs.secrets },
  );
  const uiLog = new UiLogWriter(needs.logger, crashes, { recentLines: () => needs.recent.lines() });
  const archive = new LogArchive(needs.logDir);
  const analysis = new LogAnalysisService(archive);
  const exporter = new LogExporter(archive, needs.exportMedium, undefined, needs.secrets, needs.sanitizationRecordsDir);
  const handlers: HandlersOf<typeof logsCalls> = {
    // A crash message may quote what the crashed code held: secrets and e-mails never reach the UI.
    'crashes.list': async () =>
      (await crashes.list()).map((crash) => ({ ...crash, error: redactText(needs.secrets ? needs.secrets.redact(crash.error) : crash.error) })),
    'logs.write': (input, context) => uiLog.write(input, context.connection),
    'logs.query': (input, context) => analysis.query(input, context.signal),
    'logs.summary': (input) => analysis.summary(input),
    'logs.export': (filter, context) => exporter.export(filter, context.signal),
  };
  return { provides: { crashes }, handlers };
}
