import type { BenchResult } from '../harness.js';
import { benchTunnelSetup } from './tunnelSetup.js';

/** The `support` suite: remote support's tunnel setup against OpenSSH's own. */
export async function benchSupport(): Promise<BenchResult[]> {
  return benchTunnelSetup((line) => console.log(`  support/tunnel: ${line}`));
}
