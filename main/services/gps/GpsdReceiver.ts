import { createConnection, type Socket } from 'node:net';
import type { GpsReading, GpsReceiver } from './ports.js';

/** gpsd's reports are single JSON lines of a few KiB; anything longer is not gpsd. */
const MAX_LINE_CHARS = 64 * 1024;

/**
 * A receiver behind gpsd (linux), read through gpsd's JSON protocol on 127.0.0.1:2947: after
 * `?WATCH={"enable":true,"json":true}` gpsd streams TPV reports (mode 2/3: a 2D/3D fix, with lat/lon)
 * and SKY reports (`uSat`, or the satellites flagged `used`). `read()` answers the latest of both;
 * a lost connection is retried on the next read, and reads fail meanwhile so the service can say so.
 */
export class GpsdReceiver implements GpsReceiver {
  private socket: Socket | undefined;
  private connected = false;
  private pending = '';
  private mode = 0;
  private lat: number | undefined;
  private lon: number | undefined;
  private satellites = 0;
  private visible = 0;
  private wanted = false;

  constructor(private readonly address: { host: string; port: number } = { host: '127.0.0.1', port: 2947 }) {}

  async powerOn(): Promise<void> {
    this.wanted = true;
    this.connect();
  }

  async powerOff(): Promise<void> {
    this.wanted = false;
    this.socket?.destroy();
    this.socket = undefined;
    this.connected = false;
  }

  async read(): Promise<GpsReading> {
    if (!this.connected) {
      if (this.wanted && !this.socket) this.connect();
      throw new Error(`gpsd is not reachable on ${this.address.host}:${this.address.port}`);
    }
    const fix = this.mode >= 2 && this.lat !== undefined && this.lon !== undefined ? { lat: this.lat, lon: this.lon } : null;
    return { satellites: this.satellites, visible: this.visible, fix };
  }

  private connect(): void {
    const socket = createConnection(this.address);
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      this.connected = true;
      socket.write('?WATCH={"enable":true,"json":true};\n');
    });
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('error', () => undefined); // 'close' follows
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined;
      this.connected = false;
      this.mode = 0;
    });
  }

  /** @internal exposed for tests: feeds raw protocol text. */
  receive(chunk: string): void {
    this.pending += chunk;
    let newline: number;
    while ((newline = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, newline).trim();
      this.pending = this.pending.slice(newline + 1);
      if (line) this.report(line);
    }
    if (this.pending.length > MAX_LINE_CHARS) this.pending = ''; // not gpsd: drop it rather than grow
  }

  private report(line: string): void {
    let report: Record<string, unknown>;
    try {
      report = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (report.class === 'TPV') {
      this.mode = typeof report.mode === 'number' ? report.mode : 0;
      this.lat = typeof report.lat === 'number' && Number.isFinite(report.lat) ? report.lat : undefined;
      this.lon = typeof report.lon === 'number' && Number.isFinite(report.lon) ? report.lon : undefined;
    } else if (report.class === 'SKY') {
      const list = Array.isArray(report.satellites) ? (report.satellites as { used?: unknown }[]) : undefined;
      if (typeof report.uSat === 'number') this.satellites = report.uSat;
      else if (list) this.satellites = list.filter((s) => s?.used === true).length;
      if (typeof report.nSat === 'number') this.visible = report.nSat;
      else if (list) this.visible = list.length;
    }
  }
}
