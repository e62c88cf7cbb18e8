-- Twin of ../0005_top_up_requests.sql.

CREATE TABLE top_up_requests (
    id              text COLLATE "C" PRIMARY KEY,
    plan_id         text COLLATE "C" NOT NULL REFERENCES plans (id),
    unit_id         text COLLATE "C" NOT NULL REFERENCES units (id),
    device_id       text COLLATE "C" NOT NULL REFERENCES devices (id),
    item_id         text COLLATE "C" NOT NULL REFERENCES items (id),
    quantity        bigint NOT NULL CHECK (quantity > 0),
    note            text COLLATE "C",
    requested_at    timestamptz NOT NULL,
    received_at     timestamptz NOT NULL,
    status          text COLLATE "C" NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'fulfilled', 'declined')),
    grant_id        text COLLATE "C",
    granted         bigint CHECK (granted > 0),
    decline_reason  text COLLATE "C",
    decided_at      timestamptz,
    decided_by      text COLLATE "C",
    row_order       bigint GENERATED ALWAYS AS IDENTITY,
    CHECK ((status = 'open') = (decided_at IS NULL)),
    CHECK ((status = 'fulfilled') = (grant_id IS NOT NULL AND granted IS NOT NULL)),
    CHECK ((status = 'declined') = (decline_reason IS NOT NULL))
);
CREATE INDEX top_up_requests_open ON top_up_requests (requested_at) WHERE status = 'open';
CREATE INDEX top_up_requests_plan ON top_up_requests (plan_id);
