//! `lottery_entrants`: entrants with their numbers sealed to the lottery key, the keyed hash
//! "one entry per phone" is kept by, the masked form and the carrier. No full number is
//! stored (a row from before migration 0007 keeps its plain number in `legacy_phone` until the
//! start-up seals it), and none goes into a reason, an audit line or a log line.
//!
//! Emptying the numbers runs with `PRAGMA secure_delete` on, so SQLite overwrites the freed
//! bytes of the old values with zeros instead of leaving them in the page's free space.

use fieldpost_domain::{Carrier, DeviceId, UnitId};
use rusqlite::params;

use super::{SqliteTx, col, col_ts, ts};
use crate::lottery::EntrantLine;
use crate::storage::{LegacyEntrant, LotteryEntrantTable, NewEntrant, StorageError, StorageResult};

impl LotteryEntrantTable for SqliteTx<'_> {
    fn insert(
        &mut self,
        new: &NewEntrant<'_>,
        campaign: &str,
        unit: UnitId,
        device: DeviceId,
    ) -> StorageResult<bool> {
        let e = new.entrant;
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO lottery_entrants (id, campaign_id, unit_id, session_id, device_id,
                     phone_sealed, phone_hash, phone_masked, carrier, consent_text_version,
                     consent_given_at, registered_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                 ON CONFLICT DO NOTHING",
            )?
            .execute(params![
                e.id.to_string(),
                campaign,
                unit.to_string(),
                e.session_id.to_string(),
                device.to_string(),
                e.phone_sealed.as_str(),
                new.phone_hash,
                new.phone_masked,
                e.carrier.code(),
                e.consent.text_version,
                ts(e.consent.given_at),
                ts(e.registered_at)
            ])?;
        Ok(inserted == 1)
    }

    fn count(&mut self, unit: UnitId) -> StorageResult<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM lottery_entrants WHERE unit_id = ?1",
            [unit.to_string()],
            |r| r.get(0),
        )?;
        Ok(n.unsigned_abs())
    }

    fn list(&mut self, campaign: &str) -> StorageResult<Vec<EntrantLine>> {
        let mut stmt = self.conn.prepare(
            "SELECT e.id, e.phone_masked, e.carrier, e.unit_id, u.name, e.registered_at
             FROM lottery_entrants e JOIN units u ON u.id = e.unit_id
             WHERE e.campaign_id = ?1 ORDER BY e.registered_at, e.id",
        )?;
        let rows = stmt.query_map([campaign], |r| {
            Ok((
                col(r, 0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                col(r, 3)?,
                r.get::<_, String>(4)?,
                col_ts(r, 5)?,
            ))
        })?;
        rows.map(|row| {
            let (id, phone_masked, carrier, unit_id, unit_name, registered_at) = row?;
            Ok(EntrantLine {
                id,
                entry: None,
                phone_masked,
                carrier: Carrier::from_code(&carrier)
                    .ok_or_else(|| StorageError::Corrupt(format!("carrier {carrier:?}")))?,
                unit_id,
                unit_name,
                registered_at,
            })
        })
        .collect()
    }

    fn erase_numbers(&mut self, campaign: &str) -> StorageResult<u64> {
        self.conn.pragma_update(None, "secure_delete", true)?;
        let erased = self.conn.execute(
            "UPDATE lottery_entrants SET phone_sealed = NULL, legacy_phone = NULL
             WHERE campaign_id = ?1 AND (phone_sealed IS NOT NULL OR legacy_phone IS NOT NULL)",
            [campaign],
        );
        self.conn.pragma_update(None, "secure_delete", false)?;
        Ok(erased? as u64)
    }

    fn legacy(&mut self) -> StorageResult<Vec<LegacyEntrant>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, legacy_phone FROM lottery_entrants WHERE legacy_phone IS NOT NULL
             ORDER BY registered_at, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(LegacyEntrant {
                id: r.get(0)?,
                phone: r.get(1)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn seal_legacy(
        &mut self,
        id: &str,
        sealed: &str,
        hash: &str,
        masked: &str,
        carrier: Carrier,
    ) -> StorageResult<()> {
        self.conn.pragma_update(None, "secure_delete", true)?;
        let done = self.conn.execute(
            "UPDATE lottery_entrants SET phone_sealed = ?2, phone_hash = ?3, phone_masked = ?4,
                 carrier = ?5, legacy_phone = NULL
             WHERE id = ?1",
            params![id, sealed, hash, masked, carrier.code()],
        );
        self.conn.pragma_update(None, "secure_delete", false)?;
        done?;
        Ok(())
    }

    fn for_list(&mut self) -> StorageResult<Vec<crate::draw::ListCandidate>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, unit_id, phone_masked, carrier FROM lottery_entrants
             ORDER BY registered_at, id",
        )?;
        let rows = stmt.query_map([], |r| {
            let carrier: String = r.get(3)?;
            Ok(crate::draw::ListCandidate {
                entrant_id: col(r, 0)?,
                unit_id: col(r, 1)?,
                masked_phone: r.get(2)?,
                carrier: Carrier::from_code(&carrier)
                    .ok_or_else(|| super::conversion_text(3, carrier))?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn sealed_phone(
        &mut self,
        id: fieldpost_domain::EntrantId,
    ) -> StorageResult<Option<fieldpost_domain::SealedPhone>> {
        use rusqlite::OptionalExtension as _;
        let sealed: Option<Option<String>> = self
            .conn
            .prepare_cached("SELECT phone_sealed FROM lottery_entrants WHERE id = ?1")?
            .query_row([id.to_string()], |r| r.get(0))
            .optional()?;
        Ok(sealed
            .flatten()
            .filter(|s| !s.is_empty())
            .map(fieldpost_domain::SealedPhone::from_text))
    }
}
