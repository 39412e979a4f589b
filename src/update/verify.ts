import { AppError } from '../api/errors.js';
import { toHex } from './hex.js';
import { type BundleHeader, type SignatureBlock, payloadAreaOffset } from './header.js';
import { type BundleManifest, type ImageEntry, decodeManifest } from './manifest.js';

/**
 * The verification decisions of a bundle, pure: the reader (main/services/update) brings the bytes,
 * Ed25519 and SHA-256, and calls these in the order docs/bundle-format.md gives. Nothing in the
 * manifest is looked at before its signature has been checked against a trusted key.
 */

export interface TrustedKey {
  /** SHA-256 (hex) of the key's canonical public-key object, as in the bundle's signature block. */
  keyId: string;
  publicKey: Uint8Array;
}

export type VerifySignature = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

export interface VerifiedEnvelope {
  manifest: BundleManifest;
  keyId: string;
  /** Offset of the first payload. */
  payloadOffset: number;
  /** The exact length the whole bundle file must have. */
  length: number;
}

/** Step 1: the manifest bytes are signed by a trusted key. Throws UNTRUSTED_KEY or BAD_SIGNATURE. */
export function checkManifestSignature(
  block: SignatureBlock,
  manifestBytes: Uint8Array,
  trusted: readonly TrustedKey[],
  verify: VerifySignature,
): TrustedKey {
  const keyId = toHex(block.keyId);
  const key = trusted.find((candidate) => candidate.keyId === keyId);
  if (!key)
    throw new AppError('BUNDLE_UNTRUSTED_KEY', `The bundle is signed by key ${keyId}, which is not among the ${trusted.length} trusted key(s).`, {
      keyId,
      trusted: trusted.map((k) => k.keyId),
    });
  if (!verify(block.signature, manifestBytes, key.publicKey))
    throw new AppError(
      'BUNDLE_BAD_SIGNATURE',
      `The manifest's signature does not verify with trusted key ${keyId}: the manifest or the signature was altered.`,
      { keyId },
    );
  return key;
}

/**
 * Step 3: the payloads tile the file exactly, in manifest order, right after the signature block:
 * no gap a hostile writer could hide bytes in, no overlap, no end beyond 2^53. Returns the length
 * the bundle must have. Throws BAD_LAYOUT.
 */
export function checkLayout(manifest: BundleManifest, manifestLength: number): number {
  let expected = payloadAreaOffset(manifestLength);
  for (const image of manifest.images) {
    if (image.offset !== expected) {
      throw new AppError(
        'BUNDLE_BAD_LAYOUT',
        `Image "${image.name}" is said to start at offset ${image.offset}; the previous part ends at ${expected}.`,
        { image: image.name, offset: image.offset, expected },
      );
    }
    expected = image.offset + image.compressed.length;
    if (!Number.isSafeInteger(expected))
      throw new AppError('BUNDLE_BAD_LAYOUT', `Image "${image.name}" would end beyond 2^53 bytes.`, { image: image.name });
  }
  return expected;
}

/** Steps 1 to 3 on the bytes read so far: signature, then manifest, then layout. */
export function openEnvelope(
  header: BundleHeader,
  manifestBytes: Uint8Array,
  block: SignatureBlock,
  trusted: readonly TrustedKey[],
  verify: VerifySignature,
): VerifiedEnvelope {
  const key = checkManifestSignature(block, manifestBytes, trusted, verify);
  const manifest = decodeManifest(manifestBytes);
  // The header's version is outside the signature; the manifest's is inside: they must agree.
  if (manifest.format !== header.formatVersion)
    throw new AppError('BUNDLE_MALFORMED', `The header says format ${header.formatVersion}, the signed manifest ${manifest.format}.`, {
      field: 'format',
    });
  const length = checkLayout(manifest, header.manifestLength);
  return { manifest, keyId: key.keyId, payloadOffset: payloadAreaOffset(header.manifestLength), length };
}

export interface MeasuredDigest {
  length: number;
  sha256: string;
}

/** Step 4, per payload once streamed: its length and hash are what the signed manifest says. */
export function checkPayloadDigest(image: ImageEntry, form: 'compressed' | 'uncompressed', actual: MeasuredDigest): void {
  const expected = image[form];
  if (actual.length !== expected.length || actual.sha256 !== expected.sha256) {
    throw new AppError(
      'BUNDLE_PAYLOAD_MISMATCH',
      actual.length !== expected.length
        ? `Image "${image.name}": ${form} payload is ${actual.length} bytes, the manifest says ${expected.length}.`
        : `Image "${image.name}": ${form} payload's SHA-256 is ${actual.sha256}, the manifest says ${expected.sha256}.`,
      { image: image.name, form, expected, actual },
    );
  }
}

/** Called with how many bytes there are in total (a file's size) or were read (a stream). */
export function checkBundleEnd(expectedLength: number, actualLength: number): void {
  if (actualLength < expectedLength)
    throw new AppError('BUNDLE_TRUNCATED', `The bundle is ${actualLength} bytes; its manifest needs ${expectedLength}.`, {
      at: 'payload',
      length: actualLength,
      expected: expectedLength,
    });
  if (actualLength > expectedLength)
    throw new AppError('BUNDLE_TRAILING_DATA', `The bundle has ${actualLength - expectedLength} bytes after its last payload.`, {
      length: actualLength,
      expected: expectedLength,
    });
}
