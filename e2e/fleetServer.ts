import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFleetServerProcess, type FleetServerProcess } from '../test-support/fleet/serverProcess.js';

const SERVER = fileURLToPath(new URL('../dist/fleet/server.mjs', import.meta.url));

/** The built fleet server (`dist/fleet/server.mjs`, with its dashboard) on PGlite in a fresh folder; `extraArgs` go on its command line. */
export async function startBuiltFleetServer(extraArgs: readonly string[] = []): Promise<FleetServerProcess & { remove: () => Promise<void> }> {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`node scripts/build.mjs\` before the e2e tests.`);
  const data = await mkdtemp(join(tmpdir(), 'fleet-e2e-'));
  const blobs = await mkdtemp(join(tmpdir(), 'fleet-e2e-blobs-'));
  // PGlite's first start (initdb in WebAssembly) takes 20-40 s on a loaded 2-core machine.
  const server = await startFleetServerProcess(SERVER, ['--data', data, '--blobs', blobs, ...extraArgs], 150_000);
  return {
    ...server,
    remove: async () => {
      await server.stop();
      await rm(data, { recursive: true, force: true });
      await rm(blobs, { recursive: true, force: true });
    },
  };
}
