//! Rules for station sessions: a session's times must fall inside its plan's window.

use chrono::{DateTime, Utc};

use crate::model::ActivityPlan;

/// A session time outside the plan's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WindowError {
    /// Before the plan's start.
    #[error("the plan's activity starts at {starts_at}; it is {at}")]
    BeforeStart {
        /// The moment asked about.
        at: DateTime<Utc>,
        /// The plan's start.
        starts_at: DateTime<Utc>,
    },
    /// After the plan's end.
    #[error("the plan's activity ended at {ends_at}; it is {at}")]
    AfterEnd {
        /// The moment asked about.
        at: DateTime<Utc>,
        /// The plan's end.
        ends_at: DateTime<Utc>,
    },
    /// A session cannot close before it opened.
    #[error("a session cannot close at {closed_at}, before it opened at {opened_at}")]
    ClosedBeforeOpened {
        /// When it opened.
        opened_at: DateTime<Utc>,
        /// When it was asked to close.
        closed_at: DateTime<Utc>,
    },
}

/// Is `at` inside the plan's window (both ends included)?
pub fn check_within_plan(plan: &ActivityPlan, at: DateTime<Utc>) -> Result<(), WindowError> {
    if at < plan.starts_at {
        return Err(WindowError::BeforeStart {
            at,
            starts_at: plan.starts_at,
        });
    }
    if at > plan.ends_at {
        return Err(WindowError::AfterEnd {
            at,
            ends_at: plan.ends_at,
        });
    }
    Ok(())
}

/// Are a session's open and close times inside the plan's window and in order?
pub fn check_session_times(
    plan: &ActivityPlan,
    opened_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
) -> Result<(), WindowError> {
    check_within_plan(plan, opened_at)?;
    if let Some(closed_at) = closed_at {
        if closed_at < opened_at {
            return Err(WindowError::ClosedBeforeOpened {
                opened_at,
                closed_at,
            });
        }
        check_within_plan(plan, closed_at)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PlanId, PlanStatus, UnitId};
    use chrono::TimeZone;

    fn plan() -> ActivityPlan {
        ActivityPlan {
            id: PlanId::new(),
            unit_id: UnitId::new(),
            title: "步行街宣传站".into(),
            location: "榕城区".into(),
            starts_at: Utc.with_ymd_and_hms(2022, 8, 6, 1, 0, 0).unwrap(),
            ends_at: Utc.with_ymd_and_hms(2022, 8, 6, 9, 0, 0).unwrap(),
            expected_people: 300,
            staff: "张三".into(),
            requested: vec![],
            status: PlanStatus::Approved,
            allocation: vec![],
            reject_reason: None,
            revision: 0,
        }
    }

    #[test]
    fn times_inside_the_window_pass_and_outside_fail() {
        let p = plan();
        assert!(
            check_session_times(&p, p.starts_at, Some(p.ends_at)).is_ok(),
            "ends included"
        );
        let early = p.starts_at - chrono::Duration::minutes(1);
        assert!(matches!(
            check_session_times(&p, early, None),
            Err(WindowError::BeforeStart { .. })
        ));
        let late = p.ends_at + chrono::Duration::seconds(1);
        assert!(
            matches!(
                check_session_times(&p, p.starts_at, Some(late)),
                Err(WindowError::AfterEnd { .. })
            ),
            "a close after the window is outside it"
        );
        assert!(matches!(
            check_session_times(&p, p.ends_at, Some(p.starts_at)),
            Err(WindowError::ClosedBeforeOpened { .. })
        ));
    }
}
