-- The secretariat's console (issue 6): its exception lists read only the few odd rows, never
-- the whole event log or every handout.

-- Quarantined device events, newest first on the dashboard.
CREATE INDEX device_events_quarantined ON device_events (received_at)
    WHERE quarantine_reason IS NOT NULL;

-- Handouts beyond their device's grant (over-grant exceptions to reconcile).
CREATE INDEX handouts_over_grant ON handouts (handed_out_at)
    WHERE backed < quantity;
