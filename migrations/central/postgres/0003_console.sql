-- Twin of ../0003_console.sql.

CREATE INDEX device_events_quarantined ON device_events (received_at)
    WHERE quarantine_reason IS NOT NULL;

CREATE INDEX handouts_over_grant ON handouts (handed_out_at)
    WHERE backed < quantity;
