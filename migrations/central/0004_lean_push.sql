-- A pushed handout is kept once, not twice (issue 4's push speed). Until now each
-- `handout_recorded` event was stored whole in device_events *and* as its handouts row, so
-- every tap cost the disk its ≈ 500 bytes of JSON twice.
--
-- From now on every new device event carries `digest`: the first 16 bytes of the SHA-256 of
-- the event as the central re-serializes it, so two pushes of the same event match whatever
-- their JSON formatting, and a replay is compared by digest alone. An applied
-- `handout_recorded` event keeps only its envelope (id, seq, kind, times, digest) with an
-- empty `body`: its content is its handouts row. Every other event, and a quarantined
-- handout, keeps its body as sent. Rows stored before this migration have no digest and are
-- still compared by their body.
ALTER TABLE device_events ADD COLUMN digest BLOB;

-- What each plan handed out per item (not voided), and how much of it no grant covered:
-- kept in step by every handout and every void, a batch of taps adding to one row per plan
-- and item. The plan view and the unit-quota records read these few rows instead of summing
-- handouts, and a push no longer maintains an index over (plan, item) of every handout, which
-- cost a third of a push.
CREATE TABLE plan_handout_totals (
    plan_id    TEXT NOT NULL,
    item_id    TEXT NOT NULL,
    handed_out INTEGER NOT NULL CHECK (handed_out >= 0),
    unbacked   INTEGER NOT NULL CHECK (unbacked >= 0 AND unbacked <= handed_out),
    PRIMARY KEY (plan_id, item_id)
) WITHOUT ROWID;
INSERT INTO plan_handout_totals (plan_id, item_id, handed_out, unbacked)
SELECT plan_id, item_id, SUM(quantity), SUM(quantity - backed)
FROM handouts
WHERE voided_at IS NULL
GROUP BY plan_id, item_id;
DROP INDEX handouts_plan;
