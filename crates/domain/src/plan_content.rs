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
}

impl PlanContentError {
    /// Why, without the field.
    pub fn reason(&self) -> &'static str {
        match self {
            PlanContentError::BlankTitle | PlanContentError::BlankLocation => "must not be empty",
            PlanContentError::EndsBeforeStart => "must be after starts_at",
            PlanContentError::ZeroQuantity(_) => "must be at least 1",
            PlanContentError::ItemTwice(_) => "listed twice",
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
