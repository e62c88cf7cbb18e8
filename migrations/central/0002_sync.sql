-- Offline-first sync (issue 4): what the stations' events update on the central, and what the
-- push and pull paths need to stay indexed lookups at any size.

-- Why an event was quarantined, as a stable code for the station's translated text (the
-- English reason is in quarantine_reason).
ALTER TABLE device_events ADD COLUMN quarantine_code TEXT;

-- The change log keeps one row per record: its latest change. A change to a record deletes
-- the record's previous row in the same transaction, so a pull from cursor 0 is a snapshot
-- (each record once) and the log grows with the records, not with their updates. AUTOINCREMENT
-- never hands out a deleted number again, so server_seq still only grows.
CREATE INDEX change_log_entity ON change_log (entity_id, entity);
DELETE FROM change_log
WHERE server_seq NOT IN (SELECT MAX(server_seq) FROM change_log GROUP BY entity, entity_id);

-- Handouts arrive in pushed batches of thousands. Rather than one change-log row each, a
-- batch writes one `handout_batch` row and its handouts carry that row's server_seq: a pull
-- that meets the row sends the batch's handouts, found through this index (appended in key
-- order, so it costs one page per batch, not one per handout). A later change to one
-- handout (a void) still writes its own `handout` row.
ALTER TABLE handouts ADD COLUMN batch_seq INTEGER;
CREATE INDEX handouts_batch ON handouts (batch_seq) WHERE batch_seq IS NOT NULL;

-- What each device may still hand out or release under a plan, per item:
--   grant − release − handout + handout_void
-- kept in step with stock_ledger by every post, so that a handout's check is one point
-- lookup instead of a sum over the device's ever-growing ledger rows.
CREATE TABLE grant_balances (
    device_id TEXT NOT NULL,
    plan_id   TEXT NOT NULL,
    item_id   TEXT NOT NULL,
    available INTEGER NOT NULL,
    PRIMARY KEY (device_id, plan_id, item_id)
) WITHOUT ROWID;
INSERT INTO grant_balances (device_id, plan_id, item_id, available)
SELECT device_id, plan_id, item_id,
       SUM(CASE kind WHEN 'grant' THEN quantity WHEN 'handout_void' THEN quantity
                     ELSE -quantity END)
FROM stock_ledger
WHERE device_id IS NOT NULL AND kind IN ('grant', 'release', 'handout', 'handout_void')
GROUP BY device_id, plan_id, item_id;

-- A plan's allocation (allocation − return) without reading its handout rows; partial, so
-- the handouts (most of the ledger) add nothing to it.
CREATE INDEX stock_ledger_plan_allocation ON stock_ledger (plan_id, item_id)
    WHERE kind IN ('allocation', 'return');

-- One staffed period at one station, with its tallies. `exception` notes what the central
-- found odd but kept (the station saw the facts happen): e.g. the plan was closed by the time
-- the session reached the central, or the session opened outside the plan's window.
CREATE TABLE station_sessions (
    id                      TEXT PRIMARY KEY,
    plan_id                 TEXT NOT NULL REFERENCES plans (id),
    unit_id                 TEXT NOT NULL REFERENCES units (id),
    device_id               TEXT NOT NULL REFERENCES devices (id),
    station                 TEXT NOT NULL,
    opened_at               TEXT NOT NULL,
    closed_at               TEXT,
    people_reached          INTEGER NOT NULL DEFAULT 0 CHECK (people_reached >= 0),
    questionnaires_assisted INTEGER NOT NULL DEFAULT 0 CHECK (questionnaires_assisted >= 0),
    exception               TEXT
);
CREATE INDEX station_sessions_plan ON station_sessions (plan_id);

-- Volunteer check-ins and check-outs (志愿服务时长): hours are checked_out_at − checked_in_at.
CREATE TABLE volunteer_check_ins (
    id             TEXT PRIMARY KEY,
    session_id     TEXT NOT NULL REFERENCES station_sessions (id),
    device_id      TEXT NOT NULL REFERENCES devices (id),
    volunteer_name TEXT NOT NULL,
    ivolunteer_id  TEXT,
    checked_in_at  TEXT NOT NULL,
    checked_out_at TEXT
);
CREATE INDEX volunteer_check_ins_session ON volunteer_check_ins (session_id);

-- Lottery entrants. The phone number is personal information: stored in full only because
-- the entrant consented (the consent is stored with it), shown masked everywhere, exported
-- only to the carrier that credits a prize, never written to a log. One entry per number
-- per campaign.
CREATE TABLE lottery_entrants (
    id                   TEXT PRIMARY KEY,
    campaign_id          TEXT NOT NULL REFERENCES campaigns (id),
    unit_id              TEXT NOT NULL REFERENCES units (id),
    session_id           TEXT NOT NULL REFERENCES station_sessions (id),
    device_id            TEXT NOT NULL REFERENCES devices (id),
    phone                TEXT NOT NULL,
    consent_text_version TEXT NOT NULL CHECK (consent_text_version <> ''),
    consent_given_at     TEXT NOT NULL,
    registered_at        TEXT NOT NULL,
    UNIQUE (campaign_id, phone)
);
CREATE INDEX lottery_entrants_session ON lottery_entrants (session_id);
