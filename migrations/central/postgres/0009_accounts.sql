-- Accounts the secretariat manages (issue 13, deliverable 1): an account can be disabled
-- (it cannot log in, and its sessions were ended when it was disabled), and the audit log is
-- searched by action and by time, so both get an index.
ALTER TABLE users ADD COLUMN disabled_at timestamptz;
CREATE INDEX audit_log_by_action ON audit_log (action, seq);
CREATE INDEX audit_log_by_time ON audit_log (at);
