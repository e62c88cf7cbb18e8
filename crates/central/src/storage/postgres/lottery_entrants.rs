//! `lottery_entrants`: phone numbers entered with consent. The number goes into this table
//! and nowhere else: no reason, audit line or log line carries it.

use fieldpost_domain::{DeviceId, LotteryEntrant, UnitId};

use super::{PgTx, get};
use crate::storage::{LotteryEntrantTable, StorageResult};

impl LotteryEntrantTable for PgTx<'_> {
    fn insert(
        &mut self,
        e: &LotteryEntrant,
        campaign: &str,
        unit: UnitId,
        device: DeviceId,
    ) -> StorageResult<bool> {
        // No conflict target: a stored id or a number entered in the campaign already
        // (`lottery_entrants_phone_key`) skips the row without failing the transaction.
        let inserted = self.execute(
            "INSERT INTO lottery_entrants (id, campaign_id, unit_id, session_id, device_id,
                 phone, consent_text_version, consent_given_at, registered_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
            &[
                &e.id.to_string(),
                &campaign,
                &unit.to_string(),
                &e.session_id.to_string(),
                &device.to_string(),
                &e.phone_sealed.as_str(),
                &e.consent.text_version,
                &e.consent.given_at,
                &e.registered_at,
            ],
        )?;
        Ok(inserted == 1)
    }

    fn count(&mut self, unit: UnitId) -> StorageResult<u64> {
        let row = self.query_one(
            "SELECT COUNT(*) FROM lottery_entrants WHERE unit_id = $1",
            &[&unit.to_string()],
        )?;
        Ok(get::<i64>(&row, 0)?.unsigned_abs())
    }

    fn for_list(&mut self) -> StorageResult<Vec<crate::draw::ListCandidate>> {
        let rows = self.query(
            "SELECT id, unit_id, phone_masked, carrier FROM lottery_entrants
             ORDER BY registered_at, id",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                let carrier: String = super::get(r, 3)?;
                Ok(crate::draw::ListCandidate {
                    entrant_id: super::col(r, 0)?,
                    unit_id: super::col(r, 1)?,
                    masked_phone: super::get(r, 2)?,
                    carrier: fieldpost_domain::Carrier::from_code(&carrier).ok_or_else(|| {
                        crate::storage::StorageError::Corrupt(format!(
                            "lottery_entrants: carrier {carrier}"
                        ))
                    })?,
                })
            })
            .collect()
    }

    fn sealed_phone(
        &mut self,
        id: fieldpost_domain::EntrantId,
    ) -> StorageResult<Option<fieldpost_domain::SealedPhone>> {
        let row = self.query_opt(
            "SELECT phone_sealed FROM lottery_entrants WHERE id = $1",
            &[&id.to_string()],
        )?;
        let sealed: Option<String> = match row {
            Some(r) => super::get(&r, 0)?,
            None => None,
        };
        Ok(sealed
            .filter(|s| !s.is_empty())
            .map(fieldpost_domain::SealedPhone::from_text))
    }
}
