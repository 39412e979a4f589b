import { NETWORK_ACTORS, NETWORK_AUDIT_ACTIONS, type NetworkAuditEntry } from '../../../src/api/contract/network.js';
import type { SubsystemLogger } from '../logging/Logger.js';
import type { AuditRecord, LogQueryPort, LogRecordLike, NetworkAuditTrail } from './ports.js';

/** The field that marks an audit entry among the `network` subsystem's lines. */
const AUDIT_MARK = 'audit';
const AUDIT_VALUE = 'network-change';

/**
 * The audit of network changes, kept in the headset's log under the `network` subsystem (so the
 * Logs screen finds it, filtered on `audit=network-change`) and read back from there for
 * `network.audit`. Written at `info`, with who, what and the result; the records never hold a
 * password (the provisioner never passes one, and the log cuts registered secrets anyway).
 */
export class LogAuditTrail implements NetworkAuditTrail {
  constructor(
    private readonly log: SubsystemLogger,
    private readonly query: LogQueryPort,
    /** Resolves once the lines logged so far are in the files the query reads (a change just made is listed). */
    private readonly settled: () => Promise<void> = async () => undefined,
  ) {}

  record(entry: AuditRecord): void {
    const what = entry.ssid === null ? entry.action : `${entry.action} "${entry.ssid}"`;
    const message = `network change by ${entry.who}: ${what} ${entry.result === 'ok' ? 'done' : `failed (${entry.code})`}`;
    this.log[entry.result === 'ok' ? 'info' : 'warn'](message, { [AUDIT_MARK]: AUDIT_VALUE, ...entry });
  }

  async list(query: { limit: number; before?: string }, signal?: AbortSignal) {
    await this.settled();
    const page = await this.query(
      { subsystems: ['network'], text: `${AUDIT_MARK}=${AUDIT_VALUE}`, limit: query.limit, before: query.before },
      signal,
    );
    return { entries: page.entries.map(toEntry).filter((e): e is NetworkAuditEntry => e !== undefined), nextCursor: page.nextCursor };
  }
}

function toEntry(record: LogRecordLike): NetworkAuditEntry | undefined {
  const f = record.fields ?? {};
  const who = f.who;
  const action = f.action;
  if (!(who === 'system' || (NETWORK_ACTORS as readonly unknown[]).includes(who))) return undefined;
  if (!(NETWORK_AUDIT_ACTIONS as readonly unknown[]).includes(action)) return undefined;
  return {
    time: record.time,
    who: who as NetworkAuditEntry['who'],
    action: action as NetworkAuditEntry['action'],
    ssid: typeof f.ssid === 'string' ? f.ssid : null,
    detail: typeof f.detail === 'string' ? f.detail : '',
    result: f.result === 'ok' ? 'ok' : 'failed',
    code: typeof f.code === 'string' ? f.code : null,
  };
}
