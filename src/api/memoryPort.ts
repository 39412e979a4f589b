import type { Port } from './port.js';

/**
 * Two connected ports in one process. Delivery is asynchronous (a microtask), like every real
 * transport, so tests see the same ordering hazards as production.
 */
export function createMemoryPortPair(): [Port, Port] {
  const a = new MemoryPort();
  const b = new MemoryPort();
  a.peer = b;
  b.peer = a;
  return [a, b];
}

class MemoryPort implements Port {
  peer: MemoryPort | undefined;
  private readonly messageHandlers: ((message: string) => void)[] = [];
  private readonly closeHandlers: (() => void)[] = [];
  private closed = false;

  post(message: string): void {
    const peer = this.peer;
    if (this.closed || !peer) return;
    queueMicrotask(() => peer.deliver(message));
  }

  onMessage(handler: (message: string) => void): void {
    this.messageHandlers.push(handler);
  }

  onClose(handler: () => void): void {
    this.closeHandlers.push(handler);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const h of this.closeHandlers) h();
    this.peer?.close();
  }

  private deliver(message: string): void {
    if (this.closed) return;
    for (const h of this.messageHandlers) h(message);
  }
}
