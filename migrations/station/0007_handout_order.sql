-- Issue 14 (clocks): a session's handouts in the order they were recorded, the outbox's seq.
-- "Undo" cancelled the handout with the greatest id, and ids are UUIDv7, whose time is the
-- tablet's clock: a clock set back between two taps (a tablet restarted with a wrong date)
-- made undo cancel an earlier handout instead of the last one.
ALTER TABLE handout ADD COLUMN seq INTEGER;

UPDATE handout SET seq = (
    SELECT e.seq FROM events e
    WHERE e.kind = 'handout_recorded'
      AND json_extract(e.payload, '$.payload.handout.id') = handout.id
);

CREATE INDEX handout_by_session_seq ON handout (session_id, seq);
