//! The console's reads of handouts and quarantined events.

use fieldpost_domain::UnitId;
use rusqlite::Connection;

use super::{col, col_ts, col_ts_opt, col_u32, col_u64};
use crate::push::QuarantinedEvent;
use crate::records::HandoutLine;
use crate::store::StoreResult;

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
