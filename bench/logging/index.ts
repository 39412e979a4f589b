import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchResult } from '../harness.js';
import { rotationIntegrity } from './rotationIntegrity.js';
import { throughputVsPino } from './throughputVsPino.js';
import { mining } from './mining.js';
import { delivery } from './delivery.js';
import { ackLatency } from './ackLatency.js';

/** One benchmark of the `logging` suite: a file of bench/logging/, listed in `LOGGING_CASES`. */
export interface LoggingCase {
  name: string;
  /** `work` is a fresh folder, removed after the case. */
  run(work: string, log: (line: string) => void): Promise<BenchResult[]>;
}

/** The suite, in order. Add a case: a file exporting a `LoggingCase`, and one line here. */
export const LOGGING_CASES: LoggingCase[] = [throughputVsPino, ackLatency, rotationIntegrity, mining, delivery];

export async function benchLogging(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const benchCase of LOGGING_CASES) {
    const work = mkdtempSync(join(tmpdir(), `bench-logging-${benchCase.name}-`));
    try {
      results.push(...(await benchCase.run(work, (line) => console.log(`  logging/${benchCase.name}: ${line}`))));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return results;
}
