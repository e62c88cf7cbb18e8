//! The team leader's activity plans (现场活动策划方案): draft, file, revise — offline.
//!
//! A draft lives only on the tablet and records no event: it is not yet a fact the
//! secretariat should see. Filing sends it (`plan_filed`); revising a filed or rejected plan
//! asks the secretariat to review the new version (`plan_revised`). After filing, the central
//! owns the plan: its decision (approval with an allocation, or rejection with a reason) comes
//! back with the reference data and replaces the local copy.

use chrono::{DateTime, Utc};
use fieldpost_domain::{ActivityPlan, EventPayload, ItemQuantity, PlanAction, PlanId, PlanStatus};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::reference::{item_exists, load_plan, upsert_plan};
use crate::{Error, Result, Station, outbox};

/// What the team leader writes in a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PlanInput {
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

impl Station {
    /// Saves a new draft plan for the device's unit.
    pub fn draft_plan(&mut self, input: &PlanInput) -> Result<ActivityPlan> {
        let unit_id = self.identity()?.ok_or(Error::NotEnrolled)?.unit_id;
        self.validate_plan(input)?;
        let plan = ActivityPlan {
            id: PlanId::new(),
            unit_id,
            title: input.title.trim().to_owned(),
            location: input.location.trim().to_owned(),
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            expected_people: input.expected_people,
            staff: input.staff.trim().to_owned(),
            requested: input.requested.clone(),
            status: PlanStatus::Draft,
            allocation: Vec::new(),
            reject_reason: None,
            revision: 0,
        };
        let tx = self.conn.transaction()?;
        upsert_plan(&tx, &plan)?;
        tx.commit()?;
        Ok(plan)
    }

    /// Files a draft with the secretariat.
    pub fn file_plan(&mut self, plan_id: PlanId) -> Result<ActivityPlan> {
        let device_id = self.device_id()?;
        let now = self.now();
        let tx = self.conn.transaction()?;
        let mut plan = load_plan(&tx, plan_id)?.ok_or(Error::UnknownPlan(plan_id))?;
        plan.status = fieldpost_domain::plan::transition(plan.status, PlanAction::File)?;
        upsert_plan(&tx, &plan)?;
        outbox::append(
            &tx,
            device_id,
            now,
            EventPayload::PlanFiled { plan: plan.clone() },
        )?;
        outbox::commit(tx, &self.outbox_grew)?;
        Ok(plan)
    }

    /// Changes what a plan says. A draft stays a draft; a filed or rejected plan goes (back)
    /// to the secretariat for review. An approved or closed plan cannot be revised.
    pub fn revise_plan(&mut self, plan_id: PlanId, input: &PlanInput) -> Result<ActivityPlan> {
        self.validate_plan(input)?;
        let device_id = self.device_id()?;
        let now = self.now();
        let tx = self.conn.transaction()?;
        let current = load_plan(&tx, plan_id)?.ok_or(Error::UnknownPlan(plan_id))?;
        let status = fieldpost_domain::plan::transition(current.status, PlanAction::Revise)?;
        let plan = ActivityPlan {
            title: input.title.trim().to_owned(),
            location: input.location.trim().to_owned(),
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            expected_people: input.expected_people,
            staff: input.staff.trim().to_owned(),
            requested: input.requested.clone(),
            status,
            reject_reason: None,
            revision: current.revision + 1,
            ..current
        };
        upsert_plan(&tx, &plan)?;
        if status != PlanStatus::Draft {
            outbox::append(
                &tx,
                device_id,
                now,
                EventPayload::PlanRevised { plan: plan.clone() },
            )?;
            outbox::commit(tx, &self.outbox_grew)?;
        } else {
            // A draft stays on the tablet: nothing for the central, no event.
            tx.commit()?;
        }
        Ok(plan)
    }

    fn validate_plan(&self, input: &PlanInput) -> Result<()> {
        if input.title.trim().is_empty() {
            return Err(Error::EmptyField { field: "title" });
        }
        if input.location.trim().is_empty() {
            return Err(Error::EmptyField { field: "location" });
        }
        if input.ends_at <= input.starts_at {
            return Err(Error::PlanWindowInverted);
        }
        for (i, line) in input.requested.iter().enumerate() {
            if line.quantity == 0 {
                return Err(Error::InvalidQuantity {
                    field: "requested",
                    reason: "each requested quantity must be at least 1".into(),
                });
            }
            if !item_exists(&self.conn, line.item_id)? {
                return Err(Error::UnknownItem(line.item_id));
            }
            if input.requested[..i]
                .iter()
                .any(|earlier| earlier.item_id == line.item_id)
            {
                return Err(Error::InvalidQuantity {
                    field: "requested",
                    reason: "an item appears twice; put its whole quantity on one line".into(),
                });
            }
        }
        Ok(())
    }
}
