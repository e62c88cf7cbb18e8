//! Applying a batch's new events: the facts each needs are looked up (cached for the batch),
//! the domain decides ([`decide`]), and the rows are written through the tables.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use fieldpost_domain::quarantine::{
    Accepted, Facts, HandoutFacts, Needs, PlanFacts, Quarantine, QuarantineCode, SessionFacts,
    decide,
};
use fieldpost_domain::{
    ActivityPlan, DeviceEvent, DeviceId, EventPayload, Handout, HandoutVoid, ItemId,
    LotteryEntrant, LotterySecretKey, PlanId, PlanStatus, SessionId, UnitId,
};
use fieldpost_sync::Quarantined;

use super::{PushError, PushedEvent};
use crate::audit::Actor;
use crate::lottery_key::LotteryKeyFile;
use crate::plans::{DeviceShare, PlanError};
use crate::stock::{self, LedgerKind};
use crate::storage::stock::Movement;
use crate::storage::{NewEntrant, NewEvent, NewHandout, StorageError, StoredHandout, Tx};

/// What [`apply_new`] works on.
pub(super) struct Context<'a, 'e> {
    pub now: DateTime<Utc>,
    pub device: DeviceId,
    pub unit: UnitId,
    pub campaign: &'a str,
    pub last: u64,
    pub events: &'e [PushedEvent],
    pub lottery_key: &'a LotteryKeyFile,
    pub clock: super::ClockCheck,
}

/// An event applied, or the quarantine it gets.
type Outcome = Result<(), Quarantine>;

/// One batch's context and caches. Everything cached here is changed only through this batch
/// while it runs (the transaction is the one writer), and every write it does keeps them
/// right.
struct Batch<'a, 'e> {
    now: DateTime<Utc>,
    actor: Actor,
    device: DeviceId,
    unit: UnitId,
    campaign: &'a str,
    plans: HashMap<PlanId, Option<PlanFacts>>,
    items: HashMap<ItemId, bool>,
    sessions: HashMap<SessionId, Option<SessionFacts>>,
    available: HashMap<(PlanId, ItemId), i64>,
    /// Grant-backed handouts of this batch not yet posted to the ledger, per plan and item:
    /// posted as one ledger row each when the batch ends or before anything else reads the
    /// ledger, so a batch of 2,000 taps writes a handful of ledger rows, not 2,000.
    unposted: HashMap<(PlanId, ItemId), u64>,
    /// This batch's new handouts not yet added to `plan_handout_totals`, per plan and item:
    /// (handed out, unbacked). Added with `unposted`.
    untotalled: HashMap<(PlanId, ItemId), (i64, i64)>,
    /// The server_seq of this batch's `handout_batch` change row, once a handout needed it.
    handout_batch: Option<u64>,
    /// Rows go to the tables in slices; false: one at a time.
    chunked: bool,
    /// New handouts not yet inserted.
    handout_rows: Vec<NewHandout<'e>>,
    /// New events not yet inserted.
    event_rows: Vec<NewEvent<'e>>,
    /// A slice met a stored row: the chunked attempt is abandoned.
    bailed: bool,
    /// The lottery key file, read only for entrant events.
    lottery_key: &'a LotteryKeyFile,
    /// The key entrants' numbers open with, looked up at the batch's first entrant: `None`
    /// inside when registration is closed.
    lottery: Option<Option<LotterySecretKey>>,
    /// The tablet's clock against the central's: its session times are corrected by it.
    clock: super::ClockCheck,
}

/// Applies and stores the events past `last`: their quarantine notices and how many were
/// stored. `None` when `chunked` and a slice met a stored row (the caller rolls back and
/// tries again one row at a time).
pub(super) fn apply_new(
    tx: &mut dyn Tx,
    ctx: &Context<'_, '_>,
    chunked: bool,
) -> Result<Option<(Vec<Quarantined>, u64)>, PushError> {
    let mut batch = Batch {
        now: ctx.now,
        actor: Actor::Device(ctx.device),
        device: ctx.device,
        unit: ctx.unit,
        campaign: ctx.campaign,
        plans: HashMap::new(),
        items: HashMap::new(),
        sessions: HashMap::new(),
        available: HashMap::new(),
        unposted: HashMap::new(),
        untotalled: HashMap::new(),
        handout_batch: None,
        chunked,
        handout_rows: Vec::new(),
        event_rows: Vec::new(),
        bailed: false,
        lottery_key: ctx.lottery_key,
        lottery: None,
        clock: ctx.clock,
    };
    let (now, device, unit) = (ctx.now, ctx.device, ctx.unit);
    let mut quarantined = Vec::new();
    let mut applied = 0u64;
    for (i, pushed) in ctx.events.iter().enumerate() {
        let e = &pushed.event;
        if e.seq <= ctx.last {
            continue;
        }
        let outcome = batch.apply(tx, e)?;
        if batch.bailed {
            return Ok(None);
        }
        // An applied handout's content is its handouts row: its event keeps the envelope and
        // the digest only (migration 0004).
        let body = match (&e.payload, &outcome) {
            (EventPayload::HandoutRecorded { .. }, Ok(())) => "",
            _ => pushed.canonical.as_str(),
        };
        let quarantine = outcome.err().map(|q| {
            quarantined.push(Quarantined {
                seq: e.seq,
                event_id: e.id,
                code: q.code.as_str().to_owned(),
                reason: q.reason.clone(),
            });
            (q.code, q.reason)
        });
        if quarantine.is_some() {
            tx.change_log().created(
                now,
                "quarantine",
                &e.id.to_string(),
                Some(unit),
                Some(device),
            )?;
        }
        applied += 1;
        let row = NewEvent {
            event: e,
            body,
            quarantine,
            digest: &pushed.digest,
        };
        if chunked {
            batch.event_rows.push(row);
            continue;
        }
        // (device, seq) is new (checked by the caller), so a stored row is the event id,
        // already stored under another seq or device: a conflict, and the batch is dropped.
        if !tx
            .device_events()
            .insert(device, now, std::slice::from_ref(&row))?
        {
            let whose = match tx.device_events().owner(e.id)? {
                Some((owner, seq)) if owner == device => format!("this device's seq {seq}"),
                _ => "another device's event".to_owned(),
            };
            return Err(PushError::EventConflict {
                field: format!("events[{i}].id"),
                message: format!("event id {} is already stored as {whose}", e.id),
            });
        }
    }
    if !batch.flush_rows(tx)? {
        return Ok(None);
    }
    batch.post_unposted(tx)?;
    Ok(Some((quarantined, applied)))
}

impl<'e> Batch<'_, 'e> {
    fn apply(&mut self, tx: &mut dyn Tx, e: &'e DeviceEvent) -> Result<Outcome, PushError> {
        // Session and check-in times as the central takes them from a tablet whose clock is
        // off (push/clock.rs); every other payload as written.
        let corrected = self.clock.corrected(e);
        let payload = corrected.as_ref().unwrap_or(&e.payload);
        if !matches!(payload, EventPayload::HandoutRecorded { .. }) {
            // Whatever else may read the handouts, the events or the ledger sees this batch's
            // handouts first.
            if !self.flush_rows(tx)? {
                // Abandoned: the caller rolls back and starts again one row at a time.
                return Ok(Ok(()));
            }
            self.post_unposted(tx)?;
        }
        let needs = Needs::of(payload);
        let stored_handout = match needs.handout {
            Some(id) => tx.handouts().stored(id)?,
            None => None,
        };
        let facts = self.facts(tx, &needs, stored_handout.as_ref())?;
        let accepted = match decide(payload, &facts) {
            Ok(accepted) => accepted,
            Err(q) => return Ok(Err(q)),
        };
        if accepted == Accepted::AlreadyApplied {
            return Ok(Ok(()));
        }
        // A handout's row borrows the event itself (its times are never corrected).
        if let (EventPayload::HandoutRecorded { handout }, Accepted::Handout { backed }) =
            (&e.payload, &accepted)
        {
            return self.handout(tx, handout, *backed);
        }
        let now = self.now;
        match (payload, accepted) {
            (EventPayload::HandoutVoided { void }, _) => match stored_handout {
                Some(stored) => self.void(tx, void, stored),
                None => Err(StorageError::Corrupt(
                    "a void decided without its handout".into(),
                ))?,
            },
            (EventPayload::SessionOpened { session }, Accepted::Session { exception }) => {
                tx.station_sessions().insert(
                    session,
                    self.unit,
                    self.device,
                    exception.as_deref(),
                )?;
                self.sessions.insert(
                    session.id,
                    Some(SessionFacts {
                        device: self.device,
                        opened_at: session.opened_at,
                        closed_at: session.closed_at,
                    }),
                );
                Ok(Ok(()))
            }
            (
                EventPayload::SessionClosed {
                    session_id,
                    closed_at,
                },
                _,
            ) => {
                tx.station_sessions().close(*session_id, *closed_at)?;
                if let Some(Some(s)) = self.sessions.get_mut(session_id) {
                    s.closed_at = Some(*closed_at);
                }
                Ok(Ok(()))
            }
            (EventPayload::TallyRecorded { tally }, _) => {
                tx.station_sessions().add_tally(tally)?;
                Ok(Ok(()))
            }
            (EventPayload::VolunteerCheckedIn { check_in }, _) => {
                if tx.volunteer_check_ins().insert(check_in, self.device)? {
                    Ok(Ok(()))
                } else {
                    Ok(Err(Quarantine::new(
                        QuarantineCode::DuplicateCheckIn,
                        format!("a check-in {} is stored already", check_in.id),
                    )))
                }
            }
            (
                EventPayload::VolunteerCheckedOut {
                    check_in_id,
                    checked_out_at,
                },
                _,
            ) => {
                tx.volunteer_check_ins()
                    .check_out(*check_in_id, *checked_out_at)?;
                Ok(Ok(()))
            }
            (EventPayload::EntrantRegistered { entrant }, _) => self.entrant(tx, entrant),
            (EventPayload::PlanFiled { plan }, _) => self.plan_event(tx, plan, false),
            (EventPayload::PlanRevised { plan }, _) => self.plan_event(tx, plan, true),
            (
                EventPayload::GrantReleased {
                    plan_id,
                    item_id,
                    quantity,
                },
                _,
            ) => {
                let share = DeviceShare {
                    device_id: self.device,
                    item_id: *item_id,
                    quantity: *quantity,
                };
                // The rule checked the grant; a refusal here is a broken invariant.
                crate::grants::release_in(tx, &self.actor, now, *plan_id, share).map_err(|e| {
                    match e {
                        PlanError::Storage(e) => e,
                        e => StorageError::Corrupt(format!("a decided release refused: {e}")),
                    }
                })?;
                self.available
                    .insert((*plan_id, *item_id), facts.available - i64::from(*quantity));
                Ok(Ok(()))
            }
            (EventPayload::TopUpRequested { request }, _) => {
                if tx
                    .top_up_requests()
                    .insert(now, self.unit, self.device, request)?
                {
                    Ok(Ok(()))
                } else {
                    Ok(Err(Quarantine::new(
                        QuarantineCode::DuplicateTopUpRequest,
                        format!("a top-up request {} is stored already", request.id),
                    )))
                }
            }
            (_, accepted) => Err(StorageError::Corrupt(format!(
                "{} accepted as {accepted:?}",
                e.payload.kind()
            )))?,
        }
    }

    /// The facts `needs` names, from the batch's caches or the tables.
    fn facts(
        &mut self,
        tx: &mut dyn Tx,
        needs: &Needs,
        handout: Option<&StoredHandout>,
    ) -> Result<Facts, PushError> {
        let mut facts = Facts::of_device(self.device, self.unit);
        if let Some(id) = needs.plan {
            facts.plan = match self.plans.get(&id) {
                Some(p) => *p,
                None => {
                    let p = tx.plans().facts(id)?;
                    self.plans.insert(id, p);
                    p
                }
            };
        }
        if let Some(id) = needs.item {
            facts.item_known = match self.items.get(&id) {
                Some(known) => *known,
                None => {
                    let known = tx.items().exists(id)?;
                    self.items.insert(id, known);
                    known
                }
            };
        }
        if let Some(id) = needs.session {
            facts.session = match self.sessions.get(&id) {
                Some(s) => *s,
                None => {
                    let s = tx.station_sessions().find(id)?;
                    self.sessions.insert(id, s);
                    s
                }
            };
        }
        if let Some(id) = needs.check_in {
            facts.check_in = tx.volunteer_check_ins().find(id)?;
        }
        facts.handout = handout.map(|h| HandoutFacts {
            device: h.device,
            voided: h.voided,
        });
        if let Some((plan, item)) = needs.available {
            facts.available = match self.available.get(&(plan, item)) {
                Some(a) => *a,
                None => {
                    let a = tx
                        .stock_ledger()
                        .device_available(plan, self.device, item)?;
                    self.available.insert((plan, item), a);
                    a
                }
            };
        }
        Ok(facts)
    }

    /// Inserts the rows waiting for their slice. False (and `bailed`) when a handout id or
    /// event id was already stored.
    fn flush_rows(&mut self, tx: &mut dyn Tx) -> Result<bool, PushError> {
        if self.bailed {
            return Ok(false);
        }
        let handouts = std::mem::take(&mut self.handout_rows);
        let events = std::mem::take(&mut self.event_rows);
        if !tx.handouts().insert(self.device, &handouts)?
            || !tx.device_events().insert(self.device, self.now, &events)?
        {
            self.bailed = true;
            return Ok(false);
        }
        Ok(true)
    }

    /// Posts this batch's grant-backed handouts to the ledger and adds its handouts to the
    /// plan totals, one row each per plan and item.
    fn post_unposted(&mut self, tx: &mut dyn Tx) -> Result<(), PushError> {
        let mut untotalled: Vec<_> = self.untotalled.drain().collect();
        untotalled.sort();
        for ((plan, item), (handed_out, unbacked)) in untotalled {
            tx.plan_handout_totals()
                .add(plan, item, handed_out, unbacked)?;
        }
        let mut unposted: Vec<_> = self.unposted.drain().collect();
        unposted.sort();
        for ((plan, item), mut backed) in unposted {
            // A batch's backed handouts may sum past u32::MAX, a ledger row's most (a device
            // granted that much through top-ups): posted in rows of at most that, where the
            // sum used to overflow (issue 14).
            while backed > 0 {
                let quantity = u32::try_from(backed).unwrap_or(u32::MAX);
                let movement = Movement::new(item, LedgerKind::Handout, quantity)
                    .of_plan(plan)
                    .of_device(self.device);
                stock::post(tx, self.now, &self.actor, &movement)?;
                backed -= u64::from(quantity);
            }
        }
        Ok(())
    }

    fn handout(
        &mut self,
        tx: &mut dyn Tx,
        h: &'e Handout,
        backed: u32,
    ) -> Result<Outcome, PushError> {
        let batch_seq = match self.handout_batch {
            Some(seq) => seq,
            None => {
                let seq = tx.change_log().created(
                    self.now,
                    "handout_batch",
                    &uuid::Uuid::now_v7().to_string(),
                    Some(self.unit),
                    Some(self.device),
                )?;
                self.handout_batch = Some(seq);
                seq
            }
        };
        let row = NewHandout {
            handout: h,
            backed,
            batch_seq,
        };
        if self.chunked {
            // Inserted with its slice; a slice that finds the id stored abandons the attempt.
            self.handout_rows.push(row);
        } else if !tx.handouts().insert(self.device, &[row])? {
            let stored = tx.handouts().stored(h.id)?;
            let same = stored.is_some_and(|s| {
                (s.plan, s.device, s.item, s.quantity)
                    == (h.plan_id, self.device, h.item_id, h.quantity)
            });
            if same {
                // The same handout under another event: already counted.
                return Ok(Ok(()));
            }
            return Ok(Err(Quarantine::new(
                QuarantineCode::HandoutConflict,
                format!("another handout is stored under id {}", h.id),
            )));
        }
        let key = (h.plan_id, h.item_id);
        let totals = self.untotalled.entry(key).or_default();
        totals.0 += i64::from(h.quantity);
        totals.1 += i64::from(h.quantity - backed);
        if backed > 0 {
            *self.unposted.entry(key).or_default() += u64::from(backed);
            if let Some(a) = self.available.get_mut(&key) {
                *a -= i64::from(backed);
            }
        }
        Ok(Ok(()))
    }

    /// Cancels a handout: its covered part goes back to the device's grant, or on past it
    /// when the grant is gone (the plan closed, the device revoked).
    fn void(
        &mut self,
        tx: &mut dyn Tx,
        v: &HandoutVoid,
        stored: StoredHandout,
    ) -> Result<Outcome, PushError> {
        let StoredHandout {
            plan: plan_id,
            item,
            quantity,
            backed,
            ..
        } = stored;
        tx.handouts().void(v)?;
        tx.plan_handout_totals().add(
            plan_id,
            item,
            -i64::from(quantity),
            -i64::from(quantity.saturating_sub(backed)),
        )?;
        let plan = tx
            .plans()
            .facts(plan_id)?
            .ok_or_else(|| StorageError::Corrupt(format!("handout of no plan {plan_id}")))?;
        let post = |kind, device: Option<DeviceId>, note: Option<&str>| Movement {
            plan: Some(plan_id),
            device,
            handout: (kind == LedgerKind::HandoutVoid).then_some(v.handout_id),
            note: note.map(str::to_owned),
            ..Movement::new(item, kind, backed)
        };
        let (actor, now, device) = (&self.actor, self.now, self.device);
        if backed > 0 {
            stock::post(
                tx,
                now,
                actor,
                &post(LedgerKind::HandoutVoid, Some(device), None),
            )?;
            if plan.status == PlanStatus::Closed {
                // The plan's unspent stock already went back; send the voided part after it.
                let note = Some("void after close");
                stock::post(
                    tx,
                    now,
                    actor,
                    &post(LedgerKind::Release, Some(device), note),
                )?;
                stock::post(tx, now, actor, &post(LedgerKind::Return, None, note))?;
                // The return shrank the plan's allocation: its record changed.
                tx.change_log().changed(
                    now,
                    "plan",
                    &plan_id.to_string(),
                    Some(plan.unit),
                    None,
                )?;
            } else if tx.devices().standing(device)?.is_some_and(|d| d.revoked) {
                // A revoked device's unspent grant went back to the plan; so does what a late
                // void gives back, rather than sit in a grant no one can use.
                let note = Some("void after revocation");
                stock::post(
                    tx,
                    now,
                    actor,
                    &post(LedgerKind::Release, Some(device), note),
                )?;
            }
        }
        tx.change_log().changed(
            now,
            "handout",
            &v.handout_id.to_string(),
            Some(plan.unit),
            Some(device),
        )?;
        self.available.remove(&(plan_id, item));
        Ok(Ok(()))
    }

    /// An entrant: registration must be open; the central opens the sealed number with the
    /// lottery key, derives the masked form and the keyed hash, and stores those with the
    /// seal. The number goes nowhere else: not into a reason, the audit log or a log line.
    fn entrant(&mut self, tx: &mut dyn Tx, entrant: &LotteryEntrant) -> Result<Outcome, PushError> {
        let key = match &self.lottery {
            Some(key) => key.clone(),
            None => {
                let key = if crate::lottery::registration_open(tx)? {
                    let stored = crate::lottery::current(tx)?
                        .and_then(|(_, row)| row)
                        .and_then(|row| row.public_key);
                    Some(
                        crate::lottery::key_for(self.lottery_key, stored.as_deref())
                            .map_err(|e| PushError::LotteryKey(e.to_string()))?,
                    )
                } else {
                    None
                };
                self.lottery = Some(key.clone());
                key
            }
        };
        let Some(key) = key else {
            return Ok(Err(Quarantine::new(
                QuarantineCode::LotteryClosed,
                "lottery registration is closed: the lottery has no terms yet, or its entrant \
                 list is final, or it closed and its numbers were deleted",
            )));
        };
        let number = match key.open(&entrant.phone_sealed) {
            Ok(number) => number,
            Err(e) => {
                return Ok(Err(Quarantine::new(
                    QuarantineCode::PhoneUnreadable,
                    format!("phone_sealed: {e}"),
                )));
            }
        };
        let masked = number.masked();
        let hash = key.phone_hash(&number);
        let row = NewEntrant {
            entrant,
            phone_hash: &hash,
            phone_masked: &masked,
        };
        if tx
            .lottery_entrants()
            .insert(&row, self.campaign, self.unit, self.device)?
        {
            Ok(Ok(()))
        } else {
            Ok(Err(Quarantine::new(
                QuarantineCode::DuplicateEntrant,
                format!("the phone number {masked} is already entered in this campaign's lottery"),
            )))
        }
    }

    fn plan_event(
        &mut self,
        tx: &mut dyn Tx,
        plan: &ActivityPlan,
        revision: bool,
    ) -> Result<Outcome, PushError> {
        // The plan functions check everything before they write, but a savepoint makes sure
        // a refusal leaves nothing behind whatever they do.
        tx.savepoint("plan_event")?;
        let result = if revision {
            crate::plans::revise_in(tx, &self.actor, self.now, plan.id, &plan.content())
        } else {
            crate::plans::file_in(
                tx,
                &self.actor,
                self.now,
                plan.id,
                plan.unit_id,
                &plan.content(),
            )
        };
        self.plans.remove(&plan.id);
        let outcome = match result {
            Ok(()) => Ok(()),
            Err(e) => Err(plan_quarantine(e)?),
        };
        if outcome.is_err() {
            tx.roll_back_to("plan_event")?;
        } else {
            tx.release("plan_event")?;
        }
        Ok(outcome)
    }
}

/// A plan use case's refusal as the quarantine of the device's plan event; a storage failure
/// stays one.
fn plan_quarantine(e: PlanError) -> Result<Quarantine, StorageError> {
    let message = e.to_string();
    let (code, reason) = match e {
        // Each names its field: `ends_at: must be after starts_at`.
        PlanError::Content(_) | PlanError::NoSuchUnit | PlanError::Invalid { .. } => {
            (QuarantineCode::InvalidPlan, message)
        }
        PlanError::NotFound => (QuarantineCode::UnknownPlan, message),
        PlanError::AlreadyFiled => (QuarantineCode::DuplicatePlan, message),
        PlanError::Transition(_) => (QuarantineCode::InvalidTransition, message),
        PlanError::NotApproved(_)
        | PlanError::InsufficientStock { .. }
        | PlanError::PromisedToPools { .. }
        | PlanError::DeviceRevoked { .. }
        | PlanError::GrantExceedsAllocation { .. }
        | PlanError::ExceedsUngranted { .. }
        | PlanError::ExceedsGrant(_) => (QuarantineCode::PlanConflict, message),
        PlanError::Storage(e) => return Err(e),
    };
    Ok(Quarantine::new(code, reason))
}
