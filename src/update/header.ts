import { AppError } from '../api/errors.js';

/**
 * The fixed-size parts of a bundle file (docs/bundle-format.md):
 *
 *   0   8  magic "HSBUNDLE"
 *   8   2  format version, big-endian (1)
 *   10  2  flags, must be 0 (room to grow without a new magic)
 *   12  4  manifest length M, big-endian, 1 .. MAX_MANIFEST_LENGTH
 *   16  M  manifest: canonical JSON, UTF-8
 *   16+M    32  key id: SHA-256 of the signing key's canonical public-key object
 *   16+M+32 64  Ed25519 signature over the M manifest bytes
 *   16+M+96 ... payloads, in manifest order, at the offsets the manifest gives
 *
 * The header is not signed itself, but every field is bound: the version is repeated in the
 * manifest, the length decides which bytes the signature must cover, flags must be 0.
 */
export const BUNDLE_MAGIC = new Uint8Array([0x48, 0x53, 0x42, 0x55, 0x4e, 0x44, 0x4c, 0x45]); // "HSBUNDLE"
export const BUNDLE_FORMAT_VERSION = 1;
export const HEADER_LENGTH = 16;
/** A hostile header cannot make a reader allocate more than this before the signature is checked. */
export const MAX_MANIFEST_LENGTH = 1024 * 1024;
export const KEY_ID_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;
export const SIGNATURE_BLOCK_LENGTH = KEY_ID_LENGTH + SIGNATURE_LENGTH;

export interface BundleHeader {
  formatVersion: number;
  manifestLength: number;
}

export interface SignatureBlock {
  keyId: Uint8Array;
  signature: Uint8Array;
}

/** Where the first payload starts in a bundle whose manifest is `manifestLength` bytes. */
export function payloadAreaOffset(manifestLength: number): number {
  return HEADER_LENGTH + manifestLength + SIGNATURE_BLOCK_LENGTH;
}

export function encodeBundleHeader(header: BundleHeader): Uint8Array {
  if (!Number.isInteger(header.formatVersion) || header.formatVersion < 0 || header.formatVersion > 0xffff)
    throw new RangeError(`format version ${header.formatVersion} does not fit 16 bits`);
  if (!Number.isInteger(header.manifestLength) || header.manifestLength < 1 || header.manifestLength > MAX_MANIFEST_LENGTH)
    throw new RangeError(`manifest length ${header.manifestLength} is outside 1..${MAX_MANIFEST_LENGTH}`);
  const bytes = new Uint8Array(HEADER_LENGTH);
  bytes.set(BUNDLE_MAGIC, 0);
  const view = new DataView(bytes.buffer);
  view.setUint16(8, header.formatVersion);
  view.setUint16(10, 0);
  view.setUint32(12, header.manifestLength);
  return bytes;
}

/** Decodes the first HEADER_LENGTH bytes; the checks run in the order that gives the most useful error. */
export function decodeBundleHeader(bytes: Uint8Array): BundleHeader {
  // A short file that does not even start like a bundle is not a bundle; one that does was cut.
  const magicPart = Math.min(bytes.length, BUNDLE_MAGIC.length);
  for (let i = 0; i < magicPart; i++) {
    if (bytes[i] !== BUNDLE_MAGIC[i]) throw new AppError('BUNDLE_MALFORMED', 'Not a Headset Control bundle (wrong magic bytes).', { field: 'magic' });
  }
  if (bytes.length < HEADER_LENGTH)
    throw new AppError('BUNDLE_TRUNCATED', `The bundle ends inside its ${HEADER_LENGTH}-byte header (${bytes.length} bytes).`, {
      at: 'header',
      length: bytes.length,
    });
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_LENGTH);
  const formatVersion = view.getUint16(8);
  if (formatVersion !== BUNDLE_FORMAT_VERSION)
    throw new AppError('BUNDLE_UNSUPPORTED_FORMAT', `Bundle format version ${formatVersion}; this tool reads version ${BUNDLE_FORMAT_VERSION}.`, {
      formatVersion,
    });
  const flags = view.getUint16(10);
  if (flags !== 0) throw new AppError('BUNDLE_MALFORMED', `Unknown header flags 0x${flags.toString(16)}.`, { field: 'flags', flags });
  const manifestLength = view.getUint32(12);
  if (manifestLength > MAX_MANIFEST_LENGTH)
    throw new AppError('BUNDLE_MANIFEST_TOO_LARGE', `The header announces a ${manifestLength}-byte manifest; the limit is ${MAX_MANIFEST_LENGTH}.`, {
      manifestLength,
      limit: MAX_MANIFEST_LENGTH,
    });
  if (manifestLength === 0) throw new AppError('BUNDLE_MALFORMED', 'The header announces an empty manifest.', { field: 'manifestLength' });
  return { formatVersion, manifestLength };
}

export function encodeSignatureBlock(block: SignatureBlock): Uint8Array {
  if (block.keyId.length !== KEY_ID_LENGTH) throw new RangeError(`a key id is ${KEY_ID_LENGTH} bytes, not ${block.keyId.length}`);
  if (block.signature.length !== SIGNATURE_LENGTH)
    throw new RangeError(`an Ed25519 signature is ${SIGNATURE_LENGTH} bytes, not ${block.signature.length}`);
  const bytes = new Uint8Array(SIGNATURE_BLOCK_LENGTH);
  bytes.set(block.keyId, 0);
  bytes.set(block.signature, KEY_ID_LENGTH);
  return bytes;
}

export function decodeSignatureBlock(bytes: Uint8Array): SignatureBlock {
  if (bytes.length < SIGNATURE_BLOCK_LENGTH)
    throw new AppError('BUNDLE_TRUNCATED', `The bundle ends inside its signature block (${bytes.length} of ${SIGNATURE_BLOCK_LENGTH} bytes).`, {
      at: 'signature',
      length: bytes.length,
    });
  return { keyId: bytes.slice(0, KEY_ID_LENGTH), signature: bytes.slice(KEY_ID_LENGTH, SIGNATURE_BLOCK_LENGTH) };
}
