-- Several survey links per unit (issue 13): the twin of ../0010_unit_links.sql.
CREATE TABLE unit_links (
    id         text COLLATE "C" PRIMARY KEY,
    unit_id    text COLLATE "C" NOT NULL REFERENCES units (id),
    label      text COLLATE "C" NOT NULL,
    url        text COLLATE "C" NOT NULL CONSTRAINT unit_links_url_key UNIQUE,
    created_at timestamptz NOT NULL,
    row_order  bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX unit_links_unit ON unit_links (unit_id);
