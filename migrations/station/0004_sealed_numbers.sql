-- Issue 12: a copied tablet database reveals no full phone number and no device token
-- (docs/decisions/2026-12-01-lottery-numbers.md). This migration changes the tables; the Rust
-- step that runs after it in the same transaction (crates/station/src/migrate.rs) moves the
-- rows of the old tables across, hashing, masking and encrypting what they held in clear, and
-- then drops the old tables. The store then vacuums so that no freed page keeps the old text.

-- Entrants: a keyed hash (HMAC-SHA256 under a key derived from the device key, which is not
-- in this database) keeps "one entry per phone"; the masked form is for the screens; the
-- carrier is the one the entrant confirmed. The sealed number lives only in the outbox event.
ALTER TABLE entrant RENAME TO entrant_0003;
CREATE TABLE entrant (
    id                    TEXT PRIMARY KEY,
    session_id            TEXT NOT NULL REFERENCES session (id),
    phone_hash            TEXT NOT NULL UNIQUE,
    phone_masked          TEXT NOT NULL,
    carrier               TEXT NOT NULL CHECK (carrier IN ('telecom', 'mobile', 'unicom', 'other')),
    consent_text_version  TEXT NOT NULL,
    consent_given_at      TEXT NOT NULL,
    registered_at         TEXT NOT NULL
);

-- The bearer token, encrypted under the device key (ChaCha20-Poly1305).
ALTER TABLE device_identity RENAME TO device_identity_0003;
CREATE TABLE device_identity (
    singleton     INTEGER PRIMARY KEY CHECK (singleton = 1),
    device_id     TEXT NOT NULL,
    unit_id       TEXT NOT NULL,
    server_url    TEXT NOT NULL,
    token_sealed  TEXT NOT NULL,
    enrolled_at   TEXT NOT NULL
);

-- The lottery's terms as the central last sent them (one record per campaign): the consent
-- text and its version shown to each entrant, the central's public key numbers are sealed to
-- (NULL once the lottery closed and its key was deleted), whether registration is open.
CREATE TABLE lottery_terms (
    singleton          INTEGER PRIMARY KEY CHECK (singleton = 1),
    consent_text       TEXT NOT NULL,
    consent_version    TEXT NOT NULL,
    public_key         TEXT,
    registration_open  INTEGER NOT NULL CHECK (registration_open IN (0, 1)),
    received_at        TEXT NOT NULL
);

-- Entrant events recorded before numbers were sealed and not yet acknowledged by the central:
-- their payload's `phone_sealed` is empty and the number waits here, encrypted under the
-- device key, until the central's lottery key arrives by pull; then the number is sealed into
-- the payload and the row goes. The push sends nothing from the first such event on, since
-- the central takes a device's events only in seq order. Empty on every tablet registered
-- after this migration.
CREATE TABLE entrant_awaiting_seal (
    event_seq        INTEGER PRIMARY KEY REFERENCES events (seq),
    phone_encrypted  TEXT NOT NULL
);
