//! Reference data cached from the central: the campaign, the device's unit, the items, the
//! unit's plans and this device's grants. The central owns these records; the station keeps
//! the latest copy it was sent so that every screen works offline.

use fieldpost_domain::{
    ActivityPlan, Campaign, Grant, Item, ItemId, ItemKind, PlanId, PlanStatus, Unit,
};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::{Error, Result, Station, row, time};

/// A batch of reference records to cache; any part may be empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceData {
    /// The campaign.
    pub campaign: Option<Campaign>,
    /// The device's unit (and any other units the central chooses to send).
    pub units: Vec<Unit>,
    /// Giftable items.
    pub items: Vec<Item>,
    /// The unit's plans, as the central holds them.
    pub plans: Vec<ActivityPlan>,
    /// Grants; only this device's are kept.
    pub grants: Vec<Grant>,
}

impl Station {
    /// Stores the central's latest copy of reference records, in one transaction.
    pub fn cache_reference(&mut self, data: &ReferenceData) -> Result<()> {
        let device_id = self.device_id()?;
        let tx = self.conn.transaction()?;
        if let Some(c) = &data.campaign {
            upsert_campaign(&tx, c)?;
        }
        for u in &data.units {
            upsert_unit(&tx, u)?;
        }
        for i in &data.items {
            upsert_item(&tx, i)?;
        }
        for p in &data.plans {
            upsert_plan(&tx, p)?;
        }
        for g in data.grants.iter().filter(|g| g.device_id == device_id) {
            upsert_grant(&tx, g)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The cached campaign.
    pub fn campaign(&self) -> Result<Option<Campaign>> {
        self.conn
            .query_row(
                "SELECT id, name, city, publicity_start, publicity_end, collection_start,
                        collection_end, target FROM campaign LIMIT 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, String>(6)?,
                        r.get::<_, i64>(7)?,
                    ))
                },
            )
            .optional()?
            .map(|(id, name, city, ps, pe, cs, ce, target)| {
                let date = |s: &str| s.parse().map_err(|_| Error::Corrupt(format!("date {s:?}")));
                Ok(Campaign {
                    id: row::id(&id)?,
                    name,
                    city,
                    publicity_start: date(&ps)?,
                    publicity_end: date(&pe)?,
                    collection_start: time::from_text(&cs)?,
                    collection_end: time::from_text(&ce)?,
                    target: row::count(target)?,
                })
            })
            .transpose()
    }

    /// The device's own unit, once cached.
    pub fn unit(&self) -> Result<Option<Unit>> {
        let Some(unit_id) = self.stored_unit_id()? else {
            return Ok(None);
        };
        self.conn
            .query_row(
                "SELECT id, campaign_id, section_id, name, quota, survey_link, contact
                 FROM unit WHERE id = ?1",
                [unit_id.to_string()],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, Option<String>>(6)?,
                    ))
                },
            )
            .optional()?
            .map(
                |(id, campaign_id, section_id, name, quota, survey_link, contact)| {
                    Ok(Unit {
                        id: row::id(&id)?,
                        campaign_id: row::id(&campaign_id)?,
                        section_id: row::id(&section_id)?,
                        name,
                        quota: row::count(quota)?,
                        survey_link,
                        contact,
                    })
                },
            )
            .transpose()
    }

    /// Every cached item, gifts first, by name.
    pub fn items(&self) -> Result<Vec<Item>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, code, name, kind, unit_label, donor FROM item ORDER BY kind, name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
            ))
        })?;
        let mut items = Vec::new();
        for r in rows {
            let (id, code, name, kind, unit_label, donor) = r?;
            items.push(Item {
                id: row::id(&id)?,
                code,
                name,
                kind: match kind.as_str() {
                    "gift" => ItemKind::Gift,
                    "prize" => ItemKind::Prize,
                    other => return Err(Error::Corrupt(format!("item kind {other:?}"))),
                },
                unit_label,
                donor,
            });
        }
        Ok(items)
    }

    /// One plan.
    pub fn plan(&self, id: PlanId) -> Result<ActivityPlan> {
        load_plan(&self.conn, id)?.ok_or(Error::UnknownPlan(id))
    }

    /// Every plan on this device, newest window first.
    pub fn plans(&self) -> Result<Vec<ActivityPlan>> {
        let mut stmt = self
            .conn
            .prepare(&format!("{PLAN_SELECT} ORDER BY starts_at DESC"))?;
        let rows = stmt.query_map([], plan_columns)?;
        rows.map(|r| plan_from_columns(r?)).collect()
    }

    /// Approved plans whose window overlaps the China-time day that `now` falls in: the
    /// plans a volunteer may open a session under today.
    pub fn todays_plans(&self) -> Result<Vec<ActivityPlan>> {
        let (day_start, day_end) = china_day_bounds(self.now());
        let mut stmt = self.conn.prepare(&format!(
            "{PLAN_SELECT} WHERE status = 'approved' AND starts_at < ?2 AND ends_at >= ?1
             ORDER BY starts_at"
        ))?;
        let rows = stmt.query_map(
            params![time::to_text(day_start), time::to_text(day_end)],
            plan_columns,
        )?;
        rows.map(|r| plan_from_columns(r?)).collect()
    }
}

impl Station {
    /// This device's unit's progress as the latest published bulletin has it (pulled), or
    /// none before the first publication reaches the tablet.
    pub fn unit_progress(&self) -> Result<Option<fieldpost_sync::UnitProgress>> {
        let row = self
            .conn
            .query_row(
                "SELECT unit_id, day, published_at, collected, quota, progress_percent,
                        rank_by_rate, rank_by_count, units
                 FROM unit_progress WHERE singleton = 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, f64>(5)?,
                        r.get::<_, i64>(6)?,
                        r.get::<_, i64>(7)?,
                        r.get::<_, i64>(8)?,
                    ))
                },
            )
            .optional()?;
        let Some((unit, day, published, collected, quota, percent, rate, count, units)) = row
        else {
            return Ok(None);
        };
        Ok(Some(fieldpost_sync::UnitProgress {
            unit_id: row::id(&unit)?,
            day: day
                .parse()
                .map_err(|_| Error::Corrupt(format!("unit_progress.day {day:?}")))?,
            published_at: time::from_text(&published)?,
            collected: u64::try_from(collected)
                .map_err(|_| Error::Corrupt(format!("unit_progress.collected {collected}")))?,
            quota: row::count(quota)?,
            progress_percent: percent,
            rank_by_rate: row::count(rate)?,
            rank_by_count: row::count(count)?,
            units: row::count(units)?,
        }))
    }
}

/// Stores the unit's progress a pull brought, replacing the one before.
pub(crate) fn upsert_unit_progress(
    tx: &Transaction<'_>,
    p: &fieldpost_sync::UnitProgress,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO unit_progress (singleton, unit_id, day, published_at, collected,
             quota, progress_percent, rank_by_rate, rank_by_count, units)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        p.unit_id.to_string(),
        p.day.to_string(),
        time::to_text(p.published_at),
        i64::try_from(p.collected).unwrap_or(i64::MAX),
        p.quota,
        p.progress_percent,
        p.rank_by_rate,
        p.rank_by_count,
        p.units
    ])?;
    Ok(())
}

/// The start and end (exclusive) of the China-time (UTC+8, no daylight saving) calendar day
/// containing `now`.
pub(crate) fn china_day_bounds(
    now: chrono::DateTime<chrono::Utc>,
) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    let offset = chrono::Duration::hours(8);
    let local_midnight = (now + offset).date_naive().and_time(chrono::NaiveTime::MIN);
    let start = local_midnight.and_utc() - offset;
    (start, start + chrono::Duration::days(1))
}

pub(crate) fn upsert_campaign(tx: &Transaction<'_>, c: &Campaign) -> Result<()> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO campaign (id, name, city, publicity_start, publicity_end,
            collection_start, collection_end, target)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        c.id.to_string(),
        c.name,
        c.city,
        c.publicity_start.to_string(),
        c.publicity_end.to_string(),
        time::to_text(c.collection_start),
        time::to_text(c.collection_end),
        c.target
    ])?;
    Ok(())
}

pub(crate) fn upsert_unit(tx: &Transaction<'_>, u: &Unit) -> Result<()> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO unit (id, campaign_id, section_id, name, quota, survey_link, contact)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        u.id.to_string(),
        u.campaign_id.to_string(),
        u.section_id.to_string(),
        u.name,
        u.quota,
        u.survey_link,
        u.contact
    ])?;
    Ok(())
}

pub(crate) fn upsert_item(tx: &Transaction<'_>, i: &Item) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO item (id, code, name, kind, unit_label, donor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name,
            kind = excluded.kind, unit_label = excluded.unit_label, donor = excluded.donor",
    )?
    .execute(params![
        i.id.to_string(),
        i.code,
        i.name,
        item_kind_text(i.kind),
        i.unit_label,
        i.donor
    ])?;
    Ok(())
}

/// Grants are immutable on the central; storing one twice changes nothing.
pub(crate) fn upsert_grant(tx: &Transaction<'_>, g: &Grant) -> Result<()> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO grant_row (id, plan_id, device_id, item_id, quantity)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        g.id.to_string(),
        g.plan_id.to_string(),
        g.device_id.to_string(),
        g.item_id.to_string(),
        g.quantity
    ])?;
    Ok(())
}

pub(crate) fn item_exists(conn: &Connection, id: ItemId) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM item WHERE id = ?1")?
        .query_row([id.to_string()], |_| Ok(()))
        .optional()?
        .is_some())
}

fn item_kind_text(kind: ItemKind) -> &'static str {
    match kind {
        ItemKind::Gift => "gift",
        ItemKind::Prize => "prize",
    }
}

const PLAN_SELECT: &str =
    "SELECT id, unit_id, title, location, starts_at, ends_at, expected_people,
    staff, requested, status, allocation, reject_reason, revision FROM plan";

type PlanColumns = (
    String,
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
);

fn plan_columns(r: &Row<'_>) -> rusqlite::Result<PlanColumns> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
        r.get(10)?,
        r.get(11)?,
        r.get(12)?,
    ))
}

fn plan_from_columns(c: PlanColumns) -> Result<ActivityPlan> {
    let (id, unit_id, title, location, starts_at, ends_at, expected, staff, requested, status) =
        (c.0, c.1, c.2, c.3, c.4, c.5, c.6, c.7, c.8, c.9);
    Ok(ActivityPlan {
        id: row::id(&id)?,
        unit_id: row::id(&unit_id)?,
        title,
        location,
        starts_at: time::from_text(&starts_at)?,
        ends_at: time::from_text(&ends_at)?,
        expected_people: row::count(expected)?,
        staff,
        requested: serde_json::from_str(&requested)?,
        status: PlanStatus::parse(&status)
            .ok_or_else(|| Error::Corrupt(format!("plan status {status:?}")))?,
        allocation: serde_json::from_str(&c.10)?,
        reject_reason: c.11,
        revision: row::count(c.12)?,
    })
}

pub(crate) fn load_plan(conn: &Connection, id: PlanId) -> Result<Option<ActivityPlan>> {
    conn.prepare_cached(&format!("{PLAN_SELECT} WHERE id = ?1"))?
        .query_row([id.to_string()], plan_columns)
        .optional()?
        .map(plan_from_columns)
        .transpose()
}

pub(crate) fn upsert_plan(tx: &Transaction<'_>, p: &ActivityPlan) -> Result<()> {
    tx.execute(
        "INSERT INTO plan (id, unit_id, title, location, starts_at, ends_at,
            expected_people, staff, requested, status, allocation, reject_reason, revision)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
         ON CONFLICT (id) DO UPDATE SET unit_id = excluded.unit_id, title = excluded.title,
            location = excluded.location, starts_at = excluded.starts_at,
            ends_at = excluded.ends_at, expected_people = excluded.expected_people,
            staff = excluded.staff, requested = excluded.requested, status = excluded.status,
            allocation = excluded.allocation, reject_reason = excluded.reject_reason,
            revision = excluded.revision",
        params![
            p.id.to_string(),
            p.unit_id.to_string(),
            p.title,
            p.location,
            time::to_text(p.starts_at),
            time::to_text(p.ends_at),
            p.expected_people,
            p.staff,
            serde_json::to_string(&p.requested)?,
            p.status.as_str(),
            serde_json::to_string(&p.allocation)?,
            p.reject_reason,
            p.revision
        ],
    )?;
    Ok(())
}
