import { AppError } from '../../../src/api/errors.js';
import type { EthernetState, WifiSecurity } from '../../../src/api/contract/network.js';
import { parseProperties, parsePropertyBlocks, parseTerse } from '../../../src/network/nmcliFields.js';
import { hexToBytes, ssidFromHex, ssidToHex } from '../../../src/network/ssid.js';
import type { NmcliRunner, NmcliRunOptions } from './NmcliRunner.js';
import type { AccessPoint, ActiveWifi, ConnectivityState, HotspotRequest, JoinRequest, NetworkBackend, WifiProfile } from './ports.js';

/** Our profiles are named by the SSID's hex: exact whatever the bytes (LC_ALL=C prints non-ASCII as `?`). */
const PROFILE_PREFIX = 'wifi-';
export const HOTSPOT_PROFILE = 'headset-hotspot';
/** A profile's settings as `profiles()` reads them; the UUID first, where each connection's block starts. */
const PROFILE_FIELDS = [
  'connection.uuid',
  'connection.autoconnect-priority',
  '802-11-wireless.ssid',
  '802-11-wireless.hidden',
  '802-11-wireless.powersave',
  '802-11-wireless.mode',
  '802-11-wireless-security.key-mgmt',
].join(',');

/**
 * The network stack of a Linux headset through `nmcli` (NetworkManager 1.42+): `-t -e yes` output
 * split on unescaped colons, SSIDs exact through SSID-HEX and hex profile names, and every secret
 * through nmcli's editor on stdin (`connection edit`), never on argv, where /proc/PID/cmdline
 * would show it to every user. Exit codes map to the catalogue (4: activation failed, 10: not found).
 */
export class NmcliNetworkManager implements NetworkBackend {
  private readonly reads = new Map<string, Promise<string>>();

  constructor(
    private readonly nmcli: NmcliRunner,
    private readonly options: { wifiDevice?: string; activationTimeoutS?: number } = {},
  ) {}

  async scan(rescan: boolean): Promise<AccessPoint[]> {
    const out = await this.read(['-f', 'IN-USE,SSID-HEX,SIGNAL,SECURITY', 'device', 'wifi', 'list', '--rescan', rescan ? 'yes' : 'no']);
    return parseTerse(out, 4).map(([inUse, ssidHex, signal, security]) => ({
      ssidHex: (ssidHex ?? '').toUpperCase(),
      signal: Number(signal) || 0,
      security: securityOf(security ?? ''),
      inUse: inUse === '*',
    }));
  }

  /**
   * The saved Wi-Fi profiles: the list, then every profile's settings in one `connection show` of
   * all their UUIDs (not one nmcli start per profile). A profile deleted between the two calls
   * makes the second fail as not found: read the list again.
   */
  async profiles(): Promise<WifiProfile[]> {
    for (let attempt = 1; ; attempt++) {
      const list = parseTerse(await this.read(['-f', 'NAME,UUID,TYPE', 'connection', 'show']), 3);
      const wifi = list.filter(([name, , type]) => type === '802-11-wireless' && name !== HOTSPOT_PROFILE);
      if (wifi.length === 0) return [];
      let output: string;
      try {
        output = await this.read(['-f', PROFILE_FIELDS, 'connection', 'show', ...wifi.flatMap(([, uuid]) => ['uuid', uuid!])], {
          notFound: 'NETWORK_UNKNOWN_PROFILE',
        });
      } catch (error) {
        if (attempt < 3 && error instanceof AppError && error.code === 'NETWORK_UNKNOWN_PROFILE') continue;
        throw error;
      }
      const names = new Map(wifi.map(([name, uuid]) => [uuid!, name!]));
      return parsePropertyBlocks(output, 'connection.uuid').flatMap((fields) => {
        const uuid = fields.get('connection.uuid') ?? '';
        const name = names.get(uuid);
        if (name === undefined || fields.get('802-11-wireless.mode') === 'ap') return [];
        return [profileOf(uuid, name, fields)];
      });
    }
  }

  async join(request: JoinRequest): Promise<{ profileId: string }> {
    const settings = profileSettings(request);
    let profileId = request.profileId;
    if (profileId) {
      // An existing profile is edited in place (its psk too, on stdin) before it is activated.
      await this.edit(['connection', 'edit', 'uuid', profileId], settings);
    } else {
      const out = await this.edit(['connection', 'edit', 'type', 'wifi', 'con-name', `${PROFILE_PREFIX}${request.ssidHex}`], settings);
      profileId = /\(([0-9a-f-]{36})\) successfully saved/i.exec(out)?.[1];
      if (!profileId) throw new AppError('NETWORK_TOOL_FAILED', undefined, { stderr: 'nmcli did not say which profile it saved' });
    }
    const timeout = String(this.options.activationTimeoutS ?? 45);
    try {
      await this.write(
        ['-w', timeout, 'connection', 'up', 'uuid', profileId, ...(this.options.wifiDevice ? ['ifname', this.options.wifiDevice] : [])],
        {
          notFound: 'NETWORK_NOT_FOUND',
          timeoutMs: (Number(timeout) + 15) * 1000,
        },
      );
    } catch (error) {
      // A key the network refused is not kept (as `nmcli device wifi connect` drops its new profile).
      if (!request.profileId && error instanceof AppError && error.code === 'NETWORK_WRONG_PASSWORD')
        await this.remove(profileId).catch(() => undefined);
      throw error;
    }
    return { profileId };
  }

  async modify(profileId: string, change: { priority?: number; powerSaveOff?: boolean }): Promise<void> {
    const args: string[] = [];
    if (change.priority !== undefined) args.push('connection.autoconnect-priority', String(change.priority));
    if (change.powerSaveOff !== undefined) args.push('802-11-wireless.powersave', change.powerSaveOff ? '2' : '0');
    if (args.length === 0) return;
    await this.write(['connection', 'modify', 'uuid', profileId, ...args], { notFound: 'NETWORK_UNKNOWN_PROFILE' });
  }

  async remove(profileId: string): Promise<void> {
    await this.write(['connection', 'delete', 'uuid', profileId], { notFound: 'NETWORK_UNKNOWN_PROFILE' });
  }

  /** The Wi-Fi profile active now (NetworkManager's active connection, not the scan's in-use mark, which a hidden network lacks). */
  async activeWifi(): Promise<ActiveWifi | null> {
    const active = parseTerse(await this.read(['-f', 'NAME,UUID,TYPE', 'connection', 'show', '--active']), 3);
    const wifi = active.filter(([name, , type]) => type === '802-11-wireless' && name !== HOTSPOT_PROFILE);
    if (wifi.length === 0) return null;
    // Our profiles carry the SSID in their name: no settings to read for them.
    const [name, uuid] = wifi[0]!;
    const named = ssidHexOfName(name!);
    const profile = named !== undefined ? { id: uuid!, ssidHex: named } : (await this.profiles()).find((p) => wifi.some(([, id]) => id === p.id));
    if (!profile) return null;
    const signal = Math.max(0, ...(await this.scan(false)).filter((p) => p.ssidHex === profile.ssidHex).map((p) => p.signal));
    return { ssidHex: profile.ssidHex, signal, profileId: profile.id };
  }

  async ethernet(): Promise<EthernetState> {
    const devices = parseTerse(await this.read(['-f', 'DEVICE,TYPE,STATE', 'device', 'status']), 3);
    const wired = devices.filter(([, type]) => type === 'ethernet');
    if (wired.length === 0) return { present: false, carrier: false, connected: false, address: null };
    const connected = wired.find(([, , state]) => state === 'connected');
    const device = connected ?? wired.find(([, , state]) => state !== 'unavailable') ?? wired[0]!;
    let address: string | null = null;
    if (connected) {
      const properties = parseProperties(await this.read(['-f', 'IP4.ADDRESS', 'device', 'show', connected[0]!]));
      address = [...properties].find(([key]) => key.startsWith('IP4.ADDRESS'))?.[1] ?? null;
    }
    // "unavailable": no carrier (no cable); "disconnected" or "connecting": a link, no address yet.
    return { present: true, carrier: device[2] !== 'unavailable', connected: connected !== undefined, address };
  }

  async connectivity(): Promise<ConnectivityState> {
    const [row] = parseTerse(await this.read(['-f', 'STATE,CONNECTIVITY', 'general', 'status']), 2);
    const [state, connectivity] = row ?? [];
    if (!state?.startsWith('connected') || (connectivity !== 'full' && connectivity !== 'unknown')) return 'offline';
    // Metered: the device carrying the default route says so (a phone's hotspot, a metered profile).
    const devices = parseTerse(await this.read(['-f', 'DEVICE,TYPE,STATE', 'device', 'status']), 3).filter(([, , s]) => s === 'connected');
    const primary = devices.find(([, type]) => type === 'ethernet') ?? devices[0];
    if (!primary) return 'offline';
    const metered = parseProperties(await this.read(['-f', 'GENERAL.METERED', 'device', 'show', primary[0]!])).get('GENERAL.METERED') ?? '';
    return metered.startsWith('yes') ? 'metered' : 'online';
  }

  async startHotspot(request: HotspotRequest): Promise<void> {
    await this.stopHotspot();
    // Like `nmcli device wifi hotspot`, but the password goes on stdin, not argv.
    await this.edit(
      ['connection', 'edit', 'type', 'wifi', 'con-name', HOTSPOT_PROFILE],
      [
        ['802-11-wireless.ssid', editorValue(request.ssid)],
        ['802-11-wireless.mode', 'ap'],
        ['802-11-wireless.band', 'bg'],
        ['ipv4.method', 'shared'],
        ['ipv6.method', 'ignore'],
        ['802-11-wireless-security.key-mgmt', 'wpa-psk'],
        ['802-11-wireless-security.proto', 'rsn'],
        ['802-11-wireless-security.pairwise', 'ccmp'],
        ['802-11-wireless-security.psk', editorValue(request.password, 'NETWORK_PASSWORD_INVALID')],
        ['connection.autoconnect', 'no'],
      ],
    );
    await this.write([
      '-w',
      '30',
      'connection',
      'up',
      'id',
      HOTSPOT_PROFILE,
      ...(this.options.wifiDevice ? ['ifname', this.options.wifiDevice] : []),
    ]);
  }

  async stopHotspot(): Promise<void> {
    const list = parseTerse(await this.read(['-f', 'NAME,UUID', 'connection', 'show']), 2);
    for (const [name, uuid] of list) {
      // Deleting deactivates it too (`connection down` would wait for a reply the radio may never give).
      if (name === HOTSPOT_PROFILE) await this.remove(uuid!);
    }
  }

  /**
   * A read-only run: the same read already under way is shared (headsetd's poll and the read after
   * a change often ask at once; each nmcli start costs tens of milliseconds on the headset).
   */
  private read(args: string[], options?: NmcliRunOptions): Promise<string> {
    const key = args.join('\0');
    const pending = this.reads.get(key);
    if (pending) return pending;
    const run = this.nmcli.run(args, options).finally(() => {
      if (this.reads.get(key) === run) this.reads.delete(key);
    });
    this.reads.set(key, run);
    return run;
  }

  /** A change: reads under way may predate it, so none is shared with a later caller. */
  private write(args: string[], options?: NmcliRunOptions): Promise<string> {
    this.reads.clear();
    return this.nmcli.run(args, options).finally(() => this.reads.clear());
  }

  /** nmcli's connection editor, driven on stdin: `set` lines, save (confirmed), quit. */
  private edit(args: string[], settings: [string, string][]): Promise<string> {
    const script = [...settings.map(([key, value]) => `set ${key} ${value}`), 'save persistent', 'yes', 'quit', ''].join('\n');
    return this.write(args, { stdin: script, notFound: 'NETWORK_UNKNOWN_PROFILE' });
  }
}

/** The SSID's hex from one of our profile names (`wifi-<hex>`), else undefined. */
function ssidHexOfName(name: string): string | undefined {
  return name.startsWith(PROFILE_PREFIX) && isHex(name.slice(PROFILE_PREFIX.length)) ? name.slice(PROFILE_PREFIX.length).toUpperCase() : undefined;
}

function profileOf(uuid: string, name: string, fields: Map<string, string>): WifiProfile {
  const keyMgmt = fields.get('802-11-wireless-security.key-mgmt') ?? '';
  return {
    id: uuid,
    ssidHex: ssidHexOfName(name) ?? ssidToHex(fields.get('802-11-wireless.ssid') ?? ''),
    security: keyMgmt === 'sae' ? 'wpa3-personal' : keyMgmt === 'wpa-psk' ? 'wpa2-personal' : 'open',
    priority: Number(fields.get('connection.autoconnect-priority') ?? 0) || 0,
    hidden: fields.get('802-11-wireless.hidden') === 'yes',
    // powersave 2 = disable (NM_SETTING_WIRELESS_POWERSAVE_DISABLE): how a support network is kept quick.
    powerSaveOff: /^(2|disable)/.test(fields.get('802-11-wireless.powersave') ?? ''),
    hasPassword: keyMgmt === 'wpa-psk' || keyMgmt === 'sae',
  };
}

function profileSettings(request: JoinRequest): [string, string][] {
  const settings: [string, string][] = [
    ['802-11-wireless.ssid', editorValue(ssidFromHex(request.ssidHex))],
    ['802-11-wireless.hidden', request.hidden ? 'yes' : 'no'],
    ['802-11-wireless.powersave', request.powerSaveOff ? '2' : '0'],
    ['connection.autoconnect', 'yes'],
    ['connection.autoconnect-priority', String(request.priority)],
  ];
  if (request.security !== 'open') {
    settings.push(['802-11-wireless-security.key-mgmt', request.security === 'wpa3-personal' ? 'sae' : 'wpa-psk']);
    if (request.password !== undefined) settings.push(['802-11-wireless-security.psk', editorValue(request.password, 'NETWORK_PASSWORD_INVALID')]);
  }
  return settings;
}

/**
 * A value for one editor line. A line break would start a command of its own, and the editor trims
 * the ends: both are refused (an SSID with either cannot be written exactly this way).
 */
function editorValue(value: string, code: 'NETWORK_SSID_INVALID' | 'NETWORK_PASSWORD_INVALID' = 'NETWORK_SSID_INVALID'): string {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(value) || value !== value.trim())
    throw new AppError(
      code,
      code === 'NETWORK_SSID_INVALID'
        ? 'The name has control characters or spaces at its ends.'
        : 'The password has control characters or spaces at its ends.',
    );
  return value;
}

function securityOf(flags: string): WifiSecurity {
  if (/802\.1X/i.test(flags)) return 'enterprise';
  if (/WPA[12]/.test(flags)) return 'wpa2-personal'; // WPA2 (or a WPA2/WPA3 transition network): a PSK joins it
  if (/WPA3/.test(flags)) return 'wpa3-personal';
  if (/WEP/.test(flags)) return 'wep';
  return 'open';
}

function isHex(text: string): boolean {
  try {
    return text.length > 0 && hexToBytes(text).length > 0;
  } catch {
    return false;
  }
}
