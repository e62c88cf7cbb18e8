-- When the central last heard from each device (an authenticated push or pull), kept in the
-- database so that every central instance sharing it, and a restarted one, knows it. Written
-- at most about once a minute per device (see fieldpost_central::devices::heard_from), so a
-- no-op sync stays a read.
ALTER TABLE devices ADD COLUMN last_contact_at TEXT;
