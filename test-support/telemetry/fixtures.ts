import { generateKeyPairSync, sign } from 'node:crypto';
import type { OtlpLogRecord, OtlpMetric } from '../../src/telemetry/otlpJson.js';
import type { RequestSigner } from '../../main/services/telemetry/RequestSigner.js';
import type { NetworkMonitor, NetworkState } from '../../main/services/platform/NetworkMonitor.js';

/** Test inputs for the outbox and the forwarder: records, a signer, a network one can switch. */

export function logRecord(text: string, severityNumber = 9): OtlpLogRecord {
  return {
    timeUnixNano: '1763800000000000000',
    severityNumber,
    severityText: severityNumber >= 17 ? 'ERROR' : 'INFO',
    body: { stringValue: text },
    attributes: [{ key: 'headset.subsystem', value: { stringValue: 'system' } }],
  };
}

export function gauge(name: string, value: number, at = '1763800000000000000'): OtlpMetric {
  return { name, description: 'a test gauge', unit: '1', gauge: { dataPoints: [{ attributes: [], timeUnixNano: at, asDouble: value }] } };
}

/** A signer with a fresh Ed25519 key (node:crypto; headsetd signs through IdentityService). */
export function testSigner(): RequestSigner {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return { publicKey: () => Buffer.from(raw).toString('base64'), sign: (message) => sign(null, message, privateKey) };
}

export class SwitchableNetwork implements NetworkMonitor {
  constructor(public value: NetworkState = 'online') {}
  async state(): Promise<NetworkState> {
    return this.value;
  }
}

export async function waitFor(condition: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
