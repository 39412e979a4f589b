import { readFileSync } from 'node:fs';
import { OtlpForwarder } from '../../main/services/telemetry/OtlpForwarder.js';
import { Outbox } from '../../main/services/telemetry/Outbox.js';
import { logRecord, SwitchableNetwork, testSigner } from './fixtures.js';

/**
 * A forwarder in its own process, for the kill -9 tests and the delivery bench: opens the outbox,
 * queues `count` records (`prefix i`), says "queued", then forwards until killed or stopped.
 */
const config = JSON.parse(process.env.FORWARDER_CHILD ?? '{}') as {
  dir: string;
  url: string;
  caPath: string;
  count: number;
  prefix: string;
  limitBytes: number;
};
const outbox = await Outbox.open({ dir: config.dir, limitBytes: config.limitBytes });
const priorities = ['critical', 'normal', 'normal', 'bulk'] as const;
for (let i = 0; i < config.count; i++)
  await outbox.enqueue('errors', priorities[i % priorities.length]!, { signal: 'logs', record: logRecord(`${config.prefix} ${i}`) });
await outbox.flush();
console.log('queued');
const forwarder = new OtlpForwarder({
  outbox,
  endpoint: { url: config.url, ca: readFileSync(config.caPath, 'utf8') },
  signer: testSigner(),
  network: new SwitchableNetwork(),
  resource: () => ({ serviceName: 'headsetd', serviceVersion: 'test', deviceId: null }),
  maxBatchRecords: 50,
  timeoutMs: 2000,
  backoff: { baseMs: 5, maxMs: 50, maxRetryAfterMs: 200 },
  idleMs: 100,
});
forwarder.start();
process.on(
  'SIGTERM',
  () =>
    void forwarder
      .stop()
      .then(() => outbox.close())
      .then(() => process.exit(0)),
);
