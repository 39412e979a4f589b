import { z } from 'zod';
import { call, event, noInput } from './common.js';

/**
 * Network: whether the headset is online, on a metered connection (a phone's hotspot: bulk
 * transfers wait) or offline; and provisioning ("the device never hunts, the operator commands"):
 * scan, join (open, WPA2/WPA3 personal, hidden), saved networks by priority, forget, Ethernet,
 * the hotspot/client mode the hardware latch chose at boot, support networks, and the audit of
 * every change. Changes are `unlocked` calls: a locked headset answers FORBIDDEN
 * (`details.scope: 'unlocked'`) before the service is asked. No answer or event ever carries a
 * saved Wi-Fi password; the hotspot's generated password comes only from `network.hotspotPassword`
 * (a `user` call: never in an event, a log or the status scope remote support holds).
 */

export const NETWORK_STATES = ['online', 'metered', 'offline'] as const;

export const networkStatusSchema = z.object({
  state: z.enum(NETWORK_STATES),
  /** When the headset last saw the state change (ISO 8601); its start for the first reading. */
  since: z.string(),
});
export type NetworkStatus = z.infer<typeof networkStatusSchema>;

/** `enterprise` and `wep` are listed but cannot be joined here (NETWORK_SECURITY_UNSUPPORTED). */
export const WIFI_SECURITIES = ['open', 'wpa2-personal', 'wpa3-personal', 'enterprise', 'wep'] as const;
export type WifiSecurity = (typeof WIFI_SECURITIES)[number];
/** What a hidden network may be joined as (it is not in the scan, so the wearer says). */
export const JOINABLE_SECURITIES = ['open', 'wpa2-personal', 'wpa3-personal'] as const;

/** Who made a change, for the audit: the wearer's panel, `headsetctl`, or remote support. */
export const NETWORK_ACTORS = ['ui', 'cli', 'support'] as const;
export type NetworkActor = (typeof NETWORK_ACTORS)[number];

/** The hardware latch, read at every boot: `hotspot` raises an access point, `client` joins saved networks by priority. Never both. */
export const NETWORK_MODES = ['client', 'hotspot'] as const;
export type NetworkMode = (typeof NETWORK_MODES)[number];

/** 1 to 32 bytes of UTF-8 (the service answers longer ones with NETWORK_SSID_INVALID: the schema only bounds the message). */
const ssidInputSchema = z.string().min(1).max(128);
/** A saved network's id: its NetworkManager connection UUID (or the simulated one's). */
const profileIdSchema = z.string().min(1).max(64);
/** `connection.autoconnect-priority`: higher is tried first. */
export const PRIORITY_MIN = -999;
export const PRIORITY_MAX = 999;
/** The priority a support network gets when marked (and keeps while marked). */
export const SUPPORT_PRIORITY = 999;
const prioritySchema = z.number().int().min(PRIORITY_MIN).max(PRIORITY_MAX);
const actorSchema = z.enum(NETWORK_ACTORS).default('ui');

export const wifiNetworkSchema = z.object({
  /** The name as text (invalid UTF-8 shown with U+FFFD; `ssidHex` is exact). */
  ssid: z.string(),
  /** The SSID's bytes in hex (uppercase): the exact name. */
  ssidHex: z.string(),
  /** Strongest access point of this name, 0 to 100. */
  signal: z.number().int().min(0).max(100),
  /** 0 to 4 bars, from the signal. */
  bars: z.number().int().min(0).max(4),
  security: z.enum(WIFI_SECURITIES),
  /** A saved network of this name exists (`savedId` is it). */
  saved: z.boolean(),
  savedId: z.string().nullable(),
  /** The headset is connected to it now. */
  connected: z.boolean(),
  /** A saved support network (high priority, power saving off). */
  support: z.boolean(),
});
export type WifiNetwork = z.infer<typeof wifiNetworkSchema>;

export const networkScanSchema = z.object({
  /** Strongest first; one entry per SSID. */
  networks: z.array(wifiNetworkSchema),
  /** When the radio last scanned (ISO 8601), or null when it never could (hotspot mode, no radio). */
  scannedAt: z.string().nullable(),
  /** The answer reused a scan still fresh (younger than `freshForMs`) instead of scanning again. */
  cached: z.boolean(),
  freshForMs: z.number().int().nonnegative(),
});
export type NetworkScan = z.infer<typeof networkScanSchema>;

export const savedNetworkSchema = z.object({
  id: profileIdSchema,
  ssid: z.string(),
  ssidHex: z.string(),
  security: z.enum(JOINABLE_SECURITIES),
  priority: prioritySchema,
  hidden: z.boolean(),
  support: z.boolean(),
  /** A password is kept for it (never sent: the password field never echoes a saved secret). */
  hasPassword: z.boolean(),
  connected: z.boolean(),
});
export type SavedNetwork = z.infer<typeof savedNetworkSchema>;

export const ethernetStateSchema = z.object({
  /** An Ethernet port exists. */
  present: z.boolean(),
  /** A cable is plugged in with a link. */
  carrier: z.boolean(),
  /** Connected with an address. */
  connected: z.boolean(),
  /** IPv4 address with prefix, when connected. */
  address: z.string().nullable(),
});
export type EthernetState = z.infer<typeof ethernetStateSchema>;

export const hotspotStateSchema = z.object({
  ssid: z.string(),
  /** The access point is up. */
  active: z.boolean(),
  /** WPA2 personal, its password generated at boot (ask `network.hotspotPassword` to show it). */
  security: z.literal('wpa2-personal'),
});
export type HotspotState = z.infer<typeof hotspotStateSchema>;

/** The whole network picture (pushed as `network.overviewChanged`). Carries no secret. */
export const networkOverviewSchema = z.object({
  status: networkStatusSchema,
  /** What the hardware latch said at this boot. */
  mode: z.enum(NETWORK_MODES),
  /** The Wi-Fi network joined now, or null. */
  wifi: z
    .object({
      ssid: z.string(),
      ssidHex: z.string(),
      signal: z.number().int().min(0).max(100),
      savedId: z.string().nullable(),
      support: z.boolean(),
    })
    .nullable(),
  ethernet: ethernetStateSchema,
  /** In hotspot mode: the access point; else null. */
  hotspot: hotspotStateSchema.nullable(),
  /** A connection attempt under way (its SSID), or null. */
  connecting: z.string().nullable(),
});
export type NetworkOverview = z.infer<typeof networkOverviewSchema>;

export const NETWORK_AUDIT_ACTIONS = ['connect', 'forget', 'set-priority', 'set-support', 'hotspot-start', 'mode'] as const;
export type NetworkAuditAction = (typeof NETWORK_AUDIT_ACTIONS)[number];

/** One network change as the audit keeps it: who, what, result. Never a secret. */
export const networkAuditEntrySchema = z.object({
  time: z.string(),
  who: z.enum([...NETWORK_ACTORS, 'system']),
  action: z.enum(NETWORK_AUDIT_ACTIONS),
  /** The network concerned (its name), when there is one. */
  ssid: z.string().nullable(),
  /** What changed, in words (e.g. `priority 10`, `hidden wpa2-personal`). */
  detail: z.string(),
  result: z.enum(['ok', 'failed']),
  /** The error code when it failed. */
  code: z.string().nullable(),
});
export type NetworkAuditEntry = z.infer<typeof networkAuditEntrySchema>;

export const networkAuditSchema = z.object({
  /** Newest first. */
  entries: z.array(networkAuditEntrySchema).max(500),
  /** `before` for the next (older) page, or null when there is none. */
  nextCursor: z.string().nullable(),
});
export type NetworkAudit = z.infer<typeof networkAuditSchema>;

const NETWORK_TOOL_ERRORS = ['NETWORK_TOOL_MISSING', 'NETWORK_TOOL_FAILED'] as const;

export const networkCalls = {
  'network.status': call({
    summary: 'Whether the headset is online, on a metered connection, or offline.',
    scope: 'status',
    input: noInput,
    output: networkStatusSchema,
    errors: [],
  }),
  'network.overview': call({
    summary: 'The whole picture: online state, the latch mode, the Wi-Fi joined, Ethernet, the hotspot, a connection under way.',
    scope: 'status',
    input: noInput,
    output: networkOverviewSchema,
    errors: [],
  }),
  'network.scan': call({
    summary: 'Wi-Fi networks in reach (SSID, signal, security, saved, connected); a fresh scan is reused unless `rescan`.',
    scope: 'user',
    input: z.object({ rescan: z.boolean().default(false) }).strict(),
    output: networkScanSchema,
    errors: [...NETWORK_TOOL_ERRORS],
  }),
  'network.connect': call({
    summary:
      'Joins a Wi-Fi network (saved with its password, raised to the top priority unless `priority`); answers once connected. Hidden: give `hidden` and `security`.',
    scope: 'unlocked',
    input: z
      .object({
        ssid: ssidInputSchema,
        /** WPA personal: 8 to 63 characters, or 64 hex digits; absent for an open network or a saved one. */
        password: z.string().max(128).optional(),
        hidden: z.boolean().default(false),
        /** Needed for a hidden network; checked against the scan otherwise. */
        security: z.enum(JOINABLE_SECURITIES).optional(),
        priority: prioritySchema.optional(),
        /** Mark it a support network (priority 999, power saving off). */
        support: z.boolean().default(false),
        via: actorSchema,
      })
      .strict(),
    output: networkOverviewSchema,
    errors: [
      'NETWORK_SSID_INVALID',
      'NETWORK_PASSWORD_INVALID',
      'NETWORK_PASSWORD_REQUIRED',
      'NETWORK_WRONG_PASSWORD',
      'NETWORK_NOT_FOUND',
      'NETWORK_VANISHED',
      'NETWORK_SECURITY_UNSUPPORTED',
      'NETWORK_CONNECT_FAILED',
      'NETWORK_HOTSPOT_MODE',
      ...NETWORK_TOOL_ERRORS,
    ],
  }),
  'network.saved': call({
    summary: 'Saved networks, highest priority first (support networks on top). Never their passwords.',
    scope: 'user',
    input: noInput,
    output: z.array(savedNetworkSchema),
    errors: [...NETWORK_TOOL_ERRORS],
  }),
  'network.setPriority': call({
    summary: 'Sets a saved network’s priority (-999 to 999; higher is tried first). Answers the saved list.',
    scope: 'unlocked',
    input: z.object({ id: profileIdSchema, priority: prioritySchema, via: actorSchema }).strict(),
    output: z.array(savedNetworkSchema),
    errors: ['NETWORK_UNKNOWN_PROFILE', ...NETWORK_TOOL_ERRORS],
  }),
  'network.setSupport': call({
    summary: 'Marks or unmarks a saved network as a support network (priority 999, power saving off). Answers the saved list.',
    scope: 'unlocked',
    input: z.object({ id: profileIdSchema, support: z.boolean(), via: actorSchema }).strict(),
    output: z.array(savedNetworkSchema),
    errors: ['NETWORK_UNKNOWN_PROFILE', ...NETWORK_TOOL_ERRORS],
  }),
  'network.forget': call({
    summary: 'Forgets a saved network and its password (disconnects if joined). Answers the saved list.',
    scope: 'unlocked',
    input: z.object({ id: profileIdSchema, via: actorSchema }).strict(),
    output: z.array(savedNetworkSchema),
    errors: ['NETWORK_UNKNOWN_PROFILE', ...NETWORK_TOOL_ERRORS],
  }),
  'network.hotspotPassword': call({
    summary: 'The hotspot’s generated WPA2 password, to show the wearer on screen only (never logged, never pushed in an event). Hotspot mode only.',
    scope: 'user',
    input: noInput,
    output: z.object({ ssid: z.string(), password: z.string() }),
    errors: ['NETWORK_NOT_HOTSPOT'],
  }),
  'network.audit': call({
    summary: 'The audit of network changes (who, what, result; never a secret), newest first.',
    scope: 'user',
    input: z
      .object({
        limit: z.number().int().min(1).max(500).default(100),
        before: z.string().max(300).optional(),
      })
      .strict(),
    output: networkAuditSchema,
    errors: [],
  }),
} as const;

export const networkEvents = {
  'network.changed': event({ summary: 'The network went online, metered or offline.', scope: 'status', payload: networkStatusSchema }),
  'network.overviewChanged': event({
    summary: 'The whole network picture after any change (joined, left, Ethernet, hotspot, a connection under way). No secret.',
    scope: 'status',
    payload: networkOverviewSchema,
  }),
} as const;
