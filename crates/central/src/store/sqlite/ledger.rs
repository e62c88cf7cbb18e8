//! The stock ledger: every movement is a row, every balance a sum, and every post checks the
//! balance it draws on in the same transaction.

use crate::error::ErrorCode;
use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, HandoutId, ItemId, PlanId};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde_json::json;
use uuid::Uuid;

use super::catalog::{ITEM_COLUMNS, item_exists, item_row};
use super::{audit, changed, col, col_opt, col_ts, col_u32, positive, ts};
use crate::audit::Actor;
use crate::error::StoreError;
use crate::stock::{LedgerEntry, LedgerKind, StockBalance};
use crate::store::StoreResult;

/// A movement to post.
pub(super) struct Post {
    pub id: Uuid,
    pub item: ItemId,
    pub kind: LedgerKind,
    pub quantity: u32,
    pub plan: Option<PlanId>,
    pub device: Option<DeviceId>,
    pub handout: Option<HandoutId>,
    pub note: Option<String>,
}

impl Post {
    pub fn new(item: ItemId, kind: LedgerKind, quantity: u32) -> Post {
        Post {
            id: Uuid::now_v7(),
            item,
            kind,
            quantity,
            plan: None,
            device: None,
            handout: None,
            note: None,
        }
    }
}

/// Inserts a movement. Callers check the balance it draws on first, in the same transaction.
pub(super) fn post(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    p: Post,
) -> StoreResult<LedgerEntry> {
    tx.prepare_cached(
        "INSERT INTO stock_ledger
             (id, item_id, kind, quantity, plan_id, device_id, handout_id, note, actor, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
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
        ts(now)
    ])?;
    let seq = tx.last_insert_rowid();
    if let (Some(plan), Some(device)) = (p.plan, p.device) {
        let q = i64::from(p.quantity);
        let delta = match p.kind {
            LedgerKind::Grant | LedgerKind::HandoutVoid => q,
            LedgerKind::Release | LedgerKind::Handout => -q,
            LedgerKind::Receipt
            | LedgerKind::WriteOff
            | LedgerKind::Allocation
            | LedgerKind::Return => 0,
        };
        tx.prepare_cached(
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
    // Stock is campaign-wide for pulls; plan-side rows reach the plan's unit via the plan's
    // own change stamp, which callers write.
    if p.plan.is_none() {
        changed(tx, now, "stock", &p.item.to_string(), None, None)?;
    }
    Ok(LedgerEntry {
        seq,
        id: p.id,
        item_id: p.item,
        kind: p.kind,
        quantity: p.quantity,
        plan_id: p.plan,
        device_id: p.device,
        note: p.note,
        actor: actor.to_string(),
        created_at: now,
    })
}

/// receipt − write_off − allocation + return, for one item.
pub(super) fn on_hand(c: &Connection, item: ItemId) -> StoreResult<i64> {
    Ok(c.query_row(
        "SELECT COALESCE(SUM(CASE kind
                 WHEN 'receipt' THEN quantity WHEN 'return' THEN quantity
                 ELSE -quantity END), 0)
         FROM stock_ledger
         WHERE item_id = ?1 AND kind IN ('receipt', 'write_off', 'allocation', 'return')",
        [item.to_string()],
        |r| r.get(0),
    )?)
}

/// A plan's balances for one item, from the ledger.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct PlanBalance {
    /// allocation − return
    pub allocated: i64,
    /// grant − release, over all devices
    pub granted: i64,
    /// handout − handout_void, over all devices (the grant-backed part)
    pub handed_out: i64,
}

pub(super) fn plan_balance(c: &Connection, plan: PlanId, item: ItemId) -> StoreResult<PlanBalance> {
    Ok(c.query_row(
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

/// What a device may still hand out or release under a plan:
/// grant − release − handout + handout_void, kept in `grant_balances` by [`post`] so that it
/// is one point lookup however many handouts the device has reported.
pub(super) fn device_available(
    c: &Connection,
    plan: PlanId,
    device: DeviceId,
    item: ItemId,
) -> StoreResult<i64> {
    Ok(c.prepare_cached(
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

fn require_item(c: &Connection, item: ItemId) -> StoreResult<()> {
    if !item_exists(c, item)? {
        return Err(StoreError::NotFound("item"));
    }
    Ok(())
}

pub(super) fn receive(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    item: ItemId,
    quantity: u32,
    note: Option<String>,
) -> StoreResult<LedgerEntry> {
    positive("quantity", quantity)?;
    require_item(tx, item)?;
    let mut p = Post::new(item, LedgerKind::Receipt, quantity);
    p.note = note.clone();
    let entry = post(tx, actor, now, p)?;
    audit(
        tx,
        now,
        actor,
        "stock.receive",
        Some(item.to_string()),
        json!({"quantity": quantity, "note": note}),
    )?;
    Ok(entry)
}

pub(super) fn write_off(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    item: ItemId,
    quantity: u32,
    note: Option<String>,
) -> StoreResult<LedgerEntry> {
    positive("quantity", quantity)?;
    require_item(tx, item)?;
    let available = on_hand(tx, item)?;
    if i64::from(quantity) > available {
        return Err(StoreError::conflict_on(
            ErrorCode::InsufficientStock,
            "quantity",
            format!("cannot write off {quantity}: only {available} on hand"),
        ));
    }
    let mut p = Post::new(item, LedgerKind::WriteOff, quantity);
    p.note = note.clone();
    let entry = post(tx, actor, now, p)?;
    audit(
        tx,
        now,
        actor,
        "stock.write_off",
        Some(item.to_string()),
        json!({"quantity": quantity, "note": note}),
    )?;
    Ok(entry)
}

pub(super) fn stock(c: &Connection) -> StoreResult<Vec<StockBalance>> {
    let mut stmt = c.prepare(&format!(
        "SELECT {ITEM_COLUMNS},
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
               WHERE l.item_id = items.id AND l.kind = 'handout_void')
         FROM items ORDER BY rowid"
    ))?;
    let rows = stmt.query_map([], |r| {
        let item = item_row(r)?;
        let n = |i: usize| -> rusqlite::Result<i64> { r.get(6 + i) };
        let (received, written_off, allocation, returned, handout, void) =
            (n(0)?, n(1)?, n(2)?, n(3)?, n(4)?, n(5)?);
        let clamp = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok(StockBalance {
            item,
            received: clamp(received),
            written_off: clamp(written_off),
            allocated: clamp(allocation - returned),
            handed_out: clamp(handout - void),
            on_hand: clamp(received - written_off - allocation + returned),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
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
        quantity: col_u32(r, 4)?,
        plan_id: col_opt(r, 5)?,
        device_id: col_opt(r, 6)?,
        note: r.get(7)?,
        actor: r.get(8)?,
        created_at: col_ts(r, 9)?,
    })
}

pub(super) const ENTRY_COLUMNS: &str =
    "seq, id, item_id, kind, quantity, plan_id, device_id, note, actor, created_at";

pub(super) fn entries(
    c: &Connection,
    item: Option<ItemId>,
    after_seq: i64,
    limit: u32,
) -> StoreResult<Vec<LedgerEntry>> {
    let mut stmt = c.prepare(&format!(
        "SELECT {ENTRY_COLUMNS} FROM stock_ledger
         WHERE seq > ?1 AND (?2 IS NULL OR item_id = ?2) ORDER BY seq LIMIT ?3"
    ))?;
    let rows = stmt.query_map(
        params![after_seq, item.map(|i| i.to_string()), limit],
        entry_row,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn plan_entries(
    c: &Connection,
    plan: PlanId,
    kind: LedgerKind,
) -> StoreResult<Vec<LedgerEntry>> {
    let mut stmt = c.prepare(&format!(
        "SELECT {ENTRY_COLUMNS} FROM stock_ledger WHERE plan_id = ?1 AND kind = ?2 ORDER BY seq"
    ))?;
    let rows = stmt.query_map(params![plan.to_string(), kind.as_str()], entry_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
