/**
 * Unlock sessions, one per connection: opened by the right PIN, bound to the connection that gave
 * it, ended by `idleMs` without use, by the connection closing, or by a lock. Expiry is decided when
 * asked, so no timer runs; `now` is a monotonic clock (a wall-clock jump neither extends nor ends one).
 */
export class UnlockSessions {
  /** Connection id → when its session was last used. */
  private readonly lastUsed = new Map<number, number>();

  constructor(
    readonly idleMs: number,
    private readonly now: () => number,
  ) {}

  open(connection: number): void {
    this.prune();
    this.lastUsed.set(connection, this.now());
  }

  /** Whether the connection's session is alive; a session found expired is ended. */
  alive(connection: number): boolean {
    const used = this.lastUsed.get(connection);
    if (used === undefined) return false;
    if (this.now() - used < this.idleMs) return true;
    this.lastUsed.delete(connection);
    return false;
  }

  /** Milliseconds until the session ends if unused, or null without one. */
  endsIn(connection: number): number | null {
    if (!this.alive(connection)) return null;
    return this.idleMs - (this.now() - this.lastUsed.get(connection)!);
  }

  /** The connection used what its session grants: the idle time starts again. */
  touch(connection: number): void {
    if (this.alive(connection)) this.lastUsed.set(connection, this.now());
  }

  end(connection: number): void {
    this.lastUsed.delete(connection);
  }

  /** Ends every session, but `keep`'s. */
  endAll(keep?: number): void {
    for (const connection of [...this.lastUsed.keys()]) if (connection !== keep) this.lastUsed.delete(connection);
  }

  /** Sessions alive now (a closed connection whose unlock finished after it closed is dropped here). */
  get size(): number {
    this.prune();
    return this.lastUsed.size;
  }

  private prune(): void {
    for (const connection of [...this.lastUsed.keys()]) this.alive(connection);
  }
}
