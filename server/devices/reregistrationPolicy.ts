import { REREGISTRATION_POLICIES, type ReregistrationPolicy } from '../../src/fleet/operatorApi.js';
import type { Queryable } from '../db/Database.js';

/** The policy for a known device id with a new key, kept in the database so every server process follows the same. */
export async function readReregistrationPolicy(db: Queryable): Promise<ReregistrationPolicy> {
  const row = (await db.query<{ value: unknown }>("SELECT value FROM server_settings WHERE name = 'reregistration_policy'")).rows[0];
  // Anything unexpected falls back to the safe default: an operator approves.
  return REREGISTRATION_POLICIES.find((p) => p === row?.value) ?? 'approve';
}

export async function writeReregistrationPolicy(db: Queryable, policy: ReregistrationPolicy): Promise<void> {
  await db.query(
    "INSERT INTO server_settings (name, value) VALUES ('reregistration_policy', $1) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
    [JSON.stringify(policy)],
  );
}
