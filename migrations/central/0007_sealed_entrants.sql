-- Lottery numbers sealed to the central's lottery key (issue 12; see
-- docs/decisions/2026-12-01-lottery-numbers.md). The database no longer holds a full number:
-- an entrant keeps the number sealed as the tablet sent it (`phone_sealed`, emptied when the
-- lottery's numbers are deleted), a keyed hash of it for "one entry per phone" in a campaign
-- (`phone_hash`, HMAC under a key derived from the lottery key file, which is not in this
-- database), the masked form and the carrier.
--
-- Rows stored before this migration held the plain number: it moves to `legacy_phone` until
-- the central's start-up converts it with the key (seal, hash, mask, carrier) and empties it
-- (fieldpost_central::lottery::prepare). Nothing is lost on the way.
CREATE TABLE lottery_entrants_sealed (
    id                   TEXT PRIMARY KEY,
    campaign_id          TEXT NOT NULL REFERENCES campaigns (id),
    unit_id              TEXT NOT NULL REFERENCES units (id),
    session_id           TEXT NOT NULL REFERENCES station_sessions (id),
    device_id            TEXT NOT NULL REFERENCES devices (id),
    phone_sealed         TEXT,
    phone_hash           TEXT,
    phone_masked         TEXT NOT NULL,
    carrier              TEXT NOT NULL CHECK (carrier IN ('telecom', 'mobile', 'unicom', 'other')),
    legacy_phone         TEXT,
    consent_text_version TEXT NOT NULL CHECK (consent_text_version <> ''),
    consent_given_at     TEXT NOT NULL,
    registered_at        TEXT NOT NULL,
    UNIQUE (campaign_id, phone_hash)
);
INSERT INTO lottery_entrants_sealed (id, campaign_id, unit_id, session_id, device_id,
    phone_masked, carrier, legacy_phone, consent_text_version, consent_given_at, registered_at)
SELECT id, campaign_id, unit_id, session_id, device_id,
    substr(phone, 1, 3) || '****' || substr(phone, 8), 'other', phone,
    consent_text_version, consent_given_at, registered_at
FROM lottery_entrants;
DROP TABLE lottery_entrants;
ALTER TABLE lottery_entrants_sealed RENAME TO lottery_entrants;
CREATE INDEX lottery_entrants_session ON lottery_entrants (session_id);
CREATE INDEX lottery_entrants_unit ON lottery_entrants (unit_id);

-- The stored `entrant_registered` events kept the plain number in their body: it goes, and
-- the body takes the new shape with the number's seal already emptied (the entrant's row
-- keeps the number until the start-up seals it). A replay is compared by digest, which stays.
UPDATE device_events
SET body = json_set(json_remove(body, '$.payload.entrant.phone'),
    '$.payload.entrant.phone_sealed', '',
    '$.payload.entrant.phone_masked',
        substr(json_extract(body, '$.payload.entrant.phone'), 1, 3) || '****'
        || substr(json_extract(body, '$.payload.entrant.phone'), 8),
    '$.payload.entrant.carrier', 'other')
WHERE kind = 'entrant_registered'
  AND json_extract(body, '$.payload.entrant.phone') IS NOT NULL;

-- The lottery of a campaign: the consent text read to entrants and its version (set in the
-- console, pulled by tablets), the public half of the lottery key numbers are sealed to (the
-- secret half is a file beside the central), when its numbers are to be deleted, and when they
-- were (the close). One row per campaign.
CREATE TABLE lottery (
    campaign_id     TEXT PRIMARY KEY REFERENCES campaigns (id),
    consent_text    TEXT NOT NULL,
    consent_version TEXT NOT NULL,
    public_key      TEXT,
    updated_at      TEXT NOT NULL,
    retention_date  TEXT,
    closed_at       TEXT
);

-- What each deletion of the lottery's numbers removed, and who asked (the console shows it).
CREATE TABLE lottery_deletions (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    campaign_id      TEXT NOT NULL REFERENCES campaigns (id),
    deleted_at       TEXT NOT NULL,
    deleted_by       TEXT NOT NULL,
    reason           TEXT NOT NULL,
    entrant_rows     INTEGER NOT NULL CHECK (entrant_rows >= 0),
    event_payloads   INTEGER NOT NULL CHECK (event_payloads >= 0),
    key_file_deleted INTEGER NOT NULL CHECK (key_file_deleted IN (0, 1))
);
