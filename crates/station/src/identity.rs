//! The device's identity, written once at enrollment. The bearer token is stored encrypted
//! under the device key ([`crate::device_key`]): a copy of the store does not reveal it.

use fieldpost_domain::{DeviceId, UnitId};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::{Error, Result, Station, row, time};

/// Who this tablet is, as the central enrolled it. `Debug` leaves the token out.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceIdentity {
    /// The id the central gave this device.
    pub device_id: DeviceId,
    /// The one unit the device acts for.
    pub unit_id: UnitId,
    /// The central's base URL.
    pub server_url: String,
    /// The bearer token (the central keeps only its hash; this store keeps it encrypted).
    pub token: String,
}

impl std::fmt::Debug for DeviceIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceIdentity")
            .field("device_id", &self.device_id)
            .field("unit_id", &self.unit_id)
            .field("server_url", &self.server_url)
            .finish_non_exhaustive()
    }
}

/// Who this tablet is, without the token: what the screens show, readable even when the
/// device key does not open the token (then only syncing fails, with its reason).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrollment {
    /// The id the central gave this device.
    pub device_id: DeviceId,
    /// The one unit the device acts for.
    pub unit_id: UnitId,
    /// The central's base URL.
    pub server_url: String,
}

impl Station {
    /// The device's enrollment, if it is enrolled, without decrypting the token.
    pub fn enrollment(&self) -> Result<Option<Enrollment>> {
        self.conn
            .query_row(
                "SELECT device_id, unit_id, server_url FROM device_identity WHERE singleton = 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                },
            )
            .optional()?
            .map(|(device_id, unit_id, server_url)| {
                Ok(Enrollment {
                    device_id: row::id(&device_id)?,
                    unit_id: row::id(&unit_id)?,
                    server_url,
                })
            })
            .transpose()
    }

    /// Stores the identity received at enrollment. A device is enrolled once: enrolling
    /// again replaces the identity only while no event has been recorded, since the outbox's
    /// events belong to the old device id.
    pub fn set_identity(&mut self, identity: &DeviceIdentity) -> Result<()> {
        if identity.server_url.trim().is_empty() {
            return Err(Error::EmptyField {
                field: "server_url",
            });
        }
        if identity.token.trim().is_empty() {
            return Err(Error::EmptyField { field: "token" });
        }
        let now = time::to_text(self.now());
        let tx = self.conn.transaction()?;
        let recorded: i64 = tx.query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))?;
        let existing: Option<String> = tx
            .query_row(
                "SELECT device_id FROM device_identity WHERE singleton = 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(existing) = existing {
            let existing: DeviceId = row::id(&existing)?;
            if recorded > 0 && existing != identity.device_id {
                return Err(Error::AlreadyEnrolled(existing));
            }
        }
        tx.execute(
            "INSERT INTO device_identity (singleton, device_id, unit_id, server_url, token_sealed,
                enrolled_at)
             VALUES (1, ?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (singleton) DO UPDATE SET device_id = excluded.device_id,
                unit_id = excluded.unit_id, server_url = excluded.server_url,
                token_sealed = excluded.token_sealed, enrolled_at = excluded.enrolled_at,
                previous_token_sealed = NULL",
            params![
                identity.device_id.to_string(),
                identity.unit_id.to_string(),
                identity.server_url.trim(),
                self.key.seal_token(&identity.token),
                now
            ],
        )?;
        tx.commit()?;
        self.device_id = Some(identity.device_id);
        Ok(())
    }

    /// The device's identity, if it is enrolled, with the token decrypted.
    ///
    /// The token is the latest one the central issued: a sync's answer may carry the next
    /// token (`rotated_token`), which [`Station::apply_push_response`] and
    /// [`Station::apply_pull`] store, encrypted as the first one was, in the transaction that
    /// records the rest of the answer.
    pub fn identity(&self) -> Result<Option<DeviceIdentity>> {
        self.conn
            .query_row(
                "SELECT device_id, unit_id, server_url, token_sealed FROM device_identity
                 WHERE singleton = 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                    ))
                },
            )
            .optional()?
            .map(|(device_id, unit_id, server_url, token)| {
                Ok(DeviceIdentity {
                    device_id: row::id(&device_id)?,
                    unit_id: row::id(&unit_id)?,
                    server_url,
                    token: self.key.open_token(&token)?,
                })
            })
            .transpose()
    }

    /// The token this tablet held before the central's last rotation, if any: what the sync
    /// loop tries once when the central refuses the current one, as a central restored from a
    /// backup taken before that rotation does.
    pub fn previous_token(&self) -> Result<Option<String>> {
        self.conn
            .query_row(
                "SELECT previous_token_sealed FROM device_identity WHERE singleton = 1",
                [],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .flatten()
            .map(|sealed| self.key.open_token(&sealed))
            .transpose()
    }

    /// The previous token got in where `refused` (the current one) did not: makes it current
    /// again, keeping `refused` as the previous one. Nothing changes if the current token is
    /// no longer `refused` (an answer to the previous one carried a new token, stored
    /// meanwhile: that one is the one to use).
    pub fn fall_back_to_previous_token(&mut self, refused: &str) -> Result<()> {
        let tx = self.conn.transaction()?;
        let (current, previous): (String, Option<String>) = tx.query_row(
            "SELECT token_sealed, previous_token_sealed FROM device_identity WHERE singleton = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if let Some(previous) = previous
            && self.key.open_token(&current)? == refused
        {
            tx.execute(
                "UPDATE device_identity SET token_sealed = ?1, previous_token_sealed = ?2
                 WHERE singleton = 1",
                [previous, current],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The enrolled device's id, without the token: readable even when the device key does
    /// not open the token (then only syncing fails, with its reason).
    pub(crate) fn stored_device_id(&self) -> Result<Option<DeviceId>> {
        self.conn
            .query_row(
                "SELECT device_id FROM device_identity WHERE singleton = 1",
                [],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .map(|id| row::id(&id))
            .transpose()
    }

    /// The enrolled device's unit, without decrypting the token.
    pub(crate) fn stored_unit_id(&self) -> Result<Option<UnitId>> {
        self.conn
            .query_row(
                "SELECT unit_id FROM device_identity WHERE singleton = 1",
                [],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .map(|id| row::id(&id))
            .transpose()
    }

    pub(crate) fn device_id(&self) -> Result<DeviceId> {
        self.device_id.ok_or(Error::NotEnrolled)
    }
}

/// Replaces the stored token with `token`, the central's rotation of it, encrypted under the
/// device key as at enrollment; in the caller's transaction, which also records the answer
/// that carried it. The old token stays valid on the central until this one is presented,
/// so a crash before the commit loses nothing: the next sync uses the old one and is
/// answered with the same new one. The old token is kept, encrypted, as the previous one
/// (see [`Station::fall_back_to_previous_token`]). Every answer of a sync carries the same
/// new token: storing it again changes nothing. A blank token (a central's bug) is not
/// stored: the one held still works.
pub(crate) fn store_rotated_token(
    tx: &rusqlite::Transaction<'_>,
    key: &crate::device_key::DeviceKey,
    token: Option<&str>,
) -> Result<()> {
    let Some(token) = token.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(());
    };
    let held: String = tx.query_row(
        "SELECT token_sealed FROM device_identity WHERE singleton = 1",
        [],
        |r| r.get(0),
    )?;
    if key.open_token(&held)? == token {
        return Ok(());
    }
    tx.execute(
        "UPDATE device_identity SET previous_token_sealed = token_sealed, token_sealed = ?1
         WHERE singleton = 1",
        [key.seal_token(token)],
    )?;
    Ok(())
}
