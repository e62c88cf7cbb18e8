//! `top_up_requests`: stored from devices' `top_up_requested` events, answered by the
//! secretariat.

use chrono::{DateTime, Utc};
use fieldpost_domain::{
    DeviceId, GrantId, PlanId, TopUpAnswer, TopUpAnswerStatus, TopUpRequest, TopUpRequestId, UnitId,
};
use rusqlite::{OptionalExtension, Row, params};

use super::{SqliteTx, col, col_opt, col_ts, ts};
use crate::storage::StorageResult;
use crate::storage::top_ups::TopUpTable;
use crate::top_ups::{TopUpRequestLine, TopUpStatus};

fn col_ts_opt(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let s: Option<String> = row.get(idx)?;
    s.map(|s| {
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    idx,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })
    })
    .transpose()
}

fn col_u32(r: &Row<'_>, idx: usize) -> rusqlite::Result<u32> {
    let v: i64 = r.get(idx)?;
    u32::try_from(v).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Integer, Box::new(e))
    })
}

const SELECT: &str = "SELECT r.id, r.plan_id, p.title, r.unit_id, r.device_id, d.name, r.item_id,
        r.quantity, r.note, r.requested_at, r.received_at, r.status, r.grant_id, r.granted,
        r.decline_reason, r.decided_at, r.decided_by
    FROM top_up_requests r
    JOIN plans p ON p.id = r.plan_id
    JOIN devices d ON d.id = r.device_id";

fn line(r: &Row<'_>) -> rusqlite::Result<TopUpRequestLine> {
    let status: String = r.get(11)?;
    Ok(TopUpRequestLine {
        id: col(r, 0)?,
        plan_id: col(r, 1)?,
        plan_title: r.get(2)?,
        unit_id: col(r, 3)?,
        device_id: col(r, 4)?,
        device_name: r.get(5)?,
        item_id: col(r, 6)?,
        quantity: col_u32(r, 7)?,
        note: r.get(8)?,
        requested_at: col_ts(r, 9)?,
        received_at: col_ts(r, 10)?,
        status: TopUpStatus::parse(&status).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                11,
                rusqlite::types::Type::Text,
                format!("top-up status {status:?}").into(),
            )
        })?,
        grant_id: r
            .get::<_, Option<String>>(12)?
            .map(|s| s.parse())
            .transpose()
            .map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    12,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?,
        granted: r
            .get::<_, Option<i64>>(13)?
            .map(|g| u32::try_from(g).unwrap_or(0)),
        decline_reason: r.get(14)?,
        decided_at: col_ts_opt(r, 15)?,
        decided_by: r.get(16)?,
    })
}

impl TopUpTable for SqliteTx<'_> {
    fn insert(
        &mut self,
        now: DateTime<Utc>,
        unit: UnitId,
        device: DeviceId,
        r: &TopUpRequest,
    ) -> StorageResult<bool> {
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO top_up_requests (id, plan_id, unit_id, device_id, item_id, quantity,
                     note, requested_at, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (id) DO NOTHING",
            )?
            .execute(params![
                r.id.to_string(),
                r.plan_id.to_string(),
                unit.to_string(),
                device.to_string(),
                r.item_id.to_string(),
                r.quantity,
                r.note,
                ts(r.requested_at),
                ts(now)
            ])?;
        Ok(inserted == 1)
    }

    fn get(&mut self, id: TopUpRequestId) -> StorageResult<Option<TopUpRequestLine>> {
        Ok(self
            .conn
            .prepare_cached(&format!("{SELECT} WHERE r.id = ?1"))?
            .query_row([id.to_string()], line)
            .optional()?)
    }

    fn list(
        &mut self,
        unit: Option<UnitId>,
        status: Option<TopUpStatus>,
    ) -> StorageResult<Vec<TopUpRequestLine>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "{SELECT} WHERE (?1 IS NULL OR r.unit_id = ?1) AND (?2 IS NULL OR r.status = ?2)
             ORDER BY CASE r.status WHEN 'open' THEN 0 ELSE 1 END,
                 CASE r.status WHEN 'open' THEN r.requested_at END,
                 r.decided_at DESC, r.id"
        ))?;
        let rows = stmt.query_map(
            params![unit.map(|u| u.to_string()), status.map(TopUpStatus::as_str)],
            line,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn fulfilled(
        &mut self,
        id: TopUpRequestId,
        grant: GrantId,
        granted: u32,
        now: DateTime<Utc>,
        by: &str,
    ) -> StorageResult<()> {
        self.conn
            .prepare_cached(
                "UPDATE top_up_requests SET status = 'fulfilled', grant_id = ?2, granted = ?3,
                     decided_at = ?4, decided_by = ?5
                 WHERE id = ?1",
            )?
            .execute(params![
                id.to_string(),
                grant.to_string(),
                granted,
                ts(now),
                by
            ])?;
        Ok(())
    }

    fn declined(
        &mut self,
        id: TopUpRequestId,
        reason: &str,
        now: DateTime<Utc>,
        by: &str,
    ) -> StorageResult<()> {
        self.conn
            .prepare_cached(
                "UPDATE top_up_requests SET status = 'declined', decline_reason = ?2,
                     decided_at = ?3, decided_by = ?4
                 WHERE id = ?1",
            )?
            .execute(params![id.to_string(), reason, ts(now), by])?;
        Ok(())
    }

    fn decline_open_of_plan(
        &mut self,
        plan: PlanId,
        reason: &str,
        now: DateTime<Utc>,
        by: &str,
    ) -> StorageResult<Vec<(TopUpRequestId, UnitId, DeviceId)>> {
        Ok(self
            .conn
            .prepare_cached(
                "UPDATE top_up_requests SET status = 'declined', decline_reason = ?4,
                     decided_at = ?2, decided_by = ?3
                 WHERE plan_id = ?1 AND status = 'open'
                 RETURNING id, unit_id, device_id",
            )?
            .query_map(params![plan.to_string(), ts(now), by, reason], |r| {
                Ok((col(r, 0)?, col(r, 1)?, col(r, 2)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn answer(&mut self, id: &str) -> StorageResult<Option<TopUpAnswer>> {
        let c = self.conn;
        let row = c
            .prepare_cached(
                "SELECT id, status, granted, grant_id, decline_reason, decided_at
                 FROM top_up_requests WHERE id = ?1 AND status <> 'open'",
            )?
            .query_row([id], |r| {
                let status: String = r.get(1)?;
                let status = match status.as_str() {
                    "fulfilled" => TopUpAnswerStatus::Fulfilled,
                    "declined" => TopUpAnswerStatus::Declined,
                    other => {
                        return Err(rusqlite::Error::FromSqlConversionFailure(
                            1,
                            rusqlite::types::Type::Text,
                            format!("top-up status {other:?}").into(),
                        ));
                    }
                };
                Ok(TopUpAnswer {
                    request_id: col(r, 0)?,
                    status,
                    granted: r
                        .get::<_, Option<i64>>(2)?
                        .map(|g| u32::try_from(g).unwrap_or(0)),
                    grant_id: col_opt(r, 3)?,
                    reason: r.get(4)?,
                    decided_at: col_ts(r, 5)?,
                })
            })
            .optional()?;
        Ok(row)
    }
}
