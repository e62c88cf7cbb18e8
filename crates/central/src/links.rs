//! A unit's survey links (链接入口). The organizing plan asks for enough entry links per unit
//! (足量的链接入口): the unit's own `survey_link` stays its primary one (the task table sets it,
//! the tablets show it as the unit's QR code), and the secretariat adds labelled extra links,
//! each printed on its own poster. A URL is one unit's only: a questionnaire collected through
//! it must count for exactly one unit.

use chrono::{DateTime, Utc};
use fieldpost_domain::{UnitId, UnitLinkId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use crate::audit::Actor;
use crate::campaign::Blank;
use crate::storage::{self, Database, StorageError};

/// One extra survey link of a unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct UnitLink {
    /// Identity.
    pub id: UnitLinkId,
    /// The unit it collects for.
    pub unit_id: UnitId,
    /// What tells it apart on the poster and in the console, e.g. 榕城区站点.
    pub label: String,
    /// The survey platform's URL (what the QR code holds).
    pub url: String,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

/// Every survey link of a unit: its primary one first, then the extra ones, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct UnitLinks {
    /// The unit.
    pub unit_id: UnitId,
    /// Its primary link (the unit's `survey_link`, set by the task table).
    pub primary: String,
    /// Its extra links.
    pub extra: Vec<UnitLink>,
}

/// A unit's links, or `None` when there is no such unit.
pub fn links(db: &dyn Database, unit: UnitId) -> Result<Option<UnitLinks>, StorageError> {
    storage::read(db, |tx| {
        let Some(u) = tx.units().get(unit)? else {
            return Ok(None);
        };
        let extra = tx.unit_links().of_unit(unit)?;
        Ok(Some(UnitLinks {
            unit_id: unit,
            primary: u.survey_link,
            extra,
        }))
    })
}

/// Every unit's links, in the units' order (for the posters of them all).
pub fn all_links(db: &dyn Database) -> Result<Vec<UnitLinks>, StorageError> {
    storage::read(db, |tx| {
        let units = tx.units().all(None)?;
        let mut out = Vec::with_capacity(units.len());
        for u in units {
            let extra = tx.unit_links().of_unit(u.id)?;
            out.push(UnitLinks {
                unit_id: u.id,
                primary: u.survey_link,
                extra,
            });
        }
        Ok(out)
    })
}

/// Why a link was not added or removed.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// No unit of this id.
    #[error("unit not found")]
    NoSuchUnit,
    /// No link of this id under this unit.
    #[error("link not found")]
    NoSuchLink,
    /// The label or URL is blank.
    #[error(transparent)]
    Blank(#[from] Blank),
    /// The URL is not a web address a phone can open.
    #[error("url: must start with http:// or https:// and hold no spaces")]
    NotAWebAddress,
    /// The storage failed, or the URL is already a link of some unit (`Duplicate` `url`).
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Whether `url` is an address a phone's scanner opens: http(s), no whitespace.
fn web_address(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && url.len() > "https://".len()
        && !url.chars().any(char::is_whitespace)
}

/// Adds an extra link to a unit.
pub fn add_link(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    unit: UnitId,
    label: &str,
    url: &str,
) -> Result<UnitLink, LinkError> {
    let label = label.trim();
    let url = url.trim();
    if label.is_empty() {
        return Err(Blank("label").into());
    }
    if url.is_empty() {
        return Err(Blank("url").into());
    }
    if !web_address(url) {
        return Err(LinkError::NotAWebAddress);
    }
    storage::write(db, |tx| {
        if !tx.units().exists(unit)? {
            return Err(LinkError::NoSuchUnit);
        }
        // Any unit's, this one's included: the same link twice would count nothing more.
        if tx.unit_links().owner_of(url, None)?.is_some() {
            return Err(StorageError::Duplicate { field: "url" }.into());
        }
        let link = UnitLink {
            id: UnitLinkId::new(),
            unit_id: unit,
            label: label.to_owned(),
            url: url.to_owned(),
            created_at: now,
        };
        tx.unit_links().insert(&link)?;
        tx.audit_log().append(
            now,
            actor,
            "unit.link_add",
            Some(&unit.to_string()),
            &json!({"link_id": link.id, "label": link.label, "url": link.url}),
        )?;
        // Read back: the answer carries the time at its stored precision.
        Ok(tx.unit_links().get(link.id)?.unwrap_or(link))
    })
}

/// Removes an extra link of a unit (the primary one is the unit's, changed with the unit).
pub fn remove_link(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    unit: UnitId,
    link: UnitLinkId,
) -> Result<UnitLink, LinkError> {
    storage::write(db, |tx| {
        let found = tx
            .unit_links()
            .get(link)?
            .filter(|l| l.unit_id == unit)
            .ok_or(LinkError::NoSuchLink)?;
        tx.unit_links().delete(link)?;
        tx.audit_log().append(
            now,
            actor,
            "unit.link_remove",
            Some(&unit.to_string()),
            &json!({"link_id": found.id, "label": found.label, "url": found.url}),
        )?;
        Ok(found)
    })
}

/// One extra link of a unit, for its poster: `None` when the unit has no such link.
pub fn poster_link(
    db: &dyn Database,
    unit: UnitId,
    link: UnitLinkId,
) -> Result<Option<UnitLink>, StorageError> {
    storage::read(db, |tx| {
        Ok(tx.unit_links().get(link)?.filter(|l| l.unit_id == unit))
    })
}
