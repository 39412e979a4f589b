import log from 'electron-log/main';
import type { LogMessage, Transport } from 'electron-log';
import { describeLogMessage, levelOf } from './logMessage.js';
import type { ApiClient } from '../../src/api/client.js';
import { LogBatcher } from '../../src/logging/logBatcher.js';

/** How long a crash may wait for headsetd to take its record before Electron main exits anyway. */
const CRASH_SEND_CAP_MS = 2000;

export interface ElectronLogging {
  /** electron-log, configured: use it as Electron main's logger. */
  log: typeof log;
  /** Entries start flowing to headsetd over this connection (buffered until then). */
  attach(client: ApiClient): void;
  detach(): void;
  /** Sends a crash entry (headsetd writes a crash record for electron-main); resolves within a time cap. */
  crash(error: unknown): Promise<void>;
}

/**
 * Electron main's logging: electron-log with a transport that sends every entry to headsetd's log
 * (`logs.write`, subsystem ui, process electron-main) over the API socket Electron main already
 * uses, buffered (bounded, debug dropped first) while it is not connected. electron-log's own file
 * transport is off: it overshoots its size limit with several writers and keeps a single archive;
 * headsetd's log rotates properly. The console transport stays for a developer's terminal.
 */
export function setUpLogging(): ElectronLogging {
  let client: ApiClient | undefined;
  const batcher = new LogBatcher((input) => (client ? client.call('logs.write', input) : Promise.reject(new Error('not connected to headsetd'))), {
    process: 'electron-main',
    minLevel: 'info',
    maxQueued: 500,
    retryMs: 2000,
  });
  log.transports.file.level = false;
  const toHeadsetd = ((message: LogMessage) => {
    const { msg, fields } = describeLogMessage(message);
    batcher.log(levelOf(message.level), msg, fields);
  }) as Transport;
  toHeadsetd.level = 'info';
  toHeadsetd.transforms = [];
  log.transports.headsetd = toHeadsetd;
  return {
    log,
    attach(connected) {
      client = connected;
      void batcher.flush();
    },
    detach() {
      client = undefined;
    },
    async crash(error) {
      await Promise.race([batcher.crash(error), new Promise((resolve) => setTimeout(resolve, CRASH_SEND_CAP_MS))]);
    },
  };
}

/**
 * Uncaught exceptions and unhandled rejections in Electron main: a crash entry to headsetd (which
 * writes the crash record), then exit. Native crashes are Electron's crashReporter's: minidumps kept
 * locally (`uploadToServer: false`) for the forwarder.
 */
export function installMainCrashHandlers(logging: ElectronLogging, exit: (code: number) => void): void {
  let crashing = false;
  const crash = (kind: string) => (error: unknown) => {
    if (crashing) return;
    crashing = true;
    console.error(`headset-control: ${kind}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    void logging.crash(error).finally(() => exit(70));
  };
  process.on('uncaughtException', crash('uncaught exception'));
  process.on('unhandledRejection', crash('unhandled rejection'));
}
