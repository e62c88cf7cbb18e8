//! `lottery_entrants`: phone numbers entered with consent. The number goes into this table
//! and nowhere else: no reason, audit line or log line carries it.

use fieldpost_domain::{DeviceId, LotteryEntrant, UnitId};
use rusqlite::params;

use super::{SqliteTx, ts};
use crate::storage::{LotteryEntrantTable, StorageResult};

impl LotteryEntrantTable for SqliteTx<'_> {
    fn insert(
        &mut self,
        e: &LotteryEntrant,
        campaign: &str,
        unit: UnitId,
        device: DeviceId,
    ) -> StorageResult<bool> {
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO lottery_entrants (id, campaign_id, unit_id, session_id, device_id,
                     phone, consent_text_version, consent_given_at, registered_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING",
            )?
            .execute(params![
                e.id.to_string(),
                campaign,
                unit.to_string(),
                e.session_id.to_string(),
                device.to_string(),
                e.phone_sealed.as_str(),
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

    fn for_list(&mut self) -> StorageResult<Vec<crate::draw::ListCandidate>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, unit_id, phone_masked, carrier FROM lottery_entrants
             ORDER BY registered_at, id",
        )?;
        let rows = stmt.query_map([], |r| {
            let carrier: String = r.get(3)?;
            Ok(crate::draw::ListCandidate {
                entrant_id: super::col(r, 0)?,
                unit_id: super::col(r, 1)?,
                masked_phone: r.get(2)?,
                carrier: fieldpost_domain::Carrier::from_code(&carrier)
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
