//! `stock_ledger` and `grant_balances`: every movement is a row, every balance a sum, and a
//! device's spendable grant is kept current by every post so that it is one point lookup.

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, Grant, GrantId, ItemId, ItemQuantity, PlanId, WinId};
use rusqlite::{OptionalExtension, Row, params};

use super::{SqliteTx, col, col_opt, col_ts, ts};
use crate::audit::Actor;
use crate::plans::DeviceGrantBalance;
use crate::stock::{KindSums, LedgerEntry, LedgerKind, StockBalance};
use crate::storage::StorageResult;
use crate::storage::stock::{Movement, PlanBalance, StockLedger};

const ENTRY_COLUMNS: &str =
    "seq, id, item_id, kind, quantity, plan_id, device_id, note, actor, created_at, win_id";

fn u32_col(r: &Row<'_>, idx: usize) -> rusqlite::Result<u32> {
    let v: i64 = r.get(idx)?;
    u32::try_from(v).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Integer, Box::new(e))
    })
}

fn u64_col(r: &Row<'_>, idx: usize) -> rusqlite::Result<u64> {
    let v: i64 = r.get(idx)?;
    u64::try_from(v).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Integer, Box::new(e))
    })
}

fn entry_row(r: &Row<'_>) -> rusqlite::Result<LedgerEntry> {
    let kind: String = r.get(3)?;
    Ok(LedgerEntry {
        seq: r.get(0)?,
        id: col(r, 1)?,
        item_id: col(r, 2)?,
        kind: LedgerKind::parse(&kind).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                3,
                rusqlite::types::Type::Text,
                format!("unknown ledger kind {kind}").into(),
            )
        })?,
        quantity: u32_col(r, 4)?,
        plan_id: col_opt(r, 5)?,
        device_id: col_opt(r, 6)?,
        win_id: col_opt(r, 10)?,
        note: r.get(7)?,
        actor: r.get(8)?,
        created_at: col_ts(r, 9)?,
    })
}

impl StockLedger for SqliteTx<'_> {
    fn post(
        &mut self,
        now: DateTime<Utc>,
        actor: &Actor,
        p: &Movement,
    ) -> StorageResult<LedgerEntry> {
        self.conn
            .prepare_cached(
                "INSERT INTO stock_ledger
                     (id, item_id, kind, quantity, plan_id, device_id, handout_id, note, actor,
                      created_at, win_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )?
            .execute(params![
                p.id.to_string(),
                p.item.to_string(),
                p.kind.as_str(),
                p.quantity,
                p.plan.map(|x| x.to_string()),
                p.device.map(|x| x.to_string()),
                p.handout.map(|x| x.to_string()),
                p.note,
                actor.to_string(),
                ts(now),
                p.win.map(|x| x.to_string())
            ])?;
        let seq = self.conn.last_insert_rowid();
        if let (Some(plan), Some(device)) = (p.plan, p.device) {
            let q = i64::from(p.quantity);
            let delta = match p.kind {
                LedgerKind::Grant | LedgerKind::HandoutVoid => q,
                LedgerKind::Release | LedgerKind::Handout => -q,
                LedgerKind::Receipt
                | LedgerKind::WriteOff
                | LedgerKind::Allocation
                | LedgerKind::Return
                | LedgerKind::PrizeDelivered
                | LedgerKind::PrizeDeliveryVoid => 0,
            };
            self.conn
                .prepare_cached(
                    "INSERT INTO grant_balances (device_id, plan_id, item_id, available)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (device_id, plan_id, item_id)
                     DO UPDATE SET available = available + excluded.available",
                )?
                .execute(params![
                    device.to_string(),
                    plan.to_string(),
                    p.item.to_string(),
                    delta
                ])?;
        }
        Ok(LedgerEntry {
            seq,
            id: p.id,
            item_id: p.item,
            kind: p.kind,
            quantity: p.quantity,
            plan_id: p.plan,
            device_id: p.device,
            win_id: p.win,
            note: p.note.clone(),
            actor: actor.to_string(),
            created_at: now,
        })
    }

    fn on_hand(&mut self, item: ItemId) -> StorageResult<i64> {
        Ok(self.conn.query_row(
            "SELECT COALESCE(SUM(CASE kind
                     WHEN 'receipt' THEN quantity WHEN 'return' THEN quantity
                     WHEN 'prize_delivery_void' THEN quantity
                     ELSE -quantity END), 0)
             FROM stock_ledger
             WHERE item_id = ?1 AND kind IN ('receipt', 'write_off', 'allocation', 'return',
                                             'prize_delivered', 'prize_delivery_void')",
            [item.to_string()],
            |r| r.get(0),
        )?)
    }

    fn win_delivered(&mut self, win: WinId) -> StorageResult<i64> {
        Ok(self.conn.query_row(
            "SELECT COALESCE(SUM(CASE kind WHEN 'prize_delivered' THEN quantity
                                           ELSE -quantity END), 0)
             FROM stock_ledger WHERE win_id = ?1",
            [win.to_string()],
            |r| r.get(0),
        )?)
    }

    fn plan_balance(&mut self, plan: PlanId, item: ItemId) -> StorageResult<PlanBalance> {
        Ok(self.conn.query_row(
            "SELECT
                 COALESCE(SUM(CASE kind WHEN 'allocation' THEN quantity
                                        WHEN 'return' THEN -quantity ELSE 0 END), 0),
                 COALESCE(SUM(CASE kind WHEN 'grant' THEN quantity
                                        WHEN 'release' THEN -quantity ELSE 0 END), 0),
                 COALESCE(SUM(CASE kind WHEN 'handout' THEN quantity
                                        WHEN 'handout_void' THEN -quantity ELSE 0 END), 0)
             FROM stock_ledger WHERE plan_id = ?1 AND item_id = ?2",
            params![plan.to_string(), item.to_string()],
            |r| {
                Ok(PlanBalance {
                    allocated: r.get(0)?,
                    granted: r.get(1)?,
                    handed_out: r.get(2)?,
                })
            },
        )?)
    }

    fn grant(&mut self, id: GrantId) -> StorageResult<Option<Grant>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id, plan_id, device_id, item_id, quantity FROM stock_ledger
                 WHERE id = ?1 AND kind = 'grant'",
            )?
            .query_row([id.to_string()], |r| {
                Ok(Grant {
                    id: col(r, 0)?,
                    plan_id: col(r, 1)?,
                    device_id: col(r, 2)?,
                    item_id: col(r, 3)?,
                    quantity: u32_col(r, 4)?,
                })
            })
            .optional()?)
    }

    fn device_available(
        &mut self,
        plan: PlanId,
        device: DeviceId,
        item: ItemId,
    ) -> StorageResult<i64> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT available FROM grant_balances
                 WHERE device_id = ?1 AND plan_id = ?2 AND item_id = ?3",
            )?
            .query_row(
                params![device.to_string(), plan.to_string(), item.to_string()],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0))
    }

    fn balances(&mut self) -> StorageResult<Vec<StockBalance>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {},
                 (SELECT COALESCE(SUM(quantity), 0) FROM stock_ledger l
                   WHERE l.item_id = items.id AND l.kind = 'receipt'),
                 (SELECT COALESCE(SUM(quantity), 0) FROM stock_ledger l
                   WHERE l.item_id = items.id AND l.kind = 'write_off'),
                 (SELECT COALESCE(SUM(quantity), 0) FROM stock_ledger l
                   WHERE l.item_id = items.id AND l.kind = 'allocation'),
                 (SELECT COALESCE(SUM(quantity), 0) FROM stock_ledger l
                   WHERE l.item_id = items.id AND l.kind = 'return'),
                 (SELECT COALESCE(SUM(quantity), 0) FROM stock_ledger l
                   WHERE l.item_id = items.id AND l.kind = 'handout'),
                 (SELECT COALESCE(SUM(quantity), 0) FROM stock_ledger l
                   WHERE l.item_id = items.id AND l.kind = 'handout_void'),
                 (SELECT COALESCE(SUM(quantity), 0) FROM stock_ledger l
                   WHERE l.item_id = items.id AND l.kind = 'prize_delivered'),
                 (SELECT COALESCE(SUM(quantity), 0) FROM stock_ledger l
                   WHERE l.item_id = items.id AND l.kind = 'prize_delivery_void')
             FROM items ORDER BY rowid",
            super::items::ITEM_COLUMNS
        ))?;
        let rows = stmt.query_map([], |r| {
            let item = super::items::item_row(r)?;
            let n = |i: usize| -> rusqlite::Result<i64> { r.get(6 + i) };
            Ok(crate::stock::balance(
                item,
                KindSums {
                    received: n(0)?,
                    written_off: n(1)?,
                    allocation: n(2)?,
                    returned: n(3)?,
                    handout: n(4)?,
                    void: n(5)?,
                    prize_delivered: n(6)?,
                    prize_delivery_void: n(7)?,
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn entries(
        &mut self,
        item: Option<ItemId>,
        after_seq: i64,
        limit: u32,
    ) -> StorageResult<Vec<LedgerEntry>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ENTRY_COLUMNS} FROM stock_ledger
             WHERE seq > ?1 AND (?2 IS NULL OR item_id = ?2) ORDER BY seq LIMIT ?3"
        ))?;
        let rows = stmt.query_map(
            params![after_seq, item.map(|i| i.to_string()), limit],
            entry_row,
        )?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn plan_entries(&mut self, plan: PlanId, kind: LedgerKind) -> StorageResult<Vec<LedgerEntry>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ENTRY_COLUMNS} FROM stock_ledger
             WHERE plan_id = ?1 AND kind = ?2 ORDER BY seq"
        ))?;
        let rows = stmt.query_map(params![plan.to_string(), kind.as_str()], entry_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn plan_items(&mut self, plan: PlanId) -> StorageResult<Vec<ItemId>> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT item_id FROM stock_ledger WHERE plan_id = ?1")?;
        let rows = stmt.query_map([plan.to_string()], |r| col(r, 0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn plan_allocation(&mut self, plan: PlanId) -> StorageResult<Vec<ItemQuantity>> {
        let mut stmt = self.conn.prepare(
            "SELECT item_id, net FROM (
                 SELECT item_id, MIN(seq) AS first,
                        SUM(CASE kind WHEN 'allocation' THEN quantity ELSE -quantity END) AS net
                 FROM stock_ledger WHERE plan_id = ?1 AND kind IN ('allocation', 'return')
                 GROUP BY item_id)
             WHERE net > 0 ORDER BY first",
        )?;
        let rows = stmt.query_map([plan.to_string()], |r| {
            Ok(ItemQuantity {
                item_id: col(r, 0)?,
                quantity: u32_col(r, 1)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn plan_device_balances(&mut self, plan: PlanId) -> StorageResult<Vec<DeviceGrantBalance>> {
        let mut stmt = self.conn.prepare(
            "SELECT device_id, item_id,
                 SUM(CASE kind WHEN 'grant' THEN quantity WHEN 'release' THEN -quantity
                     ELSE 0 END),
                 SUM(CASE kind WHEN 'handout' THEN quantity WHEN 'handout_void' THEN -quantity
                     ELSE 0 END)
             FROM stock_ledger WHERE plan_id = ?1 AND device_id IS NOT NULL
             GROUP BY device_id, item_id ORDER BY MIN(seq)",
        )?;
        let rows = stmt.query_map([plan.to_string()], |r| {
            let granted = u64_col(r, 2)?;
            let handed_out = u64_col(r, 3)?;
            Ok(DeviceGrantBalance {
                device_id: col(r, 0)?,
                item_id: col(r, 1)?,
                granted,
                handed_out,
                available: granted.saturating_sub(handed_out),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn unspent_grants(&mut self, device: DeviceId) -> StorageResult<Vec<(PlanId, ItemId, i64)>> {
        let mut stmt = self.conn.prepare(
            "SELECT plan_id, item_id, available FROM grant_balances
             WHERE device_id = ?1 AND available > 0 ORDER BY plan_id, item_id",
        )?;
        let rows = stmt.query_map([device.to_string()], |r| {
            Ok((col(r, 0)?, col(r, 1)?, r.get(2)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
