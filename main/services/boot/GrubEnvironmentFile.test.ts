import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { GrubEnvironmentFile } from './GrubEnvironmentFile.js';

// The real grub-editenv is the independent peer: it must read what we write, and we what it writes.
const dir = mkdtempSync(join(tmpdir(), 'grubenv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function grubList(path: string): Map<string, string> {
  const out = execFileSync('grub-editenv', [path, 'list'], { encoding: 'utf8' });
  // grub-editenv prints values raw: a value holding a newline spans lines, so only simple values here.
  return new Map(
    out
      .split('\n')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

describe('GrubEnvironmentFile against grub-editenv', () => {
  it('grub-editenv lists exactly what we wrote', async () => {
    const path = join(dir, 'ours');
    const variables = new Map([
      ['ORDER', 'B A'],
      ['A_OK', '1'],
      ['A_LEFT', '3'],
      ['B_OK', '1'],
      ['B_LEFT', '2'],
      ['NOTE', 'back\\slash = ok'],
    ]);
    await new GrubEnvironmentFile(path).write(variables);
    expect(readFileSync(path).length).toBe(1024);
    expect(grubList(path)).toEqual(variables);
  });

  it('we read what grub-editenv wrote, escapes included', async () => {
    const path = join(dir, 'theirs');
    execFileSync('grub-editenv', [path, 'create']);
    execFileSync('grub-editenv', [path, 'set', 'ORDER=A B', 'A_LEFT=1', 'ESC=a\\b', 'NL=one\ntwo', 'EMPTY=']);
    expect(await new GrubEnvironmentFile(path).read()).toEqual(
      new Map([
        ['ORDER', 'A B'],
        ['A_LEFT', '1'],
        ['ESC', 'a\\b'],
        ['NL', 'one\ntwo'],
        ['EMPTY', ''],
      ]),
    );
  });

  it('agrees with grub-editenv on random variable sets', async () => {
    const path = join(dir, 'random');
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,10}$/), fc.stringMatching(/^[ -~]{0,20}$/)), {
          selector: ([n]) => n,
          maxLength: 8,
        }),
        async (entries) => {
          const variables = new Map(entries);
          await new GrubEnvironmentFile(path).write(variables);
          expect(grubList(path)).toEqual(variables);
          // And a change made by grub-editenv is read back by us.
          execFileSync('grub-editenv', [path, 'set', 'TOUCHED=yes']);
          expect(await new GrubEnvironmentFile(path).read()).toEqual(new Map([...variables, ['TOUCHED', 'yes']]));
        },
      ),
      { numRuns: 25 },
    );
  });
});
