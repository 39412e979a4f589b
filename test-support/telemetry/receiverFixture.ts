import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { OtlpTestReceiver, makeSelfSignedCertificate } from './OtlpTestReceiver.js';

export interface OtlpReceiverFixture {
  /** The test file's scratch folder (the certificate is in it); removed after its tests. */
  readonly work: string;
  /** Set before the file's tests run. */
  receiver: OtlpTestReceiver;
  certPath: string;
}

/**
 * For a test file: an OTLP receiver over TLS with a self-signed certificate, started before its
 * tests and closed after them, with the scratch folder it lives in.
 */
export function useOtlpTestReceiver(prefix: string): OtlpReceiverFixture {
  const fixture = { work: mkdtempSync(join(tmpdir(), prefix)), certPath: '' } as OtlpReceiverFixture;
  beforeAll(async () => {
    const tls = makeSelfSignedCertificate(fixture.work);
    fixture.certPath = tls.certPath;
    fixture.receiver = await OtlpTestReceiver.start(tls);
  });
  afterAll(async () => {
    await fixture.receiver?.close();
    rmSync(fixture.work, { recursive: true, force: true });
  });
  return fixture;
}
