//! What a device pulls: the changes after its cursor, in its scope.
//!
//! The change log keeps one row per record ([`crate::storage::ChangeLog`], which also says why
//! a reader never skips a `server_seq`), scoped by unit (none for campaign-wide records). A
//! pull reads two indexed range scans — the unit's rows and the campaign-wide rows after the
//! cursor — merges them, and reads each record's current state by its primary key. Rows of
//! records outside the device's scope (another device's grants, quarantine notices or top-up
//! answers, stock movements, devices) still move the cursor but are not sent. From cursor 0
//! this is a snapshot of the device's scope.

use fieldpost_domain::{DeviceId, UnitId};
use fieldpost_sync::{Change, PullResponse, Record};

use crate::plans::PlanError;
use crate::storage::{self, Database, LogRow, StorageError, Tx};

/// The changes after `after` in the scope of `device` of `unit`, at most `limit` records
/// (a push batch's handouts are never split across pages), in `server_seq` order.
pub fn pull(
    db: &dyn Database,
    device: DeviceId,
    unit: UnitId,
    after: u64,
    limit: u32,
) -> Result<PullResponse, StorageError> {
    storage::read(db, |tx| pull_in(tx, device, unit, after, limit))
}

fn pull_in(
    tx: &mut dyn Tx,
    device: DeviceId,
    unit: UnitId,
    after: u64,
    limit: u32,
) -> Result<PullResponse, StorageError> {
    let want = usize::try_from(limit).unwrap_or(usize::MAX);
    let fetch = limit.saturating_add(1);
    let own = tx.change_log().after(Some(unit), after, fetch)?;
    let wide = tx.change_log().after(None, after, fetch)?;
    // Merge the two ascending runs; one past the limit tells whether more wait.
    let mut rows: Vec<LogRow> = Vec::with_capacity((own.len() + wide.len()).min(want + 1));
    let (mut a, mut b) = (own.into_iter().peekable(), wide.into_iter().peekable());
    while rows.len() <= want {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if x.seq < y.seq => a.next(),
            (Some(_), Some(_)) => b.next(),
            (Some(_), None) => a.next(),
            (None, Some(_)) => b.next(),
            (None, None) => None,
        };
        match next {
            Some(row) => rows.push(row),
            None => break,
        }
    }
    // `limit` bounds the records sent: a handout batch row stands for its handouts, so the
    // page ends after the row that reaches the limit, and never inside a batch.
    let fetched = rows.len();
    let mut changes = Vec::with_capacity(want.min(fetched));
    let mut cursor = after;
    let mut processed = 0;
    for row in rows.iter().take(want) {
        if changes.len() >= want {
            break;
        }
        processed += 1;
        cursor = row.seq;
        let mine = row.device == Some(device);
        if row.entity == "handout_batch" {
            // A device already holds its own handouts.
            if !mine {
                for record in tx.handouts().of_batch(row.seq)? {
                    changes.push(Change {
                        server_seq: row.seq,
                        record,
                    });
                }
            }
            continue;
        }
        if let Some(record) = record(tx, unit, mine, row)? {
            changes.push(Change {
                server_seq: row.seq,
                record,
            });
        }
    }
    Ok(PullResponse {
        changes,
        cursor,
        more: processed < fetched,
        // The HTTP layer adds it: it holds the token the device presented.
        rotated_token: None,
    })
}

/// The current state of the record a log row names, if it is in the device's scope.
fn record(
    tx: &mut dyn Tx,
    unit: UnitId,
    mine: bool,
    row: &LogRow,
) -> Result<Option<Record>, StorageError> {
    match row.entity.as_str() {
        // A device already holds its own handouts.
        "handout" if mine => Ok(None),
        "handout" => tx.handouts().record(&row.entity_id),
        "quarantine" if mine => tx.device_events().quarantine_notice(&row.entity_id),
        // Another device's grants, notices and top-up answers are not in this one's scope.
        "grant" | "quarantine" | "top_up" if !mine => Ok(None),
        // Campaign, sections, items, its unit, its unit's plans, its grants and the answers
        // to its top-up requests; anything else (stock movements, devices, counts) is none.
        _ => catalog_or_plan_record(tx, unit, row),
    }
}

/// A campaign, section, item, unit (only `unit` itself), plan (only of `unit`), grant or
/// top-up answer record, as it stands now; `None` when it is gone or out of the scope.
fn catalog_or_plan_record(
    tx: &mut dyn Tx,
    unit: UnitId,
    row: &LogRow,
) -> Result<Option<Record>, StorageError> {
    let id = row.entity_id.as_str();
    let corrupt =
        || StorageError::Corrupt(format!("change_log {}: {} id {id:?}", row.seq, row.entity));
    Ok(match row.entity.as_str() {
        "campaign" => tx.campaigns().current()?.map(|c| Record::Campaign {
            campaign: c.campaign,
        }),
        "section" => tx
            .sections()
            .get(id.parse().map_err(|_| corrupt())?)?
            .map(|section| Record::Section { section }),
        "item" => tx
            .items()
            .get(id.parse().map_err(|_| corrupt())?)?
            .map(|item| Record::Item { item }),
        "unit" => {
            let id: UnitId = id.parse().map_err(|_| corrupt())?;
            if id == unit {
                tx.units().get(unit)?.map(|unit| Record::Unit { unit })
            } else {
                None
            }
        }
        "plan" => match crate::plans::load(tx, id.parse().map_err(|_| corrupt())?) {
            Ok(plan) if plan.unit_id == unit => Some(Record::Plan { plan }),
            Ok(_) | Err(PlanError::NotFound) => None,
            Err(PlanError::Storage(e)) => return Err(e),
            Err(e) => return Err(StorageError::Corrupt(format!("plan {id}: {e}"))),
        },
        "grant" => tx
            .stock_ledger()
            .grant(id.parse().map_err(|_| corrupt())?)?
            .map(|grant| Record::Grant { grant }),
        "top_up" => tx
            .top_up_requests()
            .answer(id)?
            .map(|answer| Record::TopUpAnswer { answer }),
        crate::lottery::RECORD => crate::lottery::record(tx, id)?,
        "unit_progress" => {
            let id: UnitId = id.parse().map_err(|_| corrupt())?;
            if id == unit {
                crate::bulletin::unit_progress(tx, unit)?
                    .map(|progress| Record::UnitProgress { progress })
            } else {
                None
            }
        }
        _ => None,
    })
}
