import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import type { SupportRelay } from '../../main/services/support/ports.js';
import { RelayConfigFile, relayKeyOptions } from '../../main/services/support/RelayConfigFile.js';
import { pinnedKnownHosts, tunnelArguments } from '../../main/services/support/ReverseTunnel.js';
import { SupportService } from '../../main/services/support/SupportService.js';
import { Logger } from '../../main/services/logging/Logger.js';
import { SecretRegistry } from '../../src/secrets/SecretRegistry.js';
import { classifyTunnelLine } from '../../src/support/tunnelOutput.js';
import { freePort, makeKey, relayRigUnavailable, TestRelay } from '../../test-support/support/relayRig.js';
import { percentile, type BenchResult } from '../harness.js';

const ROUNDS = 12;
const GOAL = 1.2;

/** `ssh -N -R` alone, the same options, a key already authorized: spawn to the relay's "Allocated port". */
async function plainTunnel(relay: TestRelay, key: string, knownHosts: string, localPort: number): Promise<number> {
  const started = performance.now();
  const args = tunnelArguments({
    sshPath: '/usr/bin/ssh',
    relay: { ...(relay.config() as unknown as SupportRelay), viewers: [] },
    keyFile: key,
    knownHosts,
    localPort,
    serverAliveInterval: 15,
    serverAliveCountMax: 3,
    connectTimeout: 10,
  });
  const child = spawn('/usr/bin/ssh', args, { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent' } });
  const elapsed = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stderr! }).on('line', (line) => {
      const signal = classifyTunnelLine(line);
      if (signal?.kind === 'up' && signal.relayPort) resolve(performance.now() - started);
    });
    child.once('exit', (code) => reject(new Error(`ssh exited ${code}`)));
  });
  const closed = new Promise((r) => child.once('close', r));
  child.kill();
  await closed;
  return elapsed;
}

/** Through the service: support.start to the state `active` (key, view, sshd, relay authorization, tunnel). */
async function serviceTunnel(service: SupportService): Promise<number> {
  const started = performance.now();
  const active = new Promise<void>((resolve) => {
    const off = service.status.subscribe((s) => {
      if (s.state === 'active') {
        off();
        resolve();
      }
    });
  });
  await service.start({ by: 'settings' });
  await active;
  const elapsed = performance.now() - started;
  await service.stop();
  return elapsed;
}

export async function benchTunnelSetup(log: (line: string) => void): Promise<BenchResult[]> {
  const unavailable = relayRigUnavailable();
  const name = 'Support tunnel setup through the service vs `ssh -N -R` alone (real sshd relay on 127.0.0.1)';
  if (unavailable) {
    log(`skipped: ${unavailable}`);
    return [{ name, metric: 'median ratio', value: Number.NaN, unit: '×', goal: `≤ ${GOAL}×`, met: false, details: { skipped: unavailable } }];
  }
  const work = mkdtempSync(join(tmpdir(), 'bench-support-'));
  const runDir = `/run/headset-support-bench/${process.pid}`;
  const relay = new TestRelay();
  await relay.start();
  try {
    const stateDir = join(work, 'state');
    mkdirSync(join(work, 'logs'), { recursive: true });
    mkdirSync(stateDir);
    writeFileSync(join(work, 'logs', 'headset.log'), '{"msg":"x"}\n'.repeat(1000));
    writeFileSync(join(stateDir, 'support-relay.json'), JSON.stringify(relay.config()));
    const service = new SupportService({
      relays: new RelayConfigFile(join(stateDir, 'support-relay.json')),
      sources: { logDir: join(work, 'logs'), crashesDir: join(work, 'crashes'), healthHistory: 'none', updateHistory: 'none', configFiles: [] },
      runDir,
      stateDir,
      secrets: new SecretRegistry(),
      log: new Logger({ version: 'bench', commit: 'bench', bootId: '' }, []).for('support'),
    });
    await service.load();
    // The reference: a key authorized once, with the same restrictions, and the same pinned relay key.
    const key = makeKey(join(work, 'plain_ed25519'));
    appendFileSync(relay.authorizedKeys, `${relayKeyOptions('localhost:*')} ${key.publicKey}\n`);
    const knownHosts = join(work, 'known_hosts');
    writeFileSync(knownHosts, pinnedKnownHosts(relay.config() as unknown as SupportRelay));
    const localPort = await freePort();
    // One of each to warm the caches, then interleaved rounds.
    await plainTunnel(relay, key.path, knownHosts, localPort);
    await serviceTunnel(service);
    const plain: number[] = [];
    const ours: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      plain.push(await plainTunnel(relay, key.path, knownHosts, localPort));
      ours.push(await serviceTunnel(service));
    }
    plain.sort((a, b) => a - b);
    ours.sort((a, b) => a - b);
    const ratio = percentile(ours, 50) / percentile(plain, 50);
    log(`ssh alone median ${percentile(plain, 50).toFixed(1)} ms, service median ${percentile(ours, 50).toFixed(1)} ms`);
    return [
      {
        name,
        metric: 'median ratio',
        value: Number(ratio.toFixed(2)),
        unit: '×',
        goal: `≤ ${GOAL}×`,
        met: ratio <= GOAL,
        details: {
          sshMedianMs: Number(percentile(plain, 50).toFixed(1)),
          serviceMedianMs: Number(percentile(ours, 50).toFixed(1)),
          sshP90Ms: Number(percentile(plain, 90).toFixed(1)),
          serviceP90Ms: Number(percentile(ours, 90).toFixed(1)),
          rounds: ROUNDS,
        },
      },
    ];
  } finally {
    await relay.close();
    rmSync(work, { recursive: true, force: true });
    rmSync(runDir, { recursive: true, force: true });
  }
}
