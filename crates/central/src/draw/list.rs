//! Freezing and publishing the entrant list: each entrant gets a public entry number in
//! registration order, and the list (entry, masked phone, carrier) is published as text with
//! its SHA-256 (`fieldpost_domain::lottery::FrozenList`). Freezing closes registration.

use chrono::{DateTime, Utc};
use fieldpost_domain::lottery::{FrozenList, ListEntry};
use serde_json::json;
use uuid::Uuid;

use super::{FrozenListView, ListLine, ListView};
use crate::audit::Actor;
use crate::storage::draw::{ListRow, StoredList};
use crate::storage::{self, Database, StorageError, Tx};

/// Why the list was not frozen.
#[derive(Debug, thiserror::Error)]
pub enum FreezeError {
    /// No campaign has been set up.
    #[error("set up the campaign first")]
    NoCampaign,
    /// The collection window is still open: entrants may still register.
    #[error("the collection window closes at {closes_at}: freeze the list after it")]
    CollectionOpen {
        /// When it closes.
        closes_at: DateTime<Utc>,
    },
    /// The list is frozen already.
    #[error("the list was frozen at {frozen_at}")]
    AlreadyFrozen {
        /// When.
        frozen_at: DateTime<Utc>,
    },
    /// Nobody registered.
    #[error("no entrant has registered")]
    NoEntrants,
    /// A stored entrant cannot be a line of the published list (a broken invariant).
    #[error("the list cannot be published: {0}")]
    Unpublishable(String),
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Freezes the entrant list: numbers the entrants 1..n in registration order (registered
/// at, then id), stores the published text and its digest, and closes registration.
pub fn freeze(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<FrozenListView, FreezeError> {
    storage::write(db, |tx| {
        let campaign = tx.campaigns().current()?.ok_or(FreezeError::NoCampaign)?;
        let closes_at = campaign.campaign.collection_end;
        if now < closes_at {
            return Err(FreezeError::CollectionOpen { closes_at });
        }
        if let Some(list) = tx.lottery_lists().current()? {
            return Err(FreezeError::AlreadyFrozen {
                frozen_at: list.frozen_at,
            });
        }
        let candidates = tx.lottery_entrants().for_list()?;
        if candidates.is_empty() {
            return Err(FreezeError::NoEntrants);
        }
        let rows: Vec<ListRow> = (1u32..)
            .zip(candidates)
            .map(|(entry, c)| ListRow {
                entry,
                entrant_id: c.entrant_id,
                unit_id: c.unit_id,
                masked_phone: c.masked_phone,
                carrier: c.carrier,
            })
            .collect();
        let frozen = FrozenList::new(
            rows.iter()
                .map(|r| ListEntry {
                    entry: r.entry,
                    masked_phone: r.masked_phone.clone(),
                    carrier: r.carrier,
                })
                .collect(),
        )
        .map_err(|e| FreezeError::Unpublishable(e.to_string()))?;
        let list = StoredList {
            id: Uuid::now_v7(),
            frozen_at: now,
            frozen_by: actor.to_string(),
            digest: frozen.digest_hex().to_owned(),
            text: frozen.published_text(),
            entries: u32::try_from(rows.len()).unwrap_or(u32::MAX),
        };
        tx.lottery_lists()
            .insert(campaign.campaign.id, &list, &rows)?;
        tx.audit_log().append(
            now,
            actor,
            "lottery.list.freeze",
            Some(&list.id.to_string()),
            &json!({"digest": list.digest, "entries": list.entries}),
        )?;
        close_registration(tx, now, campaign.campaign.id)?;
        Ok(FrozenListView {
            frozen_at: list.frozen_at,
            digest: list.digest,
            entries: list.entries,
        })
    })
}

/// Tells the tablets that registration closed ([`crate::lottery::registration_open`] says so
/// from now on): the lottery's record they pull changes.
fn close_registration(
    tx: &mut dyn Tx,
    now: DateTime<Utc>,
    campaign: fieldpost_domain::CampaignId,
) -> Result<(), StorageError> {
    let campaign = campaign.to_string();
    if tx.lottery().get(&campaign)?.is_some() {
        crate::lottery::stamp(tx, now, &campaign)?;
    }
    Ok(())
}

/// Whether the entrant list is frozen (registration is closed from then on).
pub(crate) fn is_frozen(tx: &mut dyn Tx) -> Result<bool, StorageError> {
    Ok(tx.lottery_lists().current()?.is_some())
}

/// The published list, once frozen.
pub fn list(db: &dyn Database) -> Result<Option<ListView>, StorageError> {
    storage::read(db, |tx| {
        let Some(list) = tx.lottery_lists().current()? else {
            return Ok(None);
        };
        let entries = tx
            .lottery_lists()
            .rows(list.id)?
            .into_iter()
            .map(|r| ListLine {
                entry: r.entry,
                masked_phone: r.masked_phone,
                carrier: r.carrier,
            })
            .collect();
        Ok(Some(ListView {
            frozen_at: list.frozen_at,
            digest: list.digest,
            entries,
        }))
    })
}

/// The published list's text, byte for byte as its digest was taken, once frozen.
pub fn published_text(db: &dyn Database) -> Result<Option<String>, StorageError> {
    storage::read(db, |tx| Ok(tx.lottery_lists().current()?.map(|l| l.text)))
}
