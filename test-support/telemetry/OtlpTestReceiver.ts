import { execFileSync } from 'node:child_process';
import { createPublicKey, randomBytes, verify, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { createRequire } from 'node:module';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { gunzipSync } from 'node:zlib';

/**
 * An OTLP/HTTP receiver for tests and benches, on 127.0.0.1 over HTTPS. It checks what a real
 * collector would, independently of our encoder: gunzips, verifies the device's Ed25519 signature
 * with node:crypto (the headset signs with sodium), and decodes each body with the official
 * OpenTelemetry protobuf definitions (protobufjs code generated from opentelemetry-proto, shipped by
 * @opentelemetry/otlp-transformer). fromObject() ignores unknown keys, so the check is strict: the
 * body goes through fromObject → encode → decode → toObject and must come back equal to what was
 * sent, so a misspelled key or a wrong type (a number for an int64, an enum name) fails.
 *
 * It misbehaves on demand (status codes, Retry-After, stalls, dropped connections, garbage) and
 * de-duplicates accepted log records by `log.record.uid`, counting duplicates.
 */

export type Behaviour =
  | { kind: 'ok' }
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  /** Never answers (the socket stays open). */
  | { kind: 'stall' }
  /** Answers after `ms`. */
  | { kind: 'slow'; ms: number }
  /** Closes the connection as soon as the request arrives, before reading the body. */
  | { kind: 'drop-before' }
  /** Takes the records, then closes the connection without an answer (the sender must resend). */
  | { kind: 'drop-after' }
  /** 200 with a body that is no OTLP response. */
  | { kind: 'garbage-200' }
  /** Bytes that are not HTTP at all, then the connection closes. */
  | { kind: 'garbage-raw' }
  /** Takes all but the last `rejected` records and says so (partial success). */
  | { kind: 'partial'; rejected: number };

export interface ReceivedLog {
  uid: string;
  body: string;
  severityNumber: number;
  category: string | undefined;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

export interface RequestSeen {
  signal: 'logs' | 'metrics';
  records: number;
  behaviour: Behaviour['kind'];
  bytes: number;
}

type ProtoType = {
  fromObject(object: unknown): unknown;
  encode(message: unknown): { finish(): Uint8Array };
  decode(bytes: Uint8Array): unknown;
  toObject(message: unknown, options: Record<string, unknown>): unknown;
};

const generated = createRequire(import.meta.url)('@opentelemetry/otlp-transformer/build/src/generated/root.js') as {
  opentelemetry: {
    proto: { collector: { logs: { v1: { ExportLogsServiceRequest: ProtoType } }; metrics: { v1: { ExportMetricsServiceRequest: ProtoType } } } };
  };
};
const LOGS_REQUEST = generated.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
const METRICS_REQUEST = generated.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;

/** A self-signed certificate for 127.0.0.1 made with the openssl CLI. */
export function makeSelfSignedCertificate(dir: string): { cert: string; key: string; certPath: string } {
  const keyPath = join(dir, 'receiver.key');
  const certPath = join(dir, 'receiver.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), certPath };
}

export class OtlpTestReceiver {
  readonly logs = new Map<string, ReceivedLog>();
  readonly metricPoints = new Set<string>();
  duplicates = 0;
  metricDuplicates = 0;
  /** Bodies that failed a check (signature, gzip, strict decoding): each a reason. */
  readonly problems: string[] = [];
  readonly requests: RequestSeen[] = [];
  /** Public keys (base64) seen in valid signatures. */
  readonly devices = new Set<string>();
  /** Each validly signed request: its key (whose signature verified) and the pseudonyms its records carry. */
  readonly signed: { device: string; pseudonyms: string[] }[] = [];
  /** Decides each request's fate; default: accept. */
  behave: (index: number, signal: 'logs' | 'metrics') => Behaviour = () => ({ kind: 'ok' });
  onRequest: ((seen: RequestSeen) => void) | undefined;
  private readonly sockets = new Set<Socket>();
  private index = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly foreign: boolean,
  ) {}

  /**
   * `foreign`: a sender that is not a headset (the bench's reference exporter): no device signature
   * is asked for, the body only has to decode, and records are told apart by their body text.
   */
  static async start(tls: { cert: string; key: string }, options: { foreign?: boolean } = {}): Promise<OtlpTestReceiver> {
    const server = createServer({ cert: tls.cert, key: tls.key });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const receiver = new OtlpTestReceiver(server, `https://127.0.0.1:${(server.address() as AddressInfo).port}`, options.foreign ?? false);
    server.on('secureConnection', (socket: Socket) => {
      receiver.sockets.add(socket);
      socket.on('close', () => receiver.sockets.delete(socket));
    });
    server.on('request', (req, res) => receiver.handle(req, res));
    return receiver;
  }

  /** Fails the next requests with these behaviours, in order, then accepts again. */
  script(...behaviours: Behaviour[]): void {
    const queue = [...behaviours];
    const previous = this.behave;
    this.behave = (index, signal) => queue.shift() ?? previous(index, signal);
  }

  logBodies(): string[] {
    return [...this.logs.values()].map((log) => log.body);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void {
    const signal = req.url === '/v1/logs' ? 'logs' : req.url === '/v1/metrics' ? 'metrics' : undefined;
    if (req.method !== 'POST' || !signal) {
      res.writeHead(404).end();
      return;
    }
    const behaviour = this.behave(this.index++, signal);
    if (behaviour.kind === 'drop-before') {
      this.note({ signal, records: 0, behaviour: behaviour.kind, bytes: 0 });
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const checked = this.check(req, raw, signal);
      if (typeof checked === 'string') {
        this.problems.push(checked);
        this.note({ signal, records: 0, behaviour: behaviour.kind, bytes: raw.length });
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 3, message: checked }));
        return;
      }
      const records = signal === 'logs' ? countLogs(checked) : countPoints(checked);
      if (!this.foreign) this.signed.push({ device: String(req.headers['x-headset-device']), pseudonyms: pseudonymsIn(checked) });
      this.note({ signal, records, behaviour: behaviour.kind, bytes: raw.length });
      this.respond(behaviour, checked, signal, res, req.socket);
    });
  }

  private respond(
    behaviour: Behaviour,
    body: Record<string, unknown>,
    signal: 'logs' | 'metrics',
    res: import('node:http').ServerResponse,
    socket: Socket,
  ): void {
    const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    switch (behaviour.kind) {
      case 'ok':
        this.accept(body, signal, 0);
        json(200, {});
        return;
      case 'slow':
        setTimeout(() => {
          this.accept(body, signal, 0);
          if (!res.destroyed) json(200, {});
        }, behaviour.ms);
        return;
      case 'status':
        res
          .writeHead(behaviour.status, {
            'content-type': 'application/json',
            ...(behaviour.retryAfter ? { 'retry-after': behaviour.retryAfter } : {}),
          })
          .end(behaviour.body ?? JSON.stringify({ code: 14, message: 'unavailable' }));
        return;
      case 'stall':
        return;
      case 'drop-after':
        this.accept(body, signal, 0);
        socket.destroy();
        return;
      case 'garbage-200':
        res.writeHead(200, { 'content-type': 'application/json' }).end('<html>not otlp</html>');
        return;
      case 'garbage-raw':
        socket.end(randomBytes(64));
        return;
      case 'partial': {
        this.accept(body, signal, behaviour.rejected);
        const key = signal === 'logs' ? 'rejectedLogRecords' : 'rejectedDataPoints';
        json(200, { partialSuccess: { [key]: String(behaviour.rejected), errorMessage: 'some records refused' } });
        return;
      }
      case 'drop-before':
        return;
    }
  }

  private note(seen: RequestSeen): void {
    this.requests.push(seen);
    this.onRequest?.(seen);
  }

  /** Checks a request; returns its decoded body, or why it is refused. */
  private check(req: import('node:http').IncomingMessage, raw: Buffer, signal: 'logs' | 'metrics'): Record<string, unknown> | string {
    if (req.headers['content-type'] !== 'application/json') return `content-type ${req.headers['content-type']}`;
    if (req.headers['content-encoding'] !== 'gzip') return `content-encoding ${req.headers['content-encoding']}`;
    if (this.foreign) return this.decodeOnly(raw, signal);
    const device = String(req.headers['x-headset-device'] ?? '');
    const date = String(req.headers['x-headset-date'] ?? '');
    const signature = Buffer.from(String(req.headers['x-headset-signature'] ?? ''), 'base64');
    const message = Buffer.from(`POST\n${req.url}\n${date}\n${createHash('sha256').update(raw).digest('hex')}`);
    try {
      const rawKey = Buffer.from(device, 'base64');
      if (rawKey.length !== 32) return 'device key is not 32 bytes';
      // Raw Ed25519 public key wrapped as SubjectPublicKeyInfo for node:crypto.
      const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), rawKey]), format: 'der', type: 'spki' });
      if (!verify(null, message, key, signature)) return 'bad signature';
      this.devices.add(device);
    } catch (error) {
      return `signature check failed: ${String(error)}`;
    }
    let sent: Record<string, unknown>;
    try {
      sent = JSON.parse(gunzipSync(raw).toString('utf8')) as Record<string, unknown>;
    } catch (error) {
      return `body: ${String(error)}`;
    }
    const type = signal === 'logs' ? LOGS_REQUEST : METRICS_REQUEST;
    let roundTrip: unknown;
    try {
      roundTrip = type.toObject(type.decode(type.encode(type.fromObject(sent)).finish()), { longs: String, enums: Number, defaults: false });
    } catch (error) {
      return `not an OTLP request: ${String(error)}`;
    }
    const expected = normalise(sent);
    if (!isDeepStrictEqual(expected, roundTrip))
      return `not exact OTLP JSON: sent ${JSON.stringify(expected).slice(0, 600)} decoded ${JSON.stringify(roundTrip).slice(0, 600)}`;
    return sent;
  }

  private decodeOnly(raw: Buffer, signal: 'logs' | 'metrics'): Record<string, unknown> | string {
    try {
      const sent = JSON.parse(gunzipSync(raw).toString('utf8')) as Record<string, unknown>;
      (signal === 'logs' ? LOGS_REQUEST : METRICS_REQUEST).fromObject(sent);
      return sent;
    } catch (error) {
      return `not an OTLP request: ${String(error)}`;
    }
  }

  private accept(body: Record<string, unknown>, signal: 'logs' | 'metrics', rejectLast: number): void {
    if (signal === 'metrics') {
      const points = pointKeys(body);
      for (const key of points.slice(0, points.length - rejectLast)) {
        if (this.metricPoints.has(key)) this.metricDuplicates++;
        else this.metricPoints.add(key);
      }
      return;
    }
    const found: ReceivedLog[] = [];
    for (const resourceLogs of (body.resourceLogs as Array<{ resource: { attributes: Attr[] }; scopeLogs: Array<{ logRecords: LogJson[] }> }>) ??
      []) {
      const resource = attributes(resourceLogs.resource?.attributes);
      for (const scope of resourceLogs.scopeLogs ?? []) {
        for (const record of scope.logRecords ?? []) {
          const attrs = attributes(record.attributes);
          found.push({
            uid: this.foreign ? String(record.body?.stringValue) : String(attrs['log.record.uid']),
            body: String(record.body?.stringValue ?? JSON.stringify(record.body)),
            severityNumber: record.severityNumber,
            category: attrs['headset.telemetry.category'] as string | undefined,
            attributes: attrs,
            resource,
          });
        }
      }
    }
    for (const log of found.slice(0, found.length - rejectLast)) {
      if (this.logs.has(log.uid)) this.duplicates++;
      else this.logs.set(log.uid, log);
    }
  }
}

type Attr = { key: string; value: Record<string, unknown> };
type LogJson = { attributes?: Attr[]; body?: { stringValue?: string }; severityNumber: number };

function attributes(list: Attr[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((a) => [a.key, Object.values(a.value)[0]]));
}

function countLogs(body: Record<string, unknown>): number {
  let n = 0;
  for (const r of (body.resourceLogs as Array<{ scopeLogs?: Array<{ logRecords?: unknown[] }> }>) ?? [])
    for (const s of r.scopeLogs ?? []) n += s.logRecords?.length ?? 0;
  return n;
}

function pointKeys(body: Record<string, unknown>): string[] {
  const keys: string[] = [];
  for (const r of (body.resourceMetrics as Array<{
    scopeMetrics?: Array<{ metrics?: Array<{ name: string; gauge?: { dataPoints: unknown[] }; sum?: { dataPoints: unknown[] } }> }>;
  }>) ?? []) {
    for (const s of r.scopeMetrics ?? [])
      for (const m of s.metrics ?? [])
        for (const p of [...(m.gauge?.dataPoints ?? []), ...(m.sum?.dataPoints ?? [])]) keys.push(`${m.name} ${JSON.stringify(p)}`);
  }
  return keys;
}

function countPoints(body: Record<string, unknown>): number {
  return pointKeys(body).length;
}

/**
 * What toObject({defaults: false}) gives back for a faithful body: empty repeated fields are left
 * out. `eventName` (LogRecord field 12, opentelemetry-proto 1.5) is newer than the generated
 * definitions: it must be a string and is then set aside.
 */
function normalise(value: unknown, parentKey = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => normalise(item, parentKey));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (Array.isArray(item) && item.length === 0) continue;
    if (key === 'eventName' && parentKey === 'logRecords' && typeof item === 'string') continue;
    out[key] = normalise(item, key);
  }
  return out;
}

/** The distinct `headset.device.pseudonym` values anywhere in a decoded body. */
function pseudonymsIn(body: unknown): string[] {
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const entry = node as { key?: unknown; value?: { stringValue?: unknown } };
    if (entry.key === 'headset.device.pseudonym' && typeof entry.value?.stringValue === 'string') found.add(entry.value.stringValue);
    Object.values(node).forEach(walk);
  };
  walk(body);
  return [...found].sort();
}
