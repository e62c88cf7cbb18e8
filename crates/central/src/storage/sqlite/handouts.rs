//! `handouts` and `plan_handout_totals`: every handout a device pushed, and what each plan
//! handed out of each item, kept in the same transaction (migration 0004).

use fieldpost_domain::{DeviceId, Handout, HandoutId, HandoutVoid, ItemId, PlanId, UnitId};
use fieldpost_sync::Record;
use rusqlite::{CachedStatement, OptionalExtension, params};

use super::device_events::{CHUNK, multi_row_sql, uuid_text};
use super::{SqliteTx, col, col_ts, col_ts_opt, col_u32, ts};
use crate::records::HandoutLine;
use crate::storage::{
    HandoutTable, NewHandout, PlanHandoutTotals, StorageError, StorageResult, StoredHandout,
};

const HANDOUT_COLUMNS_INSERT: &str = "INSERT INTO handouts (id, plan_id, device_id,
    session_id, item_id, quantity, backed, handed_out_at, over_grant_reason, batch_seq) VALUES ";

static INSERT_HANDOUTS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    multi_row_sql(
        HANDOUT_COLUMNS_INSERT,
        10,
        CHUNK,
        " ON CONFLICT (id) DO NOTHING",
    )
});
static INSERT_HANDOUT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    multi_row_sql(
        HANDOUT_COLUMNS_INSERT,
        10,
        1,
        " ON CONFLICT (id) DO NOTHING",
    )
});

const HANDOUT_COLUMNS: &str = "id, session_id, plan_id, item_id, quantity, handed_out_at,
     over_grant_reason, device_id, voided_at";

fn handout_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<Record> {
    Ok(Record::Handout {
        handout: Handout {
            id: col::<HandoutId>(r, 0)?,
            session_id: col(r, 1)?,
            plan_id: col(r, 2)?,
            item_id: col(r, 3)?,
            quantity: col_u32(r, 4)?,
            handed_out_at: col_ts(r, 5)?,
            over_grant_reason: r.get(6)?,
        },
        device_id: col(r, 7)?,
        voided_at: col_ts_opt(r, 8)?,
    })
}

/// Binds one row at parameter `at` (1-based) and the nine after it.
fn bind_handout(
    stmt: &mut CachedStatement<'_>,
    at: usize,
    row: &NewHandout<'_>,
    device: DeviceId,
) -> StorageResult<()> {
    let h = row.handout;
    let mut bufs = [[0; uuid::fmt::Hyphenated::LENGTH]; 5];
    let [b0, b1, b2, b3, b4] = &mut bufs;
    stmt.raw_bind_parameter(at, uuid_text(&h.id.0, b0))?;
    stmt.raw_bind_parameter(at + 1, uuid_text(&h.plan_id.0, b1))?;
    stmt.raw_bind_parameter(at + 2, uuid_text(&device.0, b2))?;
    stmt.raw_bind_parameter(at + 3, uuid_text(&h.session_id.0, b3))?;
    stmt.raw_bind_parameter(at + 4, uuid_text(&h.item_id.0, b4))?;
    stmt.raw_bind_parameter(at + 5, h.quantity)?;
    stmt.raw_bind_parameter(at + 6, row.backed)?;
    stmt.raw_bind_parameter(at + 7, ts(h.handed_out_at))?;
    stmt.raw_bind_parameter(at + 8, h.over_grant_reason.as_deref())?;
    stmt.raw_bind_parameter(at + 9, super::device_events::seq_sql(row.batch_seq)?)?;
    Ok(())
}

const LINE_SELECT: &str = "SELECT h.id, h.plan_id, p.unit_id, h.device_id, d.name, h.item_id,
         h.quantity, h.backed, h.handed_out_at, h.over_grant_reason, h.voided_at, h.void_reason
     FROM handouts h JOIN plans p ON p.id = h.plan_id JOIN devices d ON d.id = h.device_id";

fn line_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<HandoutLine> {
    Ok(HandoutLine {
        id: col(r, 0)?,
        plan_id: col(r, 1)?,
        unit_id: col(r, 2)?,
        device_id: col(r, 3)?,
        device_name: r.get(4)?,
        item_id: col(r, 5)?,
        quantity: col_u32(r, 6)?,
        backed: col_u32(r, 7)?,
        handed_out_at: col_ts(r, 8)?,
        over_grant_reason: r.get(9)?,
        voided_at: col_ts_opt(r, 10)?,
        void_reason: r.get(11)?,
    })
}

impl HandoutTable for SqliteTx<'_> {
    fn lines(&mut self, unit: Option<UnitId>) -> StorageResult<Vec<HandoutLine>> {
        let mut stmt = self.conn.prepare(&format!(
            "{LINE_SELECT} WHERE ?1 IS NULL OR p.unit_id = ?1 ORDER BY h.handed_out_at, h.id"
        ))?;
        let rows = stmt.query_map([unit.map(|u| u.to_string())], line_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn over_grant(&mut self, unit: Option<UnitId>, limit: u32) -> StorageResult<Vec<HandoutLine>> {
        // Index `handouts_over_grant`.
        let mut stmt = self.conn.prepare(&format!(
            "{LINE_SELECT} WHERE h.backed < h.quantity AND h.voided_at IS NULL
             AND (?2 IS NULL OR p.unit_id = ?2)
             ORDER BY h.handed_out_at DESC, h.id LIMIT ?1"
        ))?;
        let rows = stmt.query_map(
            rusqlite::params![limit, unit.map(|u| u.to_string())],
            line_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn insert(&mut self, device: DeviceId, rows: &[NewHandout<'_>]) -> StorageResult<bool> {
        let mut chunks = rows.chunks_exact(CHUNK);
        if rows.len() >= CHUNK {
            let mut many = self.conn.prepare_cached(&INSERT_HANDOUTS)?;
            for chunk in chunks.by_ref() {
                for (k, row) in chunk.iter().enumerate() {
                    bind_handout(&mut many, 1 + 10 * k, row, device)?;
                }
                if many.raw_execute()? != chunk.len() {
                    return Ok(false);
                }
            }
        }
        let mut one = self.conn.prepare_cached(&INSERT_HANDOUT)?;
        for row in chunks.remainder() {
            bind_handout(&mut one, 1, row, device)?;
            if one.raw_execute()? != 1 {
                return Ok(false);
            }
        }
        Ok(true)
    }

    fn stored(&mut self, id: HandoutId) -> StorageResult<Option<StoredHandout>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT plan_id, device_id, item_id, quantity, backed, voided_at FROM handouts
                 WHERE id = ?1",
            )?
            .query_row([id.to_string()], |r| {
                Ok(StoredHandout {
                    plan: col(r, 0)?,
                    device: col(r, 1)?,
                    item: col(r, 2)?,
                    quantity: col_u32(r, 3)?,
                    backed: col_u32(r, 4)?,
                    voided: r.get::<_, Option<String>>(5)?.is_some(),
                })
            })
            .optional()?)
    }

    fn void(&mut self, v: &HandoutVoid) -> StorageResult<()> {
        self.conn
            .prepare_cached(
                "UPDATE handouts SET voided_at = ?2, void_reason = ?3, batch_seq = NULL
                 WHERE id = ?1",
            )?
            .execute(params![v.handout_id.to_string(), ts(v.voided_at), v.reason])?;
        Ok(())
    }

    fn of_batch(&mut self, batch_seq: u64) -> StorageResult<Vec<Record>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {HANDOUT_COLUMNS} FROM handouts WHERE batch_seq = ?1 ORDER BY id"
        ))?;
        let rows = stmt.query_map(
            [i64::try_from(batch_seq).unwrap_or(i64::MAX)],
            handout_record,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn record(&mut self, id: &str) -> StorageResult<Option<Record>> {
        Ok(self
            .conn
            .prepare_cached(&format!(
                "SELECT {HANDOUT_COLUMNS} FROM handouts WHERE id = ?1"
            ))?
            .query_row([id], handout_record)
            .optional()?)
    }
}

impl PlanHandoutTotals for SqliteTx<'_> {
    fn add(
        &mut self,
        plan: PlanId,
        item: ItemId,
        handed_out: i64,
        unbacked: i64,
    ) -> StorageResult<()> {
        let args = params![plan.to_string(), item.to_string(), handed_out, unbacked];
        if handed_out >= 0 {
            self.conn
                .prepare_cached(
                    "INSERT INTO plan_handout_totals (plan_id, item_id, handed_out, unbacked)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (plan_id, item_id) DO UPDATE
                     SET handed_out = handed_out + excluded.handed_out,
                         unbacked = unbacked + excluded.unbacked",
                )?
                .execute(args)?;
        } else {
            // A void: its handout is in the totals already. (An upsert would check the
            // negative new row against the table's CHECKs before finding the conflict.)
            let updated = self
                .conn
                .prepare_cached(
                    "UPDATE plan_handout_totals
                     SET handed_out = handed_out + ?3, unbacked = unbacked + ?4
                     WHERE plan_id = ?1 AND item_id = ?2",
                )?
                .execute(args)?;
            if updated != 1 {
                return Err(StorageError::Corrupt(format!(
                    "plan {plan} has no handout totals for item {item}"
                )));
            }
        }
        Ok(())
    }
}
