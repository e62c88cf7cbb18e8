//! `plans`, as a push reads them (to fold into the plans aggregate's table).

use fieldpost_domain::quarantine::PlanFacts;
use fieldpost_domain::{PlanId, PlanStatus};
use rusqlite::OptionalExtension;

use super::{SqliteTx, col, col_ts};
use crate::storage::{PlanLookup, StorageError, StorageResult};

impl PlanLookup for SqliteTx<'_> {
    fn facts(&mut self, id: PlanId) -> StorageResult<Option<PlanFacts>> {
        let row = self
            .conn
            .prepare_cached("SELECT unit_id, status, starts_at, ends_at FROM plans WHERE id = ?1")?
            .query_row([id.to_string()], |r| {
                Ok((
                    col(r, 0)?,
                    r.get::<_, String>(1)?,
                    col_ts(r, 2)?,
                    col_ts(r, 3)?,
                ))
            })
            .optional()?;
        row.map(|(unit, status, starts_at, ends_at)| {
            Ok(PlanFacts {
                unit,
                status: PlanStatus::parse(&status)
                    .ok_or_else(|| StorageError::Corrupt(format!("plan {id} status {status}")))?,
                starts_at,
                ends_at,
            })
        })
        .transpose()
    }
}
