-- Twin of ../0008_lottery_draw.sql: carrier accounts, prize pools, the frozen list, draws and
-- wins. No full number in any of them.

ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
    CHECK (role IN ('admin', 'viewer', 'carrier'));
ALTER TABLE users ADD COLUMN carrier text COLLATE "C"
    CHECK (carrier IN ('telecom', 'mobile', 'unicom'));
ALTER TABLE users ADD CONSTRAINT users_carrier_role
    CHECK ((role = 'carrier') = (carrier IS NOT NULL));
ALTER TABLE users ADD CONSTRAINT users_carrier_no_unit
    CHECK (role <> 'carrier' OR unit_id IS NULL);

CREATE TABLE lottery_pools (
    id           text COLLATE "C" PRIMARY KEY,
    campaign_id  text COLLATE "C" NOT NULL REFERENCES campaigns (id),
    name         text COLLATE "C" NOT NULL CHECK (name <> ''),
    item_id      text COLLATE "C" NOT NULL REFERENCES items (id),
    quantity     bigint NOT NULL CHECK (quantity >= 1),
    reserves     bigint NOT NULL CHECK (reserves >= 0),
    carriers     text COLLATE "C" NOT NULL CHECK (carriers <> ''),
    delivery     text COLLATE "C" NOT NULL
                 CHECK (delivery IN ('carrier_credit', 'voucher', 'shipped', 'at_station')),
    delivered_by text COLLATE "C" CHECK (delivered_by IN ('telecom', 'mobile', 'unicom')),
    position     bigint NOT NULL CHECK (position >= 0),
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL,
    row_order    bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX lottery_pools_item ON lottery_pools (item_id);

CREATE TABLE lottery_lists (
    id          text COLLATE "C" PRIMARY KEY,
    campaign_id text COLLATE "C" NOT NULL UNIQUE REFERENCES campaigns (id),
    frozen_at   timestamptz NOT NULL,
    frozen_by   text COLLATE "C" NOT NULL,
    digest      text COLLATE "C" NOT NULL,
    text        text COLLATE "C" NOT NULL,
    entries     bigint NOT NULL CHECK (entries >= 0)
);

CREATE TABLE lottery_list_entries (
    list_id      text COLLATE "C" NOT NULL REFERENCES lottery_lists (id),
    entry        bigint NOT NULL CHECK (entry >= 1),
    entrant_id   text COLLATE "C" NOT NULL UNIQUE REFERENCES lottery_entrants (id),
    unit_id      text COLLATE "C" NOT NULL REFERENCES units (id),
    masked_phone text COLLATE "C" NOT NULL,
    carrier      text COLLATE "C" NOT NULL,
    PRIMARY KEY (list_id, entry)
);

CREATE TABLE lottery_draws (
    id           text COLLATE "C" PRIMARY KEY,
    campaign_id  text COLLATE "C" NOT NULL REFERENCES campaigns (id),
    list_id      text COLLATE "C" NOT NULL REFERENCES lottery_lists (id),
    public_value text COLLATE "C" NOT NULL CHECK (public_value <> ''),
    value_source text COLLATE "C" NOT NULL,
    list_digest  text COLLATE "C" NOT NULL,
    drawn_at     timestamptz NOT NULL,
    drawn_by     text COLLATE "C" NOT NULL,
    voided_at    timestamptz,
    voided_by    text COLLATE "C",
    void_reason  text COLLATE "C",
    row_order    bigint GENERATED ALWAYS AS IDENTITY
);
CREATE UNIQUE INDEX lottery_draws_standing ON lottery_draws (campaign_id) WHERE voided_at IS NULL;

CREATE TABLE lottery_draw_pools (
    draw_id  text COLLATE "C" NOT NULL REFERENCES lottery_draws (id),
    pool_no  bigint NOT NULL CHECK (pool_no >= 1),
    pool_id  text COLLATE "C" NOT NULL REFERENCES lottery_pools (id),
    name     text COLLATE "C" NOT NULL,
    delivery text COLLATE "C" NOT NULL,
    carriers text COLLATE "C" NOT NULL,
    quantity bigint NOT NULL,
    reserves bigint NOT NULL,
    PRIMARY KEY (draw_id, pool_no)
);

CREATE TABLE lottery_draw_entries (
    draw_id text COLLATE "C" NOT NULL REFERENCES lottery_draws (id),
    pool_no bigint NOT NULL,
    kind    text COLLATE "C" NOT NULL CHECK (kind IN ('winner', 'reserve')),
    rank    bigint NOT NULL CHECK (rank >= 1),
    entry   bigint NOT NULL,
    win_id  text COLLATE "C",
    PRIMARY KEY (draw_id, pool_no, kind, rank)
);

CREATE TABLE lottery_wins (
    id               text COLLATE "C" PRIMARY KEY,
    draw_id          text COLLATE "C" NOT NULL REFERENCES lottery_draws (id),
    pool_id          text COLLATE "C" NOT NULL REFERENCES lottery_pools (id),
    entry            bigint NOT NULL,
    entrant_id       text COLLATE "C" NOT NULL REFERENCES lottery_entrants (id),
    state            text COLLATE "C" NOT NULL
                     CHECK (state IN ('pending', 'delivered', 'unreachable', 'declined')),
    state_changed_at timestamptz NOT NULL,
    note             text COLLATE "C",
    handover_station text COLLATE "C",
    handed_at        timestamptz,
    handover_by      text COLLATE "C",
    voided           boolean NOT NULL DEFAULT false,
    row_order        bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX lottery_wins_draw ON lottery_wins (draw_id);
