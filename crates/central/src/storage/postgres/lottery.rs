//! `lottery` and `lottery_deletions` on PostgreSQL: twin of the SQLite module.

use super::{PgTx, big, get};
use crate::lottery::DeletionReport;
use crate::storage::{LotteryRow, LotteryTable, StorageResult};

impl LotteryTable for PgTx<'_> {
    fn get(&mut self, campaign: &str) -> StorageResult<Option<LotteryRow>> {
        let row = self.query_opt(
            "SELECT consent_text, consent_version, public_key, updated_at, retention_date,
                 closed_at
             FROM lottery WHERE campaign_id = $1",
            &[&campaign],
        )?;
        row.map(|r| {
            Ok(LotteryRow {
                consent_text: get(&r, 0)?,
                consent_version: get(&r, 1)?,
                public_key: get(&r, 2)?,
                updated_at: get(&r, 3)?,
                retention_date: get(&r, 4)?,
                closed_at: get(&r, 5)?,
            })
        })
        .transpose()
    }

    fn put(&mut self, campaign: &str, row: &LotteryRow) -> StorageResult<()> {
        self.execute(
            "INSERT INTO lottery (campaign_id, consent_text, consent_version, public_key,
                 updated_at, retention_date, closed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (campaign_id) DO UPDATE SET consent_text = excluded.consent_text,
                 consent_version = excluded.consent_version, public_key = excluded.public_key,
                 updated_at = excluded.updated_at, retention_date = excluded.retention_date,
                 closed_at = excluded.closed_at",
            &[
                &campaign,
                &row.consent_text,
                &row.consent_version,
                &row.public_key,
                &row.updated_at,
                &row.retention_date,
                &row.closed_at,
            ],
        )?;
        Ok(())
    }

    fn record_deletion(&mut self, campaign: &str, d: &DeletionReport) -> StorageResult<()> {
        self.execute(
            "INSERT INTO lottery_deletions (campaign_id, deleted_at, deleted_by, reason,
                 entrant_rows, event_payloads, key_file_deleted)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &campaign,
                &d.deleted_at,
                &d.deleted_by,
                &d.reason,
                &big(d.entrant_rows)?,
                &big(d.event_payloads)?,
                &d.key_file_deleted,
            ],
        )?;
        Ok(())
    }

    fn deletions(&mut self, campaign: &str) -> StorageResult<Vec<DeletionReport>> {
        let rows = self.query(
            "SELECT deleted_at, deleted_by, reason, entrant_rows, event_payloads, key_file_deleted
             FROM lottery_deletions WHERE campaign_id = $1 ORDER BY id",
            &[&campaign],
        )?;
        rows.iter()
            .map(|r| {
                Ok(DeletionReport {
                    deleted_at: get(r, 0)?,
                    deleted_by: get(r, 1)?,
                    reason: get(r, 2)?,
                    entrant_rows: get::<i64>(r, 3)?.unsigned_abs(),
                    event_payloads: get::<i64>(r, 4)?.unsigned_abs(),
                    key_file_deleted: get(r, 5)?,
                })
            })
            .collect()
    }
}
