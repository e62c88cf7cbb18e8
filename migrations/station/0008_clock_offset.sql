-- Issue 14 (clocks): how far the central's clock was ahead of this tablet's at the last answer
-- that said its time (its Date header), in seconds; the sync line asks the volunteer to set
-- the tablet's time when it is off by more than the tolerance.
ALTER TABLE sync_state ADD COLUMN clock_offset_seconds INTEGER;
