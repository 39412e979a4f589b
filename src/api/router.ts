import type { z } from 'zod';
import {
  apiCalls,
  apiEvents,
  type CallContext,
  type CallHandlers,
  type CallName,
  type CallSpec,
  type EventName,
  type EventSources,
  type Mode,
  type Scope,
} from './contract.js';
import { AppError, GENERIC_ERROR_CODES, type ErrorCode, type ErrorPayload } from './errors.js';
import type { Port } from './port.js';
import { DEFAULT_MAX_MESSAGE_BYTES, isMessageId, parseClientMessage, utf8Length, type HostMessage } from './protocol.js';

/** What a transport knows about the peer at the other end of a port. */
export interface ConnectionContext {
  /** e.g. `websocket 127.0.0.1:53012`, `unix uid=1000`, `ipc frame 1`. */
  label: string;
  scopes: ReadonlySet<Scope>;
}

/** A connection as a scope provider sees it: its id and the scopes its transport granted. */
export interface ConnectionRef {
  readonly id: number;
  readonly scopes: ReadonlySet<Scope>;
}

/**
 * Where a connection gets scopes beyond its transport's while it is connected (the device lock
 * grants `unlocked` to a connection while its unlock session lives). Asked on every call and
 * subscription whose scope the transport did not grant, so a grant ends the moment the provider
 * says so; the router knows nothing of PINs or sessions.
 */
export interface ScopeProvider {
  /** Whether the connection holds `scope` now, beyond its transport's scopes. */
  grants(connection: ConnectionRef, scope: Scope): boolean;
  /** A call went through on a granted scope (an idle timer starts again). */
  used?(connection: ConnectionRef, scope: Scope): void;
  /** The connection closed: whatever it was granted ends with it. */
  closed?(connection: ConnectionRef): void;
}

export interface RouterOptions {
  maxMessageBytes?: number;
  /** Calls in flight per connection before BUSY; keeps one flooding client from stalling others. */
  maxInFlight?: number;
  /** The device's mode right now (recovery calls need recovery mode). */
  mode: () => Mode;
  /** Unexpected failures: the caller gets INTERNAL, the details go here (the device log). */
  onInternalError?: (where: string, error: unknown) => void;
  /** Scopes a connection earns while connected, beyond its transport's (the device lock). */
  scopeProvider?: ScopeProvider;
  /** Each call that reached a known name, once answered: its name, scope and outcome (never its input or output). */
  onCallDone?: (call: { name: string; scope: Scope; connection: string; outcome: 'ok' | string }) => void;
  /** The calls served: the contract's (default); tests add test-only calls to exercise what no product call does yet. */
  calls?: Readonly<Record<string, CallSpec>>;
}

const codesByCalls = new WeakMap<object, ReadonlyMap<string, ReadonlySet<ErrorCode>>>();

/** Each call's allowed error codes (its own and the generic ones), made once per call table. */
function allowedCodesOf(calls: Readonly<Record<string, CallSpec>>): ReadonlyMap<string, ReadonlySet<ErrorCode>> {
  let codes = codesByCalls.get(calls);
  if (!codes) {
    codes = new Map(Object.entries(calls).map(([name, spec]) => [name, new Set<ErrorCode>([...GENERIC_ERROR_CODES, ...spec.errors])]));
    codesByCalls.set(calls, codes);
  }
  return codes;
}

/**
 * The one place calls enter the services: validates the envelope, the method, the scope and mode,
 * and the input; runs the handler with a cancellation signal; maps errors to the catalogue.
 */
export class ApiRouter {
  private readonly maxMessageBytes: number;
  private readonly maxInFlight: number;
  private readonly calls: Readonly<Record<string, CallSpec>>;
  private readonly allowedCodes: ReadonlyMap<string, ReadonlySet<ErrorCode>>;
  private nextConnectionId = 1;

  constructor(
    private readonly handlers: CallHandlers,
    private readonly events: EventSources,
    private readonly options: RouterOptions,
  ) {
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.maxInFlight = options.maxInFlight ?? 64;
    this.calls = options.calls ?? apiCalls;
    this.allowedCodes = allowedCodesOf(this.calls);
  }

  connect(port: Port, context: ConnectionContext): void {
    new RouterConnection(this, port, context, this.nextConnectionId++);
  }

  /** @internal used by connections */
  closed(connection: RouterConnection): void {
    this.options.scopeProvider?.closed?.(connection);
  }

  /** @internal used by connections */
  handle(connection: RouterConnection, raw: string): void {
    if (utf8Length(raw) > this.maxMessageBytes) {
      connection.send({ type: 'error', id: null, error: codeError('MESSAGE_TOO_LARGE') });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      connection.send({ type: 'error', id: null, error: codeError('BAD_MESSAGE', 'The message is not JSON.') });
      return;
    }
    const parsed = parseClientMessage(json);
    if (!parsed.ok) {
      connection.send({
        type: 'error',
        id: readId(json),
        error: codeError('BAD_MESSAGE', 'The message is not a valid protocol message.', [parsed.issue]),
      });
      return;
    }
    const message = parsed.message;
    switch (message.type) {
      case 'call':
        void this.runCall(connection, message.id, message.method, message.input);
        return;
      case 'cancel':
        connection.inFlight.get(message.id)?.abort();
        return;
      case 'subscribe':
        this.subscribe(connection, message.id, message.event);
        return;
      case 'unsubscribe':
        connection.subscriptions.get(message.id)?.();
        connection.subscriptions.delete(message.id);
        return;
    }
  }

  private async runCall(connection: RouterConnection, id: number, method: string, input: unknown): Promise<void> {
    let fail = (error: ErrorPayload) => connection.send({ type: 'error', id, error });
    if (connection.inFlight.has(id) || connection.subscriptions.has(id)) return fail(codeError('DUPLICATE_ID'));
    if (connection.inFlight.size >= this.maxInFlight) return fail(codeError('BUSY'));
    if (!Object.hasOwn(this.calls, method)) return fail(codeError('UNKNOWN_METHOD', `No call named "${method}".`));
    const name = method as CallName;
    const spec: CallSpec = this.calls[name]!;
    const report = this.options.onCallDone;
    if (report) {
      const failed = fail;
      fail = (error) => {
        report({ name, scope: spec.scope, connection: connection.context.label, outcome: error.code });
        failed(error);
      };
    }
    const denied = this.checkAccess(connection, spec.scope, spec.modes);
    if (denied) return fail(denied);
    const parsedInput = spec.input.safeParse(input ?? {});
    if (!parsedInput.success) return fail(codeError('INVALID_INPUT', undefined, issues(parsedInput.error)));

    const call = new InFlightCall();
    connection.inFlight.set(id, call);
    try {
      const handler = this.handlers[name] as (input: unknown, context: CallContext) => unknown;
      const result = await handler(parsedInput.data, {
        get signal() {
          return call.signal;
        },
        connection: connection.context.label,
        connectionId: connection.id,
        holds: (scope) => this.holds(connection, scope),
      });
      if (call.cancelled) return fail(codeError('CANCELLED'));
      const output = spec.output.safeParse(result);
      if (!output.success) {
        this.options.onInternalError?.(`${name}: output does not match the contract`, output.error);
        return fail(codeError('INTERNAL'));
      }
      connection.send({ type: 'ok', id, output: output.data });
      report?.({ name, scope: spec.scope, connection: connection.context.label, outcome: 'ok' });
    } catch (error) {
      if (call.cancelled) return fail(codeError('CANCELLED'));
      if (error instanceof AppError && this.allowedCodes.get(name)?.has(error.code)) return fail(error.toPayload());
      this.options.onInternalError?.(name, error);
      fail(codeError('INTERNAL'));
    } finally {
      connection.inFlight.delete(id);
    }
  }

  private subscribe(connection: RouterConnection, id: number, event: string): void {
    const fail = (error: ErrorPayload) => connection.send({ type: 'error', id, error });
    if (connection.inFlight.has(id) || connection.subscriptions.has(id)) return fail(codeError('DUPLICATE_ID'));
    if (!Object.hasOwn(apiEvents, event)) return fail(codeError('UNKNOWN_EVENT', `No event named "${event}".`));
    const name = event as EventName;
    const denied = this.checkAccess(connection, apiEvents[name].scope, undefined);
    if (denied) return fail(denied);
    const source = this.events[name] as { current(): unknown; subscribe(listener: (value: unknown) => void): () => void };
    const push = (payload: unknown) => connection.send({ type: 'event', id, event: name, payload });
    connection.subscriptions.set(id, source.subscribe(push));
    // Events carry state: a new subscriber gets the current state at once.
    const current = source.current();
    if (current !== undefined) push(current);
  }

  /** The transport's scopes first; a provider is asked only for what they lack. */
  private holds(connection: RouterConnection, scope: Scope): boolean {
    return connection.scopes.has(scope) || (this.options.scopeProvider?.grants(connection, scope) ?? false);
  }

  private checkAccess(connection: RouterConnection, scope: Scope, modes: readonly Mode[] | undefined): ErrorPayload | undefined {
    const provider = this.options.scopeProvider;
    if (!connection.scopes.has(scope)) {
      if (!provider?.grants(connection, scope)) return codeError('FORBIDDEN', `This connection may not use "${scope}" calls.`, { scope });
      provider.used?.(connection, scope);
    }
    const mode = this.options.mode();
    if (scope === 'recovery' && mode !== 'recovery') return codeError('WRONG_MODE', 'Only available in recovery mode.');
    if (modes && !modes.includes(mode)) return codeError('WRONG_MODE', `Not available in the ${mode} mode.`);
    return undefined;
  }
}

/**
 * A call being served. Its AbortController is made only if the handler asks for the signal: most
 * calls never do, and creating one is the largest single cost of a no-op call.
 */
class InFlightCall {
  cancelled = false;
  private controller: AbortController | undefined;

  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    if (this.cancelled) this.controller.abort();
    return this.controller.signal;
  }

  abort(): void {
    this.cancelled = true;
    this.controller?.abort();
  }
}

class RouterConnection implements ConnectionRef {
  readonly inFlight = new Map<number, InFlightCall>();
  readonly subscriptions = new Map<number, () => void>();
  private closed = false;

  constructor(
    private readonly router: ApiRouter,
    private readonly port: Port,
    readonly context: ConnectionContext,
    readonly id: number,
  ) {
    port.onMessage((raw) => router.handle(this, raw));
    port.onClose(() => this.dispose());
  }

  get scopes(): ReadonlySet<Scope> {
    return this.context.scopes;
  }

  send(message: HostMessage): void {
    if (!this.closed) this.port.post(JSON.stringify(message));
  }

  private dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.router.closed(this);
    for (const call of this.inFlight.values()) call.abort();
    for (const unsubscribe of this.subscriptions.values()) unsubscribe();
    this.inFlight.clear();
    this.subscriptions.clear();
  }
}

function codeError(code: ErrorCode, message?: string, details?: unknown): ErrorPayload {
  return new AppError(code, message, details).toPayload();
}

function issues(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.slice(0, 20).map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

function readId(json: unknown): number | null {
  const id = typeof json === 'object' && json !== null ? (json as { id?: unknown }).id : undefined;
  return isMessageId(id) ? id : null;
}
