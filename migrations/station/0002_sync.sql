-- What the sync brings down besides reference data, and the sync's own bookkeeping.

CREATE TABLE section (
    id    TEXT PRIMARY KEY,
    code  TEXT NOT NULL,
    name  TEXT NOT NULL
);

-- Handouts that other devices of the unit reported, as the central relayed them: the unit's
-- whole picture for the team leader, and a replacement tablet's memory. This device's own
-- handouts live in `handout`.
CREATE TABLE unit_handout (
    id                 TEXT PRIMARY KEY NOT NULL,
    device_id          TEXT NOT NULL,
    session_id         TEXT NOT NULL,
    plan_id            TEXT NOT NULL,
    item_id            TEXT NOT NULL,
    quantity           INTEGER NOT NULL CHECK (quantity > 0),
    handed_out_at      TEXT NOT NULL,
    over_grant_reason  TEXT,
    voided_at          TEXT
) WITHOUT ROWID;

-- Events of this device that the central stored but could not apply, with why: shown to the
-- volunteer until they are dealt with.
CREATE TABLE quarantine (
    seq         INTEGER PRIMARY KEY,
    event_id    TEXT NOT NULL,
    code        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    noticed_at  TEXT NOT NULL
);
