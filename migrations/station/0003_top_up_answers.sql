-- The secretariat's answers to this device's top-up requests (申请追加), as the central sent
-- them by pull: fulfilled with how many were granted (the grant itself lands in `grant`), or
-- declined with why (the secretariat's words, or `plan closed`). The request is the device's
-- own `top_up_requested` event; its answer is read beside it by the request's id. An answer
-- whose request this device has no event for is stored all the same rather than checked
-- away: the central sends a device only answers to requests it pushed, and a row nothing
-- joins to is harmless. A request is answered once, so a repeated answer (a page applied
-- twice) replaces the row with the same content.
CREATE TABLE top_up_answer (
    request_id  TEXT PRIMARY KEY NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('fulfilled', 'declined')),
    granted     INTEGER CHECK (granted > 0),
    grant_id    TEXT,
    reason      TEXT,
    decided_at  TEXT NOT NULL
) WITHOUT ROWID;

-- The device's own top-up requests, for the grant panel that lists them after every sync: a
-- partial index holds only those events, so listing them never reads the handouts around
-- them, and a handout's insert only tests the condition.
CREATE INDEX events_top_up_requested ON events (seq) WHERE kind = 'top_up_requested';
