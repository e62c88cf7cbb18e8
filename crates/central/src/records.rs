//! The unit-quota records (采集任务 vs 采集量): each unit's quota, its daily collection counts, its plans and gifts, rolled up by section and for the campaign; and the stations' sessions and volunteer hours.

use chrono::{DateTime, NaiveDate, Utc};
use fieldpost_domain::{
    CheckInId, DeviceId, HandoutId, ItemId, PlanId, PlanStatus, Section, StationSession, Unit,
    UnitId,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

use fieldpost_domain::SectionId;
use serde_json::json;

use crate::audit::Actor;
use crate::campaign::CampaignRecord;
use crate::devices::DeviceActivity;
use crate::storage::{self, Database, StorageError, Tx};

/// Questionnaires collected through one unit's link on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct DailyCount {
    /// The unit.
    pub unit_id: UnitId,
    /// The day (China time).
    pub day: NaiveDate,
    /// How many.
    pub count: u32,
}

/// Items allocated and handed out, for one unit or one plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct ItemFlow {
    /// The item.
    pub item_id: ItemId,
    /// Allocated, net of returns.
    pub allocated: u64,
    /// Handed out, net of voids, exceptions included.
    pub handed_out: u64,
}

/// A plan's line in a unit's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct PlanRecord {
    /// The plan.
    pub plan_id: PlanId,
    /// Its title.
    pub title: String,
    /// Its status.
    pub status: PlanStatus,
    /// Items allocated and handed out under it.
    pub items: Vec<ItemFlow>,
}

/// A unit's quota record (采集任务 vs 采集量).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, JsonSchema)]
pub struct UnitRecord {
    /// The unit.
    pub unit: Unit,
    /// Questionnaires collected (sum of imported daily counts).
    pub collected: u64,
    /// collected / quota, in percent (0 when the quota is 0).
    pub progress_percent: f64,
    /// 1 = most collected; units with equal counts share a rank.
    pub rank: u32,
    /// 1 = highest completion rate (collected / quota, exact, a quota of 0 counting as a rate
    /// of 0); units with equal rates share a rank.
    pub rank_by_rate: u32,
    /// Items allocated and handed out across the unit's plans.
    pub items: Vec<ItemFlow>,
    /// Per plan.
    pub plans: Vec<PlanRecord>,
}

/// A section's rollup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, JsonSchema)]
pub struct SectionRecord {
    /// The section.
    pub section: Section,
    /// Units in it.
    pub units: u32,
    /// Sum of their quotas.
    pub quota: u64,
    /// Sum of their collection counts.
    pub collected: u64,
    /// collected / quota, in percent.
    pub progress_percent: f64,
}

/// The campaign's rollup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, JsonSchema)]
pub struct CampaignRollup {
    /// The campaign's target.
    pub target: u64,
    /// Sum of all quotas.
    pub quota: u64,
    /// Sum of all collection counts.
    pub collected: u64,
    /// collected / target, in percent.
    pub progress_percent: f64,
}

/// The unit-quota records of the whole campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, JsonSchema)]
pub struct Records {
    /// The campaign.
    pub campaign: CampaignRecord,
    /// The campaign's rollup.
    pub totals: CampaignRollup,
    /// Per section.
    pub sections: Vec<SectionRecord>,
    /// Per unit, by rank.
    pub units: Vec<UnitRecord>,
}

impl Records {
    /// The records as a unit's own account sees them: its own record whole, and of every
    /// other unit only what the collection bulletin (采集数据通报) publishes to all units —
    /// name, section, quota, count, progress and rank. Other units' plans, gift flows,
    /// contact and survey link are left out. The campaign's and sections' totals are the
    /// bulletin's too, and stay.
    pub fn seen_by(mut self, unit: UnitId) -> Records {
        for r in &mut self.units {
            if r.unit.id != unit {
                r.items.clear();
                r.plans.clear();
                r.unit.contact = None;
                r.unit.survey_link.clear();
            }
        }
        self
    }
}

/// A volunteer's check-in at a session, with the hours it makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct VolunteerHours {
    /// The check-in.
    pub check_in_id: CheckInId,
    /// The volunteer's name.
    pub volunteer_name: String,
    /// The volunteer's i志愿 platform id.
    pub ivolunteer_id: Option<String>,
    /// When they checked in.
    pub checked_in_at: DateTime<Utc>,
    /// When they checked out, if they have.
    pub checked_out_at: Option<DateTime<Utc>>,
    /// Whole minutes served, once checked out.
    pub minutes: Option<u64>,
}

/// A station session as the central holds it: tallies, volunteers and what looked odd.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct SessionRecord {
    /// The session.
    pub session: StationSession,
    /// Its unit.
    pub unit_id: UnitId,
    /// People reached.
    pub people_reached: u32,
    /// Questionnaires the volunteers helped fill in.
    pub questionnaires_assisted: u32,
    /// What the central found odd but kept, e.g. `plan_closed`, `outside_plan_window`.
    pub exception: Option<String>,
    /// Volunteer check-ins.
    pub volunteers: Vec<VolunteerHours>,
}

/// One handout as the central holds it, for the ledger export and the exceptions list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct HandoutLine {
    /// The handout.
    pub id: HandoutId,
    /// Its plan.
    pub plan_id: PlanId,
    /// The plan's unit.
    pub unit_id: UnitId,
    /// The device that recorded it.
    pub device_id: DeviceId,
    /// That device's name.
    pub device_name: String,
    /// The item.
    pub item_id: ItemId,
    /// How many.
    pub quantity: u32,
    /// The part the device's grant covered; the rest is an over-grant exception.
    pub backed: u32,
    /// When it was handed out.
    pub handed_out_at: DateTime<Utc>,
    /// The volunteer's reason for going beyond the grant.
    pub over_grant_reason: Option<String>,
    /// When it was voided, if it was.
    pub voided_at: Option<DateTime<Utc>>,
    /// Why.
    pub void_reason: Option<String>,
}

// --- use cases ------------------------------------------------------------------------------

/// Why daily counts were not imported (none of them were).
#[derive(Debug, thiserror::Error)]
pub enum ImportCountsError {
    /// The count at `index` names a unit the campaign does not have.
    #[error("counts[{index}].unit_id: no such unit")]
    NoSuchUnit {
        /// Its position in the import.
        index: usize,
    },
    /// The count at `index` is of a day outside the campaign's collection window (its first
    /// to its last day, China time): online questionnaires are collected only then, so such a
    /// count is a wrong date in the sheet.
    #[error("counts[{index}].day: {day} is outside the collection window ({first} to {last})")]
    OutsideCollection {
        /// Its position in the import.
        index: usize,
        /// The day it names.
        day: NaiveDate,
        /// The window's first day.
        first: NaiveDate,
        /// The window's last day.
        last: NaiveDate,
    },
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Imports daily counts in one transaction; a day already imported for a unit is replaced.
/// Returns how many were imported.
pub fn import_counts(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    counts: &[DailyCount],
) -> Result<u32, ImportCountsError> {
    storage::write(db, |tx| add_counts(tx, actor, now, counts))
}

/// The first and last day (China time) of the campaign's collection window: 8/3 09:00 to
/// 8/12 24:00 is 8/3 to 8/12 (the end instant itself belongs to the day before).
pub fn collection_days(campaign: &fieldpost_domain::Campaign) -> (NaiveDate, NaiveDate) {
    let china = |t: DateTime<Utc>| (t + chrono::Duration::hours(8)).date_naive();
    let first = china(campaign.collection_start);
    let last = china(campaign.collection_end - chrono::Duration::milliseconds(1));
    (first, last.max(first))
}

/// [`import_counts`] inside a transaction (for a seed).
pub(crate) fn add_counts(
    tx: &mut dyn Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    counts: &[DailyCount],
) -> Result<u32, ImportCountsError> {
    let window = tx
        .campaigns()
        .current()?
        .map(|c| collection_days(&c.campaign));
    let mut n = 0u32;
    for (index, c) in counts.iter().enumerate() {
        if !tx.units().exists(c.unit_id)? {
            return Err(ImportCountsError::NoSuchUnit { index });
        }
        if let Some((first, last)) = window
            && !(first..=last).contains(&c.day)
        {
            return Err(ImportCountsError::OutsideCollection {
                index,
                day: c.day,
                first,
                last,
            });
        }
        tx.collection_counts().upsert(c, now)?;
        tx.change_log().stamp(
            now,
            crate::storage::Record {
                entity: "collection_count",
                id: &c.unit_id.to_string(),
            },
            Some(c.unit_id),
            None,
        )?;
        n += 1;
    }
    if n > 0 {
        let total: u64 = counts.iter().map(|c| u64::from(c.count)).sum();
        tx.audit_log().append(
            now,
            actor,
            "counts.import",
            None,
            &json!({"rows": n, "total": total}),
        )?;
    }
    Ok(n)
}

/// Daily counts, all or one unit's, by day.
pub fn counts(db: &dyn Database, unit: Option<UnitId>) -> Result<Vec<DailyCount>, StorageError> {
    storage::read(db, |tx| tx.collection_counts().all(unit))
}

/// Every handout, all or one unit's, in the order handed out (the handout ledger export and
/// the plan assessment).
pub fn handout_lines(
    db: &dyn Database,
    unit: Option<UnitId>,
) -> Result<Vec<HandoutLine>, StorageError> {
    storage::read(db, |tx| tx.handouts().lines(unit))
}

/// Handouts beyond their device's grant and not voided, of every unit or of one, newest first:
/// the exceptions the dashboard shows.
pub fn over_grant_handouts(
    db: &dyn Database,
    unit: Option<UnitId>,
    limit: u32,
) -> Result<Vec<HandoutLine>, StorageError> {
    storage::read(db, |tx| tx.handouts().over_grant(unit, limit))
}

/// When each device last pushed, in enrollment order.
pub fn device_activity(db: &dyn Database) -> Result<Vec<DeviceActivity>, StorageError> {
    storage::read(db, |tx| tx.records_rollup().device_activity())
}

/// Why the records could not be drawn up.
#[derive(Debug, thiserror::Error)]
pub enum RecordsError {
    /// There is no campaign yet.
    #[error("campaign not found")]
    NoCampaign,
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// collected / whole in percent, rounded to two decimals for display (the counts stay exact);
/// 0 when there is nothing to reach.
fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    let p = part as f64 * 100.0 / whole as f64;
    (p * 100.0).round() / 100.0
}

fn flow(item_id: ItemId) -> ItemFlow {
    ItemFlow {
        item_id,
        allocated: 0,
        handed_out: 0,
    }
}

/// Competition ranks (1, 2, 2, 4) of `values` in their own order, greater first: equal values
/// share a rank, and the next rank skips the places they took.
fn competition_ranks<T>(values: &[T], cmp: impl Fn(&T, &T) -> std::cmp::Ordering) -> Vec<u32> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| cmp(&values[b], &values[a]));
    let mut ranks = vec![0u32; values.len()];
    let mut rank = 0u32;
    let mut previous: Option<usize> = None;
    for (position, &i) in (1u32..).zip(&order) {
        if previous.is_none_or(|p| cmp(&values[p], &values[i]) != std::cmp::Ordering::Equal) {
            rank = position;
        }
        previous = Some(i);
        ranks[i] = rank;
    }
    ranks
}

/// Ranks by questionnaires collected: most first, equal counts sharing a rank.
pub fn count_ranks(collected: &[u64]) -> Vec<u32> {
    competition_ranks(collected, |a, b| a.cmp(b))
}

/// Ranks by completion rate, from `(collected, quota)` pairs: the highest rate first, equal
/// rates sharing a rank. The rates are compared exactly (cross-multiplied), not as rounded
/// percentages, so 1/3 and 2/6 tie and 333/1000 does not tie with 1/3; a quota of 0 counts as
/// a rate of 0, as its progress shows.
pub fn rate_ranks(pairs: &[(u64, u64)]) -> Vec<u32> {
    let rate = |&(c, q): &(u64, u64)| {
        if q == 0 {
            (0u128, 1u128)
        } else {
            (u128::from(c), u128::from(q))
        }
    };
    competition_ranks(pairs, |a, b| {
        let ((ac, aq), (bc, bq)) = (rate(a), rate(b));
        (ac * bq).cmp(&(bc * aq))
    })
}

/// The unit-quota records of the campaign, from one snapshot: each unit's quota against what
/// it collected, ranked, with its plans' items, rolled up by section and for the campaign.
pub fn records(db: &dyn Database) -> Result<Records, RecordsError> {
    storage::read(db, records_in)
}

/// [`records`] inside a transaction (the summary report reads them in its own snapshot).
pub(crate) fn records_in(tx: &mut dyn Tx) -> Result<Records, RecordsError> {
    let campaign = tx.campaigns().current()?.ok_or(RecordsError::NoCampaign)?;
    let sections = tx.sections().all()?;
    let units = tx.units().all(None)?;
    let collected = tx.collection_counts().collected_by_unit()?;
    let rollup = tx.records_rollup();
    let (allocated, handed_out, plans) =
        (rollup.allocated()?, rollup.handed_out()?, rollup.plans()?);
    Ok(draw_up(
        campaign, sections, units, &collected, allocated, handed_out, plans,
    ))
}

/// The records' rules over the rows read: flows per plan, per unit, ranks and rollups.
fn draw_up(
    campaign: CampaignRecord,
    sections: Vec<Section>,
    units: Vec<Unit>,
    collected: &BTreeMap<UnitId, u64>,
    allocated: Vec<(PlanId, ItemId, u64)>,
    handed_out: Vec<(PlanId, ItemId, u64)>,
    plans: Vec<crate::storage::records::PlanLine>,
) -> Records {
    // Per plan and item: allocated (net) from the ledger, handed out from the handouts.
    let mut flows: BTreeMap<PlanId, BTreeMap<ItemId, ItemFlow>> = BTreeMap::new();
    for (plan, item, allocated) in allocated {
        flows.entry(plan).or_default().insert(
            item,
            ItemFlow {
                allocated,
                ..flow(item)
            },
        );
    }
    for (plan, item, handed) in handed_out {
        flows
            .entry(plan)
            .or_default()
            .entry(item)
            .or_insert_with(|| flow(item))
            .handed_out = handed;
    }
    let mut plans_by_unit: BTreeMap<UnitId, Vec<PlanRecord>> = BTreeMap::new();
    for p in plans {
        plans_by_unit
            .entry(p.unit_id)
            .or_default()
            .push(PlanRecord {
                plan_id: p.id,
                title: p.title,
                status: p.status,
                items: flows
                    .remove(&p.id)
                    .map(|m| m.into_values().collect())
                    .unwrap_or_default(),
            });
    }

    let mut unit_records: Vec<UnitRecord> = units
        .into_iter()
        .map(|unit| {
            let got = collected.get(&unit.id).copied().unwrap_or(0);
            let plans = plans_by_unit.remove(&unit.id).unwrap_or_default();
            let mut items: BTreeMap<ItemId, ItemFlow> = BTreeMap::new();
            for f in plans.iter().flat_map(|p| &p.items) {
                let e = items.entry(f.item_id).or_insert_with(|| flow(f.item_id));
                e.allocated += f.allocated;
                e.handed_out += f.handed_out;
            }
            UnitRecord {
                progress_percent: percent(got, unit.quota.into()),
                collected: got,
                rank: 0,
                rank_by_rate: 0,
                items: items.into_values().collect(),
                plans,
                unit,
            }
        })
        .collect();
    let by_count = count_ranks(&unit_records.iter().map(|r| r.collected).collect::<Vec<_>>());
    let by_rate = rate_ranks(
        &unit_records
            .iter()
            .map(|r| (r.collected, u64::from(r.unit.quota)))
            .collect::<Vec<_>>(),
    );
    for ((r, count), rate) in unit_records.iter_mut().zip(by_count).zip(by_rate) {
        r.rank = count;
        r.rank_by_rate = rate;
    }
    // Listed by count rank, as before; the sort is stable, so ties keep the units' order.
    unit_records.sort_by_key(|r| r.rank);

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
    Records {
        totals: CampaignRollup {
            target,
            quota,
            collected: total,
            progress_percent: percent(total, target),
        },
        campaign,
        sections: section_records,
        units: unit_records,
    }
}

#[cfg(test)]
mod tests {
    use super::{count_ranks, rate_ranks};

    #[test]
    fn equal_counts_share_a_rank_and_the_next_skips_their_places() {
        assert_eq!(
            count_ranks(&[300, 200, 300, 0]),
            vec![1, 3, 1, 4],
            "two units at 300 share first; 200 is third"
        );
    }

    #[test]
    fn rates_are_compared_exactly_not_as_rounded_percentages() {
        // 1/3 and 2/6 are the same rate; 333/1000 rounds to 33.3% like them, but is less.
        assert_eq!(
            rate_ranks(&[(1, 3), (2, 6), (333, 1000), (5, 0), (0, 10)]),
            vec![1, 1, 3, 4, 4],
            "equal rates tie; a quota of 0 counts as a rate of 0, tying with 0 of 10"
        );
    }
}
