import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RegistryTrack, TrackSyncResult } from '../../../src/fleet/trackApi.js';
import type { TrackFix } from '../../../src/tracks/geo.js';
import { syntheticCircuit } from '../../../src/tracks/syntheticCircuits.js';
import { synthesizeDrive } from '../../../src/tracks/syntheticDrive.js';
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

  it('sends a track as soon as it is learned, and shows it under its canonical name', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tracks-cap-'));
    dirs.push(dataDir);
    const proposed: string[] = [];
    const channel: RegistryChannel = {
      proposeTrack: async (proposal) => {
        proposed.push(proposal.name);
        const track: RegistryTrack = {
          id: 'c1',
          name: 'Hollowmere GP',
          status: 'active',
          layout: 1,
          supersededBy: null,
          revision: 1,
          signature: proposal.signature,
        };
        return { ok: true, value: { outcome: 'joined', track, conflictId: null } };
      },
      syncTracks: async (since) => ({ ok: true, value: { tracks: [], cursor: since, more: false } }),
    };
    let listener: ((fixes: TrackFix[]) => void) | undefined;
    const capability = tracksCapability({
      dataDir,
      gps: {
        onFixes: (l) => {
          listener = l;
          return () => undefined;
        },
      },
      log: capturedLog([], 'tracks'),
      // An interval far away: only the learned track can start this sync.
      registry: { channel: () => channel, registered: () => true, intervalMs: 3_600_000 },
    });
    await capability.start!();
    try {
      const fixes = synthesizeDrive(syntheticCircuit('hollowmere-gp')!, {
        laps: 2,
        seed: 1,
        rateHz: 10,
        dropoutsPerLap: 0,
        startAt: Date.parse('2026-09-05T09:00:00Z'),
      });
      for (let i = 0; i < fixes.length; i += 10) listener!(fixes.slice(i, i + 10));
      await expect.poll(() => proposed, { timeout: 5_000, interval: 20 }).toEqual(['Track 1 (5.1 km)']);
      const names = () => (capability.handlers!['tracks.list'] as unknown as () => { name: string }[])().map((t) => t.name);
      await expect.poll(names, { timeout: 5_000, interval: 20 }).toEqual(['Hollowmere GP']);
    } finally {
      await capability.stop!();
    }
  });
});
