//! `lottery_entrants` on PostgreSQL: twin of the SQLite module. No full number is stored;
//! emptied numbers leave dead row versions until a vacuum (see
//! [`crate::storage::Database::reclaim_erased`]).

use fieldpost_domain::{Carrier, DeviceId, UnitId};

use super::{PgTx, col, get};
use crate::lottery::EntrantLine;
use crate::storage::{LegacyEntrant, LotteryEntrantTable, NewEntrant, StorageError, StorageResult};

impl LotteryEntrantTable for PgTx<'_> {
    fn insert(
        &mut self,
        new: &NewEntrant<'_>,
        campaign: &str,
        unit: UnitId,
        device: DeviceId,
    ) -> StorageResult<bool> {
        let e = new.entrant;
        // No conflict target: a stored id or a number's hash entered in the campaign already
        // (`lottery_entrants_phone_key`) skips the row without failing the transaction.
        let inserted = self.execute(
            "INSERT INTO lottery_entrants (id, campaign_id, unit_id, session_id, device_id,
                 phone_sealed, phone_hash, phone_masked, carrier, consent_text_version,
                 consent_given_at, registered_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING",
            &[
                &e.id.to_string(),
                &campaign,
                &unit.to_string(),
                &e.session_id.to_string(),
                &device.to_string(),
                &e.phone_sealed.as_str(),
                &new.phone_hash,
                &new.phone_masked,
                &e.carrier.code(),
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

    fn list(&mut self, campaign: &str) -> StorageResult<Vec<EntrantLine>> {
        let rows = self.query(
            "SELECT e.id, e.phone_masked, e.carrier, e.unit_id, u.name, e.registered_at
             FROM lottery_entrants e JOIN units u ON u.id = e.unit_id
             WHERE e.campaign_id = $1 ORDER BY e.registered_at, e.id",
            &[&campaign],
        )?;
        rows.iter()
            .map(|r| {
                let carrier: String = get(r, 2)?;
                Ok(EntrantLine {
                    id: col(r, 0)?,
                    entry: None,
                    phone_masked: get(r, 1)?,
                    carrier: Carrier::from_code(&carrier)
                        .ok_or_else(|| StorageError::Corrupt(format!("carrier {carrier:?}")))?,
                    unit_id: col(r, 3)?,
                    unit_name: get(r, 4)?,
                    registered_at: get(r, 5)?,
                })
            })
            .collect()
    }

    fn erase_numbers(&mut self, campaign: &str) -> StorageResult<u64> {
        self.execute(
            "UPDATE lottery_entrants SET phone_sealed = NULL, legacy_phone = NULL
             WHERE campaign_id = $1 AND (phone_sealed IS NOT NULL OR legacy_phone IS NOT NULL)",
            &[&campaign],
        )
    }

    fn legacy(&mut self) -> StorageResult<Vec<LegacyEntrant>> {
        let rows = self.query(
            "SELECT id, legacy_phone FROM lottery_entrants WHERE legacy_phone IS NOT NULL
             ORDER BY registered_at, id",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                Ok(LegacyEntrant {
                    id: get(r, 0)?,
                    phone: get(r, 1)?,
                })
            })
            .collect()
    }

    fn seal_legacy(
        &mut self,
        id: &str,
        sealed: &str,
        hash: &str,
        masked: &str,
        carrier: Carrier,
    ) -> StorageResult<()> {
        self.execute(
            "UPDATE lottery_entrants SET phone_sealed = $2, phone_hash = $3, phone_masked = $4,
                 carrier = $5, legacy_phone = NULL
             WHERE id = $1",
            &[&id, &sealed, &hash, &masked, &carrier.code()],
        )?;
        Ok(())
    }

    fn for_list(&mut self) -> StorageResult<Vec<crate::draw::ListCandidate>> {
        let rows = self.query(
            "SELECT id, unit_id, phone_masked, carrier FROM lottery_entrants
             ORDER BY registered_at, id",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                let carrier: String = get(r, 3)?;
                Ok(crate::draw::ListCandidate {
                    entrant_id: col(r, 0)?,
                    unit_id: col(r, 1)?,
                    masked_phone: get(r, 2)?,
                    carrier: Carrier::from_code(&carrier).ok_or_else(|| {
                        StorageError::Corrupt(format!("lottery_entrants: carrier {carrier}"))
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
            Some(r) => get(&r, 0)?,
            None => None,
        };
        Ok(sealed
            .filter(|s| !s.is_empty())
            .map(fieldpost_domain::SealedPhone::from_text))
    }
}
