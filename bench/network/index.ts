import type { BenchResult } from '../harness.js';
import { benchConnectToOnline } from './connectToOnline.js';

/** The `network` suite: connect → online through our adapter against nmcli alone. */
export async function benchNetwork(): Promise<BenchResult[]> {
  return benchConnectToOnline((line) => console.log(`  network/connect: ${line}`));
}
