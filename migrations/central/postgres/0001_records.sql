-- The central's records on PostgreSQL: the twin of ../0001_records.sql (same tables, same
-- names, same rules), in PostgreSQL's types. Read the SQLite file for what each table is for;
-- comments here say only where PostgreSQL differs.
--
-- Ids are UUIDv7 text, as on SQLite, so that both databases bind and compare them alike.
-- Times are timestamptz (microseconds, as SQLite's fixed-width text); quantities bigint.
-- Where SQLite reads rows in insertion order (`ORDER BY rowid`), a table here has
-- `row_order`, an identity column, for the same order.
--
-- Every text column is `COLLATE "C"`: text compares and sorts by its bytes, as SQLite's
-- BINARY does, whatever locale the database was created with (lists come out in the same
-- order on both), and the B-trees over ids compare with memcmp instead of the locale's
-- strcoll.

-- server_seq is an identity, but numbers are handed out only under a transaction-scoped
-- advisory lock held to commit, so they become visible in the order they were handed out
-- (see crates/central/src/storage/postgres/change_log.rs).
CREATE TABLE change_log (
    server_seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity     text COLLATE "C" NOT NULL,
    entity_id  text COLLATE "C" NOT NULL,
    unit_id    text COLLATE "C",
    device_id  text COLLATE "C",
    changed_at timestamptz NOT NULL
);
CREATE INDEX change_log_unit ON change_log (unit_id, server_seq);

CREATE TABLE campaigns (
    id               text COLLATE "C" PRIMARY KEY,
    name             text COLLATE "C" NOT NULL,
    city             text COLLATE "C" NOT NULL,
    publicity_start  date NOT NULL,
    publicity_end    date NOT NULL,
    collection_start timestamptz NOT NULL,
    collection_end   timestamptz NOT NULL,
    target           bigint NOT NULL CHECK (target >= 0),
    note             text COLLATE "C",
    row_order        bigint GENERATED ALWAYS AS IDENTITY,
    CHECK (publicity_start <= publicity_end),
    CHECK (collection_start < collection_end)
);

CREATE TABLE sections (
    id          text COLLATE "C" PRIMARY KEY,
    campaign_id text COLLATE "C" NOT NULL REFERENCES campaigns (id),
    code        text COLLATE "C" NOT NULL,
    name        text COLLATE "C" NOT NULL,
    position    bigint NOT NULL DEFAULT 0,
    row_order   bigint GENERATED ALWAYS AS IDENTITY,
    CONSTRAINT sections_code_key UNIQUE (campaign_id, code)
);

CREATE TABLE units (
    id          text COLLATE "C" PRIMARY KEY,
    campaign_id text COLLATE "C" NOT NULL REFERENCES campaigns (id),
    section_id  text COLLATE "C" NOT NULL REFERENCES sections (id),
    name        text COLLATE "C" NOT NULL,
    quota       bigint NOT NULL CHECK (quota >= 0),
    survey_link text COLLATE "C" NOT NULL CONSTRAINT units_survey_link_key UNIQUE,
    contact     text COLLATE "C",
    row_order   bigint GENERATED ALWAYS AS IDENTITY,
    CONSTRAINT units_name_key UNIQUE (campaign_id, name)
);
CREATE INDEX units_section ON units (section_id);

CREATE TABLE items (
    id          text COLLATE "C" PRIMARY KEY,
    campaign_id text COLLATE "C" NOT NULL REFERENCES campaigns (id),
    code        text COLLATE "C" NOT NULL,
    name        text COLLATE "C" NOT NULL,
    kind        text COLLATE "C" NOT NULL CHECK (kind IN ('gift', 'prize')),
    unit_label  text COLLATE "C" NOT NULL,
    donor       text COLLATE "C",
    row_order   bigint GENERATED ALWAYS AS IDENTITY,
    CONSTRAINT items_code_key UNIQUE (campaign_id, code)
);

CREATE TABLE plans (
    id              text COLLATE "C" PRIMARY KEY,
    unit_id         text COLLATE "C" NOT NULL REFERENCES units (id),
    title           text COLLATE "C" NOT NULL,
    location        text COLLATE "C" NOT NULL,
    starts_at       timestamptz NOT NULL,
    ends_at         timestamptz NOT NULL,
    expected_people bigint NOT NULL CHECK (expected_people >= 0),
    staff           text COLLATE "C" NOT NULL,
    status          text COLLATE "C" NOT NULL
        CHECK (status IN ('draft', 'submitted', 'approved', 'rejected', 'closed')),
    reject_reason   text COLLATE "C",
    revision        bigint NOT NULL DEFAULT 0 CHECK (revision >= 0),
    filed_at        timestamptz NOT NULL,
    decided_at      timestamptz,
    CHECK (starts_at <= ends_at)
);
CREATE INDEX plans_unit ON plans (unit_id);

CREATE TABLE plan_requests (
    plan_id   text COLLATE "C" NOT NULL REFERENCES plans (id),
    item_id   text COLLATE "C" NOT NULL REFERENCES items (id),
    quantity  bigint NOT NULL CHECK (quantity > 0),
    row_order bigint GENERATED ALWAYS AS IDENTITY,
    PRIMARY KEY (plan_id, item_id)
);

CREATE TABLE devices (
    id          text COLLATE "C" PRIMARY KEY,
    unit_id     text COLLATE "C" NOT NULL REFERENCES units (id),
    name        text COLLATE "C" NOT NULL,
    token_hash  text COLLATE "C" NOT NULL UNIQUE,
    enrolled_at timestamptz NOT NULL,
    revoked_at  timestamptz,
    row_order   bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX devices_unit ON devices (unit_id);

CREATE TABLE enrollment_codes (
    code_hash  text COLLATE "C" PRIMARY KEY,
    unit_id    text COLLATE "C" NOT NULL REFERENCES units (id),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    device_id  text COLLATE "C" REFERENCES devices (id)
);

CREATE TABLE stock_ledger (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id         text COLLATE "C" NOT NULL UNIQUE,
    item_id    text COLLATE "C" NOT NULL REFERENCES items (id),
    kind       text COLLATE "C" NOT NULL CHECK (kind IN (
        'receipt', 'write_off', 'allocation', 'return',
        'grant', 'release', 'handout', 'handout_void')),
    quantity   bigint NOT NULL CHECK (quantity > 0),
    plan_id    text COLLATE "C" REFERENCES plans (id),
    device_id  text COLLATE "C" REFERENCES devices (id),
    handout_id text COLLATE "C",
    note       text COLLATE "C",
    actor      text COLLATE "C" NOT NULL,
    created_at timestamptz NOT NULL,
    CHECK ((kind IN ('receipt', 'write_off')) = (plan_id IS NULL)),
    CHECK ((kind IN ('grant', 'release', 'handout', 'handout_void')) = (device_id IS NOT NULL)),
    CHECK ((kind = 'handout_void') <= (handout_id IS NOT NULL)),
    CHECK (kind IN ('handout', 'handout_void') OR handout_id IS NULL)
);
CREATE INDEX stock_ledger_item ON stock_ledger (item_id, kind);
CREATE INDEX stock_ledger_plan ON stock_ledger (plan_id, item_id, device_id);

CREATE TABLE handouts (
    id                text COLLATE "C" PRIMARY KEY,
    plan_id           text COLLATE "C" NOT NULL,
    device_id         text COLLATE "C" NOT NULL,
    session_id        text COLLATE "C" NOT NULL,
    item_id           text COLLATE "C" NOT NULL,
    quantity          bigint NOT NULL CHECK (quantity > 0),
    backed            bigint NOT NULL CHECK (backed >= 0 AND backed <= quantity),
    handed_out_at     timestamptz NOT NULL,
    over_grant_reason text COLLATE "C",
    voided_at         timestamptz,
    void_reason       text COLLATE "C"
);
CREATE INDEX handouts_plan ON handouts (plan_id, item_id);

CREATE TABLE device_events (
    device_id   text COLLATE "C" NOT NULL,
    seq         bigint NOT NULL CHECK (seq >= 1),
    id          text COLLATE "C" NOT NULL UNIQUE,
    kind        text COLLATE "C" NOT NULL,
    body        text COLLATE "C" NOT NULL,
    recorded_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    quarantine_reason text COLLATE "C",
    PRIMARY KEY (device_id, seq)
);

CREATE TABLE collection_counts (
    unit_id     text COLLATE "C" NOT NULL REFERENCES units (id),
    day         date NOT NULL,
    count       bigint NOT NULL CHECK (count >= 0),
    imported_at timestamptz NOT NULL,
    PRIMARY KEY (unit_id, day)
);

CREATE TABLE users (
    id            text COLLATE "C" PRIMARY KEY,
    username      text COLLATE "C" NOT NULL CONSTRAINT users_username_key UNIQUE,
    password_hash text COLLATE "C" NOT NULL,
    role          text COLLATE "C" NOT NULL CHECK (role IN ('admin', 'viewer')),
    unit_id       text COLLATE "C" REFERENCES units (id),
    created_at    timestamptz NOT NULL,
    row_order     bigint GENERATED ALWAYS AS IDENTITY
);

CREATE TABLE console_sessions (
    token_hash text COLLATE "C" PRIMARY KEY,
    user_id    text COLLATE "C" NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE TABLE audit_log (
    seq     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      timestamptz NOT NULL,
    actor   text COLLATE "C" NOT NULL,
    action  text COLLATE "C" NOT NULL,
    subject text COLLATE "C",
    detail  text COLLATE "C" NOT NULL
);

CREATE TABLE seeds (
    name      text COLLATE "C" PRIMARY KEY,
    seeded_at timestamptz NOT NULL
);
