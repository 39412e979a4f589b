import type { NetworkAuditEntry, WifiSecurity } from '../../../src/api/contract.js';

/** The wearer's words for a kind of Wi-Fi security. */
export function securityWords(security: WifiSecurity): string {
  switch (security) {
    case 'open':
      return 'Open (no password)';
    case 'wpa2-personal':
      return 'WPA2 password';
    case 'wpa3-personal':
      return 'WPA3 password';
    case 'enterprise':
      return 'Enterprise (cannot join here)';
    case 'wep':
      return 'WEP (too old to join)';
  }
}

/** Signal as words for a screen reader and beside the bars: "Strong signal, 3 of 4 bars". */
export function signalWords(bars: number): string {
  const strength = bars >= 4 ? 'Excellent' : bars === 3 ? 'Strong' : bars === 2 ? 'Fair' : bars === 1 ? 'Weak' : 'Very weak';
  return `${strength} signal, ${bars} of 4 bars`;
}

/** What a failed network call tells the wearer, in plain words (the code goes under "Details for support"). */
export function networkProblemWords(code: string | undefined): string {
  switch (code) {
    case 'NETWORK_WRONG_PASSWORD':
      return 'Wrong password: the network did not accept it. Check it and try again.';
    case 'NETWORK_PASSWORD_REQUIRED':
      return 'This network needs a password.';
    case 'NETWORK_PASSWORD_INVALID':
      return 'A Wi-Fi password is 8 to 63 characters (or 64 hexadecimal digits).';
    case 'NETWORK_SSID_INVALID':
      return 'A network name is 1 to 32 characters (fewer with accents or symbols).';
    case 'NETWORK_NOT_FOUND':
      return 'That network is not in reach. Check the name, or move closer to it.';
    case 'NETWORK_VANISHED':
      return 'The network went out of reach while joining. Try again when it is back.';
    case 'NETWORK_SECURITY_UNSUPPORTED':
      return 'This network needs a kind of security the headset cannot join.';
    case 'NETWORK_HOTSPOT_MODE':
      return 'The headset is a hotspot now: it joins no network until the switch is moved back.';
    case 'NETWORK_NOT_HOTSPOT':
      return 'The headset is not a hotspot now.';
    case 'NETWORK_UNKNOWN_PROFILE':
      return 'That saved network is gone already.';
    case 'NETWORK_TOOL_MISSING':
    case 'NETWORK_TOOL_FAILED':
    case 'NETWORK_CONNECT_FAILED':
      return 'The headset’s Wi-Fi had a problem. Try again; if it keeps failing, restart the headset.';
    case 'FORBIDDEN':
      return 'The headset is locked: enter the PIN first.';
    default:
      return 'Something went wrong with the network change. Try again.';
  }
}

/** Who made a change, as the audit's Logs panel says it. */
export function actorWords(who: NetworkAuditEntry['who']): string {
  return { ui: 'You', cli: 'Operator tool', support: 'Remote support', system: 'Headset' }[who];
}

/** What a change was, in words: "Joined Home", "Moved Office (priority 3)". */
export function auditActionWords(entry: NetworkAuditEntry): string {
  const name = entry.ssid ? `“${entry.ssid}”` : 'a network';
  switch (entry.action) {
    case 'connect':
      return `Join ${name}${entry.detail.includes('hidden') ? ' (hidden)' : ''}${entry.detail.includes('support') ? ' as support network' : ''}`;
    case 'forget':
      return `Forget ${name}`;
    case 'set-priority':
      return `Reorder ${name} (${entry.detail})`;
    case 'set-support':
      return entry.detail === 'support on' ? `Mark ${name} as support network` : `Unmark ${name} as support network`;
    case 'hotspot-start':
      return `Start hotspot ${name}`;
    case 'mode':
      return `Start in ${entry.detail} mode`;
  }
}
