import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { BenchResult } from '../harness.js';

/** The JavaScript the renderer loads at start, gzip -9 (what a compressing server would send). */
export function benchBundleSize(distDir: string): BenchResult[] {
  const assets = join(distDir, 'renderer', 'assets');
  const html = readFileSync(join(distDir, 'renderer', 'index.html'), 'utf8');
  const initial = readdirSync(assets).filter((f) => f.endsWith('.js') && html.includes(f));
  const raw = initial.reduce((sum, f) => sum + readFileSync(join(assets, f)).length, 0);
  const gzip = initial.reduce((sum, f) => sum + gzipSync(readFileSync(join(assets, f)), { level: 9 }).length, 0);
  const kb = gzip / 1024;
  return [
    {
      name: 'Renderer initial JavaScript',
      metric: 'gzip size',
      value: Math.round(kb * 10) / 10,
      unit: 'KiB',
      goal: '≤ 150 KiB',
      met: kb <= 150,
      details: { rawKiB: Math.round(raw / 102.4) / 10, files: initial.length },
    },
  ];
}
