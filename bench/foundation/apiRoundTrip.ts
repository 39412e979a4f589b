import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { percentile, pinSelf, spawnOnCpu, startHeadsetd, type BenchResult } from '../harness.js';

const WARMUP_ROUNDS = 4;
const ROUNDS = 14;
const ROUND_CALLS = 500;
const CALLS = (ROUNDS - WARMUP_ROUNDS) * ROUND_CALLS;
const PAYLOAD = 'x'.repeat(64);
const CLIENT_CPU = 0;
const SERVER_CPU = 1;

/**
 * A no-op API call (system.ping) over headsetd's WebSocket transport, against a bare `ws` echo
 * server of the same payload, each in its own process, measured from the same client in one run.
 */
export async function benchApiRoundTrip(distDir: string): Promise<BenchResult[]> {
  const echo = await startEchoServer();
  const headsetd = await startHeadsetd(distDir, ['--mode', 'settings'], { cpu: SERVER_CPU });
  const unpin = pinSelf(CLIENT_CPU);
  try {
    // Alternating rounds on two open connections: both see the same machine state (GC, other load).
    const bareClient = await connectClient(`ws://127.0.0.1:${echo.port}`, {});
    const apiClient = await connectClient(`${headsetd.origin.replace('http', 'ws')}/api`, {
      origin: headsetd.origin,
      protocols: ['headset.v1', `token.${headsetd.token}`],
    });
    const bare: number[] = [];
    const api: number[] = [];
    let id = 1;
    for (let round = 0; round < ROUNDS; round++) {
      const measured = round >= WARMUP_ROUNDS; // the first rounds warm up both (JIT, buffers)
      // The same bytes both ways: the echo server gets (and returns) the very call message.
      bare.push(
        ...(
          await measure(
            bareClient,
            ROUND_CALLS,
            () => callMessage(id++),
            (got) => got.includes('"system.ping"'),
          )
        ).filter(() => measured),
      );
      api.push(
        ...(
          await measure(
            apiClient,
            ROUND_CALLS,
            () => callMessage(id++),
            (got) => got.includes('"type":"ok"'),
          )
        ).filter(() => measured),
      );
    }
    bareClient.close();
    apiClient.close();
    bare.sort((a, b) => a - b);
    api.sort((a, b) => a - b);
    const median = percentile(api, 50) / percentile(bare, 50);
    const p99 = percentile(api, 99) / percentile(bare, 99);
    const details = {
      apiMedianUs: Math.round(percentile(api, 50) * 1000),
      apiP99Us: Math.round(percentile(api, 99) * 1000),
      wsMedianUs: Math.round(percentile(bare, 50) * 1000),
      wsP99Us: Math.round(percentile(bare, 99) * 1000),
      calls: CALLS,
    };
    return [
      {
        name: 'API round trip (WebSocket) vs bare ws echo',
        metric: 'median ratio',
        value: round(median),
        unit: '×',
        goal: '≤ 1.5×',
        met: median <= 1.5,
        details,
      },
      {
        name: 'API round trip (WebSocket) vs bare ws echo',
        metric: 'p99 ratio',
        value: round(p99),
        unit: '×',
        goal: '≤ 1.5×',
        met: p99 <= 1.5,
        details,
      },
    ];
  } finally {
    unpin();
    echo.stop();
    await headsetd.stop();
  }
}

async function connectClient(url: string, options: { origin?: string; protocols?: string[] }): Promise<WebSocket> {
  const ws = new WebSocket(url, options.protocols ?? [], { origin: options.origin, perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return ws;
}

/** Sequential round trips; returns latencies in ms. */
async function measure(ws: WebSocket, calls: number, message: () => string, isReply: (got: string) => boolean): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < calls; i++) {
    const sent = message();
    const start = process.hrtime.bigint();
    await new Promise<void>((resolve, reject) => {
      const onClose = (code: number) => reject(new Error(`${ws.url} closed the connection (${code})`));
      ws.once('close', onClose);
      ws.once('message', (data) => {
        ws.off('close', onClose);
        if (isReply(data.toString())) resolve();
        else reject(new Error(`unexpected reply: ${data.toString()}`));
      });
      ws.send(sent);
    });
    latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return latencies;
}

async function startEchoServer(): Promise<{ port: number; stop(): void }> {
  const source = `
    const { WebSocketServer } = require('ws');
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
    wss.on('connection', (ws) => ws.on('message', (data, binary) => ws.send(data, { binary })));
    wss.on('listening', () => console.log('port ' + wss.address().port));`;
  const child = spawnOnCpu(SERVER_CPU, process.execPath, ['-e', source]);
  const port = await new Promise<number>((resolve) =>
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(Number(line.split(' ')[1]))),
  );
  return { port, stop: () => child.kill() };
}

function callMessage(id: number): string {
  return JSON.stringify({ type: 'call', id, method: 'system.ping', input: { payload: PAYLOAD } });
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
