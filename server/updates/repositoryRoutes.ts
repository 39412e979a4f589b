import { Transform, type Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { FleetError } from '../../src/fleet/errors.js';
import {
  UPDATE_API,
  UPDATE_REPOSITORY_PATH,
  publishRequestSchema,
  publishResultSchema,
  releaseListSchema,
  repositoryFilesSchema,
} from '../../src/fleet/updateApi.js';
import type { BlobStore } from '../blobs/BlobStore.js';
import type { ZodTypeProvider } from '../http/zodTypeProvider.js';
import { requireOperator } from '../operators/operatorAuth.js';
import type { ServerContext } from '../serverContext.js';
import {
  MAX_METADATA_BYTES,
  MAX_TARGET_BYTES,
  currentReleases,
  findRepositoryFile,
  isRepositoryFileName,
  listRepositoryFiles,
  publishTimestamp,
  servedTimestamp,
  storeRepositoryFile,
} from './repositoryFiles.js';

const PUBLISH_BODY_LIMIT = 64 * 1024;

/**
 * The hosted TUF repository: admins upload files and publish a timestamp (`headsetctl repo push`);
 * headsets (anyone: everything is signed) fetch it under /updates/ like from a static server, with
 * Range requests for resumable downloads.
 */
export function repositoryRoutes(context: ServerContext) {
  const { db, clock } = context;
  const admin = requireOperator(context, { role: 'admin' });
  const viewer = requireOperator(context, { role: 'viewer' });
  const store = (): BlobStore => {
    if (!context.blobs) throw new FleetError('BLOB_STORE_UNAVAILABLE', 'This server was started without a blob store.');
    return context.blobs;
  };
  return async (app: FastifyInstance) => {
    // Only here: a file's bytes come as they are, streamed to the blob store, never buffered whole.
    app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));
    const routes = app.withTypeProvider<ZodTypeProvider>();

    routes.get(UPDATE_API.files, { preHandler: viewer, schema: { response: { 200: repositoryFilesSchema } } }, () => listRepositoryFiles(db));

    routes.put(`${UPDATE_API.files}/*`, { preHandler: admin }, async (request) => {
      const name = (request.params as { '*': string })['*'];
      if (!isRepositoryFileName(name)) throw new FleetError('UPDATE_FILE_NAME_INVALID');
      if (request.headers['content-type'] !== 'application/octet-stream' || !isReadable(request.body)) throw new FleetError('UNSUPPORTED_MEDIA_TYPE');
      const limit = name.startsWith('targets/') ? MAX_TARGET_BYTES : MAX_METADATA_BYTES;
      return storeRepositoryFile(db, store(), clock, request.session!.operator.username, name, request.body.pipe(capped(limit)));
    });

    routes.post(
      UPDATE_API.publish,
      { bodyLimit: PUBLISH_BODY_LIMIT, preHandler: admin, schema: { body: publishRequestSchema, response: { 200: publishResultSchema } } },
      async (request) => publishTimestamp(db, store(), clock, request.session!.operator.username, request.body, request.rawBody!.toString('utf8')),
    );

    routes.get(UPDATE_API.releases, { preHandler: viewer, schema: { response: { 200: releaseListSchema } } }, () => currentReleases(db));

    const serve = async (name: string, range: string | undefined, head: boolean, reply: FastifyReply) => {
      if (name === 'timestamp.json') {
        const body = await servedTimestamp(db);
        if (body === undefined) throw new FleetError('NOT_FOUND', 'Nothing is published yet.');
        return reply.header('content-type', 'application/json').header('cache-control', 'no-cache').send(body);
      }
      const file = isRepositoryFileName(name) ? await findRepositoryFile(db, name) : undefined;
      if (!file) throw new FleetError('NOT_FOUND');
      const type = name.endsWith('.json') ? 'application/json' : 'application/octet-stream';
      void reply.header('accept-ranges', 'bytes').header('content-type', type);
      // Named by version or hash: never changes, may be cached for good.
      void reply.header('cache-control', 'public, max-age=31536000, immutable');
      const wanted = parseRange(range, file.length);
      if (wanted === 'unsatisfiable') return reply.status(416).header('content-range', `bytes */${file.length}`).send();
      const length = wanted ? wanted.end - wanted.start + 1 : file.length;
      void reply.header('content-length', length);
      if (wanted) void reply.status(206).header('content-range', `bytes ${wanted.start}-${wanted.end}/${file.length}`);
      if (head || length === 0) return reply.send();
      const stream = await store().read(file.key, wanted ?? undefined);
      if (!stream) throw new FleetError('BLOB_STORE_UNAVAILABLE', 'The file is listed but its bytes are missing from the blob store.');
      return reply.send(stream);
    };
    const path = `${UPDATE_REPOSITORY_PATH}/*`;
    // Fastify answers HEAD with this route too (without the body).
    app.get(path, (request, reply) => serve((request.params as { '*': string })['*'], request.headers.range, request.method === 'HEAD', reply));
  };
}

function isReadable(value: unknown): value is Readable {
  return typeof (value as Readable | undefined)?.pipe === 'function';
}

/** Passes at most `limit` bytes; past that the upload fails BODY_TOO_LARGE and nothing is stored. */
function capped(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > limit) done(new FleetError('BODY_TOO_LARGE'));
      else done(null, chunk);
    },
  });
}

/** `bytes=START-[END]` or `bytes=-SUFFIX`: the range, null for the whole file, or unsatisfiable past the end. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return null;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}
