//! The console's reads and the task-table import (see `store::console`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use fieldpost_domain::{Section, SectionId, Unit, UnitId};
use rusqlite::{Connection, Transaction};
use serde_json::json;

use super::catalog::{
    create_section, create_unit, current_campaign_id, sections, units, update_unit,
};
use super::{audit, col, col_ts, col_ts_opt, col_u32, col_u64};
use crate::audit::Actor;
use crate::campaign::{UnitSheetOutcome, UnitSheetRow};
use crate::devices::DeviceActivity;
use crate::push::QuarantinedEvent;
use crate::records::HandoutLine;
use crate::store::StoreResult;

fn key(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Creates or updates every unit of the sheet, and the sections it names, in the caller's
/// transaction: a row the store refuses (a link another unit has) rolls the whole sheet back.
pub(super) fn apply_unit_sheet(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    rows: Vec<UnitSheetRow>,
) -> StoreResult<UnitSheetOutcome> {
    let campaign_id = current_campaign_id(tx)?;
    let mut by_section: HashMap<String, SectionId> = sections(tx)?
        .into_iter()
        .map(|s| (key(&s.name), s.id))
        .collect();
    let existing: HashMap<String, Unit> = units(tx, None)?
        .into_iter()
        .map(|u| (key(&u.name), u))
        .collect();
    let mut out = UnitSheetOutcome::default();
    for row in rows {
        let section_id = match row
            .section
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(name) => Some(match by_section.get(&key(name)) {
                Some(id) => *id,
                None => {
                    let section = create_section(
                        tx,
                        actor,
                        now,
                        Section {
                            id: SectionId::new(),
                            // Codes are for machines; an imported section is named by its text.
                            code: format!("import-{}", by_section.len() + 1),
                            name: name.to_owned(),
                        },
                    )?;
                    by_section.insert(key(name), section.id);
                    out.sections_created += 1;
                    section.id
                }
            }),
        };
        match existing.get(&key(&row.name)) {
            Some(before) => {
                let after = Unit {
                    section_id: section_id.unwrap_or(before.section_id),
                    quota: row.quota,
                    survey_link: row.survey_link,
                    contact: row.contact.or_else(|| before.contact.clone()),
                    ..before.clone()
                };
                if &after == before {
                    out.unchanged += 1;
                } else {
                    update_unit(tx, actor, now, after)?;
                    out.updated += 1;
                }
            }
            None => {
                let section_id = section_id.ok_or_else(|| {
                    crate::error::StoreError::invalid(
                        "section",
                        format!("{} is a new unit: name its section", row.name),
                    )
                })?;
                create_unit(
                    tx,
                    actor,
                    now,
                    Unit {
                        id: UnitId::new(),
                        campaign_id,
                        section_id,
                        name: row.name,
                        quota: row.quota,
                        survey_link: row.survey_link,
                        contact: row.contact,
                    },
                )?;
                out.created += 1;
            }
        }
    }
    audit(tx, now, actor, "units.import", None, json!(out))?;
    Ok(out)
}

pub(super) fn handout_lines(c: &Connection, unit: Option<UnitId>) -> StoreResult<Vec<HandoutLine>> {
    let mut stmt = c.prepare(
        "SELECT h.id, h.plan_id, p.unit_id, h.device_id, d.name, h.item_id, h.quantity, h.backed,
             h.handed_out_at, h.over_grant_reason, h.voided_at, h.void_reason
         FROM handouts h JOIN plans p ON p.id = h.plan_id JOIN devices d ON d.id = h.device_id
         WHERE ?1 IS NULL OR p.unit_id = ?1
         ORDER BY h.handed_out_at, h.id",
    )?;
    let rows = stmt.query_map([unit.map(|u| u.to_string())], handout_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn handout_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<HandoutLine> {
    Ok(HandoutLine {
        id: col(r, 0)?,
        plan_id: col(r, 1)?,
        unit_id: col(r, 2)?,
        device_id: col(r, 3)?,
        device_name: r.get(4)?,
        item_id: col(r, 5)?,
        quantity: col_u32(r, 6)?,
        backed: col_u32(r, 7)?,
        handed_out_at: col_ts(r, 8)?,
        over_grant_reason: r.get(9)?,
        voided_at: col_ts_opt(r, 10)?,
        void_reason: r.get(11)?,
    })
}

/// Handouts beyond their device's grant and not voided (index `handouts_over_grant`).
pub(super) fn over_grant_handouts(c: &Connection, limit: u32) -> StoreResult<Vec<HandoutLine>> {
    let mut stmt = c.prepare(
        "SELECT h.id, h.plan_id, p.unit_id, h.device_id, d.name, h.item_id, h.quantity, h.backed,
             h.handed_out_at, h.over_grant_reason, h.voided_at, h.void_reason
         FROM handouts h JOIN plans p ON p.id = h.plan_id JOIN devices d ON d.id = h.device_id
         WHERE h.backed < h.quantity AND h.voided_at IS NULL
         ORDER BY h.handed_out_at DESC, h.id LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit], handout_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Quarantined events, newest first (index `device_events_quarantined`).
pub(super) fn quarantined_events(c: &Connection, limit: u32) -> StoreResult<Vec<QuarantinedEvent>> {
    let mut stmt = c.prepare(
        "SELECT e.device_id, d.unit_id, e.seq, e.kind, e.received_at, e.quarantine_code,
             e.quarantine_reason
         FROM device_events e JOIN devices d ON d.id = e.device_id
         WHERE e.quarantine_reason IS NOT NULL
         ORDER BY e.received_at DESC, e.seq DESC LIMIT ?1",
    )?;
    let rows = stmt.query_map([limit], |r| {
        Ok(QuarantinedEvent {
            device_id: col(r, 0)?,
            unit_id: col(r, 1)?,
            seq: col_u64(r, 2)?,
            kind: r.get(3)?,
            received_at: col_ts(r, 4)?,
            // A code this build does not know reads as none; the reason still says why.
            code: r.get::<_, Option<String>>(5)?.and_then(|c| c.parse().ok()),
            reason: r.get(6)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Each device's newest stored event: one lookup per device on `(device_id, seq)`.
pub(super) fn device_activity(c: &Connection) -> StoreResult<Vec<DeviceActivity>> {
    let mut stmt = c.prepare(
        "SELECT d.id,
             (SELECT e.received_at FROM device_events e WHERE e.device_id = d.id
              ORDER BY e.seq DESC LIMIT 1),
             (SELECT e.seq FROM device_events e WHERE e.device_id = d.id
              ORDER BY e.seq DESC LIMIT 1)
         FROM devices d ORDER BY d.enrolled_at, d.id",
    )?;
    let rows = stmt.query_map([], |r| {
        let seq: Option<i64> = r.get(2)?;
        Ok(DeviceActivity {
            device_id: col(r, 0)?,
            last_push_at: col_ts_opt(r, 1)?,
            last_seq: seq.and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
