import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import type { TelemetryEndpoint } from './OtlpForwarder.js';

const CONFIG_FILE = 'telemetry-config.json';

export class TelemetryConfigError extends Error {}

/**
 * The OTLP endpoint this headset forwards to: given once with --telemetry-url (and --telemetry-ca
 * for a private CA) and remembered in the state folder, like the update repository. The CA's PEM
 * is copied in, so the file it came from may go. `--telemetry-url off` forgets the endpoint.
 * Without one, records wait in the (bounded) outbox.
 */
export async function loadTelemetryEndpoint(options: { url?: string; caFile?: string; stateDir: string }): Promise<TelemetryEndpoint | undefined> {
  const path = join(options.stateDir, CONFIG_FILE);
  if (options.url === 'off') {
    await unlink(path).catch(() => undefined);
    return undefined;
  }
  const saved = await readJsonIfExists<TelemetryEndpoint>(path).catch(() => undefined);
  if (options.url === undefined && options.caFile === undefined) return saved;
  const url = options.url ?? saved?.url;
  if (!url) throw new TelemetryConfigError('--telemetry-ca needs --telemetry-url (no endpoint is remembered)');
  const endpoint: TelemetryEndpoint = { url: checkTelemetryUrl(url) };
  const ca = options.caFile !== undefined ? await readCa(options.caFile) : saved?.ca;
  if (ca) endpoint.ca = ca;
  await writeFileAtomic(path, JSON.stringify(endpoint), { mode: 0o600 });
  return endpoint;
}

/** The endpoint's base URL, normalised; a TelemetryConfigError says what is wrong with it. */
export function checkTelemetryUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new TelemetryConfigError(`--telemetry-url is not a URL: "${text}"`);
  }
  if (url.protocol !== 'https:') throw new TelemetryConfigError(`--telemetry-url must be https (records leave the headset): "${text}"`);
  if (url.username || url.password) throw new TelemetryConfigError('--telemetry-url must not carry credentials: the device key signs each request');
  if (url.search || url.hash) throw new TelemetryConfigError('--telemetry-url is a base address: no query or fragment');
  return url.toString().replace(/\/+$/, '');
}

async function readCa(file: string): Promise<string> {
  const pem = await readFile(file, 'utf8').catch((error: unknown) => {
    throw new TelemetryConfigError(`--telemetry-ca: cannot read ${file}: ${(error as Error).message}`);
  });
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new TelemetryConfigError(`--telemetry-ca: ${file} holds no PEM certificate`);
  return pem;
}
