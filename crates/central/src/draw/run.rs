//! The draw (开奖): winners and ranked reserves from the frozen list, the public value and the
//! pools in their published order, by `fieldpost_domain::lottery::draw`, after checking the
//! stored list against its published digest. A draw stands until it is voided with a reason;
//! then it can be run again.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use fieldpost_domain::lottery::{self, DrawError as MethodError, FrozenList, PoolSpec};
use fieldpost_domain::{Carrier, DrawId, WinId};
use serde_json::json;

use super::{
    Draw, DrawnEntry, DrawnPool, PublicEntry, PublicPool, PublicWinners, Voided, WinState,
};
use crate::audit::Actor;
use crate::storage::draw::{DrawEntryRow, DrawPoolRow, DrawRow, WinRow};
use crate::storage::{self, Database, StorageError, Tx};

/// Why a draw was not run or voided.
#[derive(Debug, thiserror::Error)]
pub enum DrawError {
    /// No campaign has been set up.
    #[error("set up the campaign first")]
    NoCampaign,
    /// The collection window is still open.
    #[error("the collection window closes at {closes_at}: draw after it")]
    CollectionOpen {
        /// When it closes.
        closes_at: DateTime<Utc>,
    },
    /// The entrant list is not frozen yet.
    #[error("freeze and publish the entrant list first")]
    NotFrozen,
    /// There is no pool to draw.
    #[error("define the prize pools first")]
    NoPools,
    /// A draw stands already.
    #[error("a draw stands already: void it (with a reason) to draw again")]
    DrawExists,
    /// A field's value is not acceptable.
    #[error("{field}: {reason}")]
    Invalid {
        /// The request field.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// The stored list is not the published one.
    #[error("the stored list is not the published one: {0}")]
    Tampered(String),
    /// A pool claims more prizes than its item's stock holds, after the pools drawn before it
    /// on the same item.
    #[error(
        "pool {pool}: {quantity} prizes, but only {left} of its item are in stock after the \
         pools drawn before it: write off less or shrink the pool"
    )]
    OverStock {
        /// The pool's name.
        pool: String,
        /// Its quantity.
        quantity: u32,
        /// What the stock holds for it.
        left: u64,
    },
    /// No draw of this id.
    #[error("draw not found")]
    NotFound,
    /// The draw was voided already.
    #[error("the draw was voided already")]
    AlreadyVoided,
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Runs the draw: checks the stored list against its digest, draws every pool in order,
/// stores the winners and reserves, and gives each winner a pending win.
pub fn run(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    public_value: &str,
    value_source: &str,
) -> Result<Draw, DrawError> {
    storage::write(db, |tx| {
        let campaign = tx.campaigns().current()?.ok_or(DrawError::NoCampaign)?;
        let closes_at = campaign.campaign.collection_end;
        if now < closes_at {
            return Err(DrawError::CollectionOpen { closes_at });
        }
        let list = tx.lottery_lists().current()?.ok_or(DrawError::NotFrozen)?;
        if tx.lottery_draws().standing()?.is_some() {
            return Err(DrawError::DrawExists);
        }
        let pools = tx.lottery_pools().all()?;
        if pools.is_empty() {
            return Err(DrawError::NoPools);
        }
        // The pools were checked against the stock when defined, but stock can fall after
        // that by paths the pools do not see (an older central's write-off, an edit of the
        // ledger): the draw promises only prizes that exist.
        let mut claimed: HashMap<fieldpost_domain::ItemId, u64> = HashMap::new();
        for pool in &pools {
            let item = pool.spec.item_id;
            let before = claimed.get(&item).copied().unwrap_or(0);
            let on_hand = u64::try_from(tx.stock_ledger().on_hand(item)?).unwrap_or(0);
            let left = on_hand.saturating_sub(before);
            if u64::from(pool.spec.quantity) > left {
                return Err(DrawError::OverStock {
                    pool: pool.spec.name.clone(),
                    quantity: pool.spec.quantity,
                    left,
                });
            }
            claimed.insert(item, before + u64::from(pool.spec.quantity));
        }
        let value = public_value.trim();
        if value.is_empty() || value.contains(['\n', '\r']) {
            return Err(DrawError::Invalid {
                field: "public_value",
                reason: "type the public value in as one non-empty line".into(),
            });
        }
        let source = value_source.trim();
        if source.is_empty() {
            return Err(DrawError::Invalid {
                field: "value_source",
                reason: "name where the public value comes from".into(),
            });
        }
        let frozen = FrozenList::verify(&list.text, &list.digest).map_err(|e| match e {
            MethodError::Tampered { published, actual } => DrawError::Tampered(format!(
                "its SHA-256 is {actual}, the published one {published}"
            )),
            other => DrawError::Tampered(other.to_string()),
        })?;
        let rows = tx.lottery_lists().rows(list.id)?;
        let same = rows.len() == frozen.entries().len()
            && rows.iter().zip(frozen.entries()).all(|(r, e)| {
                r.entry == e.entry && r.masked_phone == e.masked_phone && r.carrier == e.carrier
            });
        if !same {
            return Err(DrawError::Tampered(
                "the stored entries differ from the published text".into(),
            ));
        }
        let specs: Vec<PoolSpec> = pools
            .iter()
            .map(|p| PoolSpec {
                name: p.spec.name.clone(),
                quantity: p.spec.quantity,
                carriers: p.spec.carriers.clone(),
                reserves: p.spec.reserves,
            })
            .collect();
        let results = lottery::draw(&frozen, value, &specs).map_err(|e| DrawError::Invalid {
            field: "pools",
            reason: e.to_string(),
        })?;
        let entrant_of: HashMap<u32, fieldpost_domain::EntrantId> =
            rows.iter().map(|r| (r.entry, r.entrant_id)).collect();
        let draw = DrawRow {
            id: DrawId::new(),
            list_id: list.id,
            public_value: value.to_owned(),
            value_source: source.to_owned(),
            list_digest: list.digest.clone(),
            drawn_at: now,
            drawn_by: actor.to_string(),
            voided: None,
        };
        let mut pool_rows = Vec::new();
        let mut entries = Vec::new();
        let mut wins = Vec::new();
        for ((pool_no, pool), result) in (1u32..).zip(&pools).zip(&results) {
            pool_rows.push(DrawPoolRow {
                pool_no,
                pool_id: pool.id,
                name: pool.spec.name.clone(),
                delivery: pool.spec.delivery,
                carriers: pool.spec.carriers.clone(),
                quantity: pool.spec.quantity,
                reserves: pool.spec.reserves,
            });
            for (rank, &entry) in (1u32..).zip(&result.winners) {
                let entrant_id = *entrant_of
                    .get(&entry)
                    .ok_or_else(|| DrawError::Tampered(format!("entry {entry} has no entrant")))?;
                let win = WinRow {
                    id: WinId::new(),
                    draw_id: draw.id,
                    pool_id: pool.id,
                    entry,
                    entrant_id,
                    state: WinState::Pending,
                    state_changed_at: now,
                    note: None,
                    handover: None,
                    voided: false,
                    replaces: None,
                };
                entries.push(DrawEntryRow {
                    pool_no,
                    reserve: false,
                    rank,
                    entry,
                    win_id: Some(win.id),
                });
                wins.push(win);
            }
            for (rank, &entry) in (1u32..).zip(&result.reserves) {
                entries.push(DrawEntryRow {
                    pool_no,
                    reserve: true,
                    rank,
                    entry,
                    win_id: None,
                });
            }
        }
        tx.lottery_draws()
            .insert(campaign.campaign.id, &draw, &pool_rows, &entries)?;
        tx.lottery_wins().insert(&wins)?;
        tx.audit_log().append(
            now,
            actor,
            "lottery.draw",
            Some(&draw.id.to_string()),
            &json!({
                "public_value": draw.public_value,
                "value_source": draw.value_source,
                "list_digest": draw.list_digest,
                "pools": results.iter().map(|r| json!({
                    "name": r.name, "winners": r.winners.len(), "reserves": r.reserves.len()
                })).collect::<Vec<_>>(),
            }),
        )?;
        Ok(view(tx, draw)?)
    })
}

/// Voids a draw and its wins, with a reason; the draw can then be run again.
pub fn void(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    id: DrawId,
    reason: &str,
) -> Result<Draw, DrawError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(DrawError::Invalid {
            field: "reason",
            reason: "say why the draw is voided".into(),
        });
    }
    storage::write(db, |tx| {
        let mut draw = tx.lottery_draws().get(id)?.ok_or(DrawError::NotFound)?;
        if draw.voided.is_some() {
            return Err(DrawError::AlreadyVoided);
        }
        let voided = Voided {
            at: now,
            by: actor.to_string(),
            reason: reason.to_owned(),
        };
        tx.lottery_draws().void(id, &voided)?;
        tx.lottery_wins().void_draw(id)?;
        tx.audit_log().append(
            now,
            actor,
            "lottery.draw.void",
            Some(&id.to_string()),
            &json!({
                "reason": reason,
                "public_value": draw.public_value,
                "list_digest": draw.list_digest,
            }),
        )?;
        draw.voided = Some(voided);
        Ok(view(tx, draw)?)
    })
}

/// The draw that stands, if one does.
pub fn standing(db: &dyn Database) -> Result<Option<Draw>, StorageError> {
    storage::read(db, |tx| match tx.lottery_draws().standing()? {
        Some(draw) => view(tx, draw).map(Some),
        None => Ok(None),
    })
}

/// Every draw, voided ones included, oldest first.
pub fn draws(db: &dyn Database) -> Result<Vec<Draw>, StorageError> {
    storage::read(db, |tx| {
        let rows = tx.lottery_draws().all()?;
        rows.into_iter().map(|d| view(tx, d)).collect()
    })
}

/// The public winners list of the standing draw: entry numbers and masked numbers per pool
/// (the winners, then the reserves promoted to given-up prizes), with the list's digest and
/// the public value, and nothing else.
pub fn public_winners(db: &dyn Database) -> Result<Option<PublicWinners>, StorageError> {
    let Some(draw) = standing(db)? else {
        return Ok(None);
    };
    Ok(Some(PublicWinners {
        digest: draw.list_digest,
        public_value: draw.public_value,
        pools: draw
            .pools
            .into_iter()
            .map(|p| PublicPool {
                name: p.name,
                entries: p
                    .winners
                    .into_iter()
                    .map(|w| PublicEntry {
                        entry: w.entry,
                        masked_phone: w.masked_phone,
                        reserve_rank: None,
                    })
                    .chain(
                        p.reserves
                            .into_iter()
                            .filter(|r| r.win_id.is_some())
                            .map(|r| PublicEntry {
                                entry: r.entry,
                                masked_phone: r.masked_phone,
                                reserve_rank: Some(r.rank),
                            }),
                    )
                    .collect(),
            })
            .collect(),
    }))
}

/// A stored draw as the console shows it.
fn view(tx: &mut dyn Tx, draw: DrawRow) -> Result<Draw, StorageError> {
    let pools = tx.lottery_draws().pools(draw.id)?;
    let entries = tx.lottery_draws().entries(draw.id)?;
    // Only the picked entries' lines: the list may hold tens of thousands.
    let picked: Vec<u32> = entries.iter().map(|e| e.entry).collect();
    let listed: HashMap<u32, (String, Carrier)> = tx
        .lottery_lists()
        .rows_of(draw.list_id, &picked)?
        .into_iter()
        .map(|r| (r.entry, (r.masked_phone, r.carrier)))
        .collect();
    let mut drawn: Vec<DrawnPool> = pools
        .iter()
        .map(|p| DrawnPool {
            pool_id: p.pool_id,
            name: p.name.clone(),
            delivery: p.delivery,
            carriers: p.carriers.clone(),
            winners: Vec::new(),
            reserves: Vec::new(),
        })
        .collect();
    for e in entries {
        let Some(pool) = pools
            .iter()
            .position(|p| p.pool_no == e.pool_no)
            .and_then(|i| drawn.get_mut(i))
        else {
            return Err(StorageError::Corrupt(format!(
                "draw {}: an entry of pool {} that it did not draw",
                draw.id, e.pool_no
            )));
        };
        let (masked_phone, carrier) = listed.get(&e.entry).cloned().ok_or_else(|| {
            StorageError::Corrupt(format!("draw {}: entry {} is not listed", draw.id, e.entry))
        })?;
        let line = DrawnEntry {
            rank: e.rank,
            entry: e.entry,
            masked_phone,
            carrier,
            win_id: e.win_id,
        };
        if e.reserve {
            pool.reserves.push(line);
        } else {
            pool.winners.push(line);
        }
    }
    Ok(Draw {
        id: draw.id,
        public_value: draw.public_value,
        value_source: draw.value_source,
        list_digest: draw.list_digest,
        drawn_at: draw.drawn_at,
        drawn_by: draw.drawn_by,
        voided: draw.voided,
        pools: drawn,
    })
}
