-- Twin of ../0005_top_up_requests.sql.

CREATE TABLE top_up_requests (
    id              text PRIMARY KEY,
    plan_id         text NOT NULL REFERENCES plans (id),
    unit_id         text NOT NULL REFERENCES units (id),
    device_id       text NOT NULL REFERENCES devices (id),
    item_id         text NOT NULL REFERENCES items (id),
    quantity        bigint NOT NULL CHECK (quantity > 0),
    note            text,
    requested_at    timestamptz NOT NULL,
    received_at     timestamptz NOT NULL,
    status          text NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'fulfilled', 'declined')),
    grant_id        text,
    granted         bigint CHECK (granted > 0),
    decline_reason  text,
    decided_at      timestamptz,
    decided_by      text,
    row_order       bigint GENERATED ALWAYS AS IDENTITY,
    CHECK ((status = 'open') = (decided_at IS NULL)),
    CHECK ((status = 'fulfilled') = (grant_id IS NOT NULL AND granted IS NOT NULL)),
    CHECK ((status = 'declined') = (decline_reason IS NOT NULL))
);
CREATE INDEX top_up_requests_open ON top_up_requests (requested_at) WHERE status = 'open';
CREATE INDEX top_up_requests_plan ON top_up_requests (plan_id);
