-- Operators an admin disabled: they cannot log in and have no session, and their name stays in the
-- audit log (which is why they are disabled rather than deleted).
ALTER TABLE operators ADD COLUMN disabled_at timestamptz;
ALTER TABLE operators ADD COLUMN disabled_by text;
