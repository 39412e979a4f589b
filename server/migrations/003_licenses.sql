-- Licences issued to registered headsets (docs/licensing.md) and the signed revocation lists.

CREATE TABLE licenses (
  serial text PRIMARY KEY,
  device_id uuid NOT NULL REFERENCES devices (device_id),
  licensee text NOT NULL,
  expires_at timestamptz NOT NULL,
  -- The signed file exactly as handed out (hc-license-v1).
  file text NOT NULL,
  issued_at timestamptz NOT NULL,
  issued_by text NOT NULL,
  revoked_at timestamptz,
  revoked_by text
);
CREATE INDEX licenses_device ON licenses (device_id);

-- Every list signed, newest version last; a revocation signs a new version (versions only go up).
CREATE TABLE license_revocation_lists (
  version bigint PRIMARY KEY,
  issued_at timestamptz NOT NULL,
  -- The signed list exactly as served (hc-revocations-v1).
  body text NOT NULL
);
