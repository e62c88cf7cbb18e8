-- Several survey links per unit (issue 13: the plan asks for 足量的链接入口). The unit's own
-- survey_link stays its primary link: the task table sets it and the tablets show it. These
-- are the extra links, each labelled (a station, a channel) and printed on its own poster.
-- A link is any unit's once: no two rows here and no unit's primary link share a URL (the
-- use case checks the primary side, which lives in another table).
CREATE TABLE unit_links (
    id         TEXT PRIMARY KEY,
    unit_id    TEXT NOT NULL REFERENCES units (id),
    label      TEXT NOT NULL,
    url        TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE INDEX unit_links_unit ON unit_links (unit_id);
