-- Telemetry from headsets (OTLP/HTTP JSON, docs/telemetry-forwarding.md) and the counters that
-- throttle logins and registration challenges.

-- Log records (events, error log lines, crash records), one partition per day of the record's own
-- time (telemetry_YYYYMMDD tables, made ahead by the server): a resent record has the same time, so
-- it meets its first copy in the same partition, and retention drops whole days.
CREATE TABLE telemetry_logs (
  day date NOT NULL,
  uid uuid NOT NULL,
  time timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  -- The last day of the record's retention (its metric's, capped by the server's).
  expires_on date NOT NULL,
  pseudonym text NOT NULL,
  category text NOT NULL,
  event_name text,
  severity smallint NOT NULL,
  body text NOT NULL,
  attributes jsonb NOT NULL,
  service_version text,
  PRIMARY KEY (day, uid)
) PARTITION BY RANGE (day);
CREATE INDEX telemetry_logs_pseudonym ON telemetry_logs (pseudonym, category);
CREATE INDEX telemetry_logs_crashes ON telemetry_logs (time) WHERE event_name = 'crash.record';
CREATE INDEX telemetry_logs_expiry ON telemetry_logs (expires_on);

-- Metric points. They carry no uid: a resent point has the same name, attributes and time, so its
-- id is a hash of those (and of the pseudonym, which is among its attributes).
CREATE TABLE telemetry_metric_points (
  day date NOT NULL,
  point_id text NOT NULL,
  time timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  expires_on date NOT NULL,
  pseudonym text NOT NULL,
  -- From the metric registry (src/telemetry/registry.ts) by name; 'unknown' for a name it lacks.
  category text NOT NULL,
  name text NOT NULL,
  unit text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('gauge', 'sum')),
  value double precision,
  attributes jsonb NOT NULL,
  service_version text,
  PRIMARY KEY (day, point_id)
) PARTITION BY RANGE (day);
CREATE INDEX telemetry_metric_points_pseudonym ON telemetry_metric_points (pseudonym, category);
CREATE INDEX telemetry_metric_points_expiry ON telemetry_metric_points (expires_on);

-- Signatures of exports received, kept past the date window so that a replay inside it is refused.
CREATE TABLE telemetry_signatures (
  signature_hash text PRIMARY KEY,
  expires_at timestamptz NOT NULL
);
CREATE INDEX telemetry_signatures_expiry ON telemetry_signatures (expires_at);

-- The telemetry key each pseudonym was first seen with (trust on first use, per week): only that
-- key's exports may ask for the pseudonym's data to be deleted.
CREATE TABLE telemetry_pseudonym_keys (
  pseudonym text PRIMARY KEY,
  public_key text NOT NULL,
  first_seen_at timestamptz NOT NULL
);
CREATE INDEX telemetry_pseudonym_keys_seen ON telemetry_pseudonym_keys (first_seen_at);

-- Fixed-window counters (logins per address and per user name, challenges per address and per
-- device id), shared by every server process.
CREATE TABLE throttle_counters (
  bucket text NOT NULL,
  window_start timestamptz NOT NULL,
  count integer NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (bucket, window_start)
);
CREATE INDEX throttle_counters_expiry ON throttle_counters (expires_at);

CREATE INDEX audit_log_action ON audit_log (action, at);
