//! The lottery draw's tables: prize pools, the frozen list and its entries, draws with their
//! pools and ranked entries, and wins. No full number in any of them.

use chrono::{DateTime, Utc};
use fieldpost_domain::{CampaignId, Carrier, DrawId, EntrantId, ItemId, PoolId, UnitId, WinId};
use uuid::Uuid;

use super::StorageResult;
use crate::draw::{Delivery, Handover, Pool, Voided, WinState};

/// `lottery_pools`: the prize pools.
pub trait LotteryPoolTable {
    /// Every pool, in draw order (position, then creation).
    fn all(&mut self) -> StorageResult<Vec<Pool>>;
    /// One pool.
    fn get(&mut self, id: PoolId) -> StorageResult<Option<Pool>>;
    /// Adds a pool.
    fn insert(
        &mut self,
        campaign: CampaignId,
        pool: &Pool,
        now: DateTime<Utc>,
    ) -> StorageResult<()>;
    /// Replaces a pool's definition.
    fn update(&mut self, pool: &Pool, now: DateTime<Utc>) -> StorageResult<()>;
    /// How many prizes of `item` the pools hold, leaving out `except`.
    fn pooled(&mut self, item: ItemId, except: Option<PoolId>) -> StorageResult<u64>;
    /// How many prizes of `item` the pools still promise: each pool's quantity less its wins
    /// delivered (in a standing draw), never below zero.
    fn promised(&mut self, item: ItemId) -> StorageResult<u64>;
}

/// A frozen list as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredList {
    /// Identity.
    pub id: Uuid,
    /// When it was frozen.
    pub frozen_at: DateTime<Utc>,
    /// Who froze it.
    pub frozen_by: String,
    /// The published digest.
    pub digest: String,
    /// The published text, byte for byte.
    pub text: String,
    /// How many entries.
    pub entries: u32,
}

/// Which entrant holds an entry number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListRow {
    /// The entry number.
    pub entry: u32,
    /// The entrant.
    pub entrant_id: EntrantId,
    /// Their unit.
    pub unit_id: UnitId,
    /// Their masked number.
    pub masked_phone: String,
    /// Their carrier.
    pub carrier: Carrier,
}

/// `lottery_lists` with `lottery_list_entries`.
pub trait LotteryListTable {
    /// The frozen list, if the campaign's list is frozen.
    fn current(&mut self) -> StorageResult<Option<StoredList>>;
    /// Stores a frozen list and its entries.
    fn insert(
        &mut self,
        campaign: CampaignId,
        list: &StoredList,
        rows: &[ListRow],
    ) -> StorageResult<()>;
    /// A list's entries, in entry order.
    fn rows(&mut self, list: Uuid) -> StorageResult<Vec<ListRow>>;
    /// Some of a list's entries (those a draw picked), in entry order.
    fn rows_of(&mut self, list: Uuid, entries: &[u32]) -> StorageResult<Vec<ListRow>>;
}

/// A draw as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawRow {
    /// Identity.
    pub id: DrawId,
    /// The list it was drawn from.
    pub list_id: Uuid,
    /// The public value.
    pub public_value: String,
    /// Its source.
    pub value_source: String,
    /// The list's digest.
    pub list_digest: String,
    /// When.
    pub drawn_at: DateTime<Utc>,
    /// Who.
    pub drawn_by: String,
    /// Set once voided.
    pub voided: Option<Voided>,
}

/// A pool as it was drawn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawPoolRow {
    /// 1-based draw order, the method's pool number.
    pub pool_no: u32,
    /// The pool.
    pub pool_id: PoolId,
    /// Its name.
    pub name: String,
    /// Its delivery.
    pub delivery: Delivery,
    /// Its carriers.
    pub carriers: Vec<Carrier>,
    /// Its quantity.
    pub quantity: u32,
    /// Its reserves.
    pub reserves: u32,
}

/// An entry a draw picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawEntryRow {
    /// The pool's number in the draw.
    pub pool_no: u32,
    /// A reserve rather than a winner.
    pub reserve: bool,
    /// 1-based rank.
    pub rank: u32,
    /// The entry number.
    pub entry: u32,
    /// The win, for a winner.
    pub win_id: Option<WinId>,
}

/// `lottery_draws` with `lottery_draw_pools` and `lottery_draw_entries`.
pub trait LotteryDrawTable {
    /// Stores a draw with its pools and picked entries.
    fn insert(
        &mut self,
        campaign: CampaignId,
        draw: &DrawRow,
        pools: &[DrawPoolRow],
        entries: &[DrawEntryRow],
    ) -> StorageResult<()>;
    /// The draw that stands (not voided), if one does.
    fn standing(&mut self) -> StorageResult<Option<DrawRow>>;
    /// Every draw, oldest first.
    fn all(&mut self) -> StorageResult<Vec<DrawRow>>;
    /// One draw.
    fn get(&mut self, id: DrawId) -> StorageResult<Option<DrawRow>>;
    /// A draw's pools, in draw order.
    fn pools(&mut self, id: DrawId) -> StorageResult<Vec<DrawPoolRow>>;
    /// A draw's picked entries: by pool, winners before reserves, by rank.
    fn entries(&mut self, id: DrawId) -> StorageResult<Vec<DrawEntryRow>>;
    /// Marks a draw voided.
    fn void(&mut self, id: DrawId, voided: &Voided) -> StorageResult<()>;
    /// Names the win a promoted reserve took: the reserve of `pool_no` at `rank`.
    fn promote(&mut self, id: DrawId, pool_no: u32, rank: u32, win: WinId) -> StorageResult<()>;
}

/// A win as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WinRow {
    /// Identity.
    pub id: WinId,
    /// Its draw.
    pub draw_id: DrawId,
    /// Its pool.
    pub pool_id: PoolId,
    /// The winner's entry number.
    pub entry: u32,
    /// The winner.
    pub entrant_id: EntrantId,
    /// Its state.
    pub state: WinState,
    /// When the state last changed.
    pub state_changed_at: DateTime<Utc>,
    /// Free text.
    pub note: Option<String>,
    /// A handover at a station.
    pub handover: Option<Handover>,
    /// Whether its draw was voided.
    pub voided: bool,
    /// For a promoted reserve, the given-up win it took over.
    pub replaces: Option<WinId>,
}

/// `lottery_wins`.
pub trait LotteryWinTable {
    /// Adds a draw's new wins, or a promoted reserve's (no handover yet, not voided).
    fn insert(&mut self, wins: &[WinRow]) -> StorageResult<()>;
    /// One win.
    fn get(&mut self, id: WinId) -> StorageResult<Option<WinRow>>;
    /// A draw's wins, in the order they were drawn.
    fn of_draw(&mut self, draw: DrawId) -> StorageResult<Vec<WinRow>>;
    /// Replaces a win's state, note and handover.
    fn update(&mut self, win: &WinRow) -> StorageResult<()>;
    /// Marks a draw's wins voided.
    fn void_draw(&mut self, draw: DrawId) -> StorageResult<()>;
}
