import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import type { FastifyInstance } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

interface Asset {
  body: Buffer;
  type: string;
}

/**
 * Serves the built dashboard (`dist/fleet/dashboard/`): the files are read once at start into a
 * table, so a request can only ever name one of them (no path from a URL reaches the file system).
 * Without a build, `/` says how to make one.
 */
export async function serveDashboard(app: FastifyInstance, dir: string | undefined): Promise<void> {
  const assets = dir ? await readAssets(dir) : new Map<string, Asset>();
  const index = assets.get('/index.html');
  app.get('/', async (_request, reply) => {
    if (!index) return reply.code(503).type('text/plain; charset=utf-8').send('The dashboard is not built: run `npm run build`.\n');
    return reply.type(index.type).header('cache-control', 'no-cache').send(index.body);
  });
  for (const [path, asset] of assets) {
    if (path === '/index.html') continue;
    // Vite names assets by content hash: they never change under one name.
    const immutable = path.startsWith('/assets/');
    app.get(path, async (_request, reply) =>
      reply
        .type(asset.type)
        .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .send(asset.body),
    );
  }
}

async function readAssets(dir: string): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>();
  let entries: string[];
  try {
    entries = (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
  } catch {
    return assets;
  }
  for (const file of entries) {
    const type = TYPES[extname(file)];
    if (!type) continue;
    assets.set(`/${relative(dir, file).split(sep).join('/')}`, { body: await readFile(file), type });
  }
  return assets;
}
