-- Twin of ../0006_device_contacts.sql: shared by every central instance on this database.
ALTER TABLE devices ADD COLUMN last_contact_at timestamptz;
