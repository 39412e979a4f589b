import { expect, it } from 'vitest';
import { parseServerOptions } from '../cli/serverOptions.js';
import { parseBlobStoreLocation } from './blobStoreLocation.js';

it('--blobs names a folder by default, or an S3 bucket with its prefix, endpoint and region', () => {
  expect(parseServerOptions([]).blobs).toEqual({ kind: 'folder', path: '.fleet-blobs' });
  expect(parseBlobStoreLocation('/srv/blobs')).toEqual({ kind: 'folder', path: '/srv/blobs' });
  expect(parseBlobStoreLocation('s3://fleet-blobs')).toEqual({
    kind: 's3',
    bucket: 'fleet-blobs',
    prefix: '',
    endpoint: undefined,
    region: 'us-east-1',
  });
  expect(parseServerOptions(['--blobs', 's3://fleet-blobs/prod/eu?endpoint=http://127.0.0.1:9000&region=eu-west-1']).blobs).toEqual({
    kind: 's3',
    bucket: 'fleet-blobs',
    prefix: 'prod/eu/',
    endpoint: 'http://127.0.0.1:9000',
    region: 'eu-west-1',
  });
});

it('refuses keys on the command line and anything it cannot use, saying why', () => {
  const refused: [string, RegExp][] = [
    ['s3://AKIA:secret@fleet-blobs', /must not carry keys/],
    ['s3://fleet-blobs?endpoint=http://AKIA:secret@127.0.0.1:9000', /must not carry keys/],
    ['s3://Fleet_Blobs', /not an S3 bucket name/],
    ['s3://fleet-blobs:9000', /endpoint=/],
    ['s3://fleet-blobs/../x', /not allowed in the S3 prefix|not an S3 bucket/],
    ['s3://fleet-blobs?endpoint=ftp://host', /http:\/\/ or https:\/\//],
    ['s3://fleet-blobs?endpoint=not a url', /http:\/\/ or https:\/\//],
    ['s3://fleet-blobs?secret=x', /unknown S3 setting "secret"/],
    ['s3://fleet-blobs?region=EU WEST', /not a region name/],
    ['gs://fleet-blobs', /a folder or an s3:\/\/ URL/],
  ];
  for (const [text, message] of refused) expect(() => parseBlobStoreLocation(text), text).toThrow(message);
});
