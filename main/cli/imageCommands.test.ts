import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runHeadsetctl } from './cli.js';

const NATIVE = join(import.meta.dirname, '..', '..', 'native');
const scratch = mkdtempSync(join(tmpdir(), 'image-cli-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function io() {
  const out = { stdout: '', stderr: '' };
  return { out, io: { stdout: (t: string) => void (out.stdout += t), stderr: (t: string) => void (out.stderr += t) } };
}

it('headsetctl image check-root passes the shipped image and lists its mounts', async () => {
  const { out, io: sink } = io();
  expect(await runHeadsetctl(['image', 'check-root', '--native', NATIVE], sink), out.stderr).toBe(0);
  expect(out.stdout).toMatch(/^\/ +auto +read-only/m);
  expect(out.stdout).toMatch(/^\/var +ext4 +writable/m);
  expect(out.stdout).toMatch(/\d+ written paths checked/);
}, 60_000);

it('headsetctl image check-root fails with IMAGE_ROOT_UNFIT, naming the path, when /persist is mounted read-only', async () => {
  const native = join(scratch, 'native');
  cpSync(NATIVE, native, { recursive: true });
  const fstab = join(native, 'image/fstab');
  writeFileSync(fstab, readFileSync(fstab, 'utf8').replace(/^(PARTLABEL=persist\s+\/persist\s+ext4\s+)rw,/m, '$1ro,'));
  const { out, io: sink } = io();
  expect(await runHeadsetctl(['image', 'check-root', '--native', native], sink)).toBe(1);
  expect(out.stderr).toMatch(/^IMAGE_ROOT_UNFIT: .*\/persist\/identity \(written by headsetd \(device identity\), but \/persist is read-only/);
}, 60_000);

it('headsetctl image check-root refuses positional arguments', async () => {
  const { out, io: sink } = io();
  expect(await runHeadsetctl(['image', 'check-root', 'native'], sink)).toBe(2);
  expect(out.stderr).toMatch(/^INVALID_INPUT: no positional arguments/);
});
