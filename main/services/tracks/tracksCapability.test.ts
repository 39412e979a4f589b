import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrackSyncResult } from '../../../src/fleet/trackApi.js';
import { capturedLog } from '../../../test-support/logging/capturedLog.js';
import type { RegistryChannel } from './TrackRegistrySync.js';
import { REGISTRY_STATE_FILE, TRACKS_FOLDER, tracksCapability } from './tracksCapability.js';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('tracks capability and the fleet registry', () => {
  it('syncs on its interval only while registered, its cursor kept beside the tracks', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tracks-cap-'));
    dirs.push(dataDir);
    const asked: number[] = [];
    const channel: RegistryChannel = {
      proposeTrack: () => Promise.reject(new Error('no track to propose')),
      syncTracks: async (since) => {
        asked.push(since);
        const page: TrackSyncResult = { tracks: [], cursor: since + 3, more: false };
        return { ok: true, value: page };
      },
    };
    let registered = false;
    const lines: string[] = [];
    const capability = tracksCapability({
      dataDir,
      gps: { onFixes: () => () => undefined },
      log: capturedLog(lines, 'tracks'),
      registry: { channel: () => channel, registered: () => registered, intervalMs: 20 },
    });
    await capability.start!();
    try {
      await new Promise((resolve) => setTimeout(resolve, 120));
      expect(asked).toEqual([]);
      registered = true;
      await expect.poll(() => asked.length, { timeout: 2_000, interval: 10 }).toBeGreaterThanOrEqual(2);
      // Each run goes on from the cursor the last one left.
      expect(asked.slice(0, 2)).toEqual([0, 3]);
    } finally {
      await capability.stop!();
    }
    const state = JSON.parse(await readFile(join(dataDir, TRACKS_FOLDER, REGISTRY_STATE_FILE), 'utf8'));
    expect(state.cursor).toBe(asked[asked.length - 1]! + 3);
  });
});
