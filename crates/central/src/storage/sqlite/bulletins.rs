//! `bulletins`: the daily bulletins as published, one JSON snapshot per day.

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::{SqliteTx, col, col_ts, ts};
use crate::storage::{BulletinTable, PublishedDay, StorageResult};

impl BulletinTable for SqliteTx<'_> {
    fn upsert(&mut self, day: &PublishedDay, snapshot: &str) -> StorageResult<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO bulletins (day, published_at, published_by, snapshot)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (day) DO UPDATE SET published_at = excluded.published_at,
                     published_by = excluded.published_by, snapshot = excluded.snapshot",
            )?
            .execute(params![
                day.day.to_string(),
                ts(day.published_at),
                day.published_by,
                snapshot
            ])?;
        Ok(())
    }

    fn days(&mut self) -> StorageResult<Vec<PublishedDay>> {
        let mut stmt = self
            .conn
            .prepare("SELECT day, published_at, published_by FROM bulletins ORDER BY day DESC")?;
        let rows = stmt.query_map([], |r| {
            Ok(PublishedDay {
                day: col(r, 0)?,
                published_at: col_ts(r, 1)?,
                published_by: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn snapshot(&mut self, day: NaiveDate) -> StorageResult<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT snapshot FROM bulletins WHERE day = ?1")?
            .query_row([day.to_string()], |r| r.get(0))
            .optional()?)
    }

    fn latest(&mut self) -> StorageResult<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT snapshot FROM bulletins ORDER BY day DESC LIMIT 1")?
            .query_row([], |r| r.get(0))
            .optional()?)
    }
}
