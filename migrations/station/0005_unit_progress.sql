-- Issue 13, deliverable 2: the tablet's unit's progress as the latest published bulletin
-- (采集数据通报) has it, pulled from the central and shown big on the home screen. One row:
-- the device's unit's line, replaced by every newer publication.
CREATE TABLE unit_progress (
    singleton         INTEGER PRIMARY KEY CHECK (singleton = 1),
    unit_id           TEXT NOT NULL,
    day               TEXT NOT NULL,
    published_at      TEXT NOT NULL,
    collected         INTEGER NOT NULL,
    quota             INTEGER NOT NULL,
    progress_percent  REAL NOT NULL,
    rank_by_rate      INTEGER NOT NULL,
    rank_by_count     INTEGER NOT NULL,
    units             INTEGER NOT NULL
);
