-- Console login throttling (issue 14, item 3): the failed logins of each login name and of
-- each client address, kept in the database so that every central instance on it counts the
-- same failures. A row is forgotten (and swept) at expires_at: after a quiet period with no
-- failure, or when its lock has ended and the quiet period with it. blocked_until is when
-- the name or address may try again (a growing delay, then a lock); NULL: now.
CREATE TABLE login_throttles (
    scope         TEXT NOT NULL CHECK (scope IN ('account', 'address')),
    key           TEXT NOT NULL,
    failures      INTEGER NOT NULL CHECK (failures >= 0),
    blocked_until TEXT,
    expires_at    TEXT NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX login_throttles_by_expiry ON login_throttles (expires_at);
