-- The daily bulletin (采集数据通报) archive (issue 13, deliverable 2): one row per published
-- day, holding the bulletin exactly as it was published (JSON of `bulletin::Bulletin`), so an
-- earlier day's 通报 shows again unchanged after later count imports. Publishing a day again
-- replaces that day's row (a late import re-published); the audit log keeps both publications.
CREATE TABLE bulletins (
    day          TEXT PRIMARY KEY,
    published_at TEXT NOT NULL,
    published_by TEXT NOT NULL,
    snapshot     TEXT NOT NULL
);
