import type { SupportProblem } from '../api/contract/support.js';

/**
 * What one line of `ssh -v -N -R …`'s stderr says about the tunnel (OpenSSH 9). Everything else
 * (debug chatter) is `null`: it is never logged, since it can carry paths and fingerprints we do
 * not need.
 */
export type TunnelSignal = { kind: 'up'; relayPort: number | null } | { kind: 'problem'; problem: SupportProblem; terminal: boolean; line: string };

const FORWARD_UP = /^debug1: remote forward success for: listen [^:]+:(\d+),/;
const ALLOCATED = /^Allocated port (\d+) for remote forward to/;
const HOST_KEY = /(REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed|No \S+ host key is known for|Host key for .* has changed)/;
const REFUSED_AUTH = /Permission denied \(|Too many authentication failures|Received disconnect from .*: ?\d+: (?!disconnected by user)/;
const UNREACHABLE =
  /connect to host .* port \d+: |Could not resolve hostname|Connection (closed|reset) by .* port \d+|kex_exchange_identification|Connection timed out during banner exchange/;
const FORWARD_REFUSED = /remote port forwarding failed for listen port|Error: remote port forwarding failed/;
const LOST = /Timeout, server .* not responding|client_loop: send disconnect|Connection to .* closed by remote host|Broken pipe/;

export function classifyTunnelLine(line: string): TunnelSignal | null {
  let m = FORWARD_UP.exec(line);
  if (m) return { kind: 'up', relayPort: Number(m[1]) || null };
  m = ALLOCATED.exec(line);
  if (m) return { kind: 'up', relayPort: Number(m[1]) };
  // A changed or unknown relay key is not a network hiccup: retrying would not help, and must not.
  if (HOST_KEY.test(line)) return { kind: 'problem', problem: 'relay-host-key', terminal: true, line };
  if (FORWARD_REFUSED.test(line)) return { kind: 'problem', problem: 'forward-refused', terminal: false, line };
  if (REFUSED_AUTH.test(line)) return { kind: 'problem', problem: 'relay-refused', terminal: false, line };
  if (UNREACHABLE.test(line)) return { kind: 'problem', problem: 'relay-unreachable', terminal: false, line };
  if (LOST.test(line)) return { kind: 'problem', problem: 'tunnel-lost', terminal: false, line };
  return null;
}
