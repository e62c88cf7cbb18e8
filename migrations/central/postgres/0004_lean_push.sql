-- Twin of ../0004_lean_push.sql.

ALTER TABLE device_events ADD COLUMN digest bytea;

CREATE TABLE plan_handout_totals (
    plan_id    text COLLATE "C" NOT NULL,
    item_id    text COLLATE "C" NOT NULL,
    handed_out bigint NOT NULL CHECK (handed_out >= 0),
    unbacked   bigint NOT NULL CHECK (unbacked >= 0 AND unbacked <= handed_out),
    PRIMARY KEY (plan_id, item_id)
);
DROP INDEX handouts_plan;
