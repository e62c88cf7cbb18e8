//! Wins (中奖): each winner's prize and its delivery state (待发放 / 已发放 / 联系不上 / 放弃),
//! set in the console or by a handover at a station.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use fieldpost_domain::{Carrier, PoolId, UnitId, WinId};
use serde_json::json;

use super::{Delivery, Handover, Win, WinState};
use crate::audit::Actor;
use crate::storage::draw::WinRow;
use crate::storage::{self, Database, StorageError, Tx};

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

/// Records a physical prize handed over at a station: the win is delivered.
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
        if win.state != WinState::Delivered {
            win.state = WinState::Delivered;
            win.state_changed_at = now;
        }
        win.handover = Some(Handover {
            station: station.to_owned(),
            handed_at,
            recorded_by: actor.to_string(),
        });
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
        })
    }
}
