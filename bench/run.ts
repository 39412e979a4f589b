import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchApiRoundTrip } from './foundation/apiRoundTrip.js';
import { benchBundleSize } from './foundation/bundleSize.js';
import { benchColdStart } from './foundation/coldStart.js';
import type { BenchResult } from './harness.js';
import { benchUpdate } from './update/index.js';
import { benchVerify } from './verify/index.js';
import { benchLogging } from './logging/index.js';
import { benchSupport } from './support/index.js';
import { benchReset } from './reset/index.js';
import { benchBackup } from './reset/backup.js';
import { benchFleet } from './fleet/index.js';
import { benchNetwork } from './network/index.js';
import { benchTracks } from './tracks/index.js';

/** `npm run bench`: every benchmark, written to bench/results/ as JSON and a markdown table. */
const distDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const resultsDir = join(distDir, '..', 'bench', 'results');
const only = process.argv[2];

const suites: Record<string, () => Promise<BenchResult[]> | BenchResult[]> = {
  foundation: async () => [...(await benchApiRoundTrip(distDir)), ...(await benchColdStart(distDir)), ...benchBundleSize(distDir)],
  update: benchUpdate,
  verify: () => benchVerify(distDir),
  logging: benchLogging,
  support: benchSupport,
  reset: benchReset,
  backup: () => benchBackup((line) => console.log(`  backup: ${line}`)),
  fleet: () => benchFleet(distDir),
  network: benchNetwork,
  tracks: benchTracks,
};

mkdirSync(resultsDir, { recursive: true });
for (const [suite, run] of Object.entries(suites)) {
  if (only && only !== suite) continue;
  console.log(`bench: ${suite}…`);
  const results = await run();
  const table = [
    '| benchmark | metric | result | goal | met |',
    '| --- | --- | --- | --- | --- |',
    ...results.map((r) => `| ${r.name} | ${r.metric} | ${r.value} ${r.unit} | ${r.goal} | ${r.met ? 'yes' : '**no**'} |`),
  ].join('\n');
  const machine = { node: process.version, cpus: (await import('node:os')).cpus().length, measuredAt: new Date().toISOString() };
  writeFileSync(join(resultsDir, `${suite}.json`), `${JSON.stringify({ suite, machine, results }, null, 2)}\n`);
  writeFileSync(join(resultsDir, `${suite}.md`), `${table}\n\nMeasured ${machine.measuredAt} on Node ${machine.node}, ${machine.cpus} cores.\n`);
  console.log(table);
}
