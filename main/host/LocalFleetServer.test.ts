import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFleetServer } from '../../test-support/fleet/serverProcess.js';
import { LOCAL_FLEET_PORT, startLocalFleetServer } from './LocalFleetServer.js';

/** `npm start -- --fleet`'s server: the bundled fleet server on PGlite, on 8400 or, when that is taken, a free port. */
describe('the local fleet server of npm start -- --fleet', () => {
  let bundle: ReturnType<typeof bundleFleetServer>;
  let dataDir: string;
  let blocker: Server | undefined;
  beforeAll(async () => {
    bundle = bundleFleetServer();
    dataDir = await mkdtemp(join(tmpdir(), 'local-fleet-'));
    // Port 8400 taken (by this test, or already by something else on the machine).
    blocker = await new Promise<Server | undefined>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(undefined));
      server.listen(LOCAL_FLEET_PORT, '127.0.0.1', () => resolve(server));
    });
  });
  afterAll(async () => {
    await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
    bundle.remove();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('takes a free port when 8400 is taken, prints its address and the first admin’s password once, and stops on request', async () => {
    const lines: string[] = [];
    const server = await startLocalFleetServer({ entry: bundle.entry, dataDir, onLine: (line) => lines.push(line) });
    try {
      expect(new URL(server.url).port).not.toBe(String(LOCAL_FLEET_PORT));
      expect(lines).toContain(`Port ${LOCAL_FLEET_PORT} is taken: the fleet server takes a free one.`);
      expect(lines.some((line) => line.startsWith(`Fleet server: ${server.url}`))).toBe(true);
      await expect.poll(() => lines.some((line) => /^First admin: admin, one-time password: /.test(line))).toBe(true);
      const answer = await fetch(new URL('/api/v1/device/challenges', server.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ deviceId: '6f1c1f9e-3b0a-4f5e-9a4b-2a8f4c1d7e10' }),
      });
      expect(answer.status).toBe(200);
    } finally {
      expect(await server.stop()).toBe(0);
    }
  }, 120_000);
});
