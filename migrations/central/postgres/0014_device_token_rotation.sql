-- Twin of ../0014_device_token_rotation.sql: device tokens rotate through the sync itself.
ALTER TABLE devices ADD COLUMN token_issued_at timestamptz;
UPDATE devices SET token_issued_at = enrolled_at;
ALTER TABLE devices ALTER COLUMN token_issued_at SET NOT NULL;
ALTER TABLE devices ADD COLUMN next_token_hash text COLLATE "C" UNIQUE;
ALTER TABLE devices ADD COLUMN next_token_salt text COLLATE "C";
ALTER TABLE devices ADD COLUMN next_token_offered_at timestamptz;
