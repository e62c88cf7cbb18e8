//! Wins (中奖): each winner's prize and its delivery state (待发放 / 已发放 / 联系不上 / 放弃),
//! set in the console or by a handover at a station; and a prize given up (放弃, or 联系不上
//! past the carrier's deadline) passed to the pool's next-ranked reserve.
//!
//! A win's prize leaves the stock when the win becomes 已发放, whichever way that comes
//! (`settle_prize`): the ledger holds one `prize_delivered` movement per delivered win, and
//! a `prize_delivery_void` when a win leaves 已发放.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use fieldpost_domain::{Carrier, PoolId, UnitId, WinId};
use serde_json::json;

use super::{Delivery, Handover, Win, WinState};
use crate::audit::Actor;
use crate::stock::{self, LedgerKind};
use crate::storage::draw::WinRow;
use crate::storage::stock::Movement;
use crate::storage::{self, Database, StorageError, Tx};

/// A delivery the stock cannot cover: no piece of the win's prize is on hand (written off
/// by hand, or delivered to more winners than the pool had).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "no {item} is on hand for entry {entry}'s prize: receive it into stock before setting \
     the win to delivered"
)]
pub struct Shortage {
    /// The prize item's name.
    pub item: String,
    /// The win's entry.
    pub entry: u32,
}

/// Brings the stock ledger in line with `win`'s state, in the transaction that stores it:
/// a delivered win's prize is out of the store room (one `prize_delivered`), any other win's
/// is not (a `prize_delivery_void` when it was). Posts nothing when the ledger agrees
/// already, so a state set twice, or a returned sheet applied twice, moves the stock once.
/// A voided win keeps what it has: its prize, if it was delivered, left all the same.
/// `Ok(Err(_))` when the store room holds none of the prize to deliver.
pub(crate) fn settle_prize(
    tx: &mut dyn Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    win: &WinRow,
) -> Result<Result<(), Shortage>, StorageError> {
    if win.voided {
        return Ok(Ok(()));
    }
    let wanted = i64::from(win.state == WinState::Delivered);
    let posted = tx.stock_ledger().win_delivered(win.id)?;
    if wanted == posted {
        return Ok(Ok(()));
    }
    let item = tx
        .lottery_pools()
        .get(win.pool_id)?
        .ok_or_else(|| StorageError::Corrupt(format!("win {}: no pool", win.id)))?
        .spec
        .item_id;
    let kind = if wanted > posted {
        if tx.stock_ledger().on_hand(item)? < 1 {
            let name = tx.items().get(item)?.map(|i| i.name).unwrap_or_default();
            return Ok(Err(Shortage {
                item: name,
                entry: win.entry,
            }));
        }
        LedgerKind::PrizeDelivered
    } else {
        LedgerKind::PrizeDeliveryVoid
    };
    let movement = Movement::new(item, kind, 1)
        .of_win(win.id)
        .noted(format!("lottery entry {}", win.entry));
    stock::post(tx, now, actor, &movement)?;
    Ok(Ok(()))
}

/// Why a win was not changed.
#[derive(Debug, thiserror::Error)]
pub enum WinError {
    /// No win of this id.
    #[error("win not found")]
    NotFound,
    /// Its draw was voided.
    #[error("the win's draw was voided")]
    Voided,
    /// A field's value is not acceptable.
    #[error("{field}: {reason}")]
    Invalid {
        /// The request field.
        field: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// Only a prize given up (declined, or unreachable) passes to a reserve.
    #[error("win_id: entry {entry}'s prize is {state}, not given up (declined or unreachable)")]
    NotGivenUp {
        /// The win's entry.
        entry: u32,
        /// Its state.
        state: &'static str,
    },
    /// The given-up prize was passed to a reserve already.
    #[error("win_id: entry {entry}'s prize went to reserve entry {promoted} already")]
    AlreadyPromoted {
        /// The given-up win's entry.
        entry: u32,
        /// The reserve that took it.
        promoted: u32,
    },
    /// Every reserve of the pool has a prize (or holds another one).
    #[error("win_id: pool {pool} has no reserve left without a prize")]
    NoReserveLeft {
        /// The pool's name.
        pool: String,
    },
    /// The win would be delivered, but the store room holds none of its prize.
    #[error("state: {0}")]
    NoPrizeOnHand(Shortage),
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The wins of the standing draw, in draw order (none without one).
pub fn wins(db: &dyn Database) -> Result<Vec<Win>, StorageError> {
    storage::read(db, |tx| {
        let Some(draw) = tx.lottery_draws().standing()? else {
            return Ok(Vec::new());
        };
        let rows = tx.lottery_wins().of_draw(draw.id)?;
        let entries: Vec<u32> = rows.iter().map(|w| w.entry).collect();
        let context = Context::of(tx, draw.list_id, draw.id, &entries)?;
        rows.iter().map(|w| context.view(w)).collect()
    })
}

/// Sets a win's state and note.
pub fn set_state(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    id: WinId,
    state: WinState,
    note: Option<&str>,
) -> Result<Win, WinError> {
    let note = note.map(str::trim).filter(|n| !n.is_empty());
    storage::write(db, |tx| {
        let mut win = live(tx, id)?;
        if win.state != state {
            win.state = state;
            win.state_changed_at = now;
        }
        win.note = note.map(str::to_owned);
        settle_prize(tx, actor, now, &win)?.map_err(WinError::NoPrizeOnHand)?;
        tx.lottery_wins().update(&win)?;
        tx.audit_log().append(
            now,
            actor,
            "lottery.win.state",
            Some(&id.to_string()),
            &json!({"entry": win.entry, "state": state, "note": win.note}),
        )?;
        Ok(view_of(tx, &win)?)
    })
}

/// Records a physical prize handed over at a station: the win is delivered. Only a pool
/// delivered at a station (`at_station`) is handed over at one; a carrier credits, claims or
/// ships the others, and its returned sheet records them.
pub fn handover(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    id: WinId,
    station: &str,
    handed_at: DateTime<Utc>,
) -> Result<Win, WinError> {
    let station = station.trim();
    if station.is_empty() {
        return Err(WinError::Invalid {
            field: "station",
            reason: "name the station where the prize was handed over",
        });
    }
    storage::write(db, |tx| {
        let mut win = live(tx, id)?;
        let delivery = tx
            .lottery_draws()
            .pools(win.draw_id)?
            .into_iter()
            .find(|p| p.pool_id == win.pool_id)
            .map(|p| p.delivery);
        if delivery != Some(Delivery::AtStation) {
            return Err(WinError::Invalid {
                field: "win_id",
                reason: "this prize is credited, claimed or shipped by a carrier: only a pool \
                         delivered at a station (at_station) is handed over at one",
            });
        }
        if win.state != WinState::Delivered {
            win.state = WinState::Delivered;
            win.state_changed_at = now;
        }
        win.handover = Some(Handover {
            station: station.to_owned(),
            handed_at,
            recorded_by: actor.to_string(),
        });
        settle_prize(tx, actor, now, &win)?.map_err(WinError::NoPrizeOnHand)?;
        tx.lottery_wins().update(&win)?;
        tx.audit_log().append(
            now,
            actor,
            "lottery.win.handover",
            Some(&id.to_string()),
            &json!({"entry": win.entry, "station": station, "handed_at": handed_at}),
        )?;
        Ok(view_of(tx, &win)?)
    })
}

/// Passes a given-up prize (declined, or unreachable past the carrier's deadline, as the
/// secretariat judges) to the pool's next-ranked reserve that holds no prize: the reserve gets
/// a pending win of its own, which names the one it replaces. Refused twice for the same
/// given-up win.
pub fn promote(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    id: WinId,
) -> Result<Win, WinError> {
    storage::write(db, |tx| {
        let given_up = live(tx, id)?;
        if !matches!(given_up.state, WinState::Declined | WinState::Unreachable) {
            return Err(WinError::NotGivenUp {
                entry: given_up.entry,
                state: given_up.state.chinese(),
            });
        }
        let draw = tx
            .lottery_draws()
            .get(given_up.draw_id)?
            .ok_or_else(|| StorageError::Corrupt(format!("win {id}: no draw")))?;
        let wins = tx.lottery_wins().of_draw(draw.id)?;
        if let Some(taken) = wins.iter().find(|w| w.replaces == Some(id)) {
            return Err(WinError::AlreadyPromoted {
                entry: given_up.entry,
                promoted: taken.entry,
            });
        }
        let pool = tx
            .lottery_draws()
            .pools(draw.id)?
            .into_iter()
            .find(|p| p.pool_id == given_up.pool_id)
            .ok_or_else(|| StorageError::Corrupt(format!("win {id}: pool not drawn")))?;
        // One prize per phone number (an entry is one number): a reserve who has a win of
        // this draw, in any pool and in any state, is passed over. Even a prize given up
        // counts: a carrier's returned sheet names a win by its entry, so an entry has one.
        let holders: HashSet<u32> = wins.iter().map(|w| w.entry).collect();
        let reserve = tx
            .lottery_draws()
            .entries(draw.id)?
            .into_iter()
            .filter(|e| e.pool_no == pool.pool_no && e.reserve && e.win_id.is_none())
            .find(|e| !holders.contains(&e.entry))
            .ok_or(WinError::NoReserveLeft {
                pool: pool.name.clone(),
            })?;
        let line = tx
            .lottery_lists()
            .rows_of(draw.list_id, &[reserve.entry])?
            .into_iter()
            .next()
            .ok_or_else(|| {
                StorageError::Corrupt(format!(
                    "draw {}: entry {} not listed",
                    draw.id, reserve.entry
                ))
            })?;
        let win = WinRow {
            id: WinId::new(),
            draw_id: draw.id,
            pool_id: given_up.pool_id,
            entry: reserve.entry,
            entrant_id: line.entrant_id,
            state: WinState::Pending,
            state_changed_at: now,
            note: None,
            handover: None,
            voided: false,
            replaces: Some(id),
        };
        tx.lottery_wins().insert(std::slice::from_ref(&win))?;
        tx.lottery_draws()
            .promote(draw.id, pool.pool_no, reserve.rank, win.id)?;
        tx.audit_log().append(
            now,
            actor,
            "lottery.win.promote",
            Some(&win.id.to_string()),
            &json!({
                "pool": pool.name,
                "given_up_win": id,
                "given_up_entry": given_up.entry,
                "given_up_state": given_up.state,
                "promoted_entry": reserve.entry,
                "reserve_rank": reserve.rank,
            }),
        )?;
        Ok(view_of(tx, &win)?)
    })
}

/// A win that can still change: it exists and its draw stands.
fn live(tx: &mut dyn Tx, id: WinId) -> Result<WinRow, WinError> {
    let win = tx.lottery_wins().get(id)?.ok_or(WinError::NotFound)?;
    if win.voided {
        return Err(WinError::Voided);
    }
    Ok(win)
}

fn view_of(tx: &mut dyn Tx, win: &WinRow) -> Result<Win, StorageError> {
    let draw = tx
        .lottery_draws()
        .get(win.draw_id)?
        .ok_or_else(|| StorageError::Corrupt(format!("win {}: no draw", win.id)))?;
    Context::of(tx, draw.list_id, draw.id, &[win.entry])?.view(win)
}

/// What a win's view needs besides the win: its draw's pools, the list's lines, the units.
pub(crate) struct Context {
    pub(crate) pools: HashMap<PoolId, (String, Delivery)>,
    pub(crate) lines: HashMap<u32, (String, Carrier, UnitId)>,
    pub(crate) units: HashMap<UnitId, String>,
    /// Given-up win → the promoted reserve's win.
    pub(crate) replaced_by: HashMap<WinId, WinId>,
}

impl Context {
    pub(crate) fn of(
        tx: &mut dyn Tx,
        list: uuid::Uuid,
        draw: fieldpost_domain::DrawId,
        entries: &[u32],
    ) -> Result<Context, StorageError> {
        Ok(Context {
            pools: tx
                .lottery_draws()
                .pools(draw)?
                .into_iter()
                .map(|p| (p.pool_id, (p.name, p.delivery)))
                .collect(),
            lines: tx
                .lottery_lists()
                .rows_of(list, entries)?
                .into_iter()
                .map(|r| (r.entry, (r.masked_phone, r.carrier, r.unit_id)))
                .collect(),
            units: tx
                .units()
                .all(None)?
                .into_iter()
                .map(|u| (u.id, u.name))
                .collect(),
            replaced_by: tx
                .lottery_wins()
                .of_draw(draw)?
                .into_iter()
                .filter_map(|w| w.replaces.map(|r| (r, w.id)))
                .collect(),
        })
    }

    pub(crate) fn view(&self, w: &WinRow) -> Result<Win, StorageError> {
        let (pool_name, delivery) = self
            .pools
            .get(&w.pool_id)
            .cloned()
            .ok_or_else(|| StorageError::Corrupt(format!("win {}: pool not drawn", w.id)))?;
        let (masked_phone, carrier, unit) = self
            .lines
            .get(&w.entry)
            .cloned()
            .ok_or_else(|| StorageError::Corrupt(format!("win {}: entry not listed", w.id)))?;
        Ok(Win {
            id: w.id,
            pool_id: w.pool_id,
            pool_name,
            delivery,
            entry: w.entry,
            masked_phone,
            carrier,
            unit_name: self.units.get(&unit).cloned().unwrap_or_default(),
            state: w.state,
            state_changed_at: w.state_changed_at,
            note: w.note.clone(),
            handover: w.handover.clone(),
            replaces: w.replaces,
            replaced_by: self.replaced_by.get(&w.id).copied(),
        })
    }
}
