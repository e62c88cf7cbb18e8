//! `top_up_requests`: stored from devices' `top_up_requested` events, answered by the
//! secretariat.

use chrono::{DateTime, Utc};
use fieldpost_domain::{
    DeviceId, GrantId, PlanId, TopUpAnswer, TopUpAnswerStatus, TopUpRequest, TopUpRequestId, UnitId,
};
use tokio_postgres::Row;

use super::{PgTx, col, col_opt, col_u32, get};
use crate::storage::top_ups::TopUpTable;
use crate::storage::{StorageError, StorageResult};
use crate::top_ups::{TopUpRequestLine, TopUpStatus};

const SELECT: &str = "SELECT r.id, r.plan_id, p.title, r.unit_id, r.device_id, d.name, r.item_id,
        r.quantity, r.note, r.requested_at, r.received_at, r.status, r.grant_id, r.granted,
        r.decline_reason, r.decided_at, r.decided_by
    FROM top_up_requests r
    JOIN plans p ON p.id = r.plan_id
    JOIN devices d ON d.id = r.device_id";

/// A stored `granted`, as SQLite's twin reads it (out of range reads as 0).
fn granted(r: &Row, idx: usize) -> StorageResult<Option<u32>> {
    Ok(get::<Option<i64>>(r, idx)?.map(|g| u32::try_from(g).unwrap_or(0)))
}

fn line(r: &Row) -> StorageResult<TopUpRequestLine> {
    let status: String = get(r, 11)?;
    Ok(TopUpRequestLine {
        id: col(r, 0)?,
        plan_id: col(r, 1)?,
        plan_title: get(r, 2)?,
        unit_id: col(r, 3)?,
        device_id: col(r, 4)?,
        device_name: get(r, 5)?,
        item_id: col(r, 6)?,
        quantity: col_u32(r, 7)?,
        note: get(r, 8)?,
        requested_at: get(r, 9)?,
        received_at: get(r, 10)?,
        status: TopUpStatus::parse(&status)
            .ok_or_else(|| StorageError::Corrupt(format!("column 11: top-up status {status:?}")))?,
        grant_id: col_opt(r, 12)?,
        granted: granted(r, 13)?,
        decline_reason: get(r, 14)?,
        decided_at: get(r, 15)?,
        decided_by: get(r, 16)?,
    })
}

impl TopUpTable for PgTx<'_> {
    fn insert(
        &mut self,
        now: DateTime<Utc>,
        unit: UnitId,
        device: DeviceId,
        r: &TopUpRequest,
    ) -> StorageResult<bool> {
        let inserted = self.execute(
            "INSERT INTO top_up_requests (id, plan_id, unit_id, device_id, item_id, quantity,
                 note, requested_at, received_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING",
            &[
                &r.id.to_string(),
                &r.plan_id.to_string(),
                &unit.to_string(),
                &device.to_string(),
                &r.item_id.to_string(),
                &i64::from(r.quantity),
                &r.note,
                &r.requested_at,
                &now,
            ],
        )?;
        Ok(inserted == 1)
    }

    fn get(&mut self, id: TopUpRequestId) -> StorageResult<Option<TopUpRequestLine>> {
        let row = self.query_opt(&format!("{SELECT} WHERE r.id = $1"), &[&id.to_string()])?;
        row.as_ref().map(line).transpose()
    }

    fn list(
        &mut self,
        unit: Option<UnitId>,
        status: Option<TopUpStatus>,
    ) -> StorageResult<Vec<TopUpRequestLine>> {
        // NULLS LAST is SQLite's order for DESC (a decided request always has decided_at).
        let rows = self.query(
            &format!(
                "{SELECT}
                 WHERE ($1::text IS NULL OR r.unit_id = $1) AND ($2::text IS NULL OR r.status = $2)
                 ORDER BY CASE r.status WHEN 'open' THEN 0 ELSE 1 END,
                     CASE r.status WHEN 'open' THEN r.requested_at END,
                     r.decided_at DESC NULLS LAST, r.id"
            ),
            &[
                &unit.map(|u| u.to_string()),
                &status.map(TopUpStatus::as_str),
            ],
        )?;
        rows.iter().map(line).collect()
    }

    fn fulfilled(
        &mut self,
        id: TopUpRequestId,
        grant: GrantId,
        granted: u32,
        now: DateTime<Utc>,
        by: &str,
    ) -> StorageResult<()> {
        self.execute(
            "UPDATE top_up_requests SET status = 'fulfilled', grant_id = $2, granted = $3,
                 decided_at = $4, decided_by = $5
             WHERE id = $1",
            &[
                &id.to_string(),
                &grant.to_string(),
                &i64::from(granted),
                &now,
                &by,
            ],
        )?;
        Ok(())
    }

    fn declined(
        &mut self,
        id: TopUpRequestId,
        reason: &str,
        now: DateTime<Utc>,
        by: &str,
    ) -> StorageResult<()> {
        self.execute(
            "UPDATE top_up_requests SET status = 'declined', decline_reason = $2,
                 decided_at = $3, decided_by = $4
             WHERE id = $1",
            &[&id.to_string(), &reason, &now, &by],
        )?;
        Ok(())
    }

    fn decline_open_of_plan(
        &mut self,
        plan: PlanId,
        reason: &str,
        now: DateTime<Utc>,
        by: &str,
    ) -> StorageResult<Vec<(TopUpRequestId, UnitId, DeviceId)>> {
        // SQLite returns the rows in the order they were stored (through the plan's index, in
        // rowid order); PostgreSQL's RETURNING has no order, so the stored order is asked for.
        let rows = self.query(
            "WITH declined AS (
                 UPDATE top_up_requests SET status = 'declined', decline_reason = $4,
                     decided_at = $2, decided_by = $3
                 WHERE plan_id = $1 AND status = 'open'
                 RETURNING id, unit_id, device_id, row_order
             )
             SELECT id, unit_id, device_id FROM declined ORDER BY row_order",
            &[&plan.to_string(), &now, &by, &reason],
        )?;
        rows.iter()
            .map(|r| Ok((col(r, 0)?, col(r, 1)?, col(r, 2)?)))
            .collect()
    }

    fn answer(&mut self, id: &str) -> StorageResult<Option<TopUpAnswer>> {
        let row = self.query_opt(
            "SELECT id, status, granted, grant_id, decline_reason, decided_at
             FROM top_up_requests WHERE id = $1 AND status <> 'open'",
            &[&id],
        )?;
        row.map(|r| {
            let status: String = get(&r, 1)?;
            let status = match status.as_str() {
                "fulfilled" => TopUpAnswerStatus::Fulfilled,
                "declined" => TopUpAnswerStatus::Declined,
                other => {
                    return Err(StorageError::Corrupt(format!(
                        "column 1: top-up status {other:?}"
                    )));
                }
            };
            Ok(TopUpAnswer {
                request_id: col(&r, 0)?,
                status,
                granted: granted(&r, 2)?,
                grant_id: col_opt(&r, 3)?,
                reason: get(&r, 4)?,
                decided_at: get(&r, 5)?,
            })
        })
        .transpose()
    }
}
