import type { CallInput, CallName, CallOutput, EventName, EventPayload } from './contract.js';
import type { ErrorCode } from './errors.js';
import type { Port } from './port.js';
import { DEFAULT_MAX_MESSAGE_BYTES, utf8Length, type ClientMessage, type HostMessage } from './protocol.js';

/** An error returned by the host, with its catalogue code. */
export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type InputArgs<M extends CallName> = Record<never, never> extends CallInput<M> ? [input?: CallInput<M>] : [input: CallInput<M>];

interface Pending {
  resolve(value: unknown): void;
  reject(error: ApiError): void;
}

interface Subscription {
  listener(payload: unknown): void;
  onError?: (error: ApiError) => void;
}

/**
 * The typed client: one per port. Imports only types from the contract, so the renderer's bundle
 * carries no schema library.
 */
export class ApiClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly subscriptions = new Map<number, Subscription>();
  private readonly closeListeners = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly port: Port,
    private readonly maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES,
  ) {
    port.onMessage((raw) => this.receive(raw));
    port.onClose(() => this.handleClose());
  }

  call<M extends CallName>(method: M, ...args: [...InputArgs<M>, options?: { signal?: AbortSignal }]): Promise<CallOutput<M>> {
    const [input, options] = args as unknown as [CallInput<M> | undefined, { signal?: AbortSignal } | undefined];
    if (this.closed) return Promise.reject(new ApiError('DISCONNECTED', 'The connection is closed.'));
    const id = this.nextId++;
    const message = JSON.stringify({ type: 'call', id, method, input: input ?? {} } satisfies ClientMessage);
    // The host answers an oversized frame with an error it cannot tie to a call (or a closed
    // connection): refuse it here, so the call settles.
    if (utf8Length(message) > this.maxMessageBytes)
      return Promise.reject(new ApiError('MESSAGE_TOO_LARGE', 'The call is larger than the connection accepts.'));
    return new Promise<CallOutput<M>>((resolve, reject) => {
      const signal = options?.signal;
      const onAbort = () => this.send({ type: 'cancel', id });
      this.pending.set(id, {
        resolve: (value) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(value as CallOutput<M>);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
      if (!this.closed) this.port.post(message);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  subscribe<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void, onError?: (error: ApiError) => void): () => void {
    const id = this.nextId++;
    this.subscriptions.set(id, { listener: listener as (payload: unknown) => void, onError });
    this.send({ type: 'subscribe', id, event });
    return () => {
      if (this.subscriptions.delete(id)) this.send({ type: 'unsubscribe', id });
    };
  }

  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): void {
    this.port.close();
  }

  private send(message: ClientMessage): void {
    if (!this.closed) this.port.post(JSON.stringify(message));
  }

  private receive(raw: string): void {
    let message: HostMessage;
    try {
      message = JSON.parse(raw) as HostMessage;
    } catch {
      return;
    }
    if (message.type === 'event') {
      this.subscriptions.get(message.id)?.listener(message.payload);
      return;
    }
    if (message.id === null) return;
    const pending = this.pending.get(message.id);
    if (pending) {
      this.pending.delete(message.id);
      if (message.type === 'ok') pending.resolve(message.output);
      else pending.reject(new ApiError(message.error.code, message.error.message, message.error.details));
      return;
    }
    if (message.type === 'error') {
      const subscription = this.subscriptions.get(message.id);
      this.subscriptions.delete(message.id);
      subscription?.onError?.(new ApiError(message.error.code, message.error.message, message.error.details));
    }
  }

  private handleClose(): void {
    if (this.closed) return;
    this.closed = true;
    const error = new ApiError('DISCONNECTED', 'The connection closed.');
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
    this.subscriptions.clear();
    for (const listener of this.closeListeners) listener();
  }
}
