//! The assessment by collection volume (按采集量考核) and the summary meeting's report (总结会).
//!
//! Each unit is assessed against the secretariat's thresholds ([`AssessmentRules`], stored per
//! campaign, set by a secretariat admin and audited): what it collected against its quota, the
//! stations' own tallies beside the imported counts, the gifts its plans handed out, and how
//! many questionnaires each gift brought — counted over the *days* its approved plans covered,
//! each day once however many of its plans overlap it. The summary report draws up the
//! campaign for the meeting: totals against the target, sections, the daily curve, the ranking,
//! the proposed commendations (or, once the secretariat confirmed them, the confirmed list),
//! every gift accounted for, and volunteer hours.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use fieldpost_domain::{ActivityPlan, Item, PlanStatus, SectionId, UnitId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use crate::audit::Actor;
use crate::campaign::{CampaignRecord, china_day};
use crate::records::{CampaignRollup, DailyCount, HandoutLine, SectionRecord, SessionRecord};
use crate::storage::{self, Database, StorageError, Tx};

/// The secretariat's thresholds for the assessment and the commendations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct AssessmentRules {
    /// A unit passes (达标) only if it collected at least this percent of its quota.
    pub pass_percent: u32,
    /// A unit whose plans handed gifts out passes only if it collected at least this many
    /// hundredths of a questionnaire per gift on its plans' days (100 = one per gift).
    pub min_per_gift_hundredths: u32,
    /// How many passing units the summary proposes for 优秀组织单位, by completion rate.
    pub organizing_awards: u32,
    /// How many passing units the summary proposes for 优秀支持单位, by questionnaires collected.
    pub supporting_awards: u32,
    /// When the secretariat last set them (none: the defaults).
    pub updated_at: Option<DateTime<Utc>>,
    /// Who did.
    pub updated_by: Option<String>,
}

impl Default for AssessmentRules {
    /// Until the secretariat sets them: the quota met in full, at least one questionnaire per
    /// gift, five units for each honour.
    fn default() -> Self {
        AssessmentRules {
            pass_percent: 100,
            min_per_gift_hundredths: 100,
            organizing_awards: 5,
            supporting_awards: 5,
            updated_at: None,
            updated_by: None,
        }
    }
}

/// The thresholds as the secretariat sets them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesInput {
    /// See [`AssessmentRules::pass_percent`]; 0 to 1000.
    pub pass_percent: u32,
    /// See [`AssessmentRules::min_per_gift_hundredths`]; 0 to 1,000,000.
    pub min_per_gift_hundredths: u32,
    /// See [`AssessmentRules::organizing_awards`]; 0 to 100.
    pub organizing_awards: u32,
    /// See [`AssessmentRules::supporting_awards`]; 0 to 100.
    pub supporting_awards: u32,
}

/// Why a unit did not pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Shortfall {
    /// The unit has no quota, so it cannot be assessed by completion.
    NoQuota,
    /// It collected less of its quota than the threshold.
    BelowCompletion {
        /// The threshold, in percent.
        required_percent: u32,
        /// What it reached, in percent.
        actual_percent: f64,
    },
    /// Its gifts brought fewer questionnaires each than the threshold.
    FewPerGift {
        /// The threshold, questionnaires per gift.
        required: f64,
        /// What it reached.
        actual: f64,
    },
}

/// One unit's assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, JsonSchema)]
pub struct UnitAssessment {
    /// The unit.
    pub unit_id: UnitId,
    /// Its name.
    pub unit_name: String,
    /// Its section.
    pub section_id: SectionId,
    /// Its quota (采集任务).
    pub quota: u32,
    /// Questionnaires collected, from the imported daily counts (采集量).
    pub collected: u64,
    /// collected / quota in percent, two decimals (0 without a quota).
    pub completion_percent: f64,
    /// Station sessions its tablets synced.
    pub sessions: u32,
    /// People reached, as the stations tallied them.
    pub people_reached: u64,
    /// Questionnaires the volunteers helped fill in, as the stations tallied them.
    pub questionnaires_assisted: u64,
    /// Gifts handed out under its approved or closed plans (voids taken off, exceptions in).
    pub handed_out: u64,
    /// Distinct China-time days its approved or closed plans cover.
    pub plan_days: u32,
    /// Questionnaires collected on those days, each day once.
    pub collected_on_plan_days: u64,
    /// collected_on_plan_days / handed_out, two decimals; none when nothing was handed out.
    pub questionnaires_per_gift: Option<f64>,
    /// 达标.
    pub passed: bool,
    /// Why not, when it did not pass.
    pub shortfalls: Vec<Shortfall>,
}

/// The assessment of every unit, or of one unit for its own account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, JsonSchema)]
pub struct Assessment {
    /// The thresholds applied.
    pub rules: AssessmentRules,
    /// Per unit, by completion rate (highest first), then count, then name.
    pub units: Vec<UnitAssessment>,
    /// How many passed.
    pub passed: u32,
    /// How many did not.
    pub failed: u32,
}

/// The two honours of the summary meeting.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Award {
    /// 优秀组织单位: proposed by completion rate.
    Organizing,
    /// 优秀支持单位: proposed by questionnaires collected.
    Supporting,
}

impl Award {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Award::Organizing => "organizing",
            Award::Supporting => "supporting",
        }
    }

    /// Parses [`Award::as_str`]'s output.
    pub fn parse(s: &str) -> Option<Award> {
        [Award::Organizing, Award::Supporting]
            .into_iter()
            .find(|a| a.as_str() == s)
    }
}

/// A commendation the secretariat confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct Commendation {
    /// The honour.
    pub award: Award,
    /// The unit.
    pub unit_id: UnitId,
    /// Its place in the honour's list, from 1.
    pub position: u32,
    /// When the list was confirmed.
    pub confirmed_at: DateTime<Utc>,
    /// Who confirmed it.
    pub confirmed_by: String,
}

/// One line of the commendations the secretariat confirms, in the order to be read out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CommendationInput {
    /// The honour.
    pub award: Award,
    /// The unit.
    pub unit_id: UnitId,
}

/// The commendations the secretariat confirms, in the order to be read out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmInput {
    /// The list; empty withdraws a confirmation.
    pub commendations: Vec<CommendationInput>,
}

/// A commendation on the report: proposed by the rule, or confirmed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, JsonSchema)]
pub struct CommendationLine {
    /// The honour.
    pub award: Award,
    /// Place in its list, from 1.
    pub position: u32,
    /// The unit.
    pub unit_id: UnitId,
    /// Its name.
    pub unit_name: String,
    /// Questionnaires collected.
    pub collected: u64,
    /// Completion in percent.
    pub completion_percent: f64,
}

/// The campaign's collection on one day, and up to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct CurveDay {
    /// The day (China time).
    pub day: NaiveDate,
    /// Collected that day.
    pub count: u64,
    /// Collected up to and including it.
    pub cumulative: u64,
}

/// One item's books: where every piece that came in went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct GiftAccount {
    /// The item.
    pub item: Item,
    /// Received from donors.
    pub received: u64,
    /// Allocated to plans (before returns).
    pub allocated: u64,
    /// Unspent allocations returned to the store room.
    pub returned: u64,
    /// Handed out within the tablets' grants.
    pub handed_out: u64,
    /// Written off (lost, damaged).
    pub written_off: u64,
    /// Lottery prizes delivered to their winners (抽奖发放), net of deliveries voided: zero
    /// for an item that is no prize.
    pub delivered_to_winners: u64,
    /// Still with the plans: allocated, not returned, not handed out.
    pub with_plans: u64,
    /// In the store room.
    pub on_hand: u64,
    /// Handed out beyond a tablet's grant (the box held more): kept as exceptions, outside
    /// the ledger's balance.
    pub beyond_grants: u64,
    /// received = handed_out + written_off + delivered_to_winners + with_plans + on_hand.
    pub balanced: bool,
}

/// Volunteer hours over the campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct VolunteerTotals {
    /// Distinct volunteers (by i志愿 id, else by name within a unit).
    pub volunteers: u32,
    /// Check-ins.
    pub check_ins: u32,
    /// Check-ins not checked out (no hours counted for them).
    pub open_check_ins: u32,
    /// Whole minutes served.
    pub minutes: u64,
}

/// The summary meeting's report (总结会).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, JsonSchema)]
pub struct SummaryReport {
    /// The campaign.
    pub campaign: CampaignRecord,
    /// Totals against the target.
    pub totals: CampaignRollup,
    /// Per section.
    pub sections: Vec<SectionRecord>,
    /// The daily curve.
    pub days: Vec<CurveDay>,
    /// Every unit, assessed, by count (the ranking).
    pub ranking: Vec<UnitAssessment>,
    /// The commendations the rule proposes.
    pub proposed: Vec<CommendationLine>,
    /// The commendations the secretariat confirmed (empty until it does).
    pub confirmed: Vec<CommendationLine>,
    /// When the confirmed list was confirmed, and by whom.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Who confirmed it.
    pub confirmed_by: Option<String>,
    /// Every gift accounted for.
    pub gifts: Vec<GiftAccount>,
    /// Volunteer hours.
    pub volunteers: VolunteerTotals,
    /// The thresholds applied.
    pub rules: AssessmentRules,
}

/// Why the assessment, its rules or the commendations could not be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum AssessmentError {
    /// There is no campaign yet.
    #[error("campaign not found")]
    NoCampaign,
    /// A threshold is out of its range.
    #[error("{field}: must be from 0 to {max}")]
    OutOfRange {
        /// The field.
        field: &'static str,
        /// Its largest value.
        max: u32,
    },
    /// A commendation names a unit the campaign does not have.
    #[error("commendations[{index}].unit_id: no such unit")]
    NoSuchUnit {
        /// Its position in the list.
        index: usize,
    },
    /// A unit is named twice for the same honour.
    #[error("commendations[{index}].unit_id: this unit is already on the list for this honour")]
    Repeated {
        /// Its position in the list.
        index: usize,
    },
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// collected / whole in percent, two decimals; 0 when there is nothing to reach.
fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    (part as f64 * 10_000.0 / whole as f64).round() / 100.0
}

fn two_decimals(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// The China-time days a plan covers, first to last (an end at 00:00 closes the day before).
pub fn plan_days(plan: &ActivityPlan) -> (NaiveDate, NaiveDate) {
    let first = china_day(plan.starts_at);
    let last = china_day(plan.ends_at - chrono::Duration::milliseconds(1)).max(first);
    (first, last)
}

/// Whether a plan counts in the assessment: approved (and so handing out) or closed.
pub fn assessed(plan: &ActivityPlan) -> bool {
    matches!(plan.status, PlanStatus::Approved | PlanStatus::Closed)
}

/// The days covered by any of a unit's assessed plans, each once.
fn union_of_days<'a>(plans: impl Iterator<Item = &'a ActivityPlan>) -> BTreeSet<NaiveDate> {
    let mut days = BTreeSet::new();
    for p in plans.filter(|p| assessed(p)) {
        let (first, last) = plan_days(p);
        let mut d = first;
        while d <= last {
            days.insert(d);
            match d.succ_opt() {
                Some(next) => d = next,
                None => break,
            }
        }
    }
    days
}

/// Everything the assessment is drawn from, read in one snapshot.
struct Facts {
    campaign: CampaignRecord,
    rules: AssessmentRules,
    units: Vec<fieldpost_domain::Unit>,
    counts: Vec<DailyCount>,
    plans: Vec<ActivityPlan>,
    lines: Vec<HandoutLine>,
    sessions: Vec<SessionRecord>,
}

fn facts(tx: &mut dyn Tx, unit: Option<UnitId>) -> Result<Facts, AssessmentError> {
    let campaign = tx
        .campaigns()
        .current()?
        .ok_or(AssessmentError::NoCampaign)?;
    let rules = tx
        .assessment()
        .rules(campaign.campaign.id)?
        .unwrap_or_default();
    let mut units = tx.units().all(None)?;
    units.retain(|u| unit.is_none_or(|id| u.id == id));
    let mut sessions = tx.station_sessions().list(unit)?;
    for s in &mut sessions {
        s.volunteers = tx.volunteer_check_ins().of_session(s.session.id)?;
    }
    Ok(Facts {
        rules,
        units,
        counts: tx.collection_counts().all(unit)?,
        plans: tx.plans().list(unit, None)?,
        lines: tx.handouts().lines(unit)?,
        sessions,
        campaign,
    })
}

/// The assessment's rule over the facts: one line per unit, ordered by completion rate.
fn assess(f: &Facts) -> Vec<UnitAssessment> {
    let rules = &f.rules;
    let assessed_plans: BTreeSet<_> = f
        .plans
        .iter()
        .filter(|p| assessed(p))
        .map(|p| p.id)
        .collect();
    let mut out: Vec<UnitAssessment> = f
        .units
        .iter()
        .map(|u| {
            let counts = f.counts.iter().filter(|c| c.unit_id == u.id);
            let collected: u64 = counts.clone().map(|c| u64::from(c.count)).sum();
            let days = union_of_days(f.plans.iter().filter(|p| p.unit_id == u.id));
            let collected_on_plan_days: u64 = counts
                .filter(|c| days.contains(&c.day))
                .map(|c| u64::from(c.count))
                .sum();
            let handed_out: u64 = f
                .lines
                .iter()
                .filter(|h| h.unit_id == u.id && h.voided_at.is_none())
                .filter(|h| assessed_plans.contains(&h.plan_id))
                .map(|h| u64::from(h.quantity))
                .sum();
            let sessions: Vec<_> = f.sessions.iter().filter(|s| s.unit_id == u.id).collect();
            let per_gift = (handed_out > 0)
                .then(|| two_decimals(collected_on_plan_days as f64 / handed_out as f64));
            let quota = u64::from(u.quota);
            let completion_percent = percent(collected, quota);
            let mut shortfalls = Vec::new();
            if quota == 0 {
                shortfalls.push(Shortfall::NoQuota);
            } else if u128::from(collected) * 100
                < u128::from(quota) * u128::from(rules.pass_percent)
            {
                shortfalls.push(Shortfall::BelowCompletion {
                    required_percent: rules.pass_percent,
                    actual_percent: completion_percent,
                });
            }
            // In u128: the handouts' total is the devices' word (over-grant exceptions
            // included, each up to u32::MAX), and times the rule it overflowed u64 (issue 14).
            if handed_out > 0
                && u128::from(collected_on_plan_days) * 100
                    < u128::from(handed_out) * u128::from(rules.min_per_gift_hundredths)
            {
                shortfalls.push(Shortfall::FewPerGift {
                    required: f64::from(rules.min_per_gift_hundredths) / 100.0,
                    actual: per_gift.unwrap_or(0.0),
                });
            }
            UnitAssessment {
                unit_id: u.id,
                unit_name: u.name.clone(),
                section_id: u.section_id,
                quota: u.quota,
                collected,
                completion_percent,
                sessions: u32::try_from(sessions.len()).unwrap_or(u32::MAX),
                people_reached: sessions.iter().map(|s| u64::from(s.people_reached)).sum(),
                questionnaires_assisted: sessions
                    .iter()
                    .map(|s| u64::from(s.questionnaires_assisted))
                    .sum(),
                handed_out,
                plan_days: u32::try_from(days.len()).unwrap_or(u32::MAX),
                collected_on_plan_days,
                questionnaires_per_gift: per_gift,
                passed: shortfalls.is_empty(),
                shortfalls,
            }
        })
        .collect();
    out.sort_by(by_rate);
    out
}

/// Completion rate (exact: collected × other quota), then count, then name.
fn by_rate(a: &UnitAssessment, b: &UnitAssessment) -> std::cmp::Ordering {
    let (ra, rb) = (
        u128::from(a.collected) * u128::from(b.quota.max(1)) * u128::from(a.quota > 0),
        u128::from(b.collected) * u128::from(a.quota.max(1)) * u128::from(b.quota > 0),
    );
    rb.cmp(&ra)
        .then(b.collected.cmp(&a.collected))
        .then(a.unit_name.cmp(&b.unit_name))
}

fn by_count(a: &UnitAssessment, b: &UnitAssessment) -> std::cmp::Ordering {
    b.collected
        .cmp(&a.collected)
        .then(a.unit_name.cmp(&b.unit_name))
}

/// The assessment of every unit, or of `unit` alone (a unit's own account).
pub fn assessment(db: &dyn Database, unit: Option<UnitId>) -> Result<Assessment, AssessmentError> {
    storage::read(db, |tx| {
        let f = facts(tx, unit)?;
        let units = assess(&f);
        let passed = u32::try_from(units.iter().filter(|u| u.passed).count()).unwrap_or(u32::MAX);
        let failed = u32::try_from(units.len()).unwrap_or(u32::MAX) - passed;
        Ok(Assessment {
            rules: f.rules,
            units,
            passed,
            failed,
        })
    })
}

/// The thresholds in force (the defaults until the secretariat sets them).
pub fn rules(db: &dyn Database) -> Result<AssessmentRules, AssessmentError> {
    storage::read(db, |tx| {
        let c = tx
            .campaigns()
            .current_id()?
            .ok_or(AssessmentError::NoCampaign)?;
        Ok(tx.assessment().rules(c)?.unwrap_or_default())
    })
}

/// Sets the thresholds (a secretariat admin), audited as `assessment.rules`.
pub fn put_rules(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &RulesInput,
) -> Result<AssessmentRules, AssessmentError> {
    for (field, value, max) in [
        ("pass_percent", input.pass_percent, 1000),
        (
            "min_per_gift_hundredths",
            input.min_per_gift_hundredths,
            1_000_000,
        ),
        ("organizing_awards", input.organizing_awards, 100),
        ("supporting_awards", input.supporting_awards, 100),
    ] {
        if value > max {
            return Err(AssessmentError::OutOfRange { field, max });
        }
    }
    storage::write(db, |tx| {
        let c = tx
            .campaigns()
            .current_id()?
            .ok_or(AssessmentError::NoCampaign)?;
        let rules = AssessmentRules {
            pass_percent: input.pass_percent,
            min_per_gift_hundredths: input.min_per_gift_hundredths,
            organizing_awards: input.organizing_awards,
            supporting_awards: input.supporting_awards,
            updated_at: Some(now),
            updated_by: Some(actor.to_string()),
        };
        tx.assessment().put_rules(c, &rules)?;
        tx.audit_log().append(
            now,
            actor,
            "assessment.rules",
            Some(&c.to_string()),
            &json!(input),
        )?;
        Ok(tx.assessment().rules(c)?.unwrap_or(rules))
    })
}

/// Confirms the commendations (a secretariat admin), replacing any confirmed before, audited
/// as `commendations.confirm`. An empty list withdraws the confirmation: the report proposes
/// again.
pub fn confirm_commendations(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    list: &[CommendationInput],
) -> Result<Vec<Commendation>, AssessmentError> {
    storage::write(db, |tx| {
        let c = tx
            .campaigns()
            .current_id()?
            .ok_or(AssessmentError::NoCampaign)?;
        let mut seen = BTreeSet::new();
        let mut positions: HashMap<Award, u32> = HashMap::new();
        let mut rows = Vec::with_capacity(list.len());
        for (index, line) in list.iter().enumerate() {
            if !tx.units().exists(line.unit_id)? {
                return Err(AssessmentError::NoSuchUnit { index });
            }
            if !seen.insert((line.award, line.unit_id)) {
                return Err(AssessmentError::Repeated { index });
            }
            let position = positions.entry(line.award).or_insert(0);
            *position += 1;
            rows.push(Commendation {
                award: line.award,
                unit_id: line.unit_id,
                position: *position,
                confirmed_at: now,
                confirmed_by: actor.to_string(),
            });
        }
        tx.assessment()
            .replace_commendations(c, &rows, now, &actor.to_string())?;
        tx.audit_log().append(
            now,
            actor,
            "commendations.confirm",
            Some(&c.to_string()),
            &json!({"commendations": list}),
        )?;
        Ok(tx.assessment().commendations(c)?)
    })
}

fn line(award: Award, position: u32, u: &UnitAssessment) -> CommendationLine {
    CommendationLine {
        award,
        position,
        unit_id: u.unit_id,
        unit_name: u.unit_name.clone(),
        collected: u.collected,
        completion_percent: u.completion_percent,
    }
}

/// The rule's proposal: of the units that passed, the top `organizing_awards` by completion
/// rate for 优秀组织单位 and the top `supporting_awards` by count for 优秀支持单位. The two
/// lists are drawn independently (a unit may be on both); ties at the cut go by count, then
/// name, so the lists are exactly as long as the thresholds say.
pub fn propose(units: &[UnitAssessment], rules: &AssessmentRules) -> Vec<CommendationLine> {
    let mut passed: Vec<&UnitAssessment> = units.iter().filter(|u| u.passed).collect();
    let mut out = Vec::new();
    passed.sort_by(|a, b| by_rate(a, b));
    out.extend(
        (1u32..)
            .zip(passed.iter().take(rules.organizing_awards as usize))
            .map(|(i, u)| line(Award::Organizing, i, u)),
    );
    passed.sort_by(|a, b| by_count(a, b));
    out.extend(
        (1u32..)
            .zip(passed.iter().take(rules.supporting_awards as usize))
            .map(|(i, u)| line(Award::Supporting, i, u)),
    );
    out
}

/// The summary meeting's report, from one snapshot.
pub fn summary(db: &dyn Database) -> Result<SummaryReport, AssessmentError> {
    storage::read(db, |tx| {
        let records = crate::records::records_in(tx).map_err(|e| match e {
            crate::records::RecordsError::NoCampaign => AssessmentError::NoCampaign,
            crate::records::RecordsError::Storage(e) => AssessmentError::Storage(e),
        })?;
        let f = facts(tx, None)?;
        let mut ranking = assess(&f);
        ranking.sort_by(by_count);
        let proposed = propose(&ranking, &f.rules);
        let stored = tx.assessment().commendations(f.campaign.campaign.id)?;
        let by_unit: HashMap<UnitId, &UnitAssessment> =
            ranking.iter().map(|u| (u.unit_id, u)).collect();
        let confirmed = stored
            .iter()
            .filter_map(|c| {
                by_unit
                    .get(&c.unit_id)
                    .map(|u| line(c.award, c.position, u))
            })
            .collect();

        let mut per_day: BTreeMap<NaiveDate, u64> = BTreeMap::new();
        for c in &f.counts {
            *per_day.entry(c.day).or_default() += u64::from(c.count);
        }
        let mut cumulative = 0u64;
        let days = per_day
            .into_iter()
            .map(|(day, count)| {
                cumulative += count;
                CurveDay {
                    day,
                    count,
                    cumulative,
                }
            })
            .collect();

        let returned: HashMap<_, _> = tx.assessment().returned_by_item()?.into_iter().collect();
        let mut beyond: HashMap<_, u64> = HashMap::new();
        for h in f.lines.iter().filter(|h| h.voided_at.is_none()) {
            *beyond.entry(h.item_id).or_default() +=
                u64::from(h.quantity - h.backed.min(h.quantity));
        }
        let gifts = tx
            .stock_ledger()
            .balances()?
            .into_iter()
            .map(|b| {
                let returned = returned.get(&b.item.id).copied().unwrap_or(0);
                let with_plans = b.allocated.saturating_sub(b.handed_out);
                GiftAccount {
                    received: b.received,
                    allocated: b.allocated + returned,
                    returned,
                    handed_out: b.handed_out,
                    written_off: b.written_off,
                    delivered_to_winners: b.delivered_to_winners,
                    with_plans,
                    on_hand: b.on_hand,
                    beyond_grants: beyond.get(&b.item.id).copied().unwrap_or(0),
                    balanced: b.received
                        == b.handed_out
                            + b.written_off
                            + b.delivered_to_winners
                            + with_plans
                            + b.on_hand
                        && b.allocated >= b.handed_out,
                    item: b.item,
                }
            })
            .collect();

        let mut people = BTreeSet::new();
        let mut volunteers = VolunteerTotals {
            volunteers: 0,
            check_ins: 0,
            open_check_ins: 0,
            minutes: 0,
        };
        for s in &f.sessions {
            for v in &s.volunteers {
                volunteers.check_ins += 1;
                match v.minutes {
                    Some(m) => volunteers.minutes += m,
                    None => volunteers.open_check_ins += 1,
                }
                people.insert(match v.ivolunteer_id.as_deref().filter(|i| !i.is_empty()) {
                    Some(id) => format!("i:{id}"),
                    None => format!("n:{}:{}", s.unit_id, v.volunteer_name),
                });
            }
        }
        volunteers.volunteers = u32::try_from(people.len()).unwrap_or(u32::MAX);

        Ok(SummaryReport {
            campaign: records.campaign,
            totals: records.totals,
            sections: records.sections,
            days,
            ranking,
            proposed,
            confirmed_at: stored.first().map(|c| c.confirmed_at),
            confirmed_by: stored.first().map(|c| c.confirmed_by.clone()),
            confirmed,
            gifts,
            volunteers,
            rules: f.rules,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(name: &str, quota: u32, collected: u64, passed: bool) -> UnitAssessment {
        UnitAssessment {
            unit_id: UnitId::new(),
            unit_name: name.into(),
            section_id: SectionId::new(),
            quota,
            collected,
            completion_percent: percent(collected, u64::from(quota)),
            sessions: 0,
            people_reached: 0,
            questionnaires_assisted: 0,
            handed_out: 0,
            plan_days: 0,
            collected_on_plan_days: 0,
            questionnaires_per_gift: None,
            passed,
            shortfalls: Vec::new(),
        }
    }

    #[test]
    fn the_proposal_takes_passing_units_by_rate_and_by_count() {
        let units = [
            unit("大单位", 4000, 3000, true), // 75%, the most collected
            unit("小单位", 100, 90, true),    // 90%, the best rate
            unit("未达标", 100, 99, false),   // 99% but did not pass
            unit("中单位", 1000, 800, true),  // 80%
        ];
        let rules = AssessmentRules {
            organizing_awards: 2,
            supporting_awards: 1,
            ..AssessmentRules::default()
        };
        let names: Vec<(Award, &str)> = propose(&units, &rules)
            .iter()
            .map(|l| {
                let name = units
                    .iter()
                    .find(|u| u.unit_id == l.unit_id)
                    .map_or("", |u| u.unit_name.as_str());
                (l.award, name)
            })
            .collect();
        assert_eq!(
            names,
            [
                (Award::Organizing, "小单位"),
                (Award::Organizing, "中单位"),
                (Award::Supporting, "大单位"),
            ],
            "only units that passed; organizing by rate, supporting by count"
        );
    }

    #[test]
    fn the_completion_rule_compares_exact_counts_not_rounded_percents() {
        let id = UnitId::new();
        let day = NaiveDate::from_ymd_opt(2022, 8, 4).unwrap_or_default();
        let facts = |collected: u32| Facts {
            campaign: CampaignRecord {
                campaign: fieldpost_domain::Campaign {
                    id: fieldpost_domain::CampaignId::new(),
                    name: "测试".into(),
                    city: "揭阳".into(),
                    publicity_start: day,
                    publicity_end: day,
                    collection_start: Utc::now(),
                    collection_end: Utc::now(),
                    target: 1,
                },
                note: None,
            },
            rules: AssessmentRules {
                pass_percent: 80,
                ..AssessmentRules::default()
            },
            units: vec![fieldpost_domain::Unit {
                id,
                campaign_id: fieldpost_domain::CampaignId::new(),
                section_id: SectionId::new(),
                name: "单位".into(),
                quota: 100_000,
                survey_link: String::new(),
                contact: None,
            }],
            counts: vec![DailyCount {
                unit_id: id,
                day,
                count: collected,
            }],
            plans: Vec::new(),
            lines: Vec::new(),
            sessions: Vec::new(),
        };
        // 79,999 of 100,000 is 80.00% to two decimals, and still short of 80%.
        let short = assess(&facts(79_999));
        assert!(!short[0].passed, "79.999% does not pass 80%");
        assert_eq!(short[0].completion_percent, 80.0, "shown rounded");
        assert!(assess(&facts(80_000))[0].passed, "80% passes 80%");
    }
}
