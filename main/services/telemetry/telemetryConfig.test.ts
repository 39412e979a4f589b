import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTelemetryEndpoint, TelemetryConfigError } from './telemetryConfig.js';
import { makeSelfSignedCertificate } from '../../../test-support/telemetry/OtlpTestReceiver.js';

const work = mkdtempSync(join(tmpdir(), 'telemetry-config-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the telemetry endpoint setting', () => {
  it('is remembered once given, with a copy of the CA; "off" forgets it', async () => {
    const stateDir = mkdtempSync(join(work, 'state-'));
    const { cert, certPath } = makeSelfSignedCertificate(mkdtempSync(join(work, 'tls-')));
    expect(await loadTelemetryEndpoint({ stateDir })).toBeUndefined();
    expect(await loadTelemetryEndpoint({ stateDir, url: 'https://otel.example.com:4318/', caFile: certPath })).toEqual({
      url: 'https://otel.example.com:4318',
      ca: cert,
    });
    rmSync(certPath);
    expect(await loadTelemetryEndpoint({ stateDir })).toEqual({ url: 'https://otel.example.com:4318', ca: cert });
    expect(statSync(join(stateDir, 'telemetry-config.json')).mode & 0o777).toBe(0o600);
    // A new URL keeps the remembered CA.
    expect(await loadTelemetryEndpoint({ stateDir, url: 'https://other.example.com/otlp' })).toEqual({
      url: 'https://other.example.com/otlp',
      ca: cert,
    });
    expect(await loadTelemetryEndpoint({ stateDir, url: 'off' })).toBeUndefined();
    expect(await loadTelemetryEndpoint({ stateDir })).toBeUndefined();
  });

  it('refuses what is not a safe endpoint, and changes nothing', async () => {
    const stateDir = mkdtempSync(join(work, 'state-'));
    await loadTelemetryEndpoint({ stateDir, url: 'https://good.example.com' });
    const before = readFileSync(join(stateDir, 'telemetry-config.json'), 'utf8');
    const notPem = join(work, 'not.pem');
    writeFileSync(notPem, 'hello');
    const cases: [Parameters<typeof loadTelemetryEndpoint>[0], RegExp][] = [
      [{ stateDir, url: 'http://plain.example.com' }, /must be https/],
      [{ stateDir, url: 'not a url' }, /not a URL/],
      [{ stateDir, url: 'https://user:secret@example.com' }, /credentials/],
      [{ stateDir, url: 'https://example.com/?token=1' }, /no query/],
      [{ stateDir, url: 'https://example.com', caFile: notPem }, /no PEM certificate/],
      [{ stateDir, url: 'https://example.com', caFile: join(work, 'missing.pem') }, /cannot read/],
    ];
    for (const [options, message] of cases) {
      await expect(loadTelemetryEndpoint(options)).rejects.toThrow(TelemetryConfigError);
      await expect(loadTelemetryEndpoint(options)).rejects.toThrow(message);
    }
    expect(readFileSync(join(stateDir, 'telemetry-config.json'), 'utf8')).toBe(before);
    const fresh = mkdtempSync(join(work, 'state-'));
    await expect(loadTelemetryEndpoint({ stateDir: fresh, caFile: notPem })).rejects.toThrow(/needs --telemetry-url/);
  });
});
