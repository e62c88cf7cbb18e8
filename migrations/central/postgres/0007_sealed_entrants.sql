-- Twin of ../0007_sealed_entrants.sql: lottery numbers sealed to the central's lottery key.
-- The constraint keeps its name (`lottery_entrants_phone_key`, read by the error mapping in
-- storage/postgres/mod.rs) and now holds the keyed hash.
ALTER TABLE lottery_entrants DROP CONSTRAINT lottery_entrants_phone_key;
ALTER TABLE lottery_entrants RENAME COLUMN phone TO legacy_phone;
ALTER TABLE lottery_entrants ALTER COLUMN legacy_phone DROP NOT NULL;
ALTER TABLE lottery_entrants
    ADD COLUMN phone_sealed text COLLATE "C",
    ADD COLUMN phone_hash   text COLLATE "C",
    ADD COLUMN phone_masked text COLLATE "C",
    ADD COLUMN carrier      text COLLATE "C" NOT NULL DEFAULT 'other'
        CHECK (carrier IN ('telecom', 'mobile', 'unicom', 'other'));
UPDATE lottery_entrants
SET phone_masked = substr(legacy_phone, 1, 3) || '****' || substr(legacy_phone, 8);
ALTER TABLE lottery_entrants ALTER COLUMN phone_masked SET NOT NULL;
ALTER TABLE lottery_entrants ALTER COLUMN carrier DROP DEFAULT;
ALTER TABLE lottery_entrants
    ADD CONSTRAINT lottery_entrants_phone_key UNIQUE (campaign_id, phone_hash);
CREATE INDEX lottery_entrants_unit ON lottery_entrants (unit_id);

UPDATE device_events
SET body = jsonb_set(jsonb_set(jsonb_set(
        body::jsonb #- '{payload,entrant,phone}',
        '{payload,entrant,phone_sealed}', '""'),
        '{payload,entrant,phone_masked}',
        to_jsonb(substr(body::jsonb #>> '{payload,entrant,phone}', 1, 3) || '****'
                 || substr(body::jsonb #>> '{payload,entrant,phone}', 8))),
        '{payload,entrant,carrier}', '"other"')::text
WHERE kind = 'entrant_registered'
  AND body::jsonb #>> '{payload,entrant,phone}' IS NOT NULL;

CREATE TABLE lottery (
    campaign_id     text COLLATE "C" PRIMARY KEY REFERENCES campaigns (id),
    consent_text    text COLLATE "C" NOT NULL,
    consent_version text COLLATE "C" NOT NULL,
    public_key      text COLLATE "C",
    updated_at      timestamptz NOT NULL,
    retention_date  date,
    closed_at       timestamptz
);

CREATE TABLE lottery_deletions (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    campaign_id      text COLLATE "C" NOT NULL REFERENCES campaigns (id),
    deleted_at       timestamptz NOT NULL,
    deleted_by       text COLLATE "C" NOT NULL,
    reason           text COLLATE "C" NOT NULL,
    entrant_rows     bigint NOT NULL CHECK (entrant_rows >= 0),
    event_payloads   bigint NOT NULL CHECK (event_payloads >= 0),
    key_file_deleted boolean NOT NULL
);
