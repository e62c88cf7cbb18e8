-- Issue 14, item 4 (docs/decisions/2026-12-01-device-token-rotation.md): the token this tablet
-- held before the central's last rotation, encrypted under the device key like the current
-- one. The central refuses it once it has seen the new one; the tablet tries it only when its
-- current token is refused, which happens when the central was restored from a backup taken
-- before that rotation. NULL until the first rotation, and after an enrollment.
ALTER TABLE device_identity ADD COLUMN previous_token_sealed TEXT;
