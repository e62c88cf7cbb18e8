-- A reserve promoted to a prize its winner gave up (issue 12 audit, gap 2): the reserve gets a
-- win of its own that names the win it replaces, and the draw's reserve entry names that win.
-- A given-up win is replaced at most once (the unique index), so promoting twice is refused
-- even by two consoles at once.
ALTER TABLE lottery_wins ADD COLUMN replaces text COLLATE "C" REFERENCES lottery_wins (id);
CREATE UNIQUE INDEX lottery_wins_replaces ON lottery_wins (replaces) WHERE replaces IS NOT NULL;
