//! `collection_counts`: questionnaires collected per unit and day.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use fieldpost_domain::UnitId;

use super::{PgTx, col, col_u32, col_u64, get};
use crate::records::DailyCount;
use crate::storage::{CollectionCountTable, StorageResult};

impl CollectionCountTable for PgTx<'_> {
    fn upsert(&mut self, c: &DailyCount, now: DateTime<Utc>) -> StorageResult<()> {
        self.execute(
            "INSERT INTO collection_counts (unit_id, day, count, imported_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (unit_id, day) DO UPDATE SET count = EXCLUDED.count,
                 imported_at = EXCLUDED.imported_at",
            &[&c.unit_id.to_string(), &c.day, &i64::from(c.count), &now],
        )?;
        Ok(())
    }

    fn all(&mut self, unit: Option<UnitId>) -> StorageResult<Vec<DailyCount>> {
        let rows = self.query(
            "SELECT unit_id, day, count FROM collection_counts
             WHERE $1::text IS NULL OR unit_id = $1 ORDER BY day, unit_id",
            &[&unit.map(|u| u.to_string())],
        )?;
        rows.iter()
            .map(|r| {
                Ok(DailyCount {
                    unit_id: col(r, 0)?,
                    day: get(r, 1)?,
                    count: col_u32(r, 2)?,
                })
            })
            .collect()
    }

    fn collected_by_unit(&mut self) -> StorageResult<BTreeMap<UnitId, u64>> {
        // SUM of bigint is numeric in PostgreSQL.
        let rows = self.query(
            "SELECT unit_id, COALESCE(SUM(count), 0)::bigint FROM collection_counts
             GROUP BY unit_id",
            &[],
        )?;
        rows.iter()
            .map(|r| Ok((col::<UnitId>(r, 0)?, col_u64(r, 1)?)))
            .collect()
    }
}
