//! `plans` and `plan_requests`, and the per-plan handout totals the push path keeps in
//! `plan_handout_totals`.

use chrono::{DateTime, Utc};
use fieldpost_domain::quarantine::PlanFacts;
use fieldpost_domain::{
    ActivityPlan, ItemId, ItemQuantity, PlanContent, PlanId, PlanStatus, UnitId,
};
use tokio_postgres::Row;

use super::{PgTx, col, col_u32, col_u64, get};
use crate::storage::plans::PlanTable;
use crate::storage::{StorageError, StorageResult};

const PLAN_COLUMNS: &str = "id, unit_id, title, location, starts_at, ends_at, expected_people, \
     staff, status, reject_reason, revision";

fn status(r: &Row, idx: usize) -> StorageResult<PlanStatus> {
    let status: String = get(r, idx)?;
    PlanStatus::parse(&status)
        .ok_or_else(|| StorageError::Corrupt(format!("column {idx}: unknown plan status {status}")))
}

fn plan_row(r: &Row) -> StorageResult<ActivityPlan> {
    Ok(ActivityPlan {
        id: col(r, 0)?,
        unit_id: col(r, 1)?,
        title: get(r, 2)?,
        location: get(r, 3)?,
        starts_at: get(r, 4)?,
        ends_at: get(r, 5)?,
        expected_people: col_u32(r, 6)?,
        staff: get(r, 7)?,
        status: status(r, 8)?,
        allocation: Vec::new(),
        reject_reason: get(r, 9)?,
        revision: col_u32(r, 10)?,
        requested: Vec::new(),
    })
}

impl PgTx<'_> {
    fn requests(&mut self, plan: PlanId) -> StorageResult<Vec<ItemQuantity>> {
        let rows = self.query(
            "SELECT item_id, quantity FROM plan_requests WHERE plan_id = $1 ORDER BY row_order",
            &[&plan.to_string()],
        )?;
        rows.iter()
            .map(|r| {
                Ok(ItemQuantity {
                    item_id: col(r, 0)?,
                    quantity: col_u32(r, 1)?,
                })
            })
            .collect()
    }

    fn write_requests(&mut self, plan: PlanId, requested: &[ItemQuantity]) -> StorageResult<()> {
        let plan = plan.to_string();
        self.execute("DELETE FROM plan_requests WHERE plan_id = $1", &[&plan])?;
        for q in requested {
            self.execute(
                "INSERT INTO plan_requests (plan_id, item_id, quantity) VALUES ($1, $2, $3)",
                &[&plan, &q.item_id.to_string(), &i64::from(q.quantity)],
            )?;
        }
        Ok(())
    }
}

impl PlanTable for PgTx<'_> {
    fn facts(&mut self, id: PlanId) -> StorageResult<Option<PlanFacts>> {
        let row = self.query_opt(
            "SELECT unit_id, status, starts_at, ends_at FROM plans WHERE id = $1",
            &[&id.to_string()],
        )?;
        row.map(|r| {
            let status: String = get(&r, 1)?;
            Ok(PlanFacts {
                unit: col(&r, 0)?,
                status: PlanStatus::parse(&status)
                    .ok_or_else(|| StorageError::Corrupt(format!("plan {id} status {status}")))?,
                starts_at: get(&r, 2)?,
                ends_at: get(&r, 3)?,
            })
        })
        .transpose()
    }

    fn get(&mut self, id: PlanId) -> StorageResult<Option<ActivityPlan>> {
        let row = self.query_opt(
            &format!("SELECT {PLAN_COLUMNS} FROM plans WHERE id = $1"),
            &[&id.to_string()],
        )?;
        match row {
            Some(r) => {
                let mut p = plan_row(&r)?;
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
        let rows = self.query(
            &format!(
                "SELECT {PLAN_COLUMNS} FROM plans
                 WHERE ($1::text IS NULL OR unit_id = $1) AND ($2::text IS NULL OR status = $2)
                 ORDER BY id"
            ),
            &[&unit.map(|u| u.to_string()), &status.map(|s| s.as_str())],
        )?;
        let mut plans = rows
            .iter()
            .map(plan_row)
            .collect::<StorageResult<Vec<_>>>()?;
        for p in &mut plans {
            p.requested = self.requests(p.id)?;
        }
        Ok(plans)
    }

    fn exists(&mut self, id: PlanId) -> StorageResult<bool> {
        Ok(self
            .query_opt("SELECT 1 FROM plans WHERE id = $1", &[&id.to_string()])?
            .is_some())
    }

    fn unit_and_status(&mut self, id: PlanId) -> StorageResult<Option<(UnitId, PlanStatus)>> {
        let row = self.query_opt(
            "SELECT unit_id, status FROM plans WHERE id = $1",
            &[&id.to_string()],
        )?;
        row.map(|r| Ok((col(&r, 0)?, status(&r, 1)?))).transpose()
    }

    fn insert(
        &mut self,
        id: PlanId,
        unit: UnitId,
        content: &PlanContent,
        status: PlanStatus,
        now: DateTime<Utc>,
    ) -> StorageResult<()> {
        // A plan filed twice by id is a duplicate that must leave the transaction usable.
        self.execute_unique(
            &format!(
                "INSERT INTO plans ({PLAN_COLUMNS}, filed_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, 0, $10)"
            ),
            &[
                &id.to_string(),
                &unit.to_string(),
                &content.title,
                &content.location,
                &content.starts_at,
                &content.ends_at,
                &i64::from(content.expected_people),
                &content.staff,
                &status.as_str(),
                &now,
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
        self.execute(
            "UPDATE plans SET title = $2, location = $3, starts_at = $4, ends_at = $5,
                 expected_people = $6, staff = $7, status = $8, revision = revision + 1,
                 reject_reason = NULL
             WHERE id = $1",
            &[
                &id.to_string(),
                &content.title,
                &content.location,
                &content.starts_at,
                &content.ends_at,
                &i64::from(content.expected_people),
                &content.staff,
                &status.as_str(),
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
        self.execute(
            "UPDATE plans SET status = $2, reject_reason = COALESCE($3, reject_reason),
                 decided_at = $4 WHERE id = $1",
            &[&id.to_string(), &status.as_str(), &reason, &now],
        )?;
        Ok(())
    }

    fn handout_totals(&mut self, id: PlanId) -> StorageResult<Vec<(ItemId, u64, u64)>> {
        // SQLite reads these in its key's order (the table is WITHOUT ROWID); say so here.
        let rows = self.query(
            "SELECT item_id, handed_out, unbacked FROM plan_handout_totals
             WHERE plan_id = $1 AND handed_out > 0 ORDER BY item_id",
            &[&id.to_string()],
        )?;
        rows.iter()
            .map(|r| Ok((col(r, 0)?, col_u64(r, 1)?, col_u64(r, 2)?)))
            .collect()
    }
}
