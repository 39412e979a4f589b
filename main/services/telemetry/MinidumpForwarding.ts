import { bucketToHour } from '../../../src/telemetry/anonymize.js';
import { SEVERITY, isoToUnixNano, toAnyValue } from '../../../src/telemetry/otlpEncode.js';
import type { OtlpLogRecord } from '../../../src/telemetry/otlpJson.js';
import { checkRecording, isExpired, METRICS } from '../../../src/telemetry/registry.js';
import type { CurrentConsent } from './CurrentConsent.js';
import { retentionOf, type MetricRecorder } from './MetricRecorder.js';
import type { Minidump, MinidumpContent } from './MinidumpFolder.js';

/** Electron's native crash dumps as the telemetry service reads them (MinidumpFolder). */
export interface MinidumpSource {
  /** What waits, oldest first; also keeps the folder within its bounds (count, retention). */
  pending(): Promise<Minidump[]>;
  read(dump: Minidump): Promise<MinidumpContent>;
  remove(dump: Minidump): Promise<void>;
}

/**
 * Each waiting minidump as one critical `crash.minidump` record, then deleted (enqueue first:
 * a cut in between sends it twice, never loses it). Not granted: the folder is only kept bounded.
 */
export class MinidumpForwarding {
  constructor(
    private readonly minidumps: MinidumpSource,
    private readonly recorder: MetricRecorder,
    private readonly consent: CurrentConsent,
    private readonly options: { appVersion: string; now: () => Date; warn?: (msg: string, fields?: Record<string, unknown>) => void },
  ) {}

  /** Hands the waiting minidumps to the outbox; returns how many. */
  async forwardPending(): Promise<number> {
    const { minidumps } = this;
    const dumps = await minidumps.pending().catch((error: unknown) => {
      this.options.warn?.('telemetry: could not list the crash dumps', { error: String(error) });
      return [];
    });
    if (!this.consent.isGranted('errors') || isExpired(METRICS['crash.minidump'], this.options.appVersion, this.options.now())) return 0;
    let forwarded = 0;
    for (const dump of dumps) {
      const content = await minidumps.read(dump).catch(() => undefined);
      if (!content) continue; // gone meanwhile, or unreadable: tried again on the next pass
      const created = bucketToHour(dump.createdAt);
      const { attributes } = checkRecording('crash.minidump', null, {
        process: 'electron',
        size_bytes: dump.sizeBytes,
        sha256: content.sha256,
        created: created.toISOString(),
        dump_included: content.bytes !== undefined,
      });
      const record: OtlpLogRecord = {
        timeUnixNano: isoToUnixNano(created.toISOString()),
        severityNumber: SEVERITY.fatal.number,
        severityText: SEVERITY.fatal.text,
        body: { stringValue: content.bytes ? content.bytes.toString('base64') : 'crash dump kept on the headset: only its size and hash are sent' },
        eventName: 'crash.minidump',
        attributes: [
          ...Object.entries(attributes).map(([key, value]) => ({ key, value: toAnyValue(value) })),
          ...(content.bytes ? [{ key: 'minidump.encoding', value: { stringValue: 'base64' } }] : []),
          this.recorder.pseudonym(),
        ],
      };
      if (!(await this.recorder.enqueue('errors', 'critical', { signal: 'logs', record }, retentionOf('crash.minidump', dump.createdAt)))) break;
      await this.recorder.record('errors.crash_count', 1, { process: 'electron' }, created);
      await minidumps
        .remove(dump)
        .catch((error: unknown) => this.options.warn?.('telemetry: could not remove a forwarded crash dump', { error: String(error) }));
      forwarded++;
    }
    return forwarded;
  }
}
