-- The station's offline store. Timestamps are RFC 3339 UTC text with microseconds, so text
-- order is time order. Quantities are integers checked in the transaction that changes them.

-- Who this tablet is: one row, written at enrollment.
CREATE TABLE device_identity (
    singleton    INTEGER PRIMARY KEY CHECK (singleton = 1),
    device_id    TEXT NOT NULL,
    unit_id      TEXT NOT NULL,
    server_url   TEXT NOT NULL,
    token        TEXT NOT NULL,
    enrolled_at  TEXT NOT NULL
);

-- The sync's bookmarks: acked_through is the highest seq the central has confirmed.
CREATE TABLE sync_state (
    singleton      INTEGER PRIMARY KEY CHECK (singleton = 1),
    acked_through  INTEGER NOT NULL DEFAULT 0 CHECK (acked_through >= 0),
    pull_cursor    INTEGER NOT NULL DEFAULT 0,
    last_success   TEXT,
    last_error     TEXT
);
INSERT INTO sync_state (singleton) VALUES (1);

-- The device's append-only event log; events past acked_through are the outbox. seq is the
-- rowid: the next one is MAX(seq) + 1, read in the same transaction as the insert, so seqs
-- are gap-free (a rolled-back write takes its seq with it) at the cost of one B-tree. Events
-- are never deleted, so the maximum never moves back. The id's uniqueness is the central's
-- to enforce (UUIDv7 from this device's clock and randomness); an index here would be
-- another page written by every tap.
CREATE TABLE events (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL,
    kind         TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    payload      TEXT NOT NULL
);

-- Reference data cached from the central (and plans drafted here).
CREATE TABLE campaign (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    city              TEXT NOT NULL,
    publicity_start   TEXT NOT NULL,
    publicity_end     TEXT NOT NULL,
    collection_start  TEXT NOT NULL,
    collection_end    TEXT NOT NULL,
    target            INTEGER NOT NULL CHECK (target >= 0)
);

CREATE TABLE unit (
    id           TEXT PRIMARY KEY,
    campaign_id  TEXT NOT NULL,
    section_id   TEXT NOT NULL,
    name         TEXT NOT NULL,
    quota        INTEGER NOT NULL CHECK (quota >= 0),
    survey_link  TEXT NOT NULL,
    contact      TEXT
);

CREATE TABLE item (
    id          TEXT PRIMARY KEY,
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('gift', 'prize')),
    unit_label  TEXT NOT NULL,
    donor       TEXT
);

CREATE TABLE plan (
    id               TEXT PRIMARY KEY,
    unit_id          TEXT NOT NULL,
    title            TEXT NOT NULL,
    location         TEXT NOT NULL,
    starts_at        TEXT NOT NULL,
    ends_at          TEXT NOT NULL CHECK (ends_at > starts_at),
    expected_people  INTEGER NOT NULL CHECK (expected_people >= 0),
    staff            TEXT NOT NULL,
    requested        TEXT NOT NULL,  -- JSON [ItemQuantity]
    status           TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'approved', 'rejected', 'closed')),
    allocation       TEXT NOT NULL,  -- JSON [ItemQuantity]
    reject_reason    TEXT,
    revision         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX plan_by_window ON plan (starts_at, ends_at);

CREATE TABLE grant_row (
    id         TEXT PRIMARY KEY,
    plan_id    TEXT NOT NULL REFERENCES plan (id),
    device_id  TEXT NOT NULL,
    item_id    TEXT NOT NULL REFERENCES item (id),
    quantity   INTEGER NOT NULL CHECK (quantity >= 0)
);
CREATE INDEX grant_by_plan_item ON grant_row (plan_id, item_id);

-- What happened at the station.
CREATE TABLE session (
    id                       TEXT PRIMARY KEY,
    plan_id                  TEXT NOT NULL REFERENCES plan (id),
    device_id                TEXT NOT NULL,
    station                  TEXT NOT NULL,
    opened_at                TEXT NOT NULL,
    closed_at                TEXT,
    people_reached           INTEGER NOT NULL DEFAULT 0 CHECK (people_reached >= 0),
    questionnaires_assisted  INTEGER NOT NULL DEFAULT 0 CHECK (questionnaires_assisted >= 0)
);
-- One open session per device, enforced by the store itself.
CREATE UNIQUE INDEX one_open_session ON session (device_id) WHERE closed_at IS NULL;
CREATE INDEX session_by_plan ON session (plan_id);

CREATE TABLE check_in (
    id              TEXT PRIMARY KEY,
    session_id      TEXT NOT NULL REFERENCES session (id),
    volunteer_name  TEXT NOT NULL,
    ivolunteer_id   TEXT,
    checked_in_at   TEXT NOT NULL,
    checked_out_at  TEXT
);
CREATE INDEX check_in_by_session ON check_in (session_id);

-- Keyed by its UUIDv7 id, so key order is time order: the open session's latest handouts
-- sit at the end of the table, which is where undo looks. No index by session: per-session
-- figures come from session_item, and every index is another page written by every tap.
CREATE TABLE handout (
    id                 TEXT PRIMARY KEY NOT NULL,
    session_id         TEXT NOT NULL REFERENCES session (id),
    plan_id            TEXT NOT NULL REFERENCES plan (id),
    item_id            TEXT NOT NULL REFERENCES item (id),
    quantity           INTEGER NOT NULL CHECK (quantity > 0),
    handed_out_at      TEXT NOT NULL,
    over_grant_reason  TEXT
) WITHOUT ROWID;

-- Per session and item: what was handed out (voids deducted), how many exceptions and voids.
-- Updated in the transaction of every handout and void, so a tap touches one small row
-- instead of an index, and the device's escrow position for a plan is a sum over a handful
-- of session rows. The store's tests check these counters against the handout rows.
CREATE TABLE session_item (
    session_id  TEXT NOT NULL REFERENCES session (id),
    item_id     TEXT NOT NULL REFERENCES item (id),
    handed_out  INTEGER NOT NULL DEFAULT 0 CHECK (handed_out >= 0),
    exceptions  INTEGER NOT NULL DEFAULT 0 CHECK (exceptions >= 0),
    voided      INTEGER NOT NULL DEFAULT 0 CHECK (voided >= 0),
    PRIMARY KEY (session_id, item_id)
) WITHOUT ROWID;

-- A void is a compensating record: the handout row stays. One void per handout.
CREATE TABLE handout_void (
    handout_id  TEXT PRIMARY KEY REFERENCES handout (id),
    reason      TEXT NOT NULL,
    voided_at   TEXT NOT NULL
);

CREATE TABLE grant_release (
    id           TEXT PRIMARY KEY,
    plan_id      TEXT NOT NULL REFERENCES plan (id),
    item_id      TEXT NOT NULL REFERENCES item (id),
    quantity     INTEGER NOT NULL CHECK (quantity > 0),
    released_at  TEXT NOT NULL
);
CREATE INDEX grant_release_by_plan_item ON grant_release (plan_id, item_id);

CREATE TABLE entrant (
    id                    TEXT PRIMARY KEY,
    session_id            TEXT NOT NULL REFERENCES session (id),
    phone                 TEXT NOT NULL UNIQUE,
    consent_text_version  TEXT NOT NULL,
    consent_given_at      TEXT NOT NULL,
    registered_at         TEXT NOT NULL
);
