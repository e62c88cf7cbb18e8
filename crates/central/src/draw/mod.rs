//! The lottery's draw, central side (issue 12, deliverables 2–5): prize pools from the
//! campaign's prize stock, the entrant list frozen and published with its SHA-256, the draw
//! itself (`fieldpost_domain::lottery::draw`, which anyone can recompute), each winner's prize
//! (a *win*) and its delivery, and the carriers' lists of their winners.
//!
//! The full numbers appear here only in [`carriers`], opened in memory from the sealed numbers
//! for the one carrier that credits or ships a prize; the list, the draws and the wins hold
//! entry numbers and masked numbers. Every change and every carrier download is audited.

pub mod carriers;
pub mod list;
pub mod pools;
pub mod run;
pub mod wins;

use chrono::{DateTime, Utc};
use fieldpost_domain::{Carrier, DrawId, ItemId, PoolId, UnitId, WinId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How a pool's prize reaches its winner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// A data pack credited to the winning number by its carrier (流量包).
    CarrierCredit,
    /// A voucher claimed through the carrier (e.g. 10086 兑换券).
    Voucher,
    /// Sent to the winner (e.g. a SIM card delivered within the city).
    Shipped,
    /// A physical prize picked up at a station.
    AtStation,
}

impl Delivery {
    /// Every way.
    pub const ALL: [Delivery; 4] = [
        Delivery::CarrierCredit,
        Delivery::Voucher,
        Delivery::Shipped,
        Delivery::AtStation,
    ];

    /// The stored (and wire) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::CarrierCredit => "carrier_credit",
            Delivery::Voucher => "voucher",
            Delivery::Shipped => "shipped",
            Delivery::AtStation => "at_station",
        }
    }

    /// Parses [`Delivery::as_str`]'s output.
    pub fn parse(s: &str) -> Option<Delivery> {
        Delivery::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// As a carrier's sheet names it.
    pub fn chinese(self) -> &'static str {
        match self {
            Delivery::CarrierCredit => "运营商充值",
            Delivery::Voucher => "兑换券",
            Delivery::Shipped => "寄送",
            Delivery::AtStation => "站点领取",
        }
    }
}

/// A prize pool as the secretariat defines it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PoolInput {
    /// Its published name (e.g. 电信 5G 流量包).
    pub name: String,
    /// The prize item (kind `prize`) whose stock it draws on.
    pub item_id: ItemId,
    /// How many prizes; at most the item's stock not already in other pools.
    pub quantity: u32,
    /// How many ranked reserves to draw after the winners.
    pub reserves: u32,
    /// The carriers whose numbers may win it (a data pack or voucher: only its carrier's).
    pub carriers: Vec<Carrier>,
    /// How the prize reaches the winner.
    pub delivery: Delivery,
    /// The carrier that credits or ships the prize, and so receives its winners' full
    /// numbers. Left out: for `carrier_credit` and `voucher`, the pool's one carrier; for
    /// `at_station`, none (handed over at a station). Required for `shipped`.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub delivered_by: Option<Carrier>,
    /// The published draw order: pools are drawn by position, then by when they were
    /// created.
    pub position: u32,
}

/// A prize pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct Pool {
    /// Identity.
    pub id: PoolId,
    /// What defines it (with `delivered_by` resolved).
    #[serde(flatten)]
    pub spec: PoolInput,
}

/// `POST /lottery/list/freeze`'s answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct FrozenListView {
    /// When the list was frozen.
    pub frozen_at: DateTime<Utc>,
    /// The SHA-256 of the published text, lower-case hex.
    pub digest: String,
    /// How many entries it has.
    pub entries: u32,
}

/// One line of the published list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct ListLine {
    /// The public entry number.
    pub entry: u32,
    /// The masked number (`138****1234`).
    pub masked_phone: String,
    /// Its carrier.
    pub carrier: Carrier,
}

/// The published list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct ListView {
    /// When the list was frozen.
    pub frozen_at: DateTime<Utc>,
    /// The SHA-256 of the published text, lower-case hex.
    pub digest: String,
    /// Every entry, in entry order.
    pub entries: Vec<ListLine>,
}

/// Who voided a draw, when and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct Voided {
    /// When.
    pub at: DateTime<Utc>,
    /// Who (as the audit log names them).
    pub by: String,
    /// Why.
    pub reason: String,
}

/// An entry a draw picked, as a winner or a reserve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct DrawnEntry {
    /// 1-based rank among the pool's winners, or among its reserves.
    pub rank: u32,
    /// The public entry number.
    pub entry: u32,
    /// The masked number.
    pub masked_phone: String,
    /// Its carrier.
    pub carrier: Carrier,
    /// The win of a winner; `None` for a reserve.
    pub win_id: Option<WinId>,
}

/// One pool's result in a draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct DrawnPool {
    /// The pool.
    pub pool_id: PoolId,
    /// Its name as drawn.
    pub name: String,
    /// How its prize is delivered.
    pub delivery: Delivery,
    /// The carriers that could win it.
    pub carriers: Vec<Carrier>,
    /// Winners, in rank order.
    pub winners: Vec<DrawnEntry>,
    /// Ranked reserves.
    pub reserves: Vec<DrawnEntry>,
}

/// A draw, standing or voided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct Draw {
    /// Identity.
    pub id: DrawId,
    /// The public value typed in at the draw (trimmed).
    pub public_value: String,
    /// Where it came from (e.g. 福彩3D 2022年第223期 开奖号码).
    pub value_source: String,
    /// The SHA-256 of the list it was drawn from.
    pub list_digest: String,
    /// When.
    pub drawn_at: DateTime<Utc>,
    /// Who.
    pub drawn_by: String,
    /// Set when it was voided.
    pub voided: Option<Voided>,
    /// Each pool's result, in draw order.
    pub pools: Vec<DrawnPool>,
}

/// A win's delivery state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WinState {
    /// 待发放.
    Pending,
    /// 已发放.
    Delivered,
    /// 联系不上.
    Unreachable,
    /// 放弃.
    Declined,
}

impl WinState {
    /// Every state.
    pub const ALL: [WinState; 4] = [
        WinState::Pending,
        WinState::Delivered,
        WinState::Unreachable,
        WinState::Declined,
    ];

    /// The stored (and wire) name.
    pub fn as_str(self) -> &'static str {
        match self {
            WinState::Pending => "pending",
            WinState::Delivered => "delivered",
            WinState::Unreachable => "unreachable",
            WinState::Declined => "declined",
        }
    }

    /// The Chinese name, as the carriers' sheets write it.
    pub fn chinese(self) -> &'static str {
        match self {
            WinState::Pending => "待发放",
            WinState::Delivered => "已发放",
            WinState::Unreachable => "联系不上",
            WinState::Declined => "放弃",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<WinState> {
        WinState::ALL.into_iter().find(|w| w.as_str() == s)
    }

    /// Reads a state as a person writes it in a returned sheet: the Chinese name (and a few
    /// common synonyms) or the English code, case and spaces aside.
    pub fn from_text(s: &str) -> Option<WinState> {
        let t: String = s.split_whitespace().collect::<String>().to_lowercase();
        match t.as_str() {
            "待发放" | "未发放" | "待发" | "pending" => Some(WinState::Pending),
            "已发放" | "已发" | "已充值" | "已领取" | "已寄出" | "delivered" => {
                Some(WinState::Delivered)
            }
            "联系不上" | "无法联系" | "联系不到" | "unreachable" => {
                Some(WinState::Unreachable)
            }
            "放弃" | "已放弃" | "拒绝" | "declined" => Some(WinState::Declined),
            _ => None,
        }
    }
}

/// A physical prize handed over at a station.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct Handover {
    /// The station (its name or place).
    pub station: String,
    /// When it was handed over.
    pub handed_at: DateTime<Utc>,
    /// Who recorded it.
    pub recorded_by: String,
}

/// A winner's prize.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct Win {
    /// Identity.
    pub id: WinId,
    /// The pool.
    pub pool_id: PoolId,
    /// The pool's name.
    pub pool_name: String,
    /// How the prize is delivered.
    pub delivery: Delivery,
    /// The winner's entry number.
    pub entry: u32,
    /// The winner's masked number.
    pub masked_phone: String,
    /// The winner's carrier.
    pub carrier: Carrier,
    /// The unit whose station registered the winner.
    pub unit_name: String,
    /// Its delivery state.
    pub state: WinState,
    /// When the state last changed.
    pub state_changed_at: DateTime<Utc>,
    /// Free text (who called, what was agreed).
    pub note: Option<String>,
    /// The handover at a station, when there was one.
    pub handover: Option<Handover>,
    /// For a promoted reserve: the given-up win it took over.
    pub replaces: Option<WinId>,
    /// For a given-up win: the promoted reserve's win that took it over.
    pub replaced_by: Option<WinId>,
}

/// One entry of a pool on the public winners list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct PublicEntry {
    /// The entry number.
    pub entry: u32,
    /// The masked number.
    pub masked_phone: String,
    /// Set for a reserve promoted to a prize its winner gave up: its rank among the pool's
    /// reserves (left out for a winner).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub reserve_rank: Option<u32>,
}

/// One pool on the public winners list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct PublicPool {
    /// Its name.
    pub name: String,
    /// Its winners, in rank order, then the reserves promoted to given-up prizes, in rank
    /// order.
    pub entries: Vec<PublicEntry>,
}

/// The public winners list: what anyone may see, with what lets them check it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct PublicWinners {
    /// The drawn list's SHA-256.
    pub digest: String,
    /// The public value.
    pub public_value: String,
    /// Each pool's winners, in draw order.
    pub pools: Vec<PublicPool>,
}

/// An entrant as the list is frozen from them, in registration order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListCandidate {
    /// The entrant.
    pub entrant_id: fieldpost_domain::EntrantId,
    /// Their unit.
    pub unit_id: UnitId,
    /// Their masked number.
    pub masked_phone: String,
    /// Their carrier.
    pub carrier: Carrier,
}

/// Carrier codes as stored: comma-separated, in [`Carrier::ALL`]'s order.
pub(crate) fn carriers_text(carriers: &[Carrier]) -> String {
    let mut sorted = carriers.to_vec();
    sorted.sort();
    sorted.dedup();
    sorted
        .iter()
        .map(|c| c.code())
        .collect::<Vec<_>>()
        .join(",")
}

/// Parses [`carriers_text`]'s output; `None` on an unknown code.
pub(crate) fn parse_carriers(text: &str) -> Option<Vec<Carrier>> {
    text.split(',').map(Carrier::from_code).collect()
}
