//! The daily collection bulletin (采集数据通报): per unit its count on each collection day (the
//! daily increments of the imported counts), its total, its completion rate and its two ranks
//! (by completion rate, by count); drawn live, and published once a day into an archive that
//! shows an earlier day's bulletin again exactly as it was published.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use fieldpost_domain::UnitId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use crate::audit::Actor;
use crate::records::{RecordsError, count_ranks, rate_ranks};
use crate::storage::{self, Database, StorageError, Tx};

/// One unit's line in the bulletin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, JsonSchema)]
pub struct BulletinLine {
    /// The unit.
    pub unit_id: UnitId,
    /// Its name.
    pub unit_name: String,
    /// Its section's name.
    pub section_name: String,
    /// Its quota (采集任务).
    pub quota: u32,
    /// Its count on each of the bulletin's `days`, in the same order (0 where none was
    /// imported): the daily increments.
    pub daily: Vec<u32>,
    /// Its total (采集量).
    pub collected: u64,
    /// collected / quota in percent, two decimals (0 when the quota is 0).
    pub progress_percent: f64,
    /// 1 = highest completion rate; equal rates share a rank.
    pub rank_by_rate: u32,
    /// 1 = most collected; equal counts share a rank.
    pub rank_by_count: u32,
}

/// The bulletin of one day, live or as published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, JsonSchema)]
pub struct Bulletin {
    /// Its day (China time): the day it was drawn up or published.
    pub day: NaiveDate,
    /// The campaign's name.
    pub campaign_name: String,
    /// When it was drawn up.
    pub drawn_at: DateTime<Utc>,
    /// When it was published, for an archived bulletin.
    pub published_at: Option<DateTime<Utc>>,
    /// Who published it, for an archived bulletin.
    pub published_by: Option<String>,
    /// The collection days with counts so far, from the first to the latest, oldest first.
    pub days: Vec<NaiveDate>,
    /// Per unit, by rank by completion rate, then by rank by count.
    pub units: Vec<BulletinLine>,
    /// The campaign's count on each of `days`.
    pub daily_totals: Vec<u64>,
    /// Sum of the quotas.
    pub quota: u64,
    /// Sum of the counts.
    pub collected: u64,
    /// collected / quota in percent.
    pub progress_percent: f64,
    /// The campaign's target.
    pub target: u64,
    /// collected / target in percent.
    pub target_percent: f64,
}

/// A published day in the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct PublishedDay {
    /// The bulletin's day (China time).
    pub day: NaiveDate,
    /// When it was (last) published.
    pub published_at: DateTime<Utc>,
    /// Who published it.
    pub published_by: String,
}

/// The China-time day of an instant.
pub fn china_day(t: DateTime<Utc>) -> NaiveDate {
    (t + chrono::Duration::hours(8)).date_naive()
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    let p = part as f64 * 100.0 / whole as f64;
    (p * 100.0).round() / 100.0
}

/// Draws the bulletin up from one snapshot of the records.
pub(crate) fn draw(tx: &mut dyn Tx, now: DateTime<Utc>) -> Result<Bulletin, RecordsError> {
    let campaign = tx.campaigns().current()?.ok_or(RecordsError::NoCampaign)?;
    let sections: HashMap<_, _> = tx
        .sections()
        .all()?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect();
    let units = tx.units().all(None)?;
    let counts = tx.collection_counts().all(None)?;

    let seen: BTreeSet<NaiveDate> = counts.iter().map(|c| c.day).collect();
    let days: Vec<NaiveDate> = match (seen.first(), seen.last()) {
        (Some(&first), Some(&last)) => first.iter_days().take_while(|d| *d <= last).collect(),
        _ => Vec::new(),
    };
    let column: HashMap<NaiveDate, usize> = days.iter().enumerate().map(|(i, d)| (*d, i)).collect();
    let mut daily: BTreeMap<UnitId, Vec<u32>> = BTreeMap::new();
    let mut daily_totals = vec![0u64; days.len()];
    for c in &counts {
        if let Some(&i) = column.get(&c.day) {
            daily
                .entry(c.unit_id)
                .or_insert_with(|| vec![0; days.len()])[i] = c.count;
            daily_totals[i] += u64::from(c.count);
        }
    }

    let mut lines: Vec<BulletinLine> = units
        .into_iter()
        .map(|u| {
            let daily = daily.remove(&u.id).unwrap_or_else(|| vec![0; days.len()]);
            let collected: u64 = daily.iter().map(|&n| u64::from(n)).sum();
            BulletinLine {
                unit_id: u.id,
                section_name: sections.get(&u.section_id).cloned().unwrap_or_default(),
                unit_name: u.name,
                quota: u.quota,
                daily,
                collected,
                progress_percent: percent(collected, u.quota.into()),
                rank_by_rate: 0,
                rank_by_count: 0,
            }
        })
        .collect();
    let by_count = count_ranks(&lines.iter().map(|l| l.collected).collect::<Vec<_>>());
    let by_rate = rate_ranks(
        &lines
            .iter()
            .map(|l| (l.collected, u64::from(l.quota)))
            .collect::<Vec<_>>(),
    );
    for ((l, count), rate) in lines.iter_mut().zip(by_count).zip(by_rate) {
        l.rank_by_count = count;
        l.rank_by_rate = rate;
    }
    lines.sort_by_key(|l| (l.rank_by_rate, l.rank_by_count));

    let quota: u64 = lines.iter().map(|l| u64::from(l.quota)).sum();
    let collected: u64 = lines.iter().map(|l| l.collected).sum();
    let target = u64::from(campaign.campaign.target);
    Ok(Bulletin {
        day: china_day(now),
        campaign_name: campaign.campaign.name,
        drawn_at: now,
        published_at: None,
        published_by: None,
        days,
        units: lines,
        daily_totals,
        quota,
        collected,
        progress_percent: percent(collected, quota),
        target,
        target_percent: percent(collected, target),
    })
}

/// Today's bulletin as the records stand now (not archived).
pub fn live(db: &dyn Database, now: DateTime<Utc>) -> Result<Bulletin, RecordsError> {
    storage::read(db, |tx| draw(tx, now))
}

/// Publishes today's bulletin (China time): draws it up, stores it as that day's, replacing
/// one published earlier the same day, audits it, and stamps every unit's progress for the
/// tablets to pull. Returns the bulletin as published.
pub fn publish(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Bulletin, RecordsError> {
    storage::write(db, |tx| {
        let mut bulletin = draw(tx, now)?;
        let by = actor.to_string();
        bulletin.published_at = Some(now);
        bulletin.published_by = Some(by.clone());
        let snapshot = serde_json::to_string(&bulletin)
            .map_err(|e| StorageError::Corrupt(format!("bulletin: {e}")))?;
        tx.bulletins().upsert(
            &PublishedDay {
                day: bulletin.day,
                published_at: now,
                published_by: by,
            },
            &snapshot,
        )?;
        for l in &bulletin.units {
            tx.change_log().stamp(
                now,
                storage::Record {
                    entity: "unit_progress",
                    id: &l.unit_id.to_string(),
                },
                Some(l.unit_id),
                None,
            )?;
        }
        tx.audit_log().append(
            now,
            actor,
            "bulletin.publish",
            None,
            &json!({"day": bulletin.day, "units": bulletin.units.len(), "collected": bulletin.collected}),
        )?;
        Ok(bulletin)
    })
}

/// The published days, newest first.
pub fn published_days(db: &dyn Database) -> Result<Vec<PublishedDay>, StorageError> {
    storage::read(db, |tx| tx.bulletins().days())
}

fn parse(snapshot: &str) -> Result<Bulletin, StorageError> {
    serde_json::from_str(snapshot).map_err(|e| StorageError::Corrupt(format!("bulletin: {e}")))
}

/// A day's bulletin exactly as it was published, if that day was.
pub fn published(db: &dyn Database, day: NaiveDate) -> Result<Option<Bulletin>, StorageError> {
    storage::read(db, |tx| tx.bulletins().snapshot(day))?
        .as_deref()
        .map(parse)
        .transpose()
}

/// The newest published bulletin, inside a transaction.
pub(crate) fn latest(tx: &mut dyn Tx) -> Result<Option<Bulletin>, StorageError> {
    tx.bulletins().latest()?.as_deref().map(parse).transpose()
}

/// `unit`'s line of the newest published bulletin, as its tablets pull it; none before the
/// first publication, or for a unit created after it.
pub(crate) fn unit_progress(
    tx: &mut dyn Tx,
    unit: UnitId,
) -> Result<Option<fieldpost_sync::UnitProgress>, StorageError> {
    let Some(b) = latest(tx)? else {
        return Ok(None);
    };
    let units = u32::try_from(b.units.len()).unwrap_or(u32::MAX);
    let published_at = b.published_at.unwrap_or(b.drawn_at);
    Ok(b.units
        .into_iter()
        .find(|l| l.unit_id == unit)
        .map(|l| fieldpost_sync::UnitProgress {
            unit_id: l.unit_id,
            day: b.day,
            published_at,
            collected: l.collected,
            quota: l.quota,
            progress_percent: l.progress_percent,
            rank_by_rate: l.rank_by_rate,
            rank_by_count: l.rank_by_count,
            units,
        }))
}
