//! `plans` and `plan_requests`, and the per-plan handout totals the push path keeps in
//! `plan_handout_totals`.

use chrono::{DateTime, Utc};
use fieldpost_domain::{
    ActivityPlan, ItemId, ItemQuantity, PlanContent, PlanId, PlanStatus, UnitId,
};
use rusqlite::{OptionalExtension, Row, params};

use super::{SqliteTx, col, col_ts, ts};
use crate::storage::plans::PlanTable;
use crate::storage::{StorageError, StorageResult};
use fieldpost_domain::quarantine::PlanFacts;

const PLAN_COLUMNS: &str = "id, unit_id, title, location, starts_at, ends_at, expected_people, \
     staff, status, reject_reason, revision";

fn int<T: TryFrom<i64>>(r: &Row<'_>, idx: usize) -> rusqlite::Result<T>
where
    T::Error: std::error::Error + Send + Sync + 'static,
{
    let v: i64 = r.get(idx)?;
    T::try_from(v).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Integer, Box::new(e))
    })
}

fn status(r: &Row<'_>, idx: usize) -> rusqlite::Result<PlanStatus> {
    let status: String = r.get(idx)?;
    PlanStatus::parse(&status).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            rusqlite::types::Type::Text,
            format!("unknown plan status {status}").into(),
        )
    })
}

fn plan_row(r: &Row<'_>) -> rusqlite::Result<ActivityPlan> {
    Ok(ActivityPlan {
        id: col(r, 0)?,
        unit_id: col(r, 1)?,
        title: r.get(2)?,
        location: r.get(3)?,
        starts_at: col_ts(r, 4)?,
        ends_at: col_ts(r, 5)?,
        expected_people: int(r, 6)?,
        staff: r.get(7)?,
        status: status(r, 8)?,
        allocation: Vec::new(),
        reject_reason: r.get(9)?,
        revision: int(r, 10)?,
        requested: Vec::new(),
    })
}

impl SqliteTx<'_> {
    fn requests(&self, plan: PlanId) -> StorageResult<Vec<ItemQuantity>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT item_id, quantity FROM plan_requests WHERE plan_id = ?1 ORDER BY rowid",
        )?;
        let rows = stmt.query_map([plan.to_string()], |r| {
            Ok(ItemQuantity {
                item_id: col(r, 0)?,
                quantity: int(r, 1)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn write_requests(&self, plan: PlanId, requested: &[ItemQuantity]) -> StorageResult<()> {
        self.conn.execute(
            "DELETE FROM plan_requests WHERE plan_id = ?1",
            [plan.to_string()],
        )?;
        for q in requested {
            self.conn
                .prepare_cached(
                    "INSERT INTO plan_requests (plan_id, item_id, quantity) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![plan.to_string(), q.item_id.to_string(), q.quantity])?;
        }
        Ok(())
    }
}

impl PlanTable for SqliteTx<'_> {
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

    fn get(&mut self, id: PlanId) -> StorageResult<Option<ActivityPlan>> {
        let plan = self
            .conn
            .query_row(
                &format!("SELECT {PLAN_COLUMNS} FROM plans WHERE id = ?1"),
                [id.to_string()],
                plan_row,
            )
            .optional()?;
        match plan {
            Some(mut p) => {
                p.requested = self.requests(p.id)?;
                Ok(Some(p))
            }
            None => Ok(None),
        }
    }

    fn list(
        &mut self,
        unit: Option<UnitId>,
        status: Option<PlanStatus>,
    ) -> StorageResult<Vec<ActivityPlan>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {PLAN_COLUMNS} FROM plans
             WHERE (?1 IS NULL OR unit_id = ?1) AND (?2 IS NULL OR status = ?2) ORDER BY id"
        ))?;
        let rows = stmt.query_map(
            params![unit.map(|u| u.to_string()), status.map(|s| s.as_str())],
            plan_row,
        )?;
        let mut plans = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        for p in &mut plans {
            p.requested = self.requests(p.id)?;
        }
        Ok(plans)
    }

    fn exists(&mut self, id: PlanId) -> StorageResult<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM plans WHERE id = ?1")?
            .query_row([id.to_string()], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn unit_and_status(&mut self, id: PlanId) -> StorageResult<Option<(UnitId, PlanStatus)>> {
        Ok(self
            .conn
            .prepare_cached("SELECT unit_id, status FROM plans WHERE id = ?1")?
            .query_row([id.to_string()], |r| Ok((col(r, 0)?, status(r, 1)?)))
            .optional()?)
    }

    fn insert(
        &mut self,
        id: PlanId,
        unit: UnitId,
        content: &PlanContent,
        status: PlanStatus,
        now: DateTime<Utc>,
    ) -> StorageResult<()> {
        self.conn.execute(
            &format!(
                "INSERT INTO plans ({PLAN_COLUMNS}, filed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL, 0, ?10)"
            ),
            params![
                id.to_string(),
                unit.to_string(),
                content.title,
                content.location,
                ts(content.starts_at),
                ts(content.ends_at),
                content.expected_people,
                content.staff,
                status.as_str(),
                ts(now)
            ],
        )?;
        self.write_requests(id, &content.requested)
    }

    fn revise(
        &mut self,
        id: PlanId,
        content: &PlanContent,
        status: PlanStatus,
    ) -> StorageResult<()> {
        self.conn.execute(
            "UPDATE plans SET title = ?2, location = ?3, starts_at = ?4, ends_at = ?5,
                 expected_people = ?6, staff = ?7, status = ?8, revision = revision + 1,
                 reject_reason = NULL
             WHERE id = ?1",
            params![
                id.to_string(),
                content.title,
                content.location,
                ts(content.starts_at),
                ts(content.ends_at),
                content.expected_people,
                content.staff,
                status.as_str()
            ],
        )?;
        self.write_requests(id, &content.requested)
    }

    fn decide(
        &mut self,
        id: PlanId,
        status: PlanStatus,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> StorageResult<()> {
        self.conn.execute(
            "UPDATE plans SET status = ?2, reject_reason = COALESCE(?3, reject_reason),
                 decided_at = ?4 WHERE id = ?1",
            params![id.to_string(), status.as_str(), reason, ts(now)],
        )?;
        Ok(())
    }

    fn handout_totals(&mut self, id: PlanId) -> StorageResult<Vec<(ItemId, u64, u64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT item_id, handed_out, unbacked FROM plan_handout_totals
             WHERE plan_id = ?1 AND handed_out > 0",
        )?;
        let rows = stmt.query_map([id.to_string()], |r| {
            Ok((col(r, 0)?, int(r, 1)?, int(r, 2)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
