-- The TUF repository the server hosts (bytes in the blob store, under updates/NAME) and rollouts.

-- Every repository file uploaded; names are immutable (consistent snapshots, targets by hash).
CREATE TABLE update_files (
  name text PRIMARY KEY,
  sha256 text NOT NULL,
  length bigint NOT NULL,
  uploaded_at timestamptz NOT NULL,
  uploaded_by text NOT NULL
);

-- Each timestamp made the served one; the newest version is served as timestamp.json.
CREATE TABLE update_publications (
  timestamp_version bigint PRIMARY KEY,
  -- The timestamp.json exactly as uploaded.
  body text NOT NULL,
  -- The bundles its targets list, per model and version (what rollouts may choose from).
  releases jsonb NOT NULL,
  published_at timestamptz NOT NULL,
  published_by text NOT NULL
);

CREATE TABLE rollouts (
  id uuid PRIMARY KEY,
  model text NOT NULL,
  version text NOT NULL,
  -- Group tags (json array of text); empty: every headset of the model.
  group_tags jsonb NOT NULL,
  -- Cumulative percentages (json array of int), the last 100.
  phases jsonb NOT NULL,
  phase integer NOT NULL,
  state text NOT NULL CHECK (state IN ('active', 'paused', 'aborted', 'completed')),
  failure_threshold_percent real NOT NULL,
  min_failures integer NOT NULL,
  paused_because text CHECK (paused_because IN ('operator', 'failures')),
  created_at timestamptz NOT NULL,
  created_by text NOT NULL,
  updated_at timestamptz NOT NULL
);
-- One running rollout per model: two operators (or two server processes) creating one at once, one wins.
CREATE UNIQUE INDEX rollouts_one_running_per_model ON rollouts (model) WHERE state IN ('active', 'paused');

-- Where each headset offered a rollout's update is, as it last reported.
CREATE TABLE rollout_devices (
  rollout_id uuid NOT NULL REFERENCES rollouts (id),
  device_id uuid NOT NULL REFERENCES devices (device_id),
  status text NOT NULL CHECK (status IN ('offered', 'downloading', 'installed', 'committed', 'rolled_back', 'failed')),
  detail text,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (rollout_id, device_id)
);

-- Every status change, for the progress chart.
CREATE TABLE rollout_reports (
  rollout_id uuid NOT NULL REFERENCES rollouts (id),
  device_id uuid NOT NULL,
  status text NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX rollout_reports_by_rollout ON rollout_reports (rollout_id, at);
