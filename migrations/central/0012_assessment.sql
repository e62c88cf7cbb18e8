-- The assessment (按采集量考核) and the summary meeting (总结会), issue 13, deliverables 3 and 4.
-- The secretariat's thresholds, one row per campaign: a unit passes (达标) when it collected at
-- least pass_percent of its quota and, if it handed gifts out, at least min_per_gift_hundredths
-- / 100 questionnaires per gift on its plans' days. organizing_awards / supporting_awards are
-- how many units the summary proposes for 优秀组织单位 (by completion rate) and 优秀支持单位
-- (by count).
CREATE TABLE assessment_rules (
    campaign_id             TEXT PRIMARY KEY REFERENCES campaigns (id),
    pass_percent            INTEGER NOT NULL CHECK (pass_percent BETWEEN 0 AND 1000),
    min_per_gift_hundredths INTEGER NOT NULL CHECK (min_per_gift_hundredths BETWEEN 0 AND 1000000),
    organizing_awards       INTEGER NOT NULL CHECK (organizing_awards BETWEEN 0 AND 100),
    supporting_awards       INTEGER NOT NULL CHECK (supporting_awards BETWEEN 0 AND 100),
    updated_at              TEXT NOT NULL,
    updated_by              TEXT NOT NULL
);

-- The commendations the secretariat confirmed; the summary report shows these once any exist.
CREATE TABLE commendations (
    campaign_id  TEXT NOT NULL REFERENCES campaigns (id),
    award        TEXT NOT NULL CHECK (award IN ('organizing', 'supporting')),
    unit_id      TEXT NOT NULL REFERENCES units (id),
    position     INTEGER NOT NULL,
    confirmed_at TEXT NOT NULL,
    confirmed_by TEXT NOT NULL,
    PRIMARY KEY (campaign_id, award, unit_id)
);
