/**
 * What the network capability needs from the device: a network stack (nmcli on Linux, the
 * simulated NetworkManager), the hardware latch, and where its audit goes. The types live with the
 * pure policy in src/network/ (the fake device runs the same policy); this is their one door here.
 */
export type {
  AccessPoint,
  ActiveWifi,
  AuditRecord,
  ConnectivityState,
  HotspotRequest,
  JoinRequest,
  ModeLatch,
  NetworkAuditTrail,
  NetworkBackend,
  WifiProfile,
} from '../../../src/network/ports.js';

/** The logs' query (the log archive's), as the audit reads it back; the composition root hands it over. */
export type LogQueryPort = (
  input: { subsystems: ['network']; text: string; limit: number; before?: string },
  signal?: AbortSignal,
) => Promise<{ entries: readonly LogRecordLike[]; nextCursor: string | null }>;

export interface LogRecordLike {
  time: string;
  fields?: Record<string, unknown>;
}
