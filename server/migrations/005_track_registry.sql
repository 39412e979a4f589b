-- The fleet's track registry (docs/tracks.md, "The fleet registry"): canonical tracks from headsets'
-- signatures (a centreline in metres around the track's centre and its coarse cells, no drive).

-- Every change to a track takes the next number; headsets sync from the last they saw. Writers hold
-- a lock on registry_tracks, so numbers are committed in order and a cursor never skips one.
CREATE SEQUENCE registry_revision_seq;

CREATE TABLE registry_tracks (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  -- active, or retired (an older layout, kept so laps on it keep their track)
  status text NOT NULL,
  layout integer NOT NULL,
  superseded_by uuid REFERENCES registry_tracks (id),
  revision bigint NOT NULL,
  signature jsonb NOT NULL,
  length_m double precision NOT NULL,
  created_at timestamptz NOT NULL,
  created_by text NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX registry_tracks_revision ON registry_tracks (revision);

-- The coarse cells each track passes through: a proposal is compared only with tracks of its venue.
CREATE TABLE registry_track_cells (
  cell text NOT NULL,
  track_id uuid NOT NULL REFERENCES registry_tracks (id),
  PRIMARY KEY (cell, track_id)
);

-- Other names headsets' wearers gave the same geometry.
CREATE TABLE registry_track_aliases (
  track_id uuid NOT NULL REFERENCES registry_tracks (id),
  name_key text NOT NULL,
  name text NOT NULL,
  first_seen_at timestamptz NOT NULL,
  PRIMARY KEY (track_id, name_key)
);

-- Which headset's track is which canonical track (one row per headset's track).
CREATE TABLE registry_track_links (
  device_id uuid NOT NULL REFERENCES devices (device_id),
  local_id text NOT NULL,
  track_id uuid NOT NULL REFERENCES registry_tracks (id),
  linked_at timestamptz NOT NULL,
  PRIMARY KEY (device_id, local_id)
);
CREATE INDEX registry_track_links_track ON registry_track_links (track_id);

-- What the rules leave to an operator (or, for a revised layout, to a second headset).
CREATE TABLE registry_conflicts (
  id uuid PRIMARY KEY,
  kind text NOT NULL,
  state text NOT NULL,
  track_id uuid NOT NULL REFERENCES registry_tracks (id),
  proposed_name text NOT NULL,
  signature jsonb NOT NULL,
  distance_m double precision,
  length_m double precision NOT NULL,
  device_id uuid NOT NULL REFERENCES devices (device_id),
  local_id text NOT NULL,
  created_at timestamptz NOT NULL,
  resolution text,
  resolved_by text,
  resolved_at timestamptz,
  result_track_id uuid REFERENCES registry_tracks (id)
);
CREATE INDEX registry_conflicts_open ON registry_conflicts (state, track_id);
