-- The daily bulletin archive (issue 13): the twin of ../0011_bulletins.sql.
CREATE TABLE bulletins (
    day          date PRIMARY KEY,
    published_at timestamptz NOT NULL,
    published_by text COLLATE "C" NOT NULL,
    snapshot     text COLLATE "C" NOT NULL
);
