import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { BlobStoreError, checkBlobKey, type BlobStore, type ByteRange, type StoredBlob } from './BlobStore.js';

/** S3's smallest part but the last: 5 MiB. */
const MIN_PART_SIZE = 5 * 1024 * 1024;

export interface S3BlobStoreOptions {
  bucket: string;
  /** Prepended to every key (`fleet/` → `fleet/updates/…`); empty for the bucket's root. */
  prefix: string;
  /** The S3-compatible service (MinIO, Ceph, Garage, s3rver…); AWS's own when undefined. */
  endpoint?: string;
  region: string;
  /** Given by tests; otherwise the SDK's default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles…), never argv. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Bytes per part of a multipart upload (at least 5 MiB); a smaller blob is one PutObject. */
  partSize?: number;
  /** Attempts per request, retries included (the SDK's default is 3). */
  maxAttempts?: number;
  /** Milliseconds to connect and to wait for an answer before the store counts as unreachable. */
  timeoutMs?: number;
}

/**
 * Blobs as objects in an S3-compatible bucket (`--blobs s3://bucket/prefix?endpoint=…`), path-style
 * (what MinIO and other self-hosted services expect). A put is atomic by S3's own rule: an object
 * appears only when its PutObject or CompleteMultipartUpload succeeds, so readers see the old blob or
 * none until then; a failed multipart upload is aborted (a bucket lifecycle rule should still expire
 * incomplete uploads left by a crash). A move is a server-side copy then a delete (objects up to 5 GB).
 */
export class S3BlobStore implements BlobStore {
  private readonly client: S3Client;
  private readonly partSize: number;

  constructor(private readonly options: S3BlobStoreOptions) {
    this.partSize = options.partSize ?? 8 * 1024 * 1024;
    if (this.partSize < MIN_PART_SIZE) throw new Error(`an S3 part is at least ${MIN_PART_SIZE} bytes`);
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: true,
      credentials: options.credentials,
      maxAttempts: options.maxAttempts ?? 3,
      requestHandler: { connectionTimeout: options.timeoutMs ?? 10_000, requestTimeout: options.timeoutMs ?? 60_000 },
    });
  }

  private objectKey(key: string): string {
    return `${this.options.prefix}${checkBlobKey(key)}`;
  }

  async put(key: string, bytes: Readable): Promise<StoredBlob> {
    const objectKey = this.objectKey(key);
    const hash = createHash('sha256');
    let length = 0;
    let pending: Buffer[] = [];
    let pendingLength = 0;
    let uploadId: string | undefined;
    const parts: CompletedPart[] = [];

    const sendPart = async (body: Buffer): Promise<void> => {
      if (uploadId === undefined) {
        const created = await this.call(`storing ${key}`, () =>
          this.client.send(new CreateMultipartUploadCommand({ Bucket: this.options.bucket, Key: objectKey })),
        );
        uploadId = created.UploadId;
        if (!uploadId) throw new BlobStoreError(`storing ${key} failed: the store gave no upload id`);
      }
      const PartNumber = parts.length + 1;
      const answer = await this.call(`storing ${key}`, () =>
        this.client.send(new UploadPartCommand({ Bucket: this.options.bucket, Key: objectKey, UploadId: uploadId, PartNumber, Body: body })),
      );
      parts.push({ PartNumber, ETag: answer.ETag });
    };

    try {
      // The source's own failures (a client gone, a body too large) come out of this loop as they are.
      for await (const chunk of bytes as AsyncIterable<Buffer>) {
        hash.update(chunk);
        length += chunk.length;
        pending.push(chunk);
        pendingLength += chunk.length;
        if (pendingLength >= this.partSize) {
          const whole = Buffer.concat(pending);
          pending = [whole.subarray(this.partSize)];
          pendingLength = pending[0]!.length;
          await sendPart(whole.subarray(0, this.partSize));
        }
      }
      const rest = Buffer.concat(pending);
      if (uploadId === undefined) {
        await this.call(`storing ${key}`, () =>
          this.client.send(new PutObjectCommand({ Bucket: this.options.bucket, Key: objectKey, Body: rest, ContentLength: rest.length })),
        );
      } else {
        if (rest.length > 0) await sendPart(rest);
        await this.call(`storing ${key}`, () =>
          this.client.send(
            new CompleteMultipartUploadCommand({
              Bucket: this.options.bucket,
              Key: objectKey,
              UploadId: uploadId,
              MultipartUpload: { Parts: parts },
            }),
          ),
        );
      }
    } catch (error) {
      if (uploadId !== undefined) {
        const id = uploadId;
        // Best effort: the parts are invisible either way, and a lifecycle rule expires what is left.
        await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.options.bucket, Key: objectKey, UploadId: id })).catch(() => undefined);
      }
      throw error;
    }
    return { length, sha256: hash.digest('hex') };
  }

  async size(key: string): Promise<number | undefined> {
    const objectKey = this.objectKey(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.options.bucket, Key: objectKey }));
      return head.ContentLength;
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw new BlobStoreError(`reading ${key} failed: ${describe(error)}`, { cause: error });
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable | undefined> {
    const objectKey = this.objectKey(key);
    try {
      const answer = await this.client.send(
        new GetObjectCommand({
          Bucket: this.options.bucket,
          Key: objectKey,
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      if (!(answer.Body instanceof Readable)) throw new Error('the answer has no body stream');
      return range ? exactRange(answer.Body, range, answer.ContentRange) : answer.Body;
    } catch (error) {
      if (isMissingObject(error)) return undefined;
      throw new BlobStoreError(`reading ${key} failed: ${describe(error)}`, { cause: error });
    }
  }

  async move(from: string, to: string): Promise<void> {
    const source = this.objectKey(from);
    const target = this.objectKey(to);
    const copySource = `${this.options.bucket}/${source.split('/').map(encodeURIComponent).join('/')}`;
    await this.call(`moving ${from} to ${to}`, () =>
      this.client.send(new CopyObjectCommand({ Bucket: this.options.bucket, Key: target, CopySource: copySource })),
    );
    await this.call(`moving ${from} to ${to}`, () => this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: source })));
  }

  async delete(key: string): Promise<void> {
    const objectKey = this.objectKey(key);
    // S3 answers a delete of a missing object with success: nothing to tell apart.
    await this.call(`deleting ${key}`, () => this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: objectKey })));
  }

  /** Closes the client's connections. */
  close(): void {
    this.client.destroy();
  }

  private async call<T>(what: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw new BlobStoreError(`${what} failed: ${describe(error)}`, { cause: error });
    }
  }
}

/**
 * The bytes of `range` exactly, whatever the service sent: some S3-compatible servers answer more than
 * asked (s3rver reads `bytes=0-0` as `bytes=0-`, a plain server may ignore Range and send it all).
 * More bytes from the right start are cut; a body starting elsewhere is refused.
 */
function exactRange(body: Readable, range: ByteRange, contentRange: string | undefined): Readable {
  const start = contentRange === undefined ? 0 : Number(/^bytes (\d+)-/.exec(contentRange)?.[1]);
  if (start !== range.start) {
    body.destroy();
    throw new Error(`asked for bytes ${range.start}-${range.end}, the service sent ${contentRange ?? 'the whole object'}`);
  }
  let left = range.end - range.start + 1;
  async function* cut(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of body as AsyncIterable<Buffer>) {
        if (chunk.length >= left) {
          yield chunk.subarray(0, left);
          return;
        }
        left -= chunk.length;
        yield chunk;
      }
    } finally {
      body.destroy();
    }
  }
  return Readable.from(cut());
}

/** No such object (HeadObject answers a bare 404 named NotFound; GetObject names it NoSuchKey). */
function isMissingObject(error: unknown): boolean {
  const name = (error as { name?: unknown }).name;
  return name === 'NoSuchKey' || name === 'NotFound';
}

function describe(error: unknown): string {
  const e = error as { name?: string; message?: string; code?: string };
  return [e.name, e.code, e.message].filter(Boolean).join(': ');
}
