//! The team leader's activity plans (现场活动策划方案): draft, file, revise — offline.
//!
//! A draft lives only on the tablet and records no event: it is not yet a fact the
//! secretariat should see. Filing sends it (`plan_filed`); revising a filed or rejected plan
//! asks the secretariat to review the new version (`plan_revised`). After filing, the central
//! owns the plan: its decision (approval with an allocation, or rejection with a reason) comes
//! back with the reference data and replaces the local copy.

use fieldpost_domain::{
    ActivityPlan, EventPayload, PlanAction, PlanContent, PlanContentError, PlanId, PlanStatus,
};

use crate::reference::{item_exists, load_plan, upsert_plan};
use crate::{Error, Result, Station, outbox};

impl Station {
    /// Saves a new draft plan for the device's unit.
    pub fn draft_plan(&mut self, input: &PlanContent) -> Result<ActivityPlan> {
        let unit_id = self.stored_unit_id()?.ok_or(Error::NotEnrolled)?;
        let input = self.validate_plan(input)?;
        let plan = ActivityPlan {
            id: PlanId::new(),
            unit_id,
            title: input.title,
            location: input.location,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            expected_people: input.expected_people,
            staff: input.staff,
            requested: input.requested,
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
        outbox::append(
            &tx,
            device_id,
            now,
            EventPayload::PlanFiled { plan: plan.clone() },
        )?;
        upsert_plan(&tx, &plan)?;
        outbox::commit(tx, &self.outbox_grew)?;
        Ok(plan)
    }

    /// Changes what a plan says. A draft stays a draft; a filed or rejected plan goes (back)
    /// to the secretariat for review. An approved or closed plan cannot be revised.
    pub fn revise_plan(&mut self, plan_id: PlanId, input: &PlanContent) -> Result<ActivityPlan> {
        let input = self.validate_plan(input)?;
        let device_id = self.device_id()?;
        let now = self.now();
        let tx = self.conn.transaction()?;
        let current = load_plan(&tx, plan_id)?.ok_or(Error::UnknownPlan(plan_id))?;
        let status = fieldpost_domain::plan::transition(current.status, PlanAction::Revise)?;
        // The revision is the central's (pulled): checked, whatever it sent (issue 14).
        let revision = current.revision.checked_add(1).ok_or_else(|| {
            Error::Corrupt(format!(
                "plan {plan_id}: revision {} is the last there is",
                current.revision
            ))
        })?;
        let plan = ActivityPlan {
            title: input.title,
            location: input.location,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            expected_people: input.expected_people,
            staff: input.staff,
            requested: input.requested,
            status,
            reject_reason: None,
            revision,
            ..current
        };
        if status != PlanStatus::Draft {
            outbox::append(
                &tx,
                device_id,
                now,
                EventPayload::PlanRevised { plan: plan.clone() },
            )?;
            upsert_plan(&tx, &plan)?;
            outbox::commit(tx, &self.outbox_grew)?;
        } else {
            // A draft stays on the tablet: nothing for the central, no event.
            upsert_plan(&tx, &plan)?;
            tx.commit()?;
        }
        Ok(plan)
    }

    /// The content checked by the rules the central applies too (the domain's), and each
    /// requested item known to the tablet.
    fn validate_plan(&self, input: &PlanContent) -> Result<PlanContent> {
        let content = input.clone().checked().map_err(|e| match e {
            PlanContentError::BlankTitle => Error::EmptyField { field: "title" },
            PlanContentError::BlankLocation => Error::EmptyField { field: "location" },
            PlanContentError::EndsBeforeStart => Error::PlanWindowInverted,
            PlanContentError::ZeroQuantity(_) => Error::InvalidQuantity {
                field: "requested",
                reason: "each requested quantity must be at least 1".into(),
            },
            PlanContentError::ItemTwice(_) => Error::InvalidQuantity {
                field: "requested",
                reason: "an item appears twice; put its whole quantity on one line".into(),
            },
            PlanContentError::StartsBeforeCampaign => Error::PlanBeforeCampaign,
        })?;
        // The central's rule too: no plan before the campaign's publicity opens.
        if let Some(campaign) = self.campaign()?
            && content.check_within(&campaign).is_err()
        {
            return Err(Error::PlanBeforeCampaign);
        }
        for line in &content.requested {
            if !item_exists(&self.conn, line.item_id)? {
                return Err(Error::UnknownItem(line.item_id));
            }
        }
        Ok(content)
    }
}
