import type { BenchResult } from '../harness.js';
import { benchCryptoErase } from './cryptoErase.js';

/** The `reset` suite: crypto-erase of a class against shred. (Backup's benchmarks join it from the backup work.) */
export async function benchReset(): Promise<BenchResult[]> {
  return benchCryptoErase((line) => console.log(`  reset/crypto-erase: ${line}`));
}
