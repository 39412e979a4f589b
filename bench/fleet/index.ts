import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchResult } from '../harness.js';
import { benchOtlpIngestVsCopy } from './otlpIngestVsCopy.js';

/**
 * The `fleet` suite: the fleet server against the engine it runs on. `distDir` is the build
 * (`dist/`), whose fleet/migrations/ are the server's migrations.
 */
export async function benchFleet(distDir: string): Promise<BenchResult[]> {
  const work = mkdtempSync(join(tmpdir(), 'bench-fleet-'));
  try {
    return await benchOtlpIngestVsCopy(work, join(distDir, 'fleet', 'migrations'), (line) => console.log(`  fleet/otlp-ingest: ${line}`));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
