-- Issue 14, item 4: device tokens rotate through the sync itself
-- (docs/decisions/2026-12-01-device-token-rotation.md).
--
-- `token_hash` stays the device's current token. `token_issued_at` says when it was issued:
-- a token from before this migration counts from the device's enrollment, so it is offered a
-- successor at its next sync, and keeps working until the device uses that successor.
--
-- The successor (`next_token_*`) is minted when a device presents a current token older than
-- the rotation period. Only its hash is kept, with a random salt from which the central
-- derives it again from the presented current token: every answer to that token carries the
-- same successor, so concurrent requests and a lost answer cannot leave the tablet holding a
-- token the central no longer knows. The first request with the successor makes it current;
-- the old token dies then. Revoking a device refuses both.
ALTER TABLE devices ADD COLUMN token_issued_at TEXT;
UPDATE devices SET token_issued_at = enrolled_at;
ALTER TABLE devices ADD COLUMN next_token_hash TEXT;
ALTER TABLE devices ADD COLUMN next_token_salt TEXT;
ALTER TABLE devices ADD COLUMN next_token_offered_at TEXT;
CREATE UNIQUE INDEX devices_next_token ON devices (next_token_hash);
