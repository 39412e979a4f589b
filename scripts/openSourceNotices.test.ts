import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openSourceNotices } from './openSourceNotices.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A project folder with a lock file and the packages it lists installed. */
function tree(packages: Record<string, { lock: Record<string, unknown>; manifest?: Record<string, unknown>; files?: Record<string, string> }>) {
  const root = mkdtempSync(join(tmpdir(), 'notices-'));
  made.push(root);
  const lock: Record<string, unknown> = { '': { name: 'app' } };
  for (const [path, spec] of Object.entries(packages)) {
    lock[path] = spec.lock;
    if (!spec.manifest) continue;
    mkdirSync(join(root, path), { recursive: true });
    writeFileSync(join(root, path, 'package.json'), JSON.stringify(spec.manifest));
    for (const [file, text] of Object.entries(spec.files ?? {})) writeFileSync(join(root, path, file), text);
  }
  writeFileSync(join(root, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: lock }));
  return root;
}

describe('open-source notices', () => {
  it('lists the production tree with each package license files, leaving dev and type-only packages out', () => {
    const root = tree({
      'node_modules/react': {
        lock: { version: '19.0.0', license: 'MIT' },
        manifest: { version: '19.0.0' },
        files: { LICENSE: 'MIT License\nCopyright Meta\n' },
      },
      'node_modules/a/node_modules/b': {
        lock: { version: '1.0.0' },
        manifest: { version: '1.0.0', licenses: [{ type: 'MIT' }, { type: 'Apache-2.0' }] },
        files: { 'LICENSE-MIT': 'mit text', 'LICENSE-APACHE.txt': 'apache text', 'README.md': 'not a notice' },
      },
      'node_modules/a': { lock: { version: '2.0.0', license: 'ISC' }, manifest: { version: '2.0.0' } },
      'node_modules/vitest': { lock: { version: '4.0.0', license: 'MIT', dev: true }, manifest: { version: '4.0.0' }, files: { LICENSE: 'x' } },
      'node_modules/@types/react': { lock: { version: '19.0.0', license: 'MIT', devOptional: true }, manifest: { version: '19.0.0' } },
      'node_modules/@types/node': { lock: { version: '20.0.0', license: 'MIT' }, manifest: { version: '20.0.0' } },
      // Recorded for another platform, not installed here.
      'node_modules/@esbuild/darwin-arm64': { lock: { version: '0.1.0', license: 'MIT', optional: true } },
      // A runtime the packaged app carries, although only a dev dependency of the build.
      'node_modules/electron': {
        lock: { version: '45.0.0', license: 'MIT', dev: true },
        manifest: { version: '45.0.0' },
        files: { LICENSE: 'electron' },
      },
    });
    expect(openSourceNotices(root)).toEqual([
      { name: 'a', version: '2.0.0', license: 'ISC', text: null },
      { name: 'b', version: '1.0.0', license: '(MIT OR Apache-2.0)', text: 'apache text\n\nmit text' },
      { name: 'electron', version: '45.0.0', license: 'MIT', text: 'electron' },
      { name: 'react', version: '19.0.0', license: 'MIT', text: 'MIT License\nCopyright Meta' },
    ]);
  });

  it('covers every shipped package of this project, with what the renderer bundles among them', () => {
    const notices = openSourceNotices(repo);
    const names = new Set(notices.map((n) => n.name));
    for (const shipped of ['react', 'react-dom', 'scheduler', 'zustand', 'zod', 'uqr', 'ws', 'sodium-native', 'tuf-js', 'electron']) {
      expect(names, shipped).toContain(shipped);
    }
    for (const devOnly of ['vitest', 'eslint', 'typescript', 'vite', '@types/node']) expect(names, devOnly).not.toContain(devOnly);
    expect(notices.find((n) => n.name === 'react')).toMatchObject({ license: 'MIT', text: expect.stringContaining('Permission is hereby granted') });
    expect(notices.every((n) => n.license !== 'UNKNOWN')).toBe(true);
  });
});
