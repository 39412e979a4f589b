import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { AppError } from '../../../src/api/errors.js';
import { HEADER_LENGTH, SIGNATURE_BLOCK_LENGTH, decodeBundleHeader, decodeSignatureBlock, type BundleHeader } from '../../../src/update/header.js';
import { toHex } from '../../../src/update/hex.js';
import { decodeManifest, type BundleManifest, type ImageEntry } from '../../../src/update/manifest.js';
import { checkBundleEnd, checkPayloadDigest, openEnvelope, type TrustedKey, type VerifiedEnvelope } from '../../../src/update/verify.js';
import { ByteSource } from './ByteSource.js';
import { FileChunks } from './FileChunks.js';
import { verifyEd25519 } from './trustedKeys.js';

/** Read size: large enough that hashing, not syscalls, sets the pace; small enough to stay bounded. */
const READ_CHUNK = 1024 * 1024;
/** Only installs and deep checks decompress: loaded then, so that a plain verify starts sooner. */
const loadZstd = () => import('zstd-napi');

export interface BundleReaderOptions {
  trusted: readonly TrustedKey[];
  /**
   * Sees every byte of the file as it is read (to hash the whole file in the same pass). The chunk is
   * valid only during the call: its memory is reused.
   */
  onRead?: (chunk: Buffer) => void;
}

/**
 * One payload of a bundle being read. Its bytes are delivered as they stream in; they are only
 * known good once the iteration ENDS: a payload that does not match its signed length or hash
 * makes the iteration throw BUNDLE_PAYLOAD_MISMATCH (or BUNDLE_TRUNCATED) after its last chunk
 * instead of ending. A consumer writing into a slot must treat it as unverified until then.
 */
export interface BundlePayload {
  readonly image: ImageEntry;
  readonly index: number;
  /** The compressed bytes (single use). */
  chunks(): AsyncIterable<Buffer>;
  /** The same as a Node stream, which errors instead of ending on a mismatch. */
  stream(): Readable;
  /** The uncompressed image (single use), checked against its signed uncompressed length and hash. */
  decompressed(): AsyncIterable<Buffer>;
}

/**
 * Streaming verification of an update bundle (docs/bundle-format.md): header, manifest and
 * signature are read and the signature checked against the trusted keys before anything in the
 * manifest is used; then each payload is hashed as it streams past. Memory stays bounded by the
 * manifest cap plus one read chunk, whatever the payload sizes.
 */
export class BundleReader {
  private iterating = false;
  private verified = false;

  private constructor(
    private readonly source: ByteSource,
    private readonly envelope: VerifiedEnvelope,
  ) {}

  /** Opens a bundle file. Its size is known, so truncation and trailing data show before any hashing. */
  static async open(path: string, options: BundleReaderOptions): Promise<BundleReader> {
    const handle = await open(path, 'r');
    let size: number;
    try {
      size = (await handle.stat()).size;
    } catch (error) {
      await handle.close();
      throw error;
    }
    return BundleReader.fromSource(new ByteSource(new FileChunks(handle, READ_CHUNK, options.onRead)), options, size);
  }

  /**
   * Reads a bundle from a stream (a download, stdin). `knownLength`, when given, is the total size
   * the stream will have (checked against the manifest up front).
   */
  static async fromStream(stream: AsyncIterable<Uint8Array>, options: BundleReaderOptions, knownLength?: number): Promise<BundleReader> {
    return BundleReader.fromSource(new ByteSource(stream), options, knownLength);
  }

  private static async fromSource(source: ByteSource, options: BundleReaderOptions, knownLength?: number): Promise<BundleReader> {
    try {
      const { header, manifestBytes, signature } = await readEnvelope(source);
      const envelope = openEnvelope(header, manifestBytes, signature, options.trusted, verifyEd25519);
      if (knownLength !== undefined) checkBundleEnd(envelope.length, knownLength);
      return new BundleReader(source, envelope);
    } catch (error) {
      await source.close();
      throw error;
    }
  }

  /**
   * Reads the manifest WITHOUT checking its signature: for showing what a bundle claims to be
   * (`headsetctl bundle inspect`). Nothing read this way may be acted upon.
   */
  static async inspect(path: string): Promise<{ header: BundleHeader; manifest: BundleManifest; keyId: string; fileLength: number }> {
    const handle = await open(path, 'r');
    let fileLength: number;
    try {
      fileLength = (await handle.stat()).size;
    } catch (error) {
      await handle.close();
      throw error;
    }
    const source = new ByteSource(new FileChunks(handle, READ_CHUNK));
    try {
      const { header, manifestBytes, signature } = await readEnvelope(source);
      return { header, manifest: decodeManifest(manifestBytes), keyId: toHex(signature.keyId), fileLength };
    } finally {
      await source.close();
    }
  }

  /** The manifest: its signature has been verified; its payloads have not, until payloads() ends. */
  get manifest(): BundleManifest {
    return this.envelope.manifest;
  }

  get keyId(): string {
    return this.envelope.keyId;
  }

  /** The total size of the bundle, as the signed manifest lays it out. */
  get length(): number {
    return this.envelope.length;
  }

  /** True once every payload was read and matched, and the bundle ended where it should. */
  get fullyVerified(): boolean {
    return this.verified;
  }

  /**
   * The payloads in order. A payload its consumer did not read (or stopped reading) is read past and
   * still verified before the next is given; after the last, the end of the bundle is checked.
   */
  async *payloads(): AsyncGenerator<BundlePayload, void, undefined> {
    if (this.iterating) throw new Error('BundleReader.payloads() can run only once');
    this.iterating = true;
    try {
      for (const [index, image] of this.manifest.images.entries()) {
        const cursor = new PayloadCursor(this.source, image, index);
        yield cursor;
        await cursor.drain();
      }
      await this.checkEnd();
      this.verified = true;
    } finally {
      // Done, failed or abandoned: nothing more will be read.
      await this.source.close();
    }
  }

  /**
   * Reads and verifies the whole bundle. `deep` also decompresses each payload and checks the
   * uncompressed length and hash (what an install will do); without it, the compressed bytes the
   * signature commits to are checked.
   */
  async verify(options: { deep?: boolean } = {}): Promise<BundleManifest> {
    try {
      for await (const payload of this.payloads()) {
        // Not deep: the payload is left unread, and payloads() reads past it, verifying, without copies.
        if (options.deep)
          for await (const _chunk of payload.decompressed()) {
            // Only the hashing matters here.
          }
      }
      return this.manifest;
    } finally {
      await this.close();
    }
  }

  async close(): Promise<void> {
    await this.source.close();
  }

  private async checkEnd(): Promise<void> {
    if (await this.source.atEnd()) return;
    // Count a bounded amount for the message: a hostile stream may never end.
    const extra = await this.source.countRemaining(1024 * 1024);
    checkBundleEnd(this.length, this.length + extra);
  }
}

async function readEnvelope(source: ByteSource) {
  const header = decodeBundleHeader(await source.read(HEADER_LENGTH));
  // Capped by decodeBundleHeader: a hostile length cannot make this allocate more than 1 MiB.
  const manifestBytes = await source.read(header.manifestLength);
  if (manifestBytes.length < header.manifestLength) {
    throw new AppError('BUNDLE_TRUNCATED', `The bundle ends inside its manifest (${manifestBytes.length} of ${header.manifestLength} bytes).`, {
      at: 'manifest',
      length: source.position,
    });
  }
  const signature = decodeSignatureBlock(await source.read(SIGNATURE_BLOCK_LENGTH));
  return { header, manifestBytes, signature };
}

class PayloadCursor implements BundlePayload {
  private readonly hash = createHash('sha256');
  private consumed = 0;
  private started = false;
  private done = false;
  private failure: unknown;
  private idle: Promise<void> = Promise.resolve();

  constructor(
    private readonly source: ByteSource,
    readonly image: ImageEntry,
    readonly index: number,
  ) {}

  chunks(): AsyncIterable<Buffer> {
    if (this.started) throw new Error(`payload "${this.image.name}" can be read only once`);
    this.started = true;
    return this.read();
  }

  stream(): Readable {
    return Readable.from(this.chunks(), { objectMode: false });
  }

  async *decompressed(): AsyncGenerator<Buffer, void, undefined> {
    const image = this.image;
    const { DecompressStream } = await loadZstd();
    const input = this.stream();
    const decompressor = new DecompressStream();
    let inputError: unknown;
    input.on('error', (error) => {
      inputError = error;
      decompressor.destroy(error);
    });
    input.pipe(decompressor);
    const hash = createHash('sha256');
    let length = 0;
    try {
      for await (const chunk of decompressor as AsyncIterable<Buffer>) {
        length += chunk.length;
        // Stop a decompression bomb at the first byte past the signed length, not at the end.
        if (length > image.uncompressed.length) checkPayloadDigest(image, 'uncompressed', { length, sha256: '' });
        hash.update(chunk);
        yield chunk;
      }
    } catch (error) {
      if (error instanceof AppError || error === inputError) throw error;
      // The compressed bytes are checked only at their end; a tampered payload usually breaks zstd first.
      throw new AppError('BUNDLE_PAYLOAD_MISMATCH', `Image "${image.name}": the payload is not a valid zstd stream (${(error as Error).message}).`, {
        image: image.name,
        form: 'compressed',
      });
    } finally {
      input.destroy();
      decompressor.destroy();
    }
    checkPayloadDigest(image, 'uncompressed', { length, sha256: hash.digest('hex') });
  }

  /** Reads past whatever the consumer left, still verifying; rethrows a failure already seen. */
  async drain(): Promise<void> {
    if (this.done) return;
    if (this.failure !== undefined) throw this.failure;
    this.started = true;
    // Nobody else sees these chunks: they may be lent (hashed in place, their memory reused).
    for await (const _chunk of this.read(true)) {
      // Hashing happens in read().
    }
  }

  private async *read(lend = false): AsyncGenerator<Buffer, void, undefined> {
    // One reader at a time: a stream its consumer destroyed may still be finishing a pull from the
    // source when drain() starts; interleaved, the two would split chunks between them.
    const previous = this.idle;
    let release!: () => void;
    this.idle = new Promise((resolve) => (release = resolve));
    await previous;
    try {
      for await (const chunk of this.source.take(this.image.compressed.length - this.consumed, lend)) {
        this.hash.update(chunk);
        this.consumed += chunk.length;
        yield chunk;
      }
      if (this.consumed < this.image.compressed.length) {
        throw new AppError(
          'BUNDLE_TRUNCATED',
          `The bundle ends inside image "${this.image.name}" (${this.consumed} of ${this.image.compressed.length} bytes).`,
          { at: 'payload', image: this.image.name, length: this.source.position },
        );
      }
      checkPayloadDigest(this.image, 'compressed', { length: this.consumed, sha256: this.hash.digest('hex') });
      this.done = true;
    } catch (error) {
      this.failure = error;
      throw error;
    } finally {
      release();
    }
  }
}
