-- A device's requests for more of an item under a plan (申请追加, issue 4 point 3), applied
-- from its `top_up_requested` events. The secretariat fulfils one (a grant through the usual
-- top-up path, allocating from stock what the plan lacks) or declines it with a reason; the
-- device learns of a fulfilment by pulling the grant. Closing the plan declines what is still
-- open: a closed plan has nothing left to grant from.
CREATE TABLE top_up_requests (
    id              TEXT PRIMARY KEY,
    plan_id         TEXT NOT NULL REFERENCES plans (id),
    unit_id         TEXT NOT NULL REFERENCES units (id),
    device_id       TEXT NOT NULL REFERENCES devices (id),
    item_id         TEXT NOT NULL REFERENCES items (id),
    quantity        INTEGER NOT NULL CHECK (quantity > 0),
    note            TEXT,
    requested_at    TEXT NOT NULL,
    received_at     TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'fulfilled', 'declined')),
    -- Set when fulfilled: the grant made and its quantity (the secretariat may grant less or
    -- more than asked).
    grant_id        TEXT,
    granted         INTEGER CHECK (granted > 0),
    decline_reason  TEXT,
    decided_at      TEXT,
    decided_by      TEXT,
    CHECK ((status = 'open') = (decided_at IS NULL)),
    CHECK ((status = 'fulfilled') = (grant_id IS NOT NULL AND granted IS NOT NULL)),
    CHECK ((status = 'declined') = (decline_reason IS NOT NULL))
);
-- The console's list of what waits, oldest first, and a plan's requests when it closes.
CREATE INDEX top_up_requests_open ON top_up_requests (requested_at) WHERE status = 'open';
CREATE INDEX top_up_requests_plan ON top_up_requests (plan_id);
