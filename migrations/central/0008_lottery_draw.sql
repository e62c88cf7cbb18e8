-- The lottery's draw (issue 12, deliverables 2-5, central side): carrier accounts, prize
-- pools, the frozen and published entrant list, draws with their ranked results, and wins.
-- Full numbers appear in none of these tables: the list and the results hold entry numbers
-- and masked numbers, and a carrier's list opens the sealed numbers of lottery_entrants in
-- memory when it is downloaded.

-- Carrier accounts (role 'carrier', scoped to one carrier). SQLite cannot change a CHECK
-- constraint, so users is rebuilt; console_sessions refers to it and is emptied around the
-- rebuild and filled again, so nobody is logged out.
CREATE TEMP TABLE sessions_kept AS SELECT * FROM console_sessions;
DELETE FROM console_sessions;
CREATE TABLE users_rebuilt (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'viewer', 'carrier')),
    unit_id       TEXT REFERENCES units (id),
    created_at    TEXT NOT NULL,
    carrier       TEXT CHECK (carrier IN ('telecom', 'mobile', 'unicom')),
    CHECK ((role = 'carrier') = (carrier IS NOT NULL)),
    CHECK (role <> 'carrier' OR unit_id IS NULL)
);
INSERT INTO users_rebuilt (id, username, password_hash, role, unit_id, created_at)
    SELECT id, username, password_hash, role, unit_id, created_at FROM users ORDER BY rowid;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;
INSERT INTO console_sessions SELECT * FROM sessions_kept;
DROP TABLE sessions_kept;

-- Prize pools, drawn in `position` order (then creation order).
CREATE TABLE lottery_pools (
    id           TEXT PRIMARY KEY,
    campaign_id  TEXT NOT NULL REFERENCES campaigns (id),
    name         TEXT NOT NULL CHECK (name <> ''),
    item_id      TEXT NOT NULL REFERENCES items (id),
    quantity     INTEGER NOT NULL CHECK (quantity >= 1),
    reserves     INTEGER NOT NULL CHECK (reserves >= 0),
    -- Carrier codes, comma-separated, in the carriers' order (telecom,mobile,unicom,other).
    carriers     TEXT NOT NULL CHECK (carriers <> ''),
    delivery     TEXT NOT NULL
                 CHECK (delivery IN ('carrier_credit', 'voucher', 'shipped', 'at_station')),
    delivered_by TEXT CHECK (delivered_by IN ('telecom', 'mobile', 'unicom')),
    position     INTEGER NOT NULL CHECK (position >= 0),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX lottery_pools_item ON lottery_pools (item_id);

-- The frozen list, one per campaign: its published text byte for byte and its SHA-256.
CREATE TABLE lottery_lists (
    id          TEXT PRIMARY KEY,
    campaign_id TEXT NOT NULL UNIQUE REFERENCES campaigns (id),
    frozen_at   TEXT NOT NULL,
    frozen_by   TEXT NOT NULL,
    digest      TEXT NOT NULL,
    text        TEXT NOT NULL,
    entries     INTEGER NOT NULL CHECK (entries >= 0)
);

-- Which entrant holds which public entry number.
CREATE TABLE lottery_list_entries (
    list_id      TEXT NOT NULL REFERENCES lottery_lists (id),
    entry        INTEGER NOT NULL CHECK (entry >= 1),
    entrant_id   TEXT NOT NULL UNIQUE REFERENCES lottery_entrants (id),
    unit_id      TEXT NOT NULL REFERENCES units (id),
    masked_phone TEXT NOT NULL,
    carrier      TEXT NOT NULL,
    PRIMARY KEY (list_id, entry)
);

-- Draws; at most one stands (not voided) per campaign.
CREATE TABLE lottery_draws (
    id           TEXT PRIMARY KEY,
    campaign_id  TEXT NOT NULL REFERENCES campaigns (id),
    list_id      TEXT NOT NULL REFERENCES lottery_lists (id),
    public_value TEXT NOT NULL CHECK (public_value <> ''),
    value_source TEXT NOT NULL,
    list_digest  TEXT NOT NULL,
    drawn_at     TEXT NOT NULL,
    drawn_by     TEXT NOT NULL,
    voided_at    TEXT,
    voided_by    TEXT,
    void_reason  TEXT
);
CREATE UNIQUE INDEX lottery_draws_standing ON lottery_draws (campaign_id) WHERE voided_at IS NULL;

-- The pools as they were drawn (pool_no is the method's 1-based pool number).
CREATE TABLE lottery_draw_pools (
    draw_id  TEXT NOT NULL REFERENCES lottery_draws (id),
    pool_no  INTEGER NOT NULL CHECK (pool_no >= 1),
    pool_id  TEXT NOT NULL REFERENCES lottery_pools (id),
    name     TEXT NOT NULL,
    delivery TEXT NOT NULL,
    carriers TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    reserves INTEGER NOT NULL,
    PRIMARY KEY (draw_id, pool_no)
);

-- Each pool's winners and ranked reserves, by entry number.
CREATE TABLE lottery_draw_entries (
    draw_id TEXT NOT NULL REFERENCES lottery_draws (id),
    pool_no INTEGER NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('winner', 'reserve')),
    rank    INTEGER NOT NULL CHECK (rank >= 1),
    entry   INTEGER NOT NULL,
    win_id  TEXT,
    PRIMARY KEY (draw_id, pool_no, kind, rank)
);

-- A winner's prize and its delivery.
CREATE TABLE lottery_wins (
    id               TEXT PRIMARY KEY,
    draw_id          TEXT NOT NULL REFERENCES lottery_draws (id),
    pool_id          TEXT NOT NULL REFERENCES lottery_pools (id),
    entry            INTEGER NOT NULL,
    entrant_id       TEXT NOT NULL REFERENCES lottery_entrants (id),
    state            TEXT NOT NULL
                     CHECK (state IN ('pending', 'delivered', 'unreachable', 'declined')),
    state_changed_at TEXT NOT NULL,
    note             TEXT,
    handover_station TEXT,
    handed_at        TEXT,
    handover_by      TEXT,
    voided           INTEGER NOT NULL DEFAULT 0 CHECK (voided IN (0, 1))
);
CREATE INDEX lottery_wins_draw ON lottery_wins (draw_id);
