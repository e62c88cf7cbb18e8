//! `handouts` and `plan_handout_totals`: every handout a device pushed, and what each plan
//! handed out of each item, kept in the same transaction (migration 0004).

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, Handout, HandoutId, HandoutVoid, ItemId, PlanId, UnitId};
use fieldpost_sync::Record;
use tokio_postgres::Row;
use tokio_postgres::types::Type;

use super::device_events::seq_sql;
use super::{Params, PgTx, col, col_u32, get};
use crate::records::HandoutLine;
use crate::storage::{
    HandoutTable, NewHandout, PlanHandoutTotals, StorageError, StorageResult, StoredHandout,
};

const HANDOUT_COLUMNS: &str = "id, session_id, plan_id, item_id, quantity, handed_out_at,
     over_grant_reason, device_id, voided_at";

fn handout_record(r: &Row) -> StorageResult<Record> {
    Ok(Record::Handout {
        handout: Handout {
            id: col::<HandoutId>(r, 0)?,
            session_id: col(r, 1)?,
            plan_id: col(r, 2)?,
            item_id: col(r, 3)?,
            quantity: col_u32(r, 4)?,
            handed_out_at: get(r, 5)?,
            over_grant_reason: get(r, 6)?,
        },
        device_id: col(r, 7)?,
        voided_at: get(r, 8)?,
    })
}

const LINE_SELECT: &str = "SELECT h.id, h.plan_id, p.unit_id, h.device_id, d.name, h.item_id,
         h.quantity, h.backed, h.handed_out_at, h.over_grant_reason, h.voided_at, h.void_reason
     FROM handouts h JOIN plans p ON p.id = h.plan_id JOIN devices d ON d.id = h.device_id";

fn line_row(r: &Row) -> StorageResult<HandoutLine> {
    Ok(HandoutLine {
        id: col(r, 0)?,
        plan_id: col(r, 1)?,
        unit_id: col(r, 2)?,
        device_id: col(r, 3)?,
        device_name: get(r, 4)?,
        item_id: col(r, 5)?,
        quantity: col_u32(r, 6)?,
        backed: col_u32(r, 7)?,
        handed_out_at: get(r, 8)?,
        over_grant_reason: get(r, 9)?,
        voided_at: get(r, 10)?,
        void_reason: get(r, 11)?,
    })
}

impl HandoutTable for PgTx<'_> {
    fn lines(&mut self, unit: Option<UnitId>) -> StorageResult<Vec<HandoutLine>> {
        let rows = self.query(
            &format!(
                "{LINE_SELECT} WHERE $1::text IS NULL OR p.unit_id = $1
                 ORDER BY h.handed_out_at, h.id"
            ),
            &[&unit.map(|u| u.to_string())],
        )?;
        rows.iter().map(line_row).collect()
    }

    fn over_grant(&mut self, unit: Option<UnitId>, limit: u32) -> StorageResult<Vec<HandoutLine>> {
        // Index `handouts_over_grant`.
        let rows = self.query(
            &format!(
                "{LINE_SELECT} WHERE h.backed < h.quantity AND h.voided_at IS NULL
                 AND ($2::text IS NULL OR p.unit_id = $2)
                 ORDER BY h.handed_out_at DESC, h.id LIMIT $1"
            ),
            &[&i64::from(limit), &unit.map(|u| u.to_string())],
        )?;
        rows.iter().map(line_row).collect()
    }

    fn insert(&mut self, device: DeviceId, rows: &[NewHandout<'_>]) -> StorageResult<bool> {
        if rows.is_empty() {
            return Ok(true);
        }
        let device = device.to_string();
        let texts: Vec<[String; 4]> = rows
            .iter()
            .map(|r| {
                let h = r.handout;
                [
                    h.id.to_string(),
                    h.plan_id.to_string(),
                    h.session_id.to_string(),
                    h.item_id.to_string(),
                ]
            })
            .collect();
        let numbers = rows
            .iter()
            .map(|r| {
                Ok([
                    i64::from(r.handout.quantity),
                    i64::from(r.backed),
                    seq_sql(r.batch_seq)?,
                ])
            })
            .collect::<StorageResult<Vec<[i64; 3]>>>()?;
        // The whole slice copied in, all or nothing: a stored id fails it in its savepoint,
        // and the caller rolls back to its own (or compares the one row).
        self.copy_batch(
            "COPY handouts (id, plan_id, device_id, session_id, item_id, quantity, backed,
                 handed_out_at, over_grant_reason, batch_seq) FROM STDIN (FORMAT binary)",
            &[
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::INT8,
                Type::INT8,
                Type::TIMESTAMPTZ,
                Type::TEXT,
                Type::INT8,
            ],
            rows.len(),
            |i| {
                let (t, n, h) = (&texts[i], &numbers[i], rows[i].handout);
                vec![
                    &t[0],
                    &t[1],
                    &device,
                    &t[2],
                    &t[3],
                    &n[0],
                    &n[1],
                    &h.handed_out_at,
                    &h.over_grant_reason,
                    &n[2],
                ]
            },
        )
    }

    fn stored(&mut self, id: HandoutId) -> StorageResult<Option<StoredHandout>> {
        self.query_opt(
            "SELECT plan_id, device_id, item_id, quantity, backed, voided_at FROM handouts
             WHERE id = $1",
            &[&id.to_string()],
        )?
        .map(|r| {
            Ok(StoredHandout {
                plan: col(&r, 0)?,
                device: col(&r, 1)?,
                item: col(&r, 2)?,
                quantity: col_u32(&r, 3)?,
                backed: col_u32(&r, 4)?,
                voided: get::<Option<DateTime<Utc>>>(&r, 5)?.is_some(),
            })
        })
        .transpose()
    }

    fn void(&mut self, v: &HandoutVoid) -> StorageResult<()> {
        self.execute(
            "UPDATE handouts SET voided_at = $2, void_reason = $3, batch_seq = NULL
             WHERE id = $1",
            &[&v.handout_id.to_string(), &v.voided_at, &v.reason],
        )?;
        Ok(())
    }

    fn of_batch(&mut self, batch_seq: u64) -> StorageResult<Vec<Record>> {
        let rows = self.query(
            &format!("SELECT {HANDOUT_COLUMNS} FROM handouts WHERE batch_seq = $1 ORDER BY id"),
            &[&i64::try_from(batch_seq).unwrap_or(i64::MAX)],
        )?;
        rows.iter().map(handout_record).collect()
    }

    fn record(&mut self, id: &str) -> StorageResult<Option<Record>> {
        self.query_opt(
            &format!("SELECT {HANDOUT_COLUMNS} FROM handouts WHERE id = $1"),
            &[&id],
        )?
        .as_ref()
        .map(handout_record)
        .transpose()
    }
}

impl PlanHandoutTotals for PgTx<'_> {
    fn add(
        &mut self,
        plan: PlanId,
        item: ItemId,
        handed_out: i64,
        unbacked: i64,
    ) -> StorageResult<()> {
        let (plan_text, item_text) = (plan.to_string(), item.to_string());
        let args: &Params<'_> = &[&plan_text, &item_text, &handed_out, &unbacked];
        if handed_out >= 0 {
            self.execute(
                "INSERT INTO plan_handout_totals (plan_id, item_id, handed_out, unbacked)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (plan_id, item_id) DO UPDATE
                 SET handed_out = plan_handout_totals.handed_out + excluded.handed_out,
                     unbacked = plan_handout_totals.unbacked + excluded.unbacked",
                args,
            )?;
        } else {
            // A void: its handout is in the totals already. (An upsert would check the
            // negative new row against the table's CHECKs before finding the conflict.)
            let updated = self.execute(
                "UPDATE plan_handout_totals
                 SET handed_out = handed_out + $3, unbacked = unbacked + $4
                 WHERE plan_id = $1 AND item_id = $2",
                args,
            )?;
            if updated != 1 {
                return Err(StorageError::Corrupt(format!(
                    "plan {plan} has no handout totals for item {item}"
                )));
            }
        }
        Ok(())
    }
}
