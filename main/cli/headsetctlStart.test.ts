import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * `headsetctl --help` must start about as fast as Node itself (issue 17): what the executable loads
 * before printing the command list is the static import closure of its entry, built split as
 * scripts/build.mjs builds it. That closure must hold the command list and nothing a command needs
 * (zod and the API schemas, libsodium, zstd, the error catalogue), and import no package at all.
 */
describe('headsetctl start: what --help loads', () => {
  const outDir = join(repo, 'node_modules/.cache/headsetctl-start-test');
  let metafile: esbuild.Metafile;
  let entry: string;

  beforeAll(async () => {
    rmSync(outDir, { recursive: true, force: true });
    mkdirSync(outDir, { recursive: true });
    const result = await esbuild.build({
      absWorkingDir: repo,
      entryPoints: { headsetctl: 'main/cli/headsetctl.ts' },
      bundle: true,
      splitting: true,
      platform: 'node',
      target: 'node20',
      format: 'esm',
      packages: 'external',
      outdir: outDir,
      outExtension: { '.js': '.mjs' },
      metafile: true,
      logLevel: 'warning',
    });
    metafile = result.metafile;
    entry = Object.keys(metafile.outputs).find((output) => output.endsWith('/headsetctl.mjs'))!;
  });

  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  /** Every output file and external import reached from the entry by static imports alone. */
  function staticClosure() {
    const files = new Set<string>();
    const externals = new Set<string>();
    const visit = (output: string) => {
      if (files.has(output)) return;
      files.add(output);
      for (const imported of metafile.outputs[output]!.imports) {
        if (imported.kind === 'dynamic-import') continue;
        if (imported.external) externals.add(imported.path);
        else visit(imported.path);
      }
    };
    visit(entry);
    const sources = [...files].flatMap((output) => Object.keys(metafile.outputs[output]!.inputs));
    return { files, externals, sources };
  }

  it('loads only the command list: no package, no schema, no crypto, no error catalogue', () => {
    const { files, externals, sources } = staticClosure();
    expect([...externals].filter((path) => !path.startsWith('node:'))).toEqual([]);
    expect(sources.filter((source) => /node_modules|src\/api\/|src\/update\/|main\/services\/|main\/operator\//.test(source))).toEqual([]);
    expect(sources).toContain('main/cli/cli.ts');
    // The entry and at most esbuild's small runtime helpers.
    expect(files.size).toBeLessThanOrEqual(2);
  });

  it('every command is still reached, through a dynamic import', () => {
    const dynamic = metafile.outputs[entry]!.imports.filter((imported) => imported.kind === 'dynamic-import');
    const reached = dynamic.flatMap((imported) => Object.keys(metafile.outputs[imported.path]?.inputs ?? {}));
    for (const module of ['bundleCommands', 'keysCommands', 'repoCommands', 'deviceCommands'])
      expect(reached.some((source) => source.includes(`main/cli/${module}.ts`))).toBe(true);
  });

  it('the split build runs: --help prints the list, a failure still has its catalogue code', () => {
    const binary = join(repo, entry);
    const help = spawnSync(process.execPath, [binary, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('bundle verify');
    // The error classes are loaded only on a failure: the code still comes out.
    const failed = spawnSync(process.execPath, [binary, 'bundle', 'verify', join(outDir, 'missing.hcb'), '--trust', join(outDir, 'missing.pub')], {
      encoding: 'utf8',
    });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/^INVALID_INPUT: ENOENT/);
    const usage = spawnSync(process.execPath, [binary, 'bundle', 'verify'], { encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/^INVALID_INPUT: /);
  });
});
