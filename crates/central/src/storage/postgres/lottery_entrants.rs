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
                &e.phone.expose(),
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
}
