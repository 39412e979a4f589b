import type { SubsystemLogger } from '../logging/Logger.js';
import type { ChunkStore } from './ChunkStore.js';
import type { OutboxCounters } from './OutboxCounters.js';
import type { OutboxPriority } from './ports.js';

/** Eviction order under pressure. */
const EVICTION_ORDER: readonly OutboxPriority[] = ['debug', 'bulk', 'normal'];
/** What a critical record may push out: everything else first, then the oldest critical chunk. */
const PRIORITIES_BY_EVICTION: readonly OutboxPriority[] = [...EVICTION_ORDER, 'critical'];

/**
 * The outbox's bound: whole chunks go, debug first, then bulk, then normal, oldest first, and only
 * then the oldest critical chunk. The bound is hard, so a crash loop while offline cannot fill the
 * disk. A record only pushes out records of its own priority or lower; chunks in flight stay.
 */
export class EvictionPolicy {
  constructor(
    private readonly store: ChunkStore,
    private readonly counters: OutboxCounters,
    private readonly limitBytes: number,
    private readonly log?: SubsystemLogger,
  ) {}

  /**
   * Evicts chunks until `size` more bytes fit. False when they do not: the record is dropped, or
   * held if critical (what would make room is in flight). A critical record pushes out the oldest
   * critical chunk last: the bound holds for them too.
   */
  async makeRoom(priority: OutboxPriority, size: number): Promise<boolean> {
    while (this.store.totalBytes() + size > this.limitBytes) {
      if (!(await this.evictOne(priority, { critical: true }))) return false;
    }
    return true;
  }

  /**
   * Removes the oldest chunk a `forPriority` record may push out; `critical: true` lets a critical
   * record push out critical chunks (the bound), not a full disk (held records wait for deliveries).
   */
  async evictOne(forPriority: OutboxPriority, options: { critical: boolean }): Promise<boolean> {
    const allowed =
      forPriority !== 'critical'
        ? EVICTION_ORDER.slice(0, EVICTION_ORDER.indexOf(forPriority) + 1)
        : options.critical
          ? PRIORITIES_BY_EVICTION
          : EVICTION_ORDER;
    for (const priority of allowed) {
      const victim = this.store
        .all()
        .filter((chunk) => chunk.priority === priority && !chunk.inFlight)
        .sort((a, b) => a.seq - b.seq)[0];
      if (victim) {
        this.counters.countDropped(victim.records);
        this.log?.warn(`outbox full: dropped ${victim.records} ${priority} records`);
        await this.store.remove(victim);
        return true;
      }
    }
    return false;
  }
}
