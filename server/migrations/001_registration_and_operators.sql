-- Registration and inventory (seed 002 §11.3) and the operators who decide on headsets.

CREATE TABLE operators (
  username text PRIMARY KEY,
  role text NOT NULL CHECK (role IN ('admin', 'support', 'viewer')),
  -- Argon2id, libsodium's crypto_pwhash_str format.
  password_hash text NOT NULL,
  must_change_password boolean NOT NULL,
  created_at timestamptz NOT NULL,
  password_changed_at timestamptz
);

CREATE TABLE operator_sessions (
  -- SHA-256 of the cookie's token: a copy of the table logs nobody in.
  token_hash text PRIMARY KEY,
  username text NOT NULL REFERENCES operators (username) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX operator_sessions_expiry ON operator_sessions (expires_at);

CREATE TABLE devices (
  device_id uuid PRIMARY KEY,
  -- The Ed25519 key requests must be signed with, base64.
  public_key text NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected', 'decommissioned')),
  registered_at timestamptz NOT NULL,
  status_changed_at timestamptz NOT NULL,
  status_changed_by text,
  -- A new key an accepted headset registered (after a factory reset), waiting for an operator: the
  -- current key keeps working meanwhile, so registering someone else's device id takes nothing over.
  pending_public_key text,
  pending_key_since timestamptz,
  -- The device id came back with a new key at least once.
  reregistered boolean NOT NULL DEFAULT false,
  last_seen_at timestamptz,
  inventory jsonb,
  inventory_at timestamptz
);
CREATE INDEX devices_status ON devices (status);

-- Keys a device id registered before its current one.
CREATE TABLE device_previous_keys (
  device_id uuid NOT NULL REFERENCES devices (device_id) ON DELETE CASCADE,
  public_key text NOT NULL,
  registered_at timestamptz NOT NULL,
  replaced_at timestamptz NOT NULL,
  PRIMARY KEY (device_id, public_key)
);

CREATE TABLE preauthorized_devices (
  device_id uuid PRIMARY KEY,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL
);

CREATE TABLE registration_challenges (
  challenge_id uuid PRIMARY KEY,
  device_id uuid NOT NULL,
  nonce text NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX registration_challenges_expiry ON registration_challenges (expires_at);

-- Nonces of signed requests, kept past the timestamp window so that a replay inside it is refused.
CREATE TABLE request_nonces (
  device_id uuid NOT NULL,
  nonce text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (device_id, nonce)
);
CREATE INDEX request_nonces_expiry ON request_nonces (expires_at);

CREATE TABLE server_settings (
  name text PRIMARY KEY,
  value jsonb NOT NULL
);
INSERT INTO server_settings (name, value) VALUES ('reregistration_policy', '"approve"');

-- Who decided what about which headset or account, and when.
CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  subject text NOT NULL,
  details jsonb
);
CREATE INDEX audit_log_at ON audit_log (at);
