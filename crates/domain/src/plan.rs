//! The activity plan's workflow (备案):
//!
//! ```text
//! draft ──file──▶ submitted ──approve──▶ approved ──close──▶ closed
//!   ▲ revise        │ ▲ revise                                 ▲
//!   └───────        │ └──────── rejected ──close───────────────┘
//!                   └──reject──▶   │ revise (re-files)
//!                                  └──────▶ submitted
//! ```
//!
//! The team leader drafts, files and revises; the secretariat approves (allocating gifts),
//! rejects (with a reason) and closes. An approved plan is locked: its allocation is split into
//! device grants, so changing what it says would change what tablets may hand out.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where a plan stands in its workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    /// Being written by the team leader; only on the device.
    Draft,
    /// Filed with the secretariat, awaiting review.
    Submitted,
    /// Approved, with an allocation; stations may open sessions under it.
    Approved,
    /// Rejected, with a reason; the team leader may revise and re-file.
    Rejected,
    /// Over: unspent allocation has gone back to stock.
    Closed,
}

impl PlanStatus {
    /// Every status, for exhaustive tests and UI filters.
    pub const ALL: [PlanStatus; 5] = [
        PlanStatus::Draft,
        PlanStatus::Submitted,
        PlanStatus::Approved,
        PlanStatus::Rejected,
        PlanStatus::Closed,
    ];

    /// The stable lowercase name used in storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Submitted => "submitted",
            PlanStatus::Approved => "approved",
            PlanStatus::Rejected => "rejected",
            PlanStatus::Closed => "closed",
        }
    }

    /// Parses [`PlanStatus::as_str`]'s output.
    pub fn parse(s: &str) -> Option<PlanStatus> {
        PlanStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
    }

    /// Whether a station may open a session under a plan in this status.
    pub fn allows_sessions(self) -> bool {
        self == PlanStatus::Approved
    }
}

impl std::fmt::Display for PlanStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A move in the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PlanAction {
    /// Team leader: send the draft to the secretariat.
    File,
    /// Team leader: change what the plan says.
    Revise,
    /// Secretariat: approve with an allocation.
    Approve,
    /// Secretariat: reject with a reason.
    Reject,
    /// Secretariat: end the plan, returning unspent allocation.
    Close,
}

impl PlanAction {
    /// Every action, for exhaustive tests.
    pub const ALL: [PlanAction; 5] = [
        PlanAction::File,
        PlanAction::Revise,
        PlanAction::Approve,
        PlanAction::Reject,
        PlanAction::Close,
    ];
}

/// A move the workflow does not allow from the plan's current status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a plan that is {from} cannot be {action:?}d")]
pub struct TransitionError {
    /// The plan's status.
    pub from: PlanStatus,
    /// What was asked.
    pub action: PlanAction,
}

/// The status a plan moves to when `action` is taken from `from`, or why it cannot.
pub fn transition(from: PlanStatus, action: PlanAction) -> Result<PlanStatus, TransitionError> {
    use PlanAction as A;
    use PlanStatus as S;
    match (from, action) {
        (S::Draft, A::File) => Ok(S::Submitted),
        (S::Draft, A::Revise) => Ok(S::Draft),
        // A revision of a filed plan goes back to the secretariat for review.
        (S::Submitted, A::Revise) => Ok(S::Submitted),
        (S::Rejected, A::Revise) => Ok(S::Submitted),
        (S::Submitted, A::Approve) => Ok(S::Approved),
        (S::Submitted, A::Reject) => Ok(S::Rejected),
        (S::Approved | S::Rejected, A::Close) => Ok(S::Closed),
        (
            S::Draft | S::Submitted | S::Approved | S::Rejected | S::Closed,
            A::File | A::Revise | A::Approve | A::Reject | A::Close,
        ) => Err(TransitionError { from, action }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn action() -> impl Strategy<Value = PlanAction> {
        proptest::sample::select(PlanAction::ALL.to_vec())
    }

    #[test]
    fn happy_path_reaches_closed() {
        let mut s = PlanStatus::Draft;
        for a in [
            PlanAction::Revise,
            PlanAction::File,
            PlanAction::Approve,
            PlanAction::Close,
        ] {
            s = transition(s, a).unwrap();
        }
        assert_eq!(
            s,
            PlanStatus::Closed,
            "draft→file→approve→close must end closed"
        );
    }

    #[test]
    fn rejected_plan_can_be_revised_and_refiled() {
        let s = transition(PlanStatus::Submitted, PlanAction::Reject).unwrap();
        assert_eq!(
            transition(s, PlanAction::Revise),
            Ok(PlanStatus::Submitted),
            "revising a rejected plan re-files it for review"
        );
    }

    #[test]
    fn approved_plan_is_locked_against_revision() {
        assert!(
            transition(PlanStatus::Approved, PlanAction::Revise).is_err(),
            "grants were split from the approved allocation; revising would change them"
        );
    }

    #[test]
    fn status_names_round_trip() {
        for s in PlanStatus::ALL {
            assert_eq!(
                PlanStatus::parse(s.as_str()),
                Some(s),
                "storage name must parse back"
            );
        }
    }

    proptest! {
        /// Whatever sequence of moves is attempted, the workflow's invariants hold.
        #[test]
        fn workflow_invariants(actions in proptest::collection::vec(action(), 0..40)) {
            let mut status = PlanStatus::Draft;
            let mut ever_submitted = false;
            for a in actions {
                let before = status;
                match transition(status, a) {
                    Ok(next) => {
                        prop_assert!(before != PlanStatus::Closed, "closed is terminal");
                        if next == PlanStatus::Approved {
                            prop_assert_eq!(before, PlanStatus::Submitted,
                                "only a submitted plan can be approved");
                        }
                        if next == PlanStatus::Rejected {
                            prop_assert_eq!(before, PlanStatus::Submitted,
                                "only a submitted plan can be rejected");
                        }
                        if next == PlanStatus::Draft {
                            prop_assert!(!ever_submitted, "a filed plan never returns to draft");
                        }
                        status = next;
                        ever_submitted |= status == PlanStatus::Submitted;
                    }
                    Err(e) => {
                        prop_assert_eq!(e.from, before, "the error names the current status");
                        prop_assert_eq!(status, before, "a refused move changes nothing");
                    }
                }
            }
        }
    }
}
