import type { ErrorCode } from '../../src/api/errors.js';
import type { Port } from '../../src/api/port.js';
import type { HostMessage } from '../../src/api/protocol.js';

/** Records every host message arriving on a port and lets a test await a particular one. */
export class MessageLog {
  readonly received: HostMessage[] = [];
  private readonly taken = new Set<HostMessage>();
  private readonly waiters: { match: (m: HostMessage) => boolean; resolve: (m: HostMessage) => void }[] = [];

  constructor(private readonly port: Port) {
    port.onMessage((text) => {
      const message = JSON.parse(text) as HostMessage;
      this.received.push(message);
      const waiter = this.waiters.find((w) => w.match(message));
      if (waiter) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        this.taken.add(message);
        waiter.resolve(message);
      }
    });
  }

  /** Posts `message` as is when it is a string (so it may be any text), else as JSON. */
  send(message: unknown): void {
    this.port.post(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first not yet awaited host message matching `match`, now or when it arrives. */
  next(match: (m: HostMessage) => boolean): Promise<HostMessage> {
    const found = this.received.find((m) => !this.taken.has(m) && match(m));
    if (found) {
      this.taken.add(found);
      return Promise.resolve(found);
    }
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  /** The next error message about `id` (null: a message whose id could not be read). */
  async nextError(id: number | null): Promise<{ code: ErrorCode; message: string; details?: unknown }> {
    const message = await this.next((m) => m.type === 'error' && m.id === id);
    if (message.type !== 'error') throw new Error('unreachable');
    return message.error;
  }
}
