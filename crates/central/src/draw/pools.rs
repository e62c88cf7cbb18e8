//! Prize pools (奖项) from the campaign's prize stock: what each pool gives, how many, to
//! which carriers' numbers, how it is delivered, and in which order pools are drawn.

use chrono::{DateTime, Utc};
use fieldpost_domain::{Carrier, ItemKind, PoolId};
use serde_json::json;

use super::{Delivery, Pool, PoolInput};
use crate::audit::Actor;
use crate::storage::{self, Database, StorageError, Tx};

/// Why a pool was not created or changed.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    /// No campaign has been set up.
    #[error("set up the campaign first")]
    NoCampaign,
    /// No pool of this id.
    #[error("pool not found")]
    NotFound,
    /// A field's value is not acceptable.
    #[error("{field}: {reason}")]
    Invalid {
        /// The request field.
        field: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// More prizes than the item's stock not already in other pools.
    #[error("quantity: only {available} of this prize are not in other pools, not {wanted}")]
    OverStock {
        /// What was asked.
        wanted: u32,
        /// What is left.
        available: u64,
    },
    /// A draw stands: its pools are what was drawn.
    #[error("a draw stands: void it before changing the pools")]
    DrawStands,
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Every pool, in draw order.
pub fn pools(db: &dyn Database) -> Result<Vec<Pool>, StorageError> {
    storage::read(db, |tx| tx.lottery_pools().all())
}

/// Adds a pool.
pub fn create(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &PoolInput,
) -> Result<Pool, PoolError> {
    storage::write(db, |tx| {
        let campaign = tx.campaigns().current_id()?.ok_or(PoolError::NoCampaign)?;
        let pool = Pool {
            id: PoolId::new(),
            spec: checked(tx, input, None)?,
        };
        tx.lottery_pools().insert(campaign, &pool, now)?;
        audit(tx, actor, now, "lottery.pool.create", &pool)?;
        Ok(pool)
    })
}

/// Replaces a pool's definition.
pub fn update(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PoolId,
    input: &PoolInput,
) -> Result<Pool, PoolError> {
    storage::write(db, |tx| {
        tx.lottery_pools().get(id)?.ok_or(PoolError::NotFound)?;
        let pool = Pool {
            id,
            spec: checked(tx, input, Some(id))?,
        };
        tx.lottery_pools().update(&pool, now)?;
        audit(tx, actor, now, "lottery.pool.update", &pool)?;
        Ok(pool)
    })
}

fn audit(
    tx: &mut dyn Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    action: &str,
    pool: &Pool,
) -> Result<(), StorageError> {
    tx.audit_log().append(
        now,
        actor,
        action,
        Some(&pool.id.to_string()),
        &json!(pool.spec),
    )
}

/// The input checked against the rules and the stock, with `delivered_by` resolved.
fn checked(
    tx: &mut dyn Tx,
    input: &PoolInput,
    this: Option<PoolId>,
) -> Result<PoolInput, PoolError> {
    let invalid = |field, reason| Err(PoolError::Invalid { field, reason });
    if tx.lottery_draws().standing()?.is_some() {
        return Err(PoolError::DrawStands);
    }
    let mut spec = input.clone();
    spec.name = spec.name.trim().to_owned();
    if spec.name.is_empty() {
        return invalid("name", "must not be empty");
    }
    if spec.name.contains(['\n', '\r']) {
        return invalid("name", "must be one line");
    }
    if spec.quantity == 0 {
        return invalid("quantity", "must be at least 1");
    }
    if spec.carriers.is_empty() {
        return invalid(
            "carriers",
            "name at least one carrier whose numbers may win",
        );
    }
    spec.carriers.sort();
    spec.carriers.dedup();
    let Some(item) = tx.items().get(spec.item_id)? else {
        return invalid("item_id", "no such item");
    };
    if item.kind != ItemKind::Prize {
        return invalid("item_id", "the item is not a prize (奖品)");
    }
    spec.delivered_by = delivered_by(&spec)?;
    let on_hand = u64::try_from(tx.stock_ledger().on_hand(spec.item_id)?).unwrap_or(0);
    let pooled = tx.lottery_pools().pooled(spec.item_id, this)?;
    let available = on_hand.saturating_sub(pooled);
    if u64::from(spec.quantity) > available {
        return Err(PoolError::OverStock {
            wanted: spec.quantity,
            available,
        });
    }
    Ok(spec)
}

/// Which carrier credits or ships a pool's prizes (and so receives its winners' numbers).
fn delivered_by(spec: &PoolInput) -> Result<Option<Carrier>, PoolError> {
    let invalid = |field, reason| Err(PoolError::Invalid { field, reason });
    if spec.delivered_by == Some(Carrier::Other) {
        return invalid(
            "delivered_by",
            "only telecom, mobile or unicom deliver prizes",
        );
    }
    match spec.delivery {
        Delivery::CarrierCredit | Delivery::Voucher => {
            // A data pack or a voucher works only on its carrier's numbers.
            let [own] = spec.carriers.as_slice() else {
                return invalid(
                    "carriers",
                    "a data pack or voucher works only on one carrier's numbers: name that carrier alone",
                );
            };
            if *own == Carrier::Other {
                return invalid("carriers", "only telecom, mobile or unicom credit a prize");
            }
            match spec.delivered_by {
                Some(by) if by != *own => invalid(
                    "delivered_by",
                    "a data pack or voucher is delivered by the carrier whose numbers win it",
                ),
                _ => Ok(Some(*own)),
            }
        }
        Delivery::Shipped => match spec.delivered_by {
            Some(c) => Ok(Some(c)),
            None => invalid("delivered_by", "name the carrier that ships the prize"),
        },
        Delivery::AtStation => Ok(spec.delivered_by),
    }
}
