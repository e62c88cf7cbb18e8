//! `bulletins`: the daily bulletins as published, one JSON snapshot per day.

use chrono::{DateTime, NaiveDate, Utc};

use super::{PgTx, get};
use crate::storage::{BulletinTable, PublishedDay, StorageResult};

impl BulletinTable for PgTx<'_> {
    fn upsert(&mut self, day: &PublishedDay, snapshot: &str) -> StorageResult<()> {
        self.execute(
            "INSERT INTO bulletins (day, published_at, published_by, snapshot)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (day) DO UPDATE SET published_at = EXCLUDED.published_at,
                 published_by = EXCLUDED.published_by, snapshot = EXCLUDED.snapshot",
            &[&day.day, &day.published_at, &day.published_by, &snapshot],
        )?;
        Ok(())
    }

    fn days(&mut self) -> StorageResult<Vec<PublishedDay>> {
        let rows = self.query(
            "SELECT day, published_at, published_by FROM bulletins ORDER BY day DESC",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                Ok(PublishedDay {
                    day: get::<NaiveDate>(r, 0)?,
                    published_at: get::<DateTime<Utc>>(r, 1)?,
                    published_by: get(r, 2)?,
                })
            })
            .collect()
    }

    fn snapshot(&mut self, day: NaiveDate) -> StorageResult<Option<String>> {
        self.query_opt("SELECT snapshot FROM bulletins WHERE day = $1", &[&day])?
            .map(|r| get(&r, 0))
            .transpose()
    }

    fn latest(&mut self) -> StorageResult<Option<String>> {
        self.query_opt(
            "SELECT snapshot FROM bulletins ORDER BY day DESC LIMIT 1",
            &[],
        )?
        .map(|r| get(&r, 0))
        .transpose()
    }
}
