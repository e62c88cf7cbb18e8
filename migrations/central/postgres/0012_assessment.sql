-- The assessment and the summary meeting (issue 13): the twin of ../0012_assessment.sql.
CREATE TABLE assessment_rules (
    campaign_id             text COLLATE "C" PRIMARY KEY REFERENCES campaigns (id),
    pass_percent            integer NOT NULL CHECK (pass_percent BETWEEN 0 AND 1000),
    min_per_gift_hundredths integer NOT NULL CHECK (min_per_gift_hundredths BETWEEN 0 AND 1000000),
    organizing_awards       integer NOT NULL CHECK (organizing_awards BETWEEN 0 AND 100),
    supporting_awards       integer NOT NULL CHECK (supporting_awards BETWEEN 0 AND 100),
    updated_at              timestamptz NOT NULL,
    updated_by              text COLLATE "C" NOT NULL
);

CREATE TABLE commendations (
    campaign_id  text COLLATE "C" NOT NULL REFERENCES campaigns (id),
    award        text COLLATE "C" NOT NULL CHECK (award IN ('organizing', 'supporting')),
    unit_id      text COLLATE "C" NOT NULL REFERENCES units (id),
    position     integer NOT NULL,
    confirmed_at timestamptz NOT NULL,
    confirmed_by text COLLATE "C" NOT NULL,
    PRIMARY KEY (campaign_id, award, unit_id)
);
