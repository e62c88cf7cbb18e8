//! Handouts (派送) against the device's grant (escrow), voids, grant releases, and requests
//! for a top-up (申请追加).
//!
//! A handout within the device's remaining grant is recorded in one tap. One beyond it is
//! refused with [`Error::OverGrant`], naming what remains, unless the volunteer gives a reason
//! (the box had more masks than counted): then it is kept, synced and flagged as an exception
//! for the secretariat — never dropped. A void is a compensating record; nothing is deleted.

use chrono::{DateTime, Utc};
use fieldpost_domain::{
    EscrowPosition, EscrowRefusal, EventPayload, Handout, HandoutId, HandoutVoid, Item, ItemId,
    PlanId, SessionId, TopUpAnswer, TopUpAnswerStatus, TopUpRequest, TopUpRequestId,
};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::reference::{item_exists, load_plan};
use crate::sessions::open_session_plan;
use crate::sync::{QuarantineNotice, quarantine_of};
use crate::{Error, Result, Station, outbox, row, time};

/// A tap on an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HandoutInput {
    /// The open session.
    pub session_id: SessionId,
    /// The item.
    pub item_id: ItemId,
    /// How many; at least one.
    pub quantity: u32,
    /// Why the volunteer records it beyond the grant, when they do.
    pub over_grant_reason: Option<String>,
}

/// A request for more of an item under a plan (申请追加).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TopUpInput {
    /// The approved plan.
    pub plan_id: PlanId,
    /// The item.
    pub item_id: ItemId,
    /// How many more; at least one.
    pub quantity: u32,
    /// A short word for the secretariat; blank means none.
    pub note: Option<String>,
}

/// One of this device's top-up requests and where it stands, as far as the last sync knows:
/// not yet sent, refused by the central (quarantined), waiting for the secretariat, or
/// answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TopUpRequestView {
    /// The request as the device sent it.
    pub request: TopUpRequest,
    /// Whether the central has confirmed the request's event (until then it waits on this
    /// tablet for a network).
    pub sent: bool,
    /// Why the central could not take the request (e.g. the plan was closed meanwhile), if it
    /// quarantined it; the secretariat never sees such a request in its queue.
    pub quarantine: Option<QuarantineNotice>,
    /// Fulfilled (with how many were granted) or declined (with why), and when.
    pub answer: Option<TopUpAnswer>,
}

/// The device's standing for one item under one plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ItemGrant {
    /// The item.
    pub item: Item,
    /// Granted, released, handed out.
    pub position: EscrowPosition,
    /// What may still be handed out without a reason.
    pub available: u64,
}

/// The device's standing for `item_id` under `plan_id`: grants and releases as recorded, and
/// handouts summed over the plan's sessions' counters.
pub(crate) fn escrow_position(
    conn: &Connection,
    plan_id: PlanId,
    item_id: ItemId,
) -> Result<EscrowPosition> {
    let (granted, released, handed_out) = conn
        .prepare_cached(
            "SELECT
                (SELECT COALESCE(SUM(quantity), 0) FROM grant_row WHERE plan_id = ?1 AND item_id = ?2),
                (SELECT COALESCE(SUM(quantity), 0) FROM grant_release WHERE plan_id = ?1 AND item_id = ?2),
                (SELECT COALESCE(SUM(si.handed_out), 0) FROM session s
                    JOIN session_item si ON si.session_id = s.id AND si.item_id = ?2
                    WHERE s.plan_id = ?1)",
        )?
        .query_row(params![plan_id.to_string(), item_id.to_string()], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
        })?;
    Ok(EscrowPosition {
        granted: granted.unsigned_abs(),
        released: released.unsigned_abs(),
        handed_out: handed_out.unsigned_abs(),
    })
}

/// Counts a handout in its session's counters.
fn count_handout(conn: &Connection, handout: &Handout) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO session_item (session_id, item_id, handed_out, exceptions) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (session_id, item_id) DO UPDATE SET
            handed_out = handed_out + excluded.handed_out, exceptions = exceptions + excluded.exceptions",
    )?
    .execute(params![
        handout.session_id.to_string(),
        handout.item_id.to_string(),
        handout.quantity,
        i64::from(handout.over_grant_reason.is_some()),
    ])?;
    Ok(())
}

fn nonblank(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl Station {
    /// Records a handout against the device's grant, in one durable transaction.
    pub fn record_handout(&mut self, input: &HandoutInput) -> Result<Handout> {
        let device_id = self.device_id()?;
        let now = self.now();
        if input.quantity == 0 {
            return Err(Error::InvalidQuantity {
                field: "quantity",
                reason: "a handout is at least 1".into(),
            });
        }
        let tx = self.conn.transaction()?;
        let plan_id = open_session_plan(&tx, input.session_id)?;
        if !item_exists(&tx, input.item_id)? {
            return Err(Error::UnknownItem(input.item_id));
        }
        let position = escrow_position(&tx, plan_id, input.item_id)?;
        let over_grant_reason = match position.check_handout(u64::from(input.quantity)) {
            Ok(()) => None,
            Err(EscrowRefusal::Exceeds {
                requested,
                available,
            }) => match nonblank(input.over_grant_reason.as_deref()) {
                Some(reason) => Some(reason),
                None => {
                    return Err(Error::OverGrant {
                        item_id: input.item_id,
                        requested,
                        available,
                    });
                }
            },
            Err(EscrowRefusal::ZeroQuantity) => {
                return Err(Error::InvalidQuantity {
                    field: "quantity",
                    reason: "a handout is at least 1".into(),
                });
            }
        };
        let handout = Handout {
            id: HandoutId::at(now),
            session_id: input.session_id,
            plan_id,
            item_id: input.item_id,
            quantity: input.quantity,
            handed_out_at: now,
            over_grant_reason,
        };
        let event = outbox::append(
            &tx,
            device_id,
            now,
            EventPayload::HandoutRecorded {
                handout: handout.clone(),
            },
        )?;
        tx.prepare_cached(
            "INSERT INTO handout (id, session_id, plan_id, item_id, quantity, handed_out_at,
                over_grant_reason, seq)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            handout.id.to_string(),
            handout.session_id.to_string(),
            plan_id.to_string(),
            handout.item_id.to_string(),
            handout.quantity,
            time::to_text(now),
            handout.over_grant_reason,
            event.seq,
        ])?;
        count_handout(&tx, &handout)?;
        outbox::commit(tx, &self.outbox_grew)?;
        Ok(handout)
    }

    /// Cancels a handout with a compensating record; its quantity returns to the grant.
    pub fn void_handout(&mut self, handout_id: HandoutId, reason: &str) -> Result<HandoutVoid> {
        let device_id = self.device_id()?;
        let now = self.now();
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(Error::EmptyField { field: "reason" });
        }
        let tx = self.conn.transaction()?;
        let (session_id, item_id, quantity, exception, voided) = tx
            .query_row(
                "SELECT h.session_id, h.item_id, h.quantity, h.over_grant_reason IS NOT NULL,
                        v.handout_id IS NOT NULL
                 FROM handout h LEFT JOIN handout_void v ON v.handout_id = h.id WHERE h.id = ?1",
                [handout_id.to_string()],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, bool>(3)?,
                        r.get::<_, bool>(4)?,
                    ))
                },
            )
            .optional()?
            .ok_or(Error::UnknownHandout(handout_id))?;
        if voided {
            return Err(Error::AlreadyVoided(handout_id));
        }
        let void = HandoutVoid {
            handout_id,
            reason: reason.to_owned(),
            voided_at: now,
        };
        outbox::append(
            &tx,
            device_id,
            now,
            EventPayload::HandoutVoided { void: void.clone() },
        )?;
        tx.execute(
            "INSERT INTO handout_void (handout_id, reason, voided_at) VALUES (?1, ?2, ?3)",
            params![handout_id.to_string(), void.reason, time::to_text(now)],
        )?;
        tx.execute(
            "UPDATE session_item SET handed_out = handed_out - ?3,
                exceptions = exceptions - ?4, voided = voided + 1
             WHERE session_id = ?1 AND item_id = ?2",
            params![session_id, item_id, quantity, i64::from(exception)],
        )?;
        outbox::commit(tx, &self.outbox_grew)?;
        Ok(void)
    }

    /// The session's most recent handout that has not been voided: what "undo" cancels.
    /// Most recent in the order recorded (the outbox's seq), never by time: ids and times
    /// follow the tablet's clock, which may have been set back between two taps.
    pub fn last_handout(&self, session_id: SessionId) -> Result<Option<Handout>> {
        self.conn
            .query_row(
                "SELECT h.id, h.plan_id, h.item_id, h.quantity, h.handed_out_at, h.over_grant_reason
                 FROM handout h LEFT JOIN handout_void v ON v.handout_id = h.id
                 WHERE h.session_id = ?1 AND v.handout_id IS NULL
                 ORDER BY h.seq DESC LIMIT 1",
                [session_id.to_string()],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, Option<String>>(5)?,
                    ))
                },
            )
            .optional()?
            .map(|(id, plan_id, item_id, quantity, at, over_grant_reason)| {
                Ok(Handout {
                    id: row::id(&id)?,
                    session_id,
                    plan_id: row::id(&plan_id)?,
                    item_id: row::id(&item_id)?,
                    quantity: row::count(quantity)?,
                    handed_out_at: time::from_text(&at)?,
                    over_grant_reason,
                })
            })
            .transpose()
    }

    /// The device's remaining grant per item under a plan.
    pub fn remaining_grants(&self, plan_id: PlanId) -> Result<Vec<ItemGrant>> {
        load_plan(&self.conn, plan_id)?.ok_or(Error::UnknownPlan(plan_id))?;
        let items = self.items()?;
        let mut grants = Vec::new();
        for item in items {
            let position = escrow_position(&self.conn, plan_id, item.id)?;
            if position == EscrowPosition::default() {
                continue;
            }
            grants.push(ItemGrant {
                available: position.available(),
                item,
                position,
            });
        }
        Ok(grants)
    }

    /// Gives part of the device's unused grant back to the central, so another device or plan
    /// can use it.
    pub fn release_grant(
        &mut self,
        plan_id: PlanId,
        item_id: ItemId,
        quantity: u32,
    ) -> Result<EscrowPosition> {
        let device_id = self.device_id()?;
        let now: DateTime<Utc> = self.now();
        let tx = self.conn.transaction()?;
        load_plan(&tx, plan_id)?.ok_or(Error::UnknownPlan(plan_id))?;
        if !item_exists(&tx, item_id)? {
            return Err(Error::UnknownItem(item_id));
        }
        let position = escrow_position(&tx, plan_id, item_id)?;
        match position.check_release(u64::from(quantity)) {
            Ok(()) => {}
            Err(EscrowRefusal::ZeroQuantity) => {
                return Err(Error::InvalidQuantity {
                    field: "quantity",
                    reason: "a release is at least 1".into(),
                });
            }
            Err(EscrowRefusal::Exceeds { available, .. }) => {
                return Err(Error::InvalidQuantity {
                    field: "quantity",
                    reason: format!("only {available} remain unused in this device's grant"),
                });
            }
        }
        outbox::append(
            &tx,
            device_id,
            now,
            EventPayload::GrantReleased {
                plan_id,
                item_id,
                quantity,
            },
        )?;
        tx.execute(
            "INSERT INTO grant_release (id, plan_id, item_id, quantity, released_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                fieldpost_domain::GrantId::new().to_string(),
                plan_id.to_string(),
                item_id.to_string(),
                quantity,
                time::to_text(now)
            ],
        )?;
        outbox::commit(tx, &self.outbox_grew)?;
        escrow_position(&self.conn, plan_id, item_id)
    }

    /// Asks the secretariat for more of an item under an approved plan. Nothing changes on
    /// the device: the request goes up as an event, and the answer (fulfilled with a grant,
    /// or declined with a reason) comes back by pull. Refused, writing nothing, unless the plan is approved on this device, the item
    /// known, the quantity at least 1 and the note short.
    pub fn request_top_up(&mut self, input: &TopUpInput) -> Result<TopUpRequest> {
        let device_id = self.device_id()?;
        let now = self.now();
        if input.quantity == 0 {
            return Err(Error::InvalidQuantity {
                field: "quantity",
                reason: "a top-up request is for at least 1".into(),
            });
        }
        let note = nonblank(input.note.as_deref());
        if note
            .as_ref()
            .is_some_and(|n| n.chars().count() > TopUpRequest::NOTE_MAX_CHARS)
        {
            return Err(Error::TooLong {
                field: "note",
                max: TopUpRequest::NOTE_MAX_CHARS,
            });
        }
        let tx = self.conn.transaction()?;
        let plan = load_plan(&tx, input.plan_id)?.ok_or(Error::UnknownPlan(input.plan_id))?;
        // Only an approved plan has an allocation to draw more from; a closed one has given
        // its stock back.
        if !plan.status.allows_sessions() {
            return Err(Error::PlanNotApproved {
                plan_id: plan.id,
                status: plan.status,
            });
        }
        if !item_exists(&tx, input.item_id)? {
            return Err(Error::UnknownItem(input.item_id));
        }
        let request = TopUpRequest {
            id: TopUpRequestId::new(),
            plan_id: plan.id,
            item_id: input.item_id,
            quantity: input.quantity,
            note,
            requested_at: now,
        };
        outbox::append(
            &tx,
            device_id,
            now,
            EventPayload::TopUpRequested {
                request: request.clone(),
            },
        )?;
        outbox::commit(tx, &self.outbox_grew)?;
        Ok(request)
    }

    /// The top-up requests this device sent under a plan, newest first, each with the
    /// secretariat's answer when the sync has brought one. The event log is the requests'
    /// only record on the device; the answers come by pull (`top_up_answer`).
    pub fn top_up_requests(&self, plan_id: PlanId) -> Result<Vec<TopUpRequestView>> {
        // The partial index `events_top_up_requested` (migration 0003) holds exactly these
        // rows, so the list costs the requests, not the whole event log.
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.seq, e.payload, e.seq <= s.acked_through
             FROM events e, sync_state s
             WHERE e.kind = 'top_up_requested' AND s.singleton = 1
             ORDER BY e.seq DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, bool>(2)?,
            ))
        })?;
        let mut requests = Vec::new();
        for row in rows {
            let (seq, payload, sent) = row?;
            let event: fieldpost_domain::DeviceEvent = serde_json::from_str(&payload)?;
            if let EventPayload::TopUpRequested { request } = event.payload
                && request.plan_id == plan_id
            {
                let answer = top_up_answer(&self.conn, request.id)?;
                let quarantine = quarantine_of(&self.conn, seq.unsigned_abs())?;
                requests.push(TopUpRequestView {
                    request,
                    sent,
                    quarantine,
                    answer,
                });
            }
        }
        Ok(requests)
    }
}

/// The answer pulled for request `id`, if one came.
fn top_up_answer(conn: &Connection, id: TopUpRequestId) -> Result<Option<TopUpAnswer>> {
    let found = conn
        .prepare_cached(
            "SELECT status, granted, grant_id, reason, decided_at FROM top_up_answer
             WHERE request_id = ?1",
        )?
        .query_row([id.to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<i64>>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
            ))
        })
        .optional()?;
    let Some((status, granted, grant_id, reason, decided_at)) = found else {
        return Ok(None);
    };
    let status = match status.as_str() {
        "fulfilled" => TopUpAnswerStatus::Fulfilled,
        "declined" => TopUpAnswerStatus::Declined,
        other => return Err(Error::Corrupt(format!("top-up answer status {other:?}"))),
    };
    Ok(Some(TopUpAnswer {
        request_id: id,
        status,
        granted: granted.map(row::count).transpose()?,
        grant_id: grant_id.as_deref().map(row::id).transpose()?,
        reason,
        decided_at: time::from_text(&decided_at)?,
    }))
}
