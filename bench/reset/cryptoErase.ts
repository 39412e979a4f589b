import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, rmSync, writeSync, closeSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';
import { ClassKeys } from '../../main/services/userData/ClassKeys.js';
import { EncryptedClassFiles } from '../../main/services/userData/EncryptedClassFiles.js';
import { SecureWipe } from '../../main/services/userData/SecureWipe.js';
import { userDataClass, userDataRootsOf } from '../../main/services/userData/userDataClasses.js';
import type { BenchResult } from '../harness.js';

const GiB = 1024 ** 3;
const FILE_BYTES = 256 * 1024 ** 2;

/**
 * Crypto-erase of 1 GiB and 8 GiB of one class's data (files of 256 MiB, encrypted at rest as the
 * simulated headset writes them) against `shred -n 1` of the same amount: erasing a class is
 * destroying its 32-byte key (then unlinking the ciphertext), so it should take the same short time
 * whatever the size, where an overwrite grows with it (and on flash does not even reach the old cells).
 */
export async function benchCryptoErase(log: (line: string) => void, sizes = [1 * GiB, 8 * GiB]): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const size of sizes) {
    const label = `${size / GiB} GiB`;
    const root = mkdtempSync(join(process.env.BENCH_DIR ?? '/var/tmp', 'bench-reset-'));
    try {
      const roots = userDataRootsOf({
        dataPartition: join(root, 'data'),
        persistPartition: join(root, 'persist'),
        stateDir: join(root, 'data', 'headsetd'),
        logDir: join(root, 'data', 'logs'),
        crashesDir: join(root, 'data', 'crashes'),
        minidumpDir: join(root, 'data', 'crashdumps'),
      });
      const keys = new ClassKeys(roots);
      const files = new EncryptedClassFiles(roots, keys);
      const apps = join(roots.data, 'apps');
      mkdirSync(apps, { recursive: true });
      const block = randomBytes(1024 * 1024);
      const fill = async function* (bytes: number) {
        for (let at = 0; at < bytes; at += block.length) yield block;
      };
      let started = performance.now();
      for (let at = 0, n = 0; at < size; at += FILE_BYTES, n++) await files.writeStream('apps', join(apps, `asset-${n}.bin`), fill(FILE_BYTES));
      log(`${label}: written encrypted in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      execFileSync('sync');

      const wipe = new SecureWipe(roots, new ClassKeys(roots));
      const cls = [userDataClass('apps')];
      started = performance.now();
      await wipe.destroyKeys(cls);
      const keyMs = performance.now() - started;
      await wipe.erase(cls);
      const eraseMs = performance.now() - started;
      const verified = (await wipe.verify(cls)).every((v) => v.ok);
      log(`${label}: key destroyed in ${keyMs.toFixed(1)} ms, ciphertext deleted too in ${eraseMs.toFixed(1)} ms (verified: ${verified})`);

      // The reference: the same amount of plaintext, overwritten once by shred (it syncs each pass).
      const plainFiles: string[] = [];
      for (let at = 0, n = 0; at < size; at += FILE_BYTES, n++) {
        const path = join(apps, `plain-${n}.bin`);
        const fd = openSync(path, 'w');
        for (let written = 0; written < FILE_BYTES; written += block.length) writeSync(fd, block);
        fsyncSync(fd);
        closeSync(fd);
        plainFiles.push(path);
      }
      execFileSync('sync');
      started = performance.now();
      execFileSync('shred', ['-n', '1', ...plainFiles]);
      const shredMs = performance.now() - started;
      log(`${label}: shred -n 1 took ${(shredMs / 1000).toFixed(2)} s`);

      results.push(
        {
          name: `reset/crypto-erase ${label}`,
          metric: 'keys destroyed (the data unreadable from here on), wall time; vs shred -n 1 of the same bytes',
          value: Math.round(keyMs * 10) / 10,
          unit: 'ms',
          goal: '< 1000 ms at any size',
          met: verified && keyMs < 1000,
          details: { ratioToShred: Math.round((keyMs / shredMs) * 100000) / 100000, bytes: size },
        },
        {
          name: `reset/crypto-erase and delete ${label}`,
          metric: 'keys destroyed, then the ciphertext unlinked and its folders synced, verified (informative: deleting is housekeeping)',
          value: Math.round(eraseMs),
          unit: 'ms',
          goal: '—',
          met: verified,
        },
        {
          name: `reset/shred -n 1 ${label}`,
          metric: 'reference: shred -n 1 of the same bytes, wall time',
          value: Math.round(shredMs),
          unit: 'ms',
          goal: 'reference',
          met: true,
        },
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  return results;
}
