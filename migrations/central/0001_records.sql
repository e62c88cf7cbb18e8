-- The central's records: campaign, sections, units, items, the stock ledger, activity plans,
-- collection counts, devices, console users and the audit log.
--
-- Ids are UUIDv7 text (time-ordered). Times are UTC text as rusqlite's chrono support writes
-- them ("YYYY-MM-DD HH:MM:SS.ffffff+00:00"), which sorts in time order. Quantities are
-- integers; balances are never stored: they are sums over stock_ledger.

-- Every change a station may pull, stamped with a monotonically increasing server_seq
-- (AUTOINCREMENT never reuses a value). unit_id NULL means campaign-wide (campaign, items,
-- sections); otherwise the change belongs to that unit's scope. Written in the same
-- transaction as the change it records.
CREATE TABLE change_log (
    server_seq INTEGER PRIMARY KEY AUTOINCREMENT,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    unit_id    TEXT,
    device_id  TEXT,
    changed_at TEXT NOT NULL
);
CREATE INDEX change_log_unit ON change_log (unit_id, server_seq);

CREATE TABLE campaigns (
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    city             TEXT NOT NULL,
    publicity_start  TEXT NOT NULL,
    publicity_end    TEXT NOT NULL,
    collection_start TEXT NOT NULL,
    collection_end   TEXT NOT NULL,
    target           INTEGER NOT NULL CHECK (target >= 0),
    note             TEXT,
    CHECK (publicity_start <= publicity_end),
    CHECK (collection_start < collection_end)
);

CREATE TABLE sections (
    id          TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    position    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (campaign_id, code)
);

CREATE TABLE units (
    id          TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    section_id  TEXT NOT NULL REFERENCES sections (id),
    name        TEXT NOT NULL,
    quota       INTEGER NOT NULL CHECK (quota >= 0),
    survey_link TEXT NOT NULL UNIQUE,
    contact     TEXT,
    UNIQUE (campaign_id, name)
);
CREATE INDEX units_section ON units (section_id);

CREATE TABLE items (
    id          TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL REFERENCES campaigns (id),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('gift', 'prize')),
    unit_label  TEXT NOT NULL,
    donor       TEXT,
    UNIQUE (campaign_id, code)
);

CREATE TABLE plans (
    id              TEXT PRIMARY KEY,
    unit_id         TEXT NOT NULL REFERENCES units (id),
    title           TEXT NOT NULL,
    location        TEXT NOT NULL,
    starts_at       TEXT NOT NULL,
    ends_at         TEXT NOT NULL,
    expected_people INTEGER NOT NULL CHECK (expected_people >= 0),
    staff           TEXT NOT NULL,
    status          TEXT NOT NULL
        CHECK (status IN ('draft', 'submitted', 'approved', 'rejected', 'closed')),
    reject_reason   TEXT,
    revision        INTEGER NOT NULL DEFAULT 0 CHECK (revision >= 0),
    filed_at        TEXT NOT NULL,
    decided_at      TEXT,
    CHECK (starts_at <= ends_at)
);
CREATE INDEX plans_unit ON plans (unit_id);

-- What the unit asked for; the allocation itself lives in the ledger.
CREATE TABLE plan_requests (
    plan_id  TEXT NOT NULL REFERENCES plans (id),
    item_id  TEXT NOT NULL REFERENCES items (id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (plan_id, item_id)
);

CREATE TABLE devices (
    id          TEXT PRIMARY KEY,
    unit_id     TEXT NOT NULL REFERENCES units (id),
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    enrolled_at TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE INDEX devices_unit ON devices (unit_id);

-- One-time codes; only their SHA-256 is kept, like tokens.
CREATE TABLE enrollment_codes (
    code_hash  TEXT PRIMARY KEY,
    unit_id    TEXT NOT NULL REFERENCES units (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    device_id  TEXT REFERENCES devices (id)
);

-- The stock ledger. Every movement of an item is one row; balances are sums:
--   on hand (item)            = receipt - write_off - allocation + return
--   allocated (plan, item)    = allocation - return
--   granted (plan, dev, item) = grant - release
--   handed out (plan, dev)    = handout - handout_void
-- The store checks, in the same transaction as the insert, that on hand >= 0,
-- allocated >= granted (summed over devices) and, per device, granted >= handed out.
CREATE TABLE stock_ledger (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    item_id    TEXT NOT NULL REFERENCES items (id),
    kind       TEXT NOT NULL CHECK (kind IN (
        'receipt', 'write_off', 'allocation', 'return',
        'grant', 'release', 'handout', 'handout_void')),
    quantity   INTEGER NOT NULL CHECK (quantity > 0),
    plan_id    TEXT REFERENCES plans (id),
    device_id  TEXT REFERENCES devices (id),
    handout_id TEXT,
    note       TEXT,
    actor      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    CHECK ((kind IN ('receipt', 'write_off')) = (plan_id IS NULL)),
    CHECK ((kind IN ('grant', 'release', 'handout', 'handout_void')) = (device_id IS NOT NULL)),
    -- A void names its handout; handouts synced in one push post one row per plan, item and
    -- device for the batch (the handouts table has each one), so they may name none.
    CHECK ((kind = 'handout_void') <= (handout_id IS NOT NULL)),
    CHECK (kind IN ('handout', 'handout_void') OR handout_id IS NULL)
);
CREATE INDEX stock_ledger_item ON stock_ledger (item_id, kind);
CREATE INDEX stock_ledger_plan ON stock_ledger (plan_id, item_id, device_id);

-- Every handout a device reported, kept even when it went beyond the device's grant.
-- No foreign keys here or on device_events: these are the tables pushes append to by the
-- thousand, and the push path checks every reference (the authenticated device, a plan of
-- its unit, a known item) in the same transaction before it inserts; SQLite's per-row
-- foreign-key lookups cost 40% of a push (measured with crates/server/examples/sync_timing).
-- `backed` is the part the device's grant covered (posted to the ledger); the rest is an
-- exception for the secretariat to reconcile.
CREATE TABLE handouts (
    id               TEXT PRIMARY KEY NOT NULL,
    plan_id          TEXT NOT NULL,
    device_id        TEXT NOT NULL,
    session_id       TEXT NOT NULL,
    item_id          TEXT NOT NULL,
    quantity         INTEGER NOT NULL CHECK (quantity > 0),
    backed           INTEGER NOT NULL CHECK (backed >= 0 AND backed <= quantity),
    handed_out_at    TEXT NOT NULL,
    over_grant_reason TEXT,
    voided_at        TEXT,
    void_reason      TEXT
) WITHOUT ROWID;
CREATE INDEX handouts_plan ON handouts (plan_id, item_id);

-- Device events as pushed: (device_id, seq) is gap-free per device. Keyed by (device, seq)
-- without a rowid, so a device's batch appends to one range of one B-tree; the event id is
-- unique across all devices (a reused id is a conflict).
CREATE TABLE device_events (
    device_id   TEXT NOT NULL,
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    id          TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL,
    body        TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    received_at TEXT NOT NULL,
    quarantine_reason TEXT,
    PRIMARY KEY (device_id, seq)
) WITHOUT ROWID;

-- Questionnaires collected through each unit's link, per day, from the platform's export.
-- A re-import of a day replaces that day's count.
CREATE TABLE collection_counts (
    unit_id     TEXT NOT NULL REFERENCES units (id),
    day         TEXT NOT NULL,
    count       INTEGER NOT NULL CHECK (count >= 0),
    imported_at TEXT NOT NULL,
    PRIMARY KEY (unit_id, day)
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    unit_id       TEXT REFERENCES units (id),
    created_at    TEXT NOT NULL
);

CREATE TABLE console_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE audit_log (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT,
    detail  TEXT NOT NULL
);

-- Marks one-off seeding (the demo), so a restart seeds nothing twice.
CREATE TABLE seeds (
    name      TEXT PRIMARY KEY,
    seeded_at TEXT NOT NULL
);
