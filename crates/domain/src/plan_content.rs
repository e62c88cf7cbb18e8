//! What a plan says (its content), and the rules every plan's content keeps, on the tablet
//! where a team leader writes it and on the central that files it: one definition, one check.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::ItemQuantity;

/// What a team leader writes in a plan: filed or revised as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct PlanContent {
    /// What the activity is called.
    pub title: String,
    /// Where the station stands.
    pub location: String,
    /// When the activity starts.
    pub starts_at: DateTime<Utc>,
    /// When it ends.
    pub ends_at: DateTime<Utc>,
    /// How many people the unit expects to reach.
    pub expected_people: u32,
    /// Who staffs it.
    pub staff: String,
    /// Gifts requested, one line per item.
    pub requested: Vec<ItemQuantity>,
}

/// Why a plan's content is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PlanContentError {
    /// The title is blank.
    #[error("title: must not be empty")]
    BlankTitle,
    /// The location is blank.
    #[error("location: must not be empty")]
    BlankLocation,
    /// The activity ends when or before it starts.
    #[error("ends_at: must be after starts_at")]
    EndsBeforeStart,
    /// A requested line asks for nothing.
    #[error("requested[{0}].quantity: must be at least 1")]
    ZeroQuantity(usize),
    /// An item is requested on two lines.
    #[error("requested[{0}].item_id: listed twice")]
    ItemTwice(usize),
    /// The activity starts before the campaign's publicity opens (its first day, 00:00 China
    /// time).
    #[error("starts_at: must not be before the campaign's publicity starts")]
    StartsBeforeCampaign,
}

impl PlanContentError {
    /// Why, without the field.
    pub fn reason(&self) -> &'static str {
        match self {
            PlanContentError::BlankTitle | PlanContentError::BlankLocation => "must not be empty",
            PlanContentError::EndsBeforeStart => "must be after starts_at",
            PlanContentError::ZeroQuantity(_) => "must be at least 1",
            PlanContentError::ItemTwice(_) => "listed twice",
            PlanContentError::StartsBeforeCampaign => {
                "must not be before the campaign's publicity starts"
            }
        }
    }

    /// The field at fault, as a request names it (`requested[2].quantity`).
    pub fn field(&self) -> String {
        match self {
            PlanContentError::BlankTitle => "title".into(),
            PlanContentError::BlankLocation => "location".into(),
            PlanContentError::EndsBeforeStart => "ends_at".into(),
            PlanContentError::ZeroQuantity(i) => format!("requested[{i}].quantity"),
            PlanContentError::ItemTwice(i) => format!("requested[{i}].item_id"),
            PlanContentError::StartsBeforeCampaign => "starts_at".into(),
        }
    }
}

impl crate::model::ActivityPlan {
    /// What the plan says, without its unit, status and allocation.
    pub fn content(&self) -> PlanContent {
        PlanContent {
            title: self.title.clone(),
            location: self.location.clone(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            expected_people: self.expected_people,
            staff: self.staff.clone(),
            requested: self.requested.clone(),
        }
    }
}

impl PlanContent {
    /// The content as it is stored: text trimmed, and checked. Whether each requested item
    /// exists is for the caller, who has the items.
    ///
    /// A plan must end after it starts: an activity of no length cannot host a session (the
    /// tablet refused it already; the central accepted it until both sides shared this rule).
    pub fn checked(mut self) -> Result<PlanContent, PlanContentError> {
        self.title = self.title.trim().to_owned();
        self.location = self.location.trim().to_owned();
        self.staff = self.staff.trim().to_owned();
        if self.title.is_empty() {
            return Err(PlanContentError::BlankTitle);
        }
        if self.location.is_empty() {
            return Err(PlanContentError::BlankLocation);
        }
        if self.ends_at <= self.starts_at {
            return Err(PlanContentError::EndsBeforeStart);
        }
        for (i, line) in self.requested.iter().enumerate() {
            if line.quantity == 0 {
                return Err(PlanContentError::ZeroQuantity(i));
            }
            if self.requested[..i]
                .iter()
                .any(|earlier| earlier.item_id == line.item_id)
            {
                return Err(PlanContentError::ItemTwice(i));
            }
        }
        Ok(self)
    }
}

impl PlanContent {
    /// Whether the activity may be filed in this campaign: it may not start before the first
    /// day of publicity (宣传, 00:00 China time) — a plan is written ahead, and a date before
    /// the campaign is a typo to fix. Street stations run in both phases, publicity and
    /// collection, so a plan may sit in either. One that runs past the close of collection is
    /// accepted and flagged ([`PlanContent::after_collection`]): prizes are handed over at
    /// stations after the summary meeting, and a unit may follow up. A session's times are
    /// only flagged against its plan (they are what happened; a tablet's clock may be off).
    pub fn check_within(&self, campaign: &crate::model::Campaign) -> Result<(), PlanContentError> {
        if self.starts_at < campaign.publicity_opens() {
            return Err(PlanContentError::StartsBeforeCampaign);
        }
        Ok(())
    }

    /// Whether the activity runs past the close of online collection: allowed, and shown to
    /// the secretariat when it approves (a prize pickup, a follow-up).
    pub fn after_collection(&self, campaign: &crate::model::Campaign) -> bool {
        self.ends_at > campaign.collection_end
    }
}

impl From<&crate::model::ActivityPlan> for PlanContent {
    fn from(p: &crate::model::ActivityPlan) -> PlanContent {
        PlanContent {
            title: p.title.clone(),
            location: p.location.clone(),
            starts_at: p.starts_at,
            ends_at: p.ends_at,
            expected_people: p.expected_people,
            staff: p.staff.clone(),
            requested: p.requested.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn campaign() -> crate::model::Campaign {
        crate::model::Campaign {
            id: crate::CampaignId::new(),
            name: "2022 网民网络安全感满意度调查活动（揭阳站）".into(),
            city: "揭阳".into(),
            publicity_start: chrono::NaiveDate::from_ymd_opt(2022, 7, 8).unwrap(),
            publicity_end: chrono::NaiveDate::from_ymd_opt(2022, 8, 2).unwrap(),
            // 8/3 09:00 – 8/12 24:00 China time.
            collection_start: Utc.with_ymd_and_hms(2022, 8, 3, 1, 0, 0).unwrap(),
            collection_end: Utc.with_ymd_and_hms(2022, 8, 12, 16, 0, 0).unwrap(),
            target: 50_000,
        }
    }

    fn at(starts_at: DateTime<Utc>, ends_at: DateTime<Utc>) -> PlanContent {
        PlanContent {
            title: "步行街宣传站".into(),
            location: "榕城区".into(),
            starts_at,
            ends_at,
            expected_people: 100,
            staff: String::new(),
            requested: vec![],
        }
    }

    #[test]
    fn a_plan_may_not_start_before_publicity_and_is_flagged_past_the_collections_close() {
        let c = campaign();
        // 7/8 00:00 China time is 7/7 16:00 UTC: the first minute of publicity is inside.
        let first = Utc.with_ymd_and_hms(2022, 7, 7, 16, 0, 0).unwrap();
        let last = Utc.with_ymd_and_hms(2022, 8, 12, 16, 0, 0).unwrap();
        assert_eq!(
            at(first, first + chrono::Duration::hours(8)).check_within(&c),
            Ok(())
        );
        assert_eq!(
            at(last - chrono::Duration::hours(2), last).check_within(&c),
            Ok(())
        );
        assert_eq!(
            at(
                first - chrono::Duration::minutes(1),
                first + chrono::Duration::hours(1)
            )
            .check_within(&c),
            Err(PlanContentError::StartsBeforeCampaign)
        );
        assert_eq!(PlanContentError::StartsBeforeCampaign.field(), "starts_at");
        // Past the collection's close: accepted, flagged (a prize pickup after the meeting).
        let late = at(
            last - chrono::Duration::hours(1),
            last + chrono::Duration::minutes(1),
        );
        assert_eq!(late.check_within(&c), Ok(()));
        assert!(late.after_collection(&c));
        assert!(!at(last - chrono::Duration::hours(2), last).after_collection(&c));
    }
    use crate::ItemId;

    fn content() -> PlanContent {
        let start = Utc
            .with_ymd_and_hms(2022, 8, 6, 1, 0, 0)
            .single()
            .unwrap_or_default();
        PlanContent {
            title: "  榕城区步行街宣传站 ".into(),
            location: "进贤门广场".into(),
            starts_at: start,
            ends_at: start + chrono::Duration::hours(4),
            expected_people: 300,
            staff: " 张三 ".into(),
            requested: vec![ItemQuantity {
                item_id: ItemId::new(),
                quantity: 100,
            }],
        }
    }

    #[test]
    fn good_content_is_trimmed() {
        let c = content().checked().expect("a good plan passes");
        assert_eq!(c.title, "榕城区步行街宣传站", "titles are stored trimmed");
        assert_eq!(c.staff, "张三", "staff is stored trimmed");
    }

    #[test]
    fn an_activity_of_no_length_is_refused_on_both_sides() {
        let mut c = content();
        c.ends_at = c.starts_at;
        assert_eq!(
            c.checked(),
            Err(PlanContentError::EndsBeforeStart),
            "ends_at == starts_at passed the central and not the tablet before (issue 10)"
        );
    }

    #[test]
    fn each_refusal_names_its_field() {
        let mut c = content();
        c.title = "   ".into();
        assert_eq!(
            c.clone().checked().map_err(|e| e.field()),
            Err("title".into())
        );
        let mut c = content();
        c.requested.push(c.requested[0]);
        let e = c.checked().expect_err("an item twice is refused");
        assert_eq!(
            e,
            PlanContentError::ItemTwice(1),
            "the second line is at fault"
        );
        assert_eq!(e.field(), "requested[1].item_id", "the field is indexed");
        let mut c = content();
        c.requested[0].quantity = 0;
        assert_eq!(
            c.checked().map_err(|e| e.field()),
            Err("requested[0].quantity".into()),
            "a zero quantity names its line"
        );
    }
}
