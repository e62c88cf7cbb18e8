//! Daily collection counts and the unit-quota records built from them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use fieldpost_domain::{ItemId, PlanId, PlanStatus, SectionId, UnitId};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::json;

use super::catalog::{campaign, sections, units};
use super::{audit, changed, col, col_u32, col_u64, ts};
use crate::audit::Actor;
use crate::error::StoreError;
use crate::records::{
    CampaignRollup, DailyCount, ItemFlow, PlanRecord, Records, SectionRecord, UnitRecord,
};
use crate::store::StoreResult;

pub(super) fn import_counts(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    counts: Vec<DailyCount>,
) -> StoreResult<u32> {
    let mut n = 0u32;
    for (i, c) in counts.iter().enumerate() {
        let known = tx
            .query_row(
                "SELECT 1 FROM units WHERE id = ?1",
                [c.unit_id.to_string()],
                |_| Ok(()),
            )
            .optional()?;
        if known.is_none() {
            return Err(StoreError::invalid(
                format!("counts[{i}].unit_id"),
                "no such unit",
            ));
        }
        tx.execute(
            "INSERT INTO collection_counts (unit_id, day, count, imported_at)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (unit_id, day) DO UPDATE SET count = excluded.count,
                 imported_at = excluded.imported_at",
            params![c.unit_id.to_string(), c.day.to_string(), c.count, ts(now)],
        )?;
        changed(
            tx,
            now,
            "collection_count",
            &c.unit_id.to_string(),
            Some(c.unit_id),
            None,
        )?;
        n += 1;
    }
    if n > 0 {
        let total: u64 = counts.iter().map(|c| u64::from(c.count)).sum();
        audit(
            tx,
            now,
            actor,
            "counts.import",
            None,
            json!({"rows": n, "total": total}),
        )?;
    }
    Ok(n)
}

pub(super) fn counts(c: &Connection, unit: Option<UnitId>) -> StoreResult<Vec<DailyCount>> {
    let mut stmt = c.prepare(
        "SELECT unit_id, day, count FROM collection_counts
         WHERE ?1 IS NULL OR unit_id = ?1 ORDER BY day, unit_id",
    )?;
    let rows = stmt.query_map([unit.map(|u| u.to_string())], |r| {
        Ok(DailyCount {
            unit_id: col(r, 0)?,
            day: col(r, 1)?,
            count: col_u32(r, 2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    // Rounded to two decimals for display; the counts stay exact.
    let p = part as f64 * 100.0 / whole as f64;
    (p * 100.0).round() / 100.0
}

pub(super) fn records(c: &Connection) -> StoreResult<Records> {
    let campaign = campaign(c)?;
    let sections = sections(c)?;
    let units = units(c, None)?;

    let mut collected: BTreeMap<UnitId, u64> = BTreeMap::new();
    {
        let mut stmt =
            c.prepare("SELECT unit_id, SUM(count) FROM collection_counts GROUP BY unit_id")?;
        let rows = stmt.query_map([], |r| Ok((col::<UnitId>(r, 0)?, col_u64(r, 1)?)))?;
        for row in rows {
            let (u, n) = row?;
            collected.insert(u, n);
        }
    }

    // Per plan and item: allocated (net) from the ledger, handed out from the handouts.
    let mut flows: BTreeMap<PlanId, BTreeMap<ItemId, ItemFlow>> = BTreeMap::new();
    {
        let mut stmt = c.prepare(
            "SELECT plan_id, item_id,
                 SUM(CASE kind WHEN 'allocation' THEN quantity ELSE -quantity END)
             FROM stock_ledger WHERE kind IN ('allocation', 'return')
             GROUP BY plan_id, item_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((col::<PlanId>(r, 0)?, col::<ItemId>(r, 1)?, col_u64(r, 2)?))
        })?;
        for row in rows {
            let (plan, item, allocated) = row?;
            flows.entry(plan).or_default().insert(
                item,
                ItemFlow {
                    item_id: item,
                    allocated,
                    handed_out: 0,
                },
            );
        }
        let mut stmt = c.prepare(
            "SELECT plan_id, item_id, handed_out FROM plan_handout_totals WHERE handed_out > 0",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((col::<PlanId>(r, 0)?, col::<ItemId>(r, 1)?, col_u64(r, 2)?))
        })?;
        for row in rows {
            let (plan, item, handed) = row?;
            flows
                .entry(plan)
                .or_default()
                .entry(item)
                .or_insert(ItemFlow {
                    item_id: item,
                    allocated: 0,
                    handed_out: 0,
                })
                .handed_out = handed;
        }
    }
    let mut plans_by_unit: BTreeMap<UnitId, Vec<PlanRecord>> = BTreeMap::new();
    {
        let mut stmt = c.prepare("SELECT id, unit_id, title, status FROM plans ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            let status: String = r.get(3)?;
            Ok((
                col::<PlanId>(r, 0)?,
                col::<UnitId>(r, 1)?,
                r.get::<_, String>(2)?,
                status,
            ))
        })?;
        for row in rows {
            let (id, unit, title, status) = row?;
            let status = PlanStatus::parse(&status)
                .ok_or_else(|| StoreError::Corrupt(format!("plan {id} has status {status}")))?;
            plans_by_unit.entry(unit).or_default().push(PlanRecord {
                plan_id: id,
                title,
                status,
                items: flows
                    .remove(&id)
                    .map(|m| m.into_values().collect())
                    .unwrap_or_default(),
            });
        }
    }

    let mut unit_records: Vec<UnitRecord> = units
        .into_iter()
        .map(|unit| {
            let got = collected.get(&unit.id).copied().unwrap_or(0);
            let plans = plans_by_unit.remove(&unit.id).unwrap_or_default();
            let mut items: BTreeMap<ItemId, ItemFlow> = BTreeMap::new();
            for f in plans.iter().flat_map(|p| &p.items) {
                let e = items.entry(f.item_id).or_insert(ItemFlow {
                    item_id: f.item_id,
                    allocated: 0,
                    handed_out: 0,
                });
                e.allocated += f.allocated;
                e.handed_out += f.handed_out;
            }
            UnitRecord {
                progress_percent: percent(got, unit.quota.into()),
                collected: got,
                rank: 0,
                items: items.into_values().collect(),
                plans,
                unit,
            }
        })
        .collect();
    // Competition ranking by questionnaires collected: equal counts share a rank (1, 2, 2, 4).
    unit_records.sort_by_key(|r| std::cmp::Reverse(r.collected));
    let mut rank = 0u32;
    let mut previous = None;
    for (position, r) in (1u32..).zip(unit_records.iter_mut()) {
        if previous != Some(r.collected) {
            rank = position;
            previous = Some(r.collected);
        }
        r.rank = rank;
    }

    let mut by_section: BTreeMap<SectionId, (u32, u64, u64)> = BTreeMap::new();
    for r in &unit_records {
        let e = by_section.entry(r.unit.section_id).or_default();
        e.0 += 1;
        e.1 += u64::from(r.unit.quota);
        e.2 += r.collected;
    }
    let section_records = sections
        .into_iter()
        .map(|section| {
            let (units, quota, collected) =
                by_section.get(&section.id).copied().unwrap_or_default();
            SectionRecord {
                section,
                units,
                quota,
                collected,
                progress_percent: percent(collected, quota),
            }
        })
        .collect();
    let quota: u64 = unit_records.iter().map(|r| u64::from(r.unit.quota)).sum();
    let total: u64 = unit_records.iter().map(|r| r.collected).sum();
    let target = u64::from(campaign.campaign.target);
    Ok(Records {
        totals: CampaignRollup {
            target,
            quota,
            collected: total,
            progress_percent: percent(total, target),
        },
        campaign,
        sections: section_records,
        units: unit_records,
    })
}
