import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sodium from 'sodium-native';
import {
  type SanitizationRecord,
  type SignedSanitizationRecord,
  sanitizationSigningBytes,
  signedSanitizationRecordSchema,
} from '../../../src/reset/sanitizationRecord.js';
import { ensureDirectory, writeFileAtomic } from '../storage/atomicFile.js';

export type RecordCheck =
  { ok: true; record: SanitizationRecord } | { ok: false; reason: 'malformed' | 'bad-signature' | 'other-key'; message: string };

/** The signed records of past wipes, on the persist partition (`reset/records/`), newest last. */
export class SanitizationRecords {
  constructor(readonly dir: string) {}

  async save(record: SanitizationRecord, sign: (message: Uint8Array) => Uint8Array): Promise<{ path: string; signed: SignedSanitizationRecord }> {
    const signed: SignedSanitizationRecord = { record, signature: Buffer.from(sign(sanitizationSigningBytes(record))).toString('base64') };
    await ensureDirectory(this.dir);
    const path = join(this.dir, `${record.finishedAt.replace(/[:.]/g, '-')}-${record.id}.json`);
    await writeFileAtomic(path, `${JSON.stringify(signed, null, 2)}\n`);
    return { path, signed };
  }

  async list(): Promise<string[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return names
      .filter((name) => name.endsWith('.json') && !name.startsWith('.'))
      .sort()
      .map((name) => join(this.dir, name));
  }

  async latest(): Promise<SignedSanitizationRecord | null> {
    const paths = await this.list();
    const last = paths.at(-1);
    return last ? signedSanitizationRecordSchema.parse(JSON.parse(await readFile(last, 'utf8'))) : null;
  }
}

/**
 * Checks a record's signature against the key it names, and, when given, that this key is the one
 * expected (the device's registered key): a record signed by any other key proves nothing.
 */
export function verifySanitizationRecord(text: string, expectedPublicKey?: string): RecordCheck {
  let signed: SignedSanitizationRecord;
  try {
    signed = signedSanitizationRecordSchema.parse(JSON.parse(text));
  } catch (error) {
    return { ok: false, reason: 'malformed', message: `not a sanitization record: ${(error as Error).message.split('\n')[0]}` };
  }
  const publicKey = Buffer.from(signed.record.publicKey, 'base64');
  const signature = Buffer.from(signed.signature, 'base64');
  if (publicKey.length !== sodium.crypto_sign_PUBLICKEYBYTES || signature.length !== sodium.crypto_sign_BYTES)
    return { ok: false, reason: 'malformed', message: 'the key or the signature has the wrong length' };
  if (!sodium.crypto_sign_verify_detached(signature, Buffer.from(sanitizationSigningBytes(signed.record)), publicKey))
    return { ok: false, reason: 'bad-signature', message: 'the signature does not match the record: it was changed after signing' };
  if (expectedPublicKey !== undefined && expectedPublicKey !== signed.record.publicKey)
    return { ok: false, reason: 'other-key', message: 'the record is signed by another key than the one expected' };
  return { ok: true, record: signed.record };
}
