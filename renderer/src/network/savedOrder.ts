import { PRIORITY_MAX, PRIORITY_MIN, type SavedNetwork } from '../../../src/api/contract.js';

export interface PriorityChange {
  id: string;
  priority: number;
}

/**
 * The priority changes that move a saved network one place up or down among the wearer's own
 * networks (support networks stay on top and are not moved). The two swap places' priorities; ties
 * (which the headset breaks by name) are then lifted so the order shown is the order kept, touching
 * as few networks as it can. Empty when the network cannot move that way.
 */
export function moveChanges(saved: readonly SavedNetwork[], id: string, direction: 'up' | 'down'): PriorityChange[] {
  const own = saved.filter((n) => !n.support);
  const from = own.findIndex((n) => n.id === id);
  const to = direction === 'up' ? from - 1 : from + 1;
  if (from < 0 || to < 0 || to >= own.length) return [];
  const order = [...own];
  [order[from], order[to]] = [order[to]!, order[from]!];
  // Each place keeps its priority; the networks trade places.
  const values = own.map((n) => n.priority);
  for (let k = values.length - 2; k >= 0; k--) if (values[k]! <= values[k + 1]!) values[k] = values[k + 1]! + 1;
  // Below the support networks' 999; past it (or below the floor), number them afresh.
  if (values[0]! >= PRIORITY_MAX || values.at(-1)! < PRIORITY_MIN) values.splice(0, values.length, ...order.map((_, k) => order.length - 1 - k));
  return order.flatMap((n, k) => (n.priority === values[k] ? [] : [{ id: n.id, priority: values[k]! }]));
}
