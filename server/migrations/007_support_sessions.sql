-- Support sessions an operator opened for a headset (issue 14): delivered, with the relay, in the
-- answer to the headset's signed check-in until closed or past their end.
CREATE TABLE support_sessions (
  session_id uuid PRIMARY KEY,
  device_id uuid NOT NULL REFERENCES devices (device_id) ON DELETE CASCADE,
  reason text NOT NULL,
  -- The relay as handed out when it was opened (--support-relay then), so a restart with another
  -- relay file does not change a session a headset may already be dialling.
  relay jsonb NOT NULL,
  opened_by text NOT NULL,
  opened_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  delivered_at timestamptz,
  closed_at timestamptz,
  closed_by text
);
-- At most one session not closed per headset; one past its end is closed before another opens.
CREATE UNIQUE INDEX support_sessions_one_open ON support_sessions (device_id) WHERE closed_at IS NULL;
CREATE INDEX support_sessions_device ON support_sessions (device_id, opened_at DESC);
