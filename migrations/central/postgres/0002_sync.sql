-- Twin of ../0002_sync.sql.

ALTER TABLE device_events ADD COLUMN quarantine_code text COLLATE "C";

CREATE INDEX change_log_entity ON change_log (entity_id, entity);

ALTER TABLE handouts ADD COLUMN batch_seq bigint;
CREATE INDEX handouts_batch ON handouts (batch_seq) WHERE batch_seq IS NOT NULL;

CREATE TABLE grant_balances (
    device_id text COLLATE "C" NOT NULL,
    plan_id   text COLLATE "C" NOT NULL,
    item_id   text COLLATE "C" NOT NULL,
    available bigint NOT NULL,
    PRIMARY KEY (device_id, plan_id, item_id)
);

CREATE INDEX stock_ledger_plan_allocation ON stock_ledger (plan_id, item_id)
    WHERE kind IN ('allocation', 'return');

CREATE TABLE station_sessions (
    id                      text COLLATE "C" PRIMARY KEY,
    plan_id                 text COLLATE "C" NOT NULL REFERENCES plans (id),
    unit_id                 text COLLATE "C" NOT NULL REFERENCES units (id),
    device_id               text COLLATE "C" NOT NULL REFERENCES devices (id),
    station                 text COLLATE "C" NOT NULL,
    opened_at               timestamptz NOT NULL,
    closed_at               timestamptz,
    people_reached          bigint NOT NULL DEFAULT 0 CHECK (people_reached >= 0),
    questionnaires_assisted bigint NOT NULL DEFAULT 0 CHECK (questionnaires_assisted >= 0),
    exception               text COLLATE "C"
);
CREATE INDEX station_sessions_plan ON station_sessions (plan_id);

CREATE TABLE volunteer_check_ins (
    id             text COLLATE "C" PRIMARY KEY,
    session_id     text COLLATE "C" NOT NULL REFERENCES station_sessions (id),
    device_id      text COLLATE "C" NOT NULL REFERENCES devices (id),
    volunteer_name text COLLATE "C" NOT NULL,
    ivolunteer_id  text COLLATE "C",
    checked_in_at  timestamptz NOT NULL,
    checked_out_at timestamptz
);
CREATE INDEX volunteer_check_ins_session ON volunteer_check_ins (session_id);

-- The phone number is personal information: see ../0002_sync.sql.
CREATE TABLE lottery_entrants (
    id                   text COLLATE "C" PRIMARY KEY,
    campaign_id          text COLLATE "C" NOT NULL REFERENCES campaigns (id),
    unit_id              text COLLATE "C" NOT NULL REFERENCES units (id),
    session_id           text COLLATE "C" NOT NULL REFERENCES station_sessions (id),
    device_id            text COLLATE "C" NOT NULL REFERENCES devices (id),
    phone                text COLLATE "C" NOT NULL,
    consent_text_version text COLLATE "C" NOT NULL CHECK (consent_text_version <> ''),
    consent_given_at     timestamptz NOT NULL,
    registered_at        timestamptz NOT NULL,
    CONSTRAINT lottery_entrants_phone_key UNIQUE (campaign_id, phone)
);
CREATE INDEX lottery_entrants_session ON lottery_entrants (session_id);
