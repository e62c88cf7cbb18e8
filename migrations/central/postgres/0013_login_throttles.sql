-- Console login throttling (issue 14): the twin of ../0013_login_throttles.sql.
CREATE TABLE login_throttles (
    scope         text COLLATE "C" NOT NULL CHECK (scope IN ('account', 'address')),
    key           text COLLATE "C" NOT NULL,
    failures      integer NOT NULL CHECK (failures >= 0),
    blocked_until timestamptz,
    expires_at    timestamptz NOT NULL,
    PRIMARY KEY (scope, key)
);
CREATE INDEX login_throttles_by_expiry ON login_throttles (expires_at);
