import { resolve } from 'node:path';
import type { BlobStore } from './BlobStore.js';
import { FolderBlobStore } from './FolderBlobStore.js';
import { S3BlobStore } from './S3BlobStore.js';

/** Where `--blobs` says the blobs go: a folder, or an S3-compatible bucket. */
export type BlobStoreLocation = { kind: 'folder'; path: string } | { kind: 's3'; bucket: string; prefix: string; endpoint?: string; region: string };

/** Bucket names as S3 allows them (3 to 63 lower-case letters, digits, dots and hyphens). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PREFIX_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._+-]*$/;

/**
 * Reads `--blobs`: a folder (`./.fleet-blobs`), or `s3://BUCKET[/PREFIX]?endpoint=URL&region=NAME`
 * (endpoint for S3-compatible services such as MinIO; AWS's own without it; region us-east-1 unless
 * given). Keys are never on the command line: the SDK's chain reads AWS_ACCESS_KEY_ID and
 * AWS_SECRET_ACCESS_KEY (or a profile), so a URL carrying credentials is refused.
 */
export function parseBlobStoreLocation(text: string): BlobStoreLocation {
  if (!text.startsWith('s3://')) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) throw new Error(`--blobs takes a folder or an s3:// URL, not "${text}".`);
    return { kind: 'folder', path: text };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error('--blobs takes s3://BUCKET[/PREFIX]?endpoint=URL&region=NAME');
  }
  if (url.username || url.password)
    throw new Error('--blobs must not carry keys (the command line is visible to every user): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.');
  const bucket = url.hostname;
  if (!BUCKET.test(bucket)) throw new Error(`--blobs: "${bucket}" is not an S3 bucket name.`);
  if (url.port) throw new Error('--blobs: the S3 service goes in ?endpoint=, not in the bucket (s3://BUCKET?endpoint=http://host:port).');
  // From the text itself: URL would resolve `..` away and hide it.
  const segments = text
    .slice('s3://'.length)
    .split(/[?#]/)[0]!
    .split('/')
    .slice(1)
    .filter((segment) => segment !== '');
  for (const segment of segments) if (!PREFIX_SEGMENT.test(segment)) throw new Error(`--blobs: "${segment}" is not allowed in the S3 prefix.`);
  const prefix = segments.length > 0 ? `${segments.join('/')}/` : '';
  for (const name of url.searchParams.keys())
    if (name !== 'endpoint' && name !== 'region') throw new Error(`--blobs: unknown S3 setting "${name}" (endpoint and region are known).`);
  const endpoint = url.searchParams.get('endpoint') ?? undefined;
  if (endpoint !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(endpoint);
    } catch {
      throw new Error(`--blobs: endpoint must be an http:// or https:// URL, not "${endpoint}".`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      throw new Error(`--blobs: endpoint must be an http:// or https:// URL, not "${endpoint}".`);
    if (parsed.username || parsed.password)
      throw new Error('--blobs: the endpoint must not carry keys: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.');
  }
  const region = url.searchParams.get('region') ?? 'us-east-1';
  if (!/^[a-z0-9-]{1,40}$/.test(region)) throw new Error(`--blobs: "${region}" is not a region name.`);
  return { kind: 's3', bucket, prefix, endpoint, region };
}

/** The store `location` names; a folder is made at its first upload, a bucket must exist. */
export function openBlobStore(location: BlobStoreLocation): BlobStore {
  if (location.kind === 'folder') return new FolderBlobStore(resolve(location.path));
  return new S3BlobStore({ bucket: location.bucket, prefix: location.prefix, endpoint: location.endpoint, region: location.region });
}

/** For the start-up line: where blobs go, without anything secret (there is nothing secret in it). */
export function describeBlobStoreLocation(location: BlobStoreLocation): string {
  if (location.kind === 'folder') return resolve(location.path);
  return `s3://${location.bucket}/${location.prefix}${location.endpoint ? ` at ${location.endpoint}` : ''}`;
}
