//! The Rust step of migration 0004 (issue 12): what a tablet stored in clear before numbers
//! were sealed and the token encrypted is hashed, masked, encrypted or emptied, in the
//! migration's own transaction, and the old tables go. No entrant is lost:
//!
//! - each `entrant` row keeps its id, session, consent and time, and gets the keyed hash of
//!   its number (so "one entry per phone" still holds), the masked form and the carrier its
//!   prefix says (号段; the entrant was never asked, so that is the best there is);
//! - the token is encrypted under the device key;
//! - an `entrant_registered` event the central has acknowledged loses its number (it will
//!   never be sent again), keeping the masked form and carrier so that it still reads as an
//!   event of the new contract with an empty `phone_sealed`;
//! - a pending one (not acknowledged) gets the same shape, and its number waits encrypted
//!   under the device key in `entrant_awaiting_seal` until the central's lottery key arrives
//!   by pull (`Station::apply_pull`), which seals it into the payload. Until then the push
//!   holds it and everything after it back rather than drop it or send it unsealed.
//!
//! The store then vacuums (`db::open`), so the old text survives in no free page and no WAL
//! frame.

use fieldpost_domain::{Carrier, MobileNumber};
use rusqlite::{Transaction, params};

use crate::device_key::DeviceKey;
use crate::{Error, Result};

/// Runs after `0004_sealed_numbers.sql` in its transaction; true when it rewrote any row.
pub(crate) fn seal_what_0003_kept_in_clear(tx: &Transaction<'_>, key: &DeviceKey) -> Result<bool> {
    let mut rewrote = false;
    rewrote |= entrants(tx, key)?;
    rewrote |= identity(tx, key)?;
    rewrote |= entrant_events(tx, key)?;
    tx.execute_batch("DROP TABLE entrant_0003; DROP TABLE device_identity_0003;")?;
    Ok(rewrote)
}

fn stored_number(text: &str, what: &str) -> Result<MobileNumber> {
    // Numbers were validated before they were stored; one that no longer parses is damage.
    MobileNumber::parse(text).map_err(|e| Error::Corrupt(format!("{what}: {e}")))
}

fn entrants(tx: &Transaction<'_>, key: &DeviceKey) -> Result<bool> {
    let rows: Vec<(String, String, String, String, String, String)> = {
        let mut stmt = tx.prepare(
            "SELECT id, session_id, phone, consent_text_version, consent_given_at, registered_at
             FROM entrant_0003 ORDER BY registered_at, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (id, session_id, phone, version, given_at, registered_at) in &rows {
        let number = stored_number(phone, &format!("entrant {id}"))?;
        tx.execute(
            "INSERT INTO entrant (id, session_id, phone_hash, phone_masked, carrier,
                consent_text_version, consent_given_at, registered_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                id,
                session_id,
                key.phone_hash(&number),
                number.masked(),
                Carrier::of_number(&number).code(),
                version,
                given_at,
                registered_at
            ],
        )?;
    }
    Ok(!rows.is_empty())
}

fn identity(tx: &Transaction<'_>, key: &DeviceKey) -> Result<bool> {
    let changed = {
        let mut stmt = tx.prepare(
            "SELECT device_id, unit_id, server_url, token, enrolled_at
             FROM device_identity_0003 WHERE singleton = 1",
        )?;
        let mut rows = stmt.query([])?;
        match rows.next()? {
            Some(r) => {
                let token: String = r.get(3)?;
                tx.execute(
                    "INSERT INTO device_identity (singleton, device_id, unit_id, server_url,
                        token_sealed, enrolled_at)
                     VALUES (1, ?1, ?2, ?3, ?4, ?5)",
                    params![
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        key.seal_token(&token),
                        r.get::<_, String>(4)?
                    ],
                )?;
                true
            }
            None => false,
        }
    };
    Ok(changed)
}

fn entrant_events(tx: &Transaction<'_>, key: &DeviceKey) -> Result<bool> {
    let acked: i64 = tx.query_row(
        "SELECT acked_through FROM sync_state WHERE singleton = 1",
        [],
        |r| r.get(0),
    )?;
    let rows: Vec<(i64, String)> = {
        let mut stmt = tx.prepare(
            "SELECT seq, payload FROM events WHERE kind = 'entrant_registered' ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut rewrote = false;
    for (seq, text) in rows {
        let mut event: serde_json::Value = serde_json::from_str(&text)?;
        let Some(entrant) = event
            .pointer_mut("/payload/entrant")
            .and_then(serde_json::Value::as_object_mut)
        else {
            return Err(Error::Corrupt(format!("event {seq}: no entrant")));
        };
        let Some(phone) = entrant.remove("phone") else {
            continue;
        };
        let number = stored_number(phone.as_str().unwrap_or_default(), &format!("event {seq}"))?;
        entrant.insert("phone_sealed".into(), "".into());
        entrant.insert("phone_masked".into(), number.masked().into());
        entrant.insert("carrier".into(), Carrier::of_number(&number).code().into());
        tx.execute(
            "UPDATE events SET payload = ?2 WHERE seq = ?1",
            params![seq, serde_json::to_string(&event)?],
        )?;
        if seq > acked {
            tx.execute(
                "INSERT INTO entrant_awaiting_seal (event_seq, phone_encrypted) VALUES (?1, ?2)",
                params![seq, key.seal_waiting_phone(&number)],
            )?;
        }
        rewrote = true;
    }
    Ok(rewrote)
}
