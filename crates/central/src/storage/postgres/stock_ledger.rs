//! `stock_ledger` and `grant_balances`: every movement is a row, every balance a sum, and a
//! device's spendable grant is kept current by every post so that it is one point lookup.
//!
//! `SUM` of a bigint is numeric in PostgreSQL: every sum is cast back to bigint.

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, Grant, GrantId, ItemId, ItemQuantity, PlanId, WinId};
use tokio_postgres::Row;

use super::{PgTx, col, col_opt, col_u32, col_u64, get};
use crate::audit::Actor;
use crate::plans::DeviceGrantBalance;
use crate::stock::{KindSums, LedgerEntry, LedgerKind, StockBalance};
use crate::storage::stock::{Movement, PlanBalance, StockLedger};
use crate::storage::{StorageError, StorageResult};

const ENTRY_COLUMNS: &str =
    "seq, id, item_id, kind, quantity, plan_id, device_id, note, actor, created_at, win_id";

fn entry_row(r: &Row) -> StorageResult<LedgerEntry> {
    let kind: String = get(r, 3)?;
    Ok(LedgerEntry {
        seq: get(r, 0)?,
        id: col(r, 1)?,
        item_id: col(r, 2)?,
        kind: LedgerKind::parse(&kind)
            .ok_or_else(|| StorageError::Corrupt(format!("unknown ledger kind {kind}")))?,
        quantity: col_u32(r, 4)?,
        plan_id: col_opt(r, 5)?,
        device_id: col_opt(r, 6)?,
        win_id: col_opt(r, 10)?,
        note: get(r, 7)?,
        actor: get(r, 8)?,
        created_at: get(r, 9)?,
    })
}

impl StockLedger for PgTx<'_> {
    fn post(
        &mut self,
        now: DateTime<Utc>,
        actor: &Actor,
        p: &Movement,
    ) -> StorageResult<LedgerEntry> {
        let row = self.query_one(
            "INSERT INTO stock_ledger
                 (id, item_id, kind, quantity, plan_id, device_id, handout_id, note, actor,
                  created_at, win_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
             RETURNING seq",
            &[
                &p.id.to_string(),
                &p.item.to_string(),
                &p.kind.as_str(),
                &i64::from(p.quantity),
                &p.plan.map(|x| x.to_string()),
                &p.device.map(|x| x.to_string()),
                &p.handout.map(|x| x.to_string()),
                &p.note,
                &actor.to_string(),
                &now,
                &p.win.map(|x| x.to_string()),
            ],
        )?;
        let seq: i64 = get(&row, 0)?;
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
            self.execute(
                "INSERT INTO grant_balances (device_id, plan_id, item_id, available)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (device_id, plan_id, item_id)
                 DO UPDATE SET available = grant_balances.available + excluded.available",
                &[
                    &device.to_string(),
                    &plan.to_string(),
                    &p.item.to_string(),
                    &delta,
                ],
            )?;
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
        let row = self.query_one(
            "SELECT COALESCE(SUM(CASE kind
                     WHEN 'receipt' THEN quantity WHEN 'return' THEN quantity
                     WHEN 'prize_delivery_void' THEN quantity
                     ELSE -quantity END), 0)::bigint
             FROM stock_ledger
             WHERE item_id = $1 AND kind IN ('receipt', 'write_off', 'allocation', 'return',
                                             'prize_delivered', 'prize_delivery_void')",
            &[&item.to_string()],
        )?;
        get(&row, 0)
    }

    fn win_delivered(&mut self, win: WinId) -> StorageResult<i64> {
        let row = self.query_one(
            "SELECT COALESCE(SUM(CASE kind WHEN 'prize_delivered' THEN quantity
                                           ELSE -quantity END), 0)::bigint
             FROM stock_ledger WHERE win_id = $1",
            &[&win.to_string()],
        )?;
        get(&row, 0)
    }

    fn plan_balance(&mut self, plan: PlanId, item: ItemId) -> StorageResult<PlanBalance> {
        let row = self.query_one(
            "SELECT
                 COALESCE(SUM(CASE kind WHEN 'allocation' THEN quantity
                                        WHEN 'return' THEN -quantity ELSE 0 END), 0)::bigint,
                 COALESCE(SUM(CASE kind WHEN 'grant' THEN quantity
                                        WHEN 'release' THEN -quantity ELSE 0 END), 0)::bigint,
                 COALESCE(SUM(CASE kind WHEN 'handout' THEN quantity
                                        WHEN 'handout_void' THEN -quantity ELSE 0 END), 0)::bigint
             FROM stock_ledger WHERE plan_id = $1 AND item_id = $2",
            &[&plan.to_string(), &item.to_string()],
        )?;
        Ok(PlanBalance {
            allocated: get(&row, 0)?,
            granted: get(&row, 1)?,
            handed_out: get(&row, 2)?,
        })
    }

    fn grant(&mut self, id: GrantId) -> StorageResult<Option<Grant>> {
        self.query_opt(
            "SELECT id, plan_id, device_id, item_id, quantity FROM stock_ledger
             WHERE id = $1 AND kind = 'grant'",
            &[&id.to_string()],
        )?
        .map(|r| {
            Ok(Grant {
                id: col(&r, 0)?,
                plan_id: col(&r, 1)?,
                device_id: col(&r, 2)?,
                item_id: col(&r, 3)?,
                quantity: col_u32(&r, 4)?,
            })
        })
        .transpose()
    }

    fn device_available(
        &mut self,
        plan: PlanId,
        device: DeviceId,
        item: ItemId,
    ) -> StorageResult<i64> {
        let row = self.query_opt(
            "SELECT available FROM grant_balances
             WHERE device_id = $1 AND plan_id = $2 AND item_id = $3",
            &[&device.to_string(), &plan.to_string(), &item.to_string()],
        )?;
        row.map_or(Ok(0), |r| get(&r, 0))
    }

    fn balances(&mut self) -> StorageResult<Vec<StockBalance>> {
        let sum = |kind: &str| {
            format!(
                "(SELECT COALESCE(SUM(quantity), 0)::bigint FROM stock_ledger l
                   WHERE l.item_id = items.id AND l.kind = '{kind}')"
            )
        };
        let rows = self.query(
            &format!(
                "SELECT {}, {}, {}, {}, {}, {}, {}, {}, {}
                 FROM items ORDER BY row_order",
                super::items::ITEM_COLUMNS,
                sum("receipt"),
                sum("write_off"),
                sum("allocation"),
                sum("return"),
                sum("handout"),
                sum("handout_void"),
                sum("prize_delivered"),
                sum("prize_delivery_void"),
            ),
            &[],
        )?;
        rows.iter()
            .map(|r| {
                let item = super::items::item_row(r)?;
                let n = |i: usize| get::<i64>(r, 6 + i);
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
            })
            .collect()
    }

    fn entries(
        &mut self,
        item: Option<ItemId>,
        after_seq: i64,
        limit: u32,
    ) -> StorageResult<Vec<LedgerEntry>> {
        let rows = self.query(
            &format!(
                "SELECT {ENTRY_COLUMNS} FROM stock_ledger
                 WHERE seq > $1 AND ($2::text IS NULL OR item_id = $2) ORDER BY seq LIMIT $3"
            ),
            &[&after_seq, &item.map(|i| i.to_string()), &i64::from(limit)],
        )?;
        rows.iter().map(entry_row).collect()
    }

    fn plan_entries(&mut self, plan: PlanId, kind: LedgerKind) -> StorageResult<Vec<LedgerEntry>> {
        let rows = self.query(
            &format!(
                "SELECT {ENTRY_COLUMNS} FROM stock_ledger
                 WHERE plan_id = $1 AND kind = $2 ORDER BY seq"
            ),
            &[&plan.to_string(), &kind.as_str()],
        )?;
        rows.iter().map(entry_row).collect()
    }

    fn plan_items(&mut self, plan: PlanId) -> StorageResult<Vec<ItemId>> {
        // Ordered as SQLite reads them off its (plan_id, item_id, device_id) index.
        let rows = self.query(
            "SELECT DISTINCT item_id FROM stock_ledger WHERE plan_id = $1 ORDER BY item_id",
            &[&plan.to_string()],
        )?;
        rows.iter().map(|r| col(r, 0)).collect()
    }

    fn plan_allocation(&mut self, plan: PlanId) -> StorageResult<Vec<ItemQuantity>> {
        let rows = self.query(
            "SELECT item_id, net::bigint FROM (
                 SELECT item_id, MIN(seq) AS first,
                        SUM(CASE kind WHEN 'allocation' THEN quantity ELSE -quantity END) AS net
                 FROM stock_ledger WHERE plan_id = $1 AND kind IN ('allocation', 'return')
                 GROUP BY item_id) AS t
             WHERE net > 0 ORDER BY first",
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

    fn plan_device_balances(&mut self, plan: PlanId) -> StorageResult<Vec<DeviceGrantBalance>> {
        let rows = self.query(
            "SELECT device_id, item_id,
                 SUM(CASE kind WHEN 'grant' THEN quantity WHEN 'release' THEN -quantity
                     ELSE 0 END)::bigint,
                 SUM(CASE kind WHEN 'handout' THEN quantity WHEN 'handout_void' THEN -quantity
                     ELSE 0 END)::bigint
             FROM stock_ledger WHERE plan_id = $1 AND device_id IS NOT NULL
             GROUP BY device_id, item_id ORDER BY MIN(seq)",
            &[&plan.to_string()],
        )?;
        rows.iter()
            .map(|r| {
                let granted = col_u64(r, 2)?;
                let handed_out = col_u64(r, 3)?;
                Ok(DeviceGrantBalance {
                    device_id: col(r, 0)?,
                    item_id: col(r, 1)?,
                    granted,
                    handed_out,
                    available: granted.saturating_sub(handed_out),
                })
            })
            .collect()
    }

    fn unspent_grants(&mut self, device: DeviceId) -> StorageResult<Vec<(PlanId, ItemId, i64)>> {
        let rows = self.query(
            "SELECT plan_id, item_id, available FROM grant_balances
             WHERE device_id = $1 AND available > 0 ORDER BY plan_id, item_id",
            &[&device.to_string()],
        )?;
        rows.iter()
            .map(|r| Ok((col(r, 0)?, col(r, 1)?, get(r, 2)?)))
            .collect()
    }
}
