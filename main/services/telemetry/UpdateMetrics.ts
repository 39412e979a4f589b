import { join } from 'node:path';
import type { StateSource, UpdateHistoryEntry, UpdateStatus } from '../../../src/api/contract.js';
import { readJsonIfExists, writeFileAtomic } from '../storage/atomicFile.js';
import type { MetricRecorder } from './MetricRecorder.js';

/** The update service as telemetry reads it: its status (to notice changes) and its history. */
export interface UpdateSource {
  status: StateSource<UpdateStatus>;
  history(): Promise<UpdateHistoryEntry[]>;
}

const CURSOR_FILE = 'telemetry-update-cursor.json';

/** Each finished update's outcome and each rollback, once: the cursor (finish time) is kept on disk. */
export class UpdateMetrics {
  constructor(
    private readonly updates: UpdateSource,
    private readonly stateDir: string,
    private readonly recorder: MetricRecorder,
  ) {}

  async recordHistory(): Promise<void> {
    const cursorFile = join(this.stateDir, CURSOR_FILE);
    const cursor = (await readJsonIfExists<{ finishedAt: string }>(cursorFile).catch(() => undefined))?.finishedAt ?? '';
    const entries = (await this.updates.history()).filter((e) => e.finishedAt > cursor).sort((a, b) => a.finishedAt.localeCompare(b.finishedAt));
    for (const entry of entries) {
      await this.recorder.record(
        'update.outcome',
        null,
        { version: entry.version, from_version: entry.fromVersion, outcome: entry.outcome },
        new Date(entry.finishedAt),
      );
      if (entry.outcome === 'rolled-back' || entry.outcome === 'manual-rollback') {
        const automatic = entry.outcome === 'rolled-back';
        await this.recorder.record(
          'update.rollbacks',
          1,
          {
            from_version: automatic ? entry.version : entry.fromVersion,
            to_version: automatic ? entry.fromVersion : entry.version,
            trigger: automatic ? 'automatic' : 'manual',
          },
          new Date(entry.finishedAt),
        );
      }
      await writeFileAtomic(cursorFile, JSON.stringify({ finishedAt: entry.finishedAt }));
    }
  }
}
