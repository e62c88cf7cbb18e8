//! `lottery` (a campaign's terms and state) and `lottery_deletions`.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::{SqliteTx, col_ts, col_ts_opt, ts};
use crate::lottery::DeletionReport;
use crate::storage::{LotteryRow, LotteryTable, StorageResult};

fn date(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Option<NaiveDate>> {
    let text: Option<String> = row.get(idx)?;
    text.map(|t| {
        t.parse::<NaiveDate>().map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
        })
    })
    .transpose()
}

impl LotteryTable for SqliteTx<'_> {
    fn get(&mut self, campaign: &str) -> StorageResult<Option<LotteryRow>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT consent_text, consent_version, public_key, updated_at, retention_date,
                     closed_at
                 FROM lottery WHERE campaign_id = ?1",
            )?
            .query_row([campaign], |r| {
                Ok(LotteryRow {
                    consent_text: r.get(0)?,
                    consent_version: r.get(1)?,
                    public_key: r.get(2)?,
                    updated_at: col_ts(r, 3)?,
                    retention_date: date(r, 4)?,
                    closed_at: col_ts_opt(r, 5)?,
                })
            })
            .optional()?)
    }

    fn put(&mut self, campaign: &str, row: &LotteryRow) -> StorageResult<()> {
        self.conn.execute(
            "INSERT INTO lottery (campaign_id, consent_text, consent_version, public_key,
                 updated_at, retention_date, closed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (campaign_id) DO UPDATE SET consent_text = excluded.consent_text,
                 consent_version = excluded.consent_version, public_key = excluded.public_key,
                 updated_at = excluded.updated_at, retention_date = excluded.retention_date,
                 closed_at = excluded.closed_at",
            params![
                campaign,
                row.consent_text,
                row.consent_version,
                row.public_key,
                ts(row.updated_at),
                row.retention_date.map(|d| d.to_string()),
                row.closed_at.map(ts),
            ],
        )?;
        Ok(())
    }

    fn record_deletion(&mut self, campaign: &str, d: &DeletionReport) -> StorageResult<()> {
        self.conn.execute(
            "INSERT INTO lottery_deletions (campaign_id, deleted_at, deleted_by, reason,
                 entrant_rows, event_payloads, key_file_deleted)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                campaign,
                ts(d.deleted_at),
                d.deleted_by,
                d.reason,
                i64::try_from(d.entrant_rows).unwrap_or(i64::MAX),
                i64::try_from(d.event_payloads).unwrap_or(i64::MAX),
                d.key_file_deleted,
            ],
        )?;
        Ok(())
    }

    fn deletions(&mut self, campaign: &str) -> StorageResult<Vec<DeletionReport>> {
        let mut stmt = self.conn.prepare(
            "SELECT deleted_at, deleted_by, reason, entrant_rows, event_payloads, key_file_deleted
             FROM lottery_deletions WHERE campaign_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([campaign], |r| {
            Ok(DeletionReport {
                deleted_at: col_ts(r, 0)?,
                deleted_by: r.get(1)?,
                reason: r.get(2)?,
                entrant_rows: r.get::<_, i64>(3)?.unsigned_abs(),
                event_payloads: r.get::<_, i64>(4)?.unsigned_abs(),
                key_file_deleted: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
