//! The stock ledger: every movement of an item (received, written off, allocated to a plan, granted to a device, handed out) as an append-only row, and the balances summed from it.

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, Item, ItemId, PlanId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

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
}

impl LedgerKind {
    /// Every kind.
    pub const ALL: [LedgerKind; 8] = [
        LedgerKind::Receipt,
        LedgerKind::WriteOff,
        LedgerKind::Allocation,
        LedgerKind::Return,
        LedgerKind::Grant,
        LedgerKind::Release,
        LedgerKind::Handout,
        LedgerKind::HandoutVoid,
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
    /// In the secretariat's store room: received − written off − allocated.
    pub on_hand: u64,
}
