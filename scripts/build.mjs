// Builds everything `npm start`, the tests and the benchmarks run: the service host and tools
// (esbuild, Node), Electron's main and preload, the renderer (Vite), and the fleet server with its
// migrations and operator dashboard (Vite).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { build as viteBuild } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function commit() {
  try {
    const sha = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    return dirty ? `${sha}-dirty` : sha;
  } catch {
    return 'unknown';
  }
}

mkdirSync(dist, { recursive: true });
writeFileSync(join(dist, 'build-info.json'), JSON.stringify({ version: pkg.version, commit: commit(), builtAt: new Date().toISOString() }, null, 2));

const node = { bundle: true, platform: 'node', target: 'node20', sourcemap: 'linked', logLevel: 'warning', absWorkingDir: root };
await Promise.all([
  esbuild.build({
    ...node,
    format: 'esm',
    packages: 'external',
    outdir: dist,
    outExtension: { '.js': '.mjs' },
    entryPoints: {
      headsetd: 'main/host/headsetd.ts',
      headsetctl: 'main/cli/headsetctl.ts',
      start: 'main/host/start.ts',
      'bench/run': 'bench/run.ts',
      // The fleet server: beside it, migrations/ (copied below) and dashboard/ (Vite, below).
      'fleet/server': 'server/main.ts',
    },
  }),
  esbuild.build({ ...node, format: 'cjs', external: ['electron'], outfile: join(dist, 'electron/main.cjs'), entryPoints: ['main/electron/main.ts'] }),
  // A sandboxed preload may require nothing but 'electron': bundle everything else in.
  esbuild.build({
    ...node,
    format: 'cjs',
    external: ['electron'],
    outfile: join(dist, 'electron/preload.cjs'),
    entryPoints: ['main/electron/preload.ts'],
  }),
]);
await viteBuild({ configFile: join(root, 'renderer/vite.config.ts'), logLevel: 'warn' });
rmSync(join(dist, 'fleet', 'migrations'), { recursive: true, force: true });
cpSync(join(root, 'server', 'migrations'), join(dist, 'fleet', 'migrations'), { recursive: true });
await viteBuild({ configFile: join(root, 'server/dashboard/vite.config.ts'), logLevel: 'warn' });
