import { describe, expect, it, vi } from 'vitest';
import { codeOf } from '../../test-support/api/errorCodes.js';
import { encodeBundleHeader, decodeBundleHeader } from './header.js';
import { layoutManifest, type ManifestDraft } from './manifest.js';
import { checkBundleEnd, checkLayout, checkManifestSignature, checkPayloadDigest, openEnvelope, type TrustedKey } from './verify.js';

const draft: ManifestDraft = {
  version: '2.0.0',
  compatible: 'hs-1',
  requires: [],
  notes: '',
  created: '2025-01-31T12:00:00Z',
  images: [
    {
      name: 'rootfs',
      slot: 'rootfs',
      compression: 'zstd',
      compressed: { length: 100, sha256: 'a'.repeat(64) },
      uncompressed: { length: 300, sha256: 'b'.repeat(64) },
    },
    {
      name: 'boot',
      slot: 'boot',
      compression: 'zstd',
      compressed: { length: 50, sha256: 'c'.repeat(64) },
      uncompressed: { length: 80, sha256: 'd'.repeat(64) },
    },
  ],
};
const keyId = new Uint8Array(32).fill(7);
const trusted: TrustedKey[] = [{ keyId: '07'.repeat(32), publicKey: new Uint8Array(32) }];
const block = { keyId, signature: new Uint8Array(64) };

describe('bundle verification steps', () => {
  it('checks the key is trusted before verifying, and verifies before reading the manifest', () => {
    const verify = vi.fn(() => true);
    expect(
      codeOf(() => checkManifestSignature({ keyId: new Uint8Array(32), signature: new Uint8Array(64) }, new Uint8Array(1), trusted, verify)),
    ).toBe('BUNDLE_UNTRUSTED_KEY');
    expect(verify).not.toHaveBeenCalled();
    // Garbage manifest bytes with a bad signature: the signature is the error, the bytes are never parsed.
    const header = decodeBundleHeader(encodeBundleHeader({ formatVersion: 1, manifestLength: 5 }));
    expect(codeOf(() => openEnvelope(header, new TextEncoder().encode('{{{{{'), block, trusted, () => false))).toBe('BUNDLE_BAD_SIGNATURE');
    expect(codeOf(() => openEnvelope(header, new TextEncoder().encode('{{{{{'), block, trusted, () => true))).toBe('BUNDLE_MALFORMED');
  });

  it('hands the exact manifest bytes and the trusted public key to the verifier', () => {
    const { bytes } = layoutManifest(draft);
    const verify = vi.fn(() => true);
    const header = { formatVersion: 1, manifestLength: bytes.length };
    const envelope = openEnvelope(header, bytes, block, trusted, verify);
    expect(verify).toHaveBeenCalledWith(block.signature, bytes, trusted[0]!.publicKey);
    expect(envelope.keyId).toBe(trusted[0]!.keyId);
    expect(envelope.length).toBe(16 + bytes.length + 96 + 150);
  });

  it('refuses payloads that do not tile the file', () => {
    const { manifest, bytes } = layoutManifest(draft);
    const at = (i: number, offset: number) => ({ ...manifest, images: manifest.images.map((image, j) => (j === i ? { ...image, offset } : image)) });
    const first = manifest.images[0]!.offset;
    expect(codeOf(() => checkLayout(manifest, bytes.length))).toBe('OK');
    expect(codeOf(() => checkLayout(at(0, first - 1), bytes.length))).toBe('BUNDLE_BAD_LAYOUT'); // overlaps the signature
    expect(codeOf(() => checkLayout(at(0, first + 1), bytes.length))).toBe('BUNDLE_BAD_LAYOUT'); // a gap
    expect(codeOf(() => checkLayout(at(1, first + 99), bytes.length))).toBe('BUNDLE_BAD_LAYOUT'); // overlap
    expect(codeOf(() => checkLayout(at(1, first + 101), bytes.length))).toBe('BUNDLE_BAD_LAYOUT'); // gap
    expect(codeOf(() => checkLayout(at(1, 0), bytes.length))).toBe('BUNDLE_BAD_LAYOUT'); // backwards
    const past = {
      ...manifest,
      images: [{ ...manifest.images[0]!, compressed: { length: Number.MAX_SAFE_INTEGER - 10, sha256: 'a'.repeat(64) } }, manifest.images[1]!],
    };
    expect(codeOf(() => checkLayout(past, bytes.length))).toBe('BUNDLE_BAD_LAYOUT');
  });

  it('compares a streamed payload with its signed length and hash', () => {
    const image = layoutManifest(draft).manifest.images[0]!;
    expect(codeOf(() => checkPayloadDigest(image, 'compressed', { length: 100, sha256: 'a'.repeat(64) }))).toBe('OK');
    expect(codeOf(() => checkPayloadDigest(image, 'compressed', { length: 99, sha256: 'a'.repeat(64) }))).toBe('BUNDLE_PAYLOAD_MISMATCH');
    expect(codeOf(() => checkPayloadDigest(image, 'compressed', { length: 100, sha256: 'b'.repeat(64) }))).toBe('BUNDLE_PAYLOAD_MISMATCH');
    expect(codeOf(() => checkPayloadDigest(image, 'uncompressed', { length: 300, sha256: 'b'.repeat(64) }))).toBe('OK');
    expect(codeOf(() => checkPayloadDigest(image, 'uncompressed', { length: 300, sha256: 'a'.repeat(64) }))).toBe('BUNDLE_PAYLOAD_MISMATCH');
  });

  it('tells a short file from one with bytes appended, past 4 GiB too', () => {
    const big = 6 * 1024 ** 3 + 5;
    expect(codeOf(() => checkBundleEnd(big, big))).toBe('OK');
    expect(codeOf(() => checkBundleEnd(big, big - 1))).toBe('BUNDLE_TRUNCATED');
    expect(codeOf(() => checkBundleEnd(big, 2 ** 32))).toBe('BUNDLE_TRUNCATED');
    expect(codeOf(() => checkBundleEnd(big, big + 1))).toBe('BUNDLE_TRAILING_DATA');
  });
});
