//! The stock ledger's tables: `stock_ledger` (every movement, append-only) and
//! `grant_balances` (each device's spendable grant, kept by every post so that the push path
//! reads it in one lookup).

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, Grant, GrantId, HandoutId, ItemId, ItemQuantity, PlanId, WinId};
use uuid::Uuid;

use super::StorageResult;
use crate::audit::Actor;
use crate::plans::DeviceGrantBalance;
use crate::stock::{LedgerEntry, LedgerKind, StockBalance};

/// A movement to post: one row of the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Movement {
    /// Its identity (a grant's id, for a grant).
    pub id: Uuid,
    /// The item moved.
    pub item: ItemId,
    /// Which way.
    pub kind: LedgerKind,
    /// How many; at least one.
    pub quantity: u32,
    /// The plan, for plan-side movements.
    pub plan: Option<PlanId>,
    /// The device, for grant-side movements.
    pub device: Option<DeviceId>,
    /// The handout, for a handout or its void.
    pub handout: Option<HandoutId>,
    /// The lottery win, for a prize delivered (or its delivery voided).
    pub win: Option<WinId>,
    /// Free text (a donor's delivery note, "plan closed").
    pub note: Option<String>,
}

impl Movement {
    /// A movement of `quantity` of `item`, with a fresh id and nothing else set.
    pub fn new(item: ItemId, kind: LedgerKind, quantity: u32) -> Movement {
        Movement {
            id: Uuid::now_v7(),
            item,
            kind,
            quantity,
            plan: None,
            device: None,
            handout: None,
            win: None,
            note: None,
        }
    }

    /// Under `plan`.
    pub fn of_plan(mut self, plan: PlanId) -> Movement {
        self.plan = Some(plan);
        self
    }

    /// Of `device`'s grant.
    pub fn of_device(mut self, device: DeviceId) -> Movement {
        self.device = Some(device);
        self
    }

    /// Of `win`'s prize.
    pub fn of_win(mut self, win: WinId) -> Movement {
        self.win = Some(win);
        self
    }

    /// With a note.
    pub fn noted(mut self, note: impl Into<String>) -> Movement {
        self.note = Some(note.into());
        self
    }
}

/// A plan's balances of one item, summed from the ledger.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanBalance {
    /// allocation − return
    pub allocated: i64,
    /// grant − release, over all devices
    pub granted: i64,
    /// handout − handout_void, over all devices (the grant-backed part)
    pub handed_out: i64,
}

/// `stock_ledger` with `grant_balances`.
pub trait StockLedger {
    /// Appends a movement (and moves the device's grant balance when it has a plan and a
    /// device). The caller has checked the balance it draws on in this transaction.
    fn post(
        &mut self,
        now: DateTime<Utc>,
        actor: &Actor,
        movement: &Movement,
    ) -> StorageResult<LedgerEntry>;
    /// receipt − write_off − allocation + return − prize_delivered + prize_delivery_void of
    /// one item: the store room.
    fn on_hand(&mut self, item: ItemId) -> StorageResult<i64>;
    /// prize_delivered − prize_delivery_void of one win: 1 while its prize is out of the
    /// store room, 0 otherwise.
    fn win_delivered(&mut self, win: WinId) -> StorageResult<i64>;
    /// A plan's balances of one item.
    fn plan_balance(&mut self, plan: PlanId, item: ItemId) -> StorageResult<PlanBalance>;
    /// What a device may still hand out or release of a plan's item.
    fn device_available(
        &mut self,
        plan: PlanId,
        device: DeviceId,
        item: ItemId,
    ) -> StorageResult<i64>;
    /// Every item's balances, in the items' order.
    fn balances(&mut self) -> StorageResult<Vec<StockBalance>>;
    /// Movements after `after_seq` (of one item, or all), oldest first.
    fn entries(
        &mut self,
        item: Option<ItemId>,
        after_seq: i64,
        limit: u32,
    ) -> StorageResult<Vec<LedgerEntry>>;
    /// A plan's movements of one kind, oldest first.
    fn plan_entries(&mut self, plan: PlanId, kind: LedgerKind) -> StorageResult<Vec<LedgerEntry>>;
    /// The items a plan's movements touch.
    fn plan_items(&mut self, plan: PlanId) -> StorageResult<Vec<ItemId>>;
    /// A plan's net allocation per item (allocation − return, where positive), in the order
    /// the items were first allocated.
    fn plan_allocation(&mut self, plan: PlanId) -> StorageResult<Vec<ItemQuantity>>;
    /// Each device's net grant and grant-backed handouts under a plan, per item.
    fn plan_device_balances(&mut self, plan: PlanId) -> StorageResult<Vec<DeviceGrantBalance>>;
    /// One grant (a `grant` movement), by its id.
    fn grant(&mut self, id: GrantId) -> StorageResult<Option<Grant>>;
    /// A device's unspent grants (plan, item, available > 0).
    fn unspent_grants(&mut self, device: DeviceId) -> StorageResult<Vec<(PlanId, ItemId, i64)>>;
}
