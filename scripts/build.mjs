// Builds everything `npm start`, the tests and the benchmarks run: the service host and tools
// (esbuild, Node), Electron's main and preload, the renderer (Vite), and the fleet server with its
// migrations and operator dashboard (Vite).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire, isBuiltin } from 'node:module';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { build as viteBuild } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const rootRequire = createRequire(join(root, 'package.json'));
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
      start: 'main/host/start.ts',
      'bench/run': 'bench/run.ts',
      // The fleet server: beside it, migrations/ (copied below) and dashboard/ (Vite, below).
      'fleet/server': 'server/main.ts',
    },
  }),
  buildHeadsetctl(),
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
/**
 * headsetctl loads each command group's module when that command runs (dynamic imports, cli.ts):
 * split into dist/headsetctl.mjs and its chunks in dist/headsetctl-chunks/, so that `--help` loads
 * none of them. Chunks of earlier builds are removed once the new ones are written, if they are over
 * an hour old: a build running at the same time (from other sources) may still need its own.
 * zod and semver are bundled in: Node takes longer to resolve and load their hundreds of files (about
 * 130 ms, more than Node's own start) than to compile them as part of a chunk (about 40 ms), and
 * `bundle verify` needs both. Every other package stays external, as in the other builds.
 * zod's messages in other languages (64 locale modules, half of zod's code) are left out: nothing
 * here sets a locale, and compiling them cost every zod-using command about 18 ms. Whitespace and
 * syntax are minified (names kept, source maps linked) for the same reason: less to compile at start.
 */
async function buildHeadsetctl() {
  const chunks = join(dist, 'headsetctl-chunks');
  const bundledPackages = /^(zod|semver)(\/|$)/;
  const packages = {
    name: 'headsetctl-packages',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (bundledPackages.test(args.path)) return undefined;
        // A dynamic import() stays one: through require() esbuild would give it only a default export.
        if (args.namespace === 'required-package' || args.kind === 'dynamic-import' || !isCommonJsPackage(args.path))
          return { path: args.path, external: true };
        return { path: args.path, namespace: 'required-package' };
      });
      build.onLoad({ filter: /.*/, namespace: 'required-package' }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(args.path)});`,
      }));
      // zod sets English itself (classic/schemas.js, on the first schema) and re-exports every locale as z.locales.
      build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
        contents: "export { default as en } from './en.js';",
        resolveDir: dirname(args.path),
      }));
    },
  };
  const result = await esbuild.build({
    ...node,
    format: 'esm',
    plugins: [packages],
    // For the CommonJS packages loaded with require() (isCommonJsPackage).
    banner: {
      js: "import { createRequire as __headsetctlCreateRequire } from 'node:module';\nconst require = __headsetctlCreateRequire(import.meta.url);",
    },
    splitting: true,
    minifyWhitespace: true,
    minifySyntax: true,
    metafile: true,
    outdir: dist,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'headsetctl-chunks/[name]-[hash]',
    entryPoints: { headsetctl: 'main/cli/headsetctl.ts' },
  });
  const written = new Set(Object.keys(result.metafile.outputs).map((output) => join(root, output)));
  const anHourAgo = Date.now() - 3600_000;
  for (const file of existsSync(chunks) ? readdirSync(chunks) : []) {
    const path = join(chunks, file);
    if (!written.has(path) && (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Infinity) < anHourAgo) rmSync(path, { force: true });
  }
}

/**
 * A CommonJS package (sodium-native, zstd-napi, ws) loads faster with require() than with an ESM
 * import, which first scans its source for named exports (sodium-native: about 35 ms of a 200 ms
 * start). Packages that only an ESM import can load (ESM-only), and Node's own modules, stay imports.
 */
function isCommonJsPackage(specifier) {
  if (isBuiltin(specifier)) return false;
  let file;
  try {
    file = rootRequire.resolve(specifier);
  } catch {
    return false;
  }
  if (file.endsWith('.cjs')) return true;
  if (!file.endsWith('.js')) return false;
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) return JSON.parse(readFileSync(manifest, 'utf8')).type !== 'module';
  }
  return true;
}

await viteBuild({ configFile: join(root, 'renderer/vite.config.ts'), logLevel: 'warn' });
rmSync(join(dist, 'fleet', 'migrations'), { recursive: true, force: true });
cpSync(join(root, 'server', 'migrations'), join(dist, 'fleet', 'migrations'), { recursive: true });
await viteBuild({ configFile: join(root, 'server/dashboard/vite.config.ts'), logLevel: 'warn' });
