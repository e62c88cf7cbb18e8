//! The stock ledger: every movement of an item (received, written off, allocated to a plan,
//! granted to a device, handed out) as an append-only row, and the balances summed from it.
//! Every post checks the balance it draws on in the same transaction.

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, Item, ItemId, PlanId, WinId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;
use uuid::Uuid;

use crate::audit::Actor;
use crate::storage::stock::Movement;
use crate::storage::{self, Database, Record, StorageError, Tx};

/// A stock movement kind (one row of the ledger).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    /// Stock received from a donor: on hand +.
    Receipt,
    /// Stock lost or damaged: on hand −.
    WriteOff,
    /// Stock allocated to an approved plan: on hand −, plan +.
    Allocation,
    /// Unspent allocation back to stock: plan −, on hand +.
    Return,
    /// Part of a plan's allocation granted to one device.
    Grant,
    /// Part of a device's grant given back to the plan.
    Release,
    /// Items handed out by a device, within its grant.
    Handout,
    /// A handout cancelled; gives its quantity back to the device's grant.
    HandoutVoid,
    /// A lottery prize delivered to its winner (the win set to 已发放, in the console, by a
    /// carrier's returned sheet or by a handover at a station): on hand − 1, naming the win.
    PrizeDelivered,
    /// A win that leaves 已发放 (set back by mistake): its prize back on hand, + 1.
    PrizeDeliveryVoid,
}

impl LedgerKind {
    /// Every kind.
    pub const ALL: [LedgerKind; 10] = [
        LedgerKind::Receipt,
        LedgerKind::WriteOff,
        LedgerKind::Allocation,
        LedgerKind::Return,
        LedgerKind::Grant,
        LedgerKind::Release,
        LedgerKind::Handout,
        LedgerKind::HandoutVoid,
        LedgerKind::PrizeDelivered,
        LedgerKind::PrizeDeliveryVoid,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerKind::Receipt => "receipt",
            LedgerKind::WriteOff => "write_off",
            LedgerKind::Allocation => "allocation",
            LedgerKind::Return => "return",
            LedgerKind::Grant => "grant",
            LedgerKind::Release => "release",
            LedgerKind::Handout => "handout",
            LedgerKind::HandoutVoid => "handout_void",
            LedgerKind::PrizeDelivered => "prize_delivered",
            LedgerKind::PrizeDeliveryVoid => "prize_delivery_void",
        }
    }

    /// Parses [`LedgerKind::as_str`]'s output.
    pub fn parse(s: &str) -> Option<LedgerKind> {
        LedgerKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One row of the stock ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct LedgerEntry {
    /// Position in the ledger.
    pub seq: i64,
    /// Identity (a grant's id for grant rows).
    pub id: Uuid,
    /// The item.
    pub item_id: ItemId,
    /// What kind of movement.
    pub kind: LedgerKind,
    /// How many; always at least one.
    pub quantity: u32,
    /// The plan, for plan-side movements.
    pub plan_id: Option<PlanId>,
    /// The device, for grant-side movements.
    pub device_id: Option<DeviceId>,
    /// The lottery win, for a prize delivered to its winner (or that delivery voided).
    pub win_id: Option<WinId>,
    /// Free text, e.g. the donor's delivery note.
    pub note: Option<String>,
    /// Who recorded it.
    pub actor: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Balances of one item, derived from the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct StockBalance {
    /// The item.
    pub item: Item,
    /// Everything ever received.
    pub received: u64,
    /// Everything written off.
    pub written_off: u64,
    /// Allocated to plans, net of returns.
    pub allocated: u64,
    /// Handed out within grants, net of voids.
    pub handed_out: u64,
    /// Lottery prizes delivered to their winners, net of deliveries voided (prize items
    /// only).
    pub delivered_to_winners: u64,
    /// In the secretariat's store room: received − written off − allocated − delivered to
    /// winners.
    pub on_hand: u64,
}

/// The sums of one item's movements, kind by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct KindSums {
    pub(crate) received: i64,
    pub(crate) written_off: i64,
    pub(crate) allocation: i64,
    pub(crate) returned: i64,
    pub(crate) handout: i64,
    pub(crate) void: i64,
    pub(crate) prize_delivered: i64,
    pub(crate) prize_delivery_void: i64,
}

/// An item's balances from its movements' sums. A negative net (a broken invariant) reads as
/// zero.
pub(crate) fn balance(item: Item, s: KindSums) -> StockBalance {
    let clamp = |v: i64| u64::try_from(v).unwrap_or(0);
    let delivered = s.prize_delivered - s.prize_delivery_void;
    StockBalance {
        item,
        received: clamp(s.received),
        written_off: clamp(s.written_off),
        allocated: clamp(s.allocation - s.returned),
        handed_out: clamp(s.handout - s.void),
        delivered_to_winners: clamp(delivered),
        on_hand: clamp(s.received - s.written_off - s.allocation + s.returned - delivered),
    }
}

// --- use cases ------------------------------------------------------------------------------

/// Why a stock movement of the store room was refused.
#[derive(Debug, thiserror::Error)]
pub enum StockError {
    /// A quantity of zero.
    #[error("quantity: must be at least 1")]
    ZeroQuantity,
    /// No item of this id.
    #[error("item not found")]
    NoSuchItem,
    /// A write-off without its reason (lost, damaged, expired…): the secretariat accounts
    /// for every mask, so a write-off says why.
    #[error("note: a write-off needs its reason")]
    ReasonRequired,
    /// The store room holds less than the write-off asks for.
    #[error("cannot write off {wanted}: only {on_hand} on hand")]
    InsufficientStock {
        /// What was asked.
        wanted: u32,
        /// What is on hand.
        on_hand: i64,
    },
    /// The write-off would leave fewer prizes than the lottery's pools promise.
    #[error(
        "quantity: {promised} are promised to lottery pools: only {free} of the {on_hand} on hand \
         can be written off, not {wanted}"
    )]
    PromisedToPools {
        /// What was asked.
        wanted: u32,
        /// What is on hand.
        on_hand: i64,
        /// What the pools promise.
        promised: u64,
        /// What may go.
        free: u64,
    },
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Posts a movement, and stamps the store room's change for the stations when it is one
/// (plan-side movements reach the plan's unit through the plan's own change).
pub(crate) fn post(
    tx: &mut dyn Tx,
    now: DateTime<Utc>,
    actor: &Actor,
    movement: &Movement,
) -> Result<LedgerEntry, StorageError> {
    let entry = tx.stock_ledger().post(now, actor, movement)?;
    if movement.plan.is_none() {
        let item = movement.item.to_string();
        tx.change_log().stamp(
            now,
            Record {
                entity: "stock",
                id: &item,
            },
            None,
            None,
        )?;
    }
    Ok(entry)
}

/// Every item's balances.
pub fn stock(db: &dyn Database) -> Result<Vec<StockBalance>, StorageError> {
    storage::read(db, |tx| tx.stock_ledger().balances())
}

/// Movements after `after_seq`, of one item or all, oldest first.
pub fn ledger(
    db: &dyn Database,
    item: Option<ItemId>,
    after_seq: i64,
    limit: u32,
) -> Result<Vec<LedgerEntry>, StorageError> {
    storage::read(db, |tx| tx.stock_ledger().entries(item, after_seq, limit))
}

/// Stock received from a donor into the store room.
pub fn receive(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    item: ItemId,
    quantity: u32,
    note: Option<&str>,
) -> Result<LedgerEntry, StockError> {
    storage::write(db, |tx| receive_in(tx, actor, now, item, quantity, note))
}

/// [`receive`] inside a transaction (a seed receives with its other records).
pub(crate) fn receive_in(
    tx: &mut dyn Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    item: ItemId,
    quantity: u32,
    note: Option<&str>,
) -> Result<LedgerEntry, StockError> {
    movement_in(tx, actor, now, item, quantity, note, LedgerKind::Receipt)
}

/// Stock lost or damaged, out of the store room.
pub fn write_off(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    item: ItemId,
    quantity: u32,
    note: Option<&str>,
) -> Result<LedgerEntry, StockError> {
    storage::write(db, |tx| {
        movement_in(tx, actor, now, item, quantity, note, LedgerKind::WriteOff)
    })
}

/// What the lottery's pools promise of `item`, when taking `quantity` out of the `on_hand`
/// would leave less than that (issue 12: a pool's prizes must still exist at the draw and
/// until they are delivered).
pub(crate) fn promised_beyond(
    tx: &mut dyn Tx,
    item: ItemId,
    on_hand: i64,
    quantity: u32,
) -> Result<Option<u64>, StorageError> {
    let promised = tx.lottery_pools().promised(item)?;
    let left = on_hand.saturating_sub(i64::from(quantity));
    Ok((promised > 0 && i64::try_from(promised).unwrap_or(i64::MAX) > left).then_some(promised))
}

/// How much of the `on_hand` the pools' promise leaves free.
pub(crate) fn free_of(on_hand: i64, promised: u64) -> u64 {
    u64::try_from(on_hand).unwrap_or(0).saturating_sub(promised)
}

fn movement_in(
    tx: &mut dyn Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    item: ItemId,
    quantity: u32,
    note: Option<&str>,
    kind: LedgerKind,
) -> Result<LedgerEntry, StockError> {
    if quantity == 0 {
        return Err(StockError::ZeroQuantity);
    }
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    if kind == LedgerKind::WriteOff && note.is_none() {
        return Err(StockError::ReasonRequired);
    }
    if !tx.items().exists(item)? {
        return Err(StockError::NoSuchItem);
    }
    if kind == LedgerKind::WriteOff {
        let on_hand = tx.stock_ledger().on_hand(item)?;
        if i64::from(quantity) > on_hand {
            return Err(StockError::InsufficientStock {
                wanted: quantity,
                on_hand,
            });
        }
        if let Some(promised) = promised_beyond(tx, item, on_hand, quantity)? {
            return Err(StockError::PromisedToPools {
                wanted: quantity,
                on_hand,
                promised,
                free: free_of(on_hand, promised),
            });
        }
    }
    let mut movement = Movement::new(item, kind, quantity);
    movement.note = note.map(str::to_owned);
    let entry = post(tx, now, actor, &movement)?;
    let action = match kind {
        LedgerKind::WriteOff => "stock.write_off",
        _ => "stock.receive",
    };
    tx.audit_log().append(
        now,
        actor,
        action,
        Some(&item.to_string()),
        &json!({"quantity": quantity, "note": note}),
    )?;
    Ok(entry)
}
