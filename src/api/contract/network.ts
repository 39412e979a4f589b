import { z } from 'zod';
import { call, event, noInput } from './common.js';

/**
 * Network: whether the headset is online, on a metered connection (a phone's hotspot: bulk
 * transfers wait) or offline. The network panel (choosing and joining networks) comes later.
 */

export const NETWORK_STATES = ['online', 'metered', 'offline'] as const;

export const networkStatusSchema = z.object({
  state: z.enum(NETWORK_STATES),
  /** When the headset last saw the state change (ISO 8601); its start for the first reading. */
  since: z.string(),
});
export type NetworkStatus = z.infer<typeof networkStatusSchema>;

export const networkCalls = {
  'network.status': call({
    summary: 'Whether the headset is online, on a metered connection, or offline.',
    scope: 'status',
    input: noInput,
    output: networkStatusSchema,
    errors: [],
  }),
} as const;

export const networkEvents = {
  'network.changed': event({ summary: 'The network went online, metered or offline.', scope: 'status', payload: networkStatusSchema }),
} as const;
