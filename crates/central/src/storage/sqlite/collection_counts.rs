//! `collection_counts`: questionnaires collected per unit and day.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use fieldpost_domain::UnitId;
use rusqlite::params;

use super::{SqliteTx, col, col_u32, col_u64, ts};
use crate::records::DailyCount;
use crate::storage::{CollectionCountTable, StorageResult};

impl CollectionCountTable for SqliteTx<'_> {
    fn upsert(&mut self, c: &DailyCount, now: DateTime<Utc>) -> StorageResult<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO collection_counts (unit_id, day, count, imported_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (unit_id, day) DO UPDATE SET count = excluded.count,
                     imported_at = excluded.imported_at",
            )?
            .execute(params![
                c.unit_id.to_string(),
                c.day.to_string(),
                c.count,
                ts(now)
            ])?;
        Ok(())
    }

    fn all(&mut self, unit: Option<UnitId>) -> StorageResult<Vec<DailyCount>> {
        let mut stmt = self.conn.prepare(
            "SELECT unit_id, day, count FROM collection_counts
             WHERE ?1 IS NULL OR unit_id = ?1 ORDER BY day, unit_id",
        )?;
        let rows = stmt.query_map([unit.map(|u| u.to_string())], |r| {
            Ok(DailyCount {
                unit_id: col(r, 0)?,
                day: col(r, 1)?,
                count: col_u32(r, 2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn collected_by_unit(&mut self) -> StorageResult<BTreeMap<UnitId, u64>> {
        let mut stmt = self
            .conn
            .prepare("SELECT unit_id, SUM(count) FROM collection_counts GROUP BY unit_id")?;
        let rows = stmt.query_map([], |r| Ok((col::<UnitId>(r, 0)?, col_u64(r, 1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
