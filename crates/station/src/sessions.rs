//! Station sessions (站点场次): opening one under an approved plan, volunteers checking in and
//! out, the tallies, closing with a summary.

use chrono::{DateTime, Utc};
use fieldpost_domain::{
    CheckInId, EventPayload, ItemId, PlanId, SessionId, StationSession, Tally, VolunteerCheckIn,
    session::check_within_plan,
};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::reference::load_plan;
use crate::{Error, Result, Station, outbox, row, time};

/// A volunteer as typed at check-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VolunteerInput {
    /// The volunteer's name.
    pub name: String,
    /// Their i志愿 id, if they have one.
    pub ivolunteer_id: Option<String>,
}

/// A volunteer's time at a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VolunteerShift {
    /// The check-in.
    pub check_in: VolunteerCheckIn,
    /// When they left; `None` while still there.
    pub checked_out_at: Option<DateTime<Utc>>,
}

/// Handouts of one item in a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ItemHandedOut {
    /// The item.
    pub item_id: ItemId,
    /// Its name.
    pub item_name: String,
    /// Its counting word.
    pub unit_label: String,
    /// Handed out, voids deducted.
    pub quantity: u64,
    /// Handouts recorded beyond the grant (flagged for the secretariat).
    pub exceptions: u64,
    /// Handouts voided.
    pub voided: u64,
}

/// What a session did, for its screen and its closing summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SessionSummary {
    /// The session.
    pub session: StationSession,
    /// The plan's title.
    pub plan_title: String,
    /// People reached.
    pub people_reached: u32,
    /// Questionnaires assisted.
    pub questionnaires_assisted: u32,
    /// Volunteers, in check-in order.
    pub volunteers: Vec<VolunteerShift>,
    /// Handouts per item.
    pub handouts: Vec<ItemHandedOut>,
    /// Lottery entrants registered.
    pub entrants: u32,
}

/// The parts of a session row the use cases check.
pub(crate) struct SessionState {
    pub plan_id: PlanId,
    pub closed: bool,
}

pub(crate) fn session_state(conn: &Connection, id: SessionId) -> Result<SessionState> {
    let state = conn
        .prepare_cached("SELECT plan_id, closed_at IS NOT NULL FROM session WHERE id = ?1")?
        .query_row([id.to_string()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?))
        })
        .optional()?
        .ok_or(Error::UnknownSession(id))?;
    Ok(SessionState {
        plan_id: row::id(&state.0)?,
        closed: state.1,
    })
}

/// The session must exist and be open; returns its plan.
pub(crate) fn open_session_plan(conn: &Connection, id: SessionId) -> Result<PlanId> {
    let state = session_state(conn, id)?;
    if state.closed {
        return Err(Error::SessionClosed(id));
    }
    Ok(state.plan_id)
}

fn volunteer(input: &VolunteerInput) -> Result<(String, Option<String>)> {
    let name = input.name.trim();
    if name.is_empty() {
        return Err(Error::EmptyField {
            field: "volunteer_name",
        });
    }
    let ivolunteer_id = input
        .ivolunteer_id
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    Ok((name.to_owned(), ivolunteer_id))
}

impl Station {
    /// Opens a session at `station` under an approved plan, checking in `volunteers`, in one
    /// transaction. The device may have only one open session.
    pub fn open_session(
        &mut self,
        plan_id: PlanId,
        station: &str,
        volunteers: &[VolunteerInput],
    ) -> Result<StationSession> {
        let device_id = self.device_id()?;
        let now = self.now();
        let station = station.trim();
        if station.is_empty() {
            return Err(Error::EmptyField { field: "station" });
        }
        let volunteers = volunteers
            .iter()
            .map(volunteer)
            .collect::<Result<Vec<_>>>()?;
        let tx = self.conn.transaction()?;
        let plan = load_plan(&tx, plan_id)?.ok_or(Error::UnknownPlan(plan_id))?;
        if !plan.status.allows_sessions() {
            return Err(Error::PlanNotApproved {
                plan_id,
                status: plan.status,
            });
        }
        check_within_plan(&plan, now)?;
        let open: Option<String> = tx
            .query_row(
                "SELECT id FROM session WHERE closed_at IS NULL LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(open) = open {
            return Err(Error::SessionAlreadyOpen(row::id(&open)?));
        }
        let session = StationSession {
            id: SessionId::new(),
            plan_id,
            device_id,
            station: station.to_owned(),
            opened_at: now,
            closed_at: None,
        };
        outbox::append(
            &tx,
            device_id,
            now,
            EventPayload::SessionOpened {
                session: session.clone(),
            },
        )?;
        tx.execute(
            "INSERT INTO session (id, plan_id, device_id, station, opened_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                session.id.to_string(),
                plan_id.to_string(),
                device_id.to_string(),
                session.station,
                time::to_text(now)
            ],
        )?;
        for (name, ivolunteer_id) in volunteers {
            insert_check_in(&tx, device_id, now, session.id, name, ivolunteer_id)?;
        }
        outbox::commit(tx, &self.outbox_grew)?;
        Ok(session)
    }

    /// Checks a volunteer in to an open session.
    pub fn check_in(
        &mut self,
        session_id: SessionId,
        input: &VolunteerInput,
    ) -> Result<VolunteerCheckIn> {
        let device_id = self.device_id()?;
        let now = self.now();
        let (name, ivolunteer_id) = volunteer(input)?;
        let tx = self.conn.transaction()?;
        open_session_plan(&tx, session_id)?;
        let check_in = insert_check_in(&tx, device_id, now, session_id, name, ivolunteer_id)?;
        outbox::commit(tx, &self.outbox_grew)?;
        Ok(check_in)
    }

    /// Checks a volunteer out.
    pub fn check_out(&mut self, check_in_id: CheckInId) -> Result<()> {
        let device_id = self.device_id()?;
        let now = self.now();
        let tx = self.conn.transaction()?;
        let found: Option<(String, Option<String>)> = tx
            .query_row(
                "SELECT checked_in_at, checked_out_at FROM check_in WHERE id = ?1",
                [check_in_id.to_string()],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let checked_in_at = match found {
            None => return Err(Error::UnknownCheckIn(check_in_id)),
            Some((_, Some(_))) => return Err(Error::AlreadyCheckedOut(check_in_id)),
            Some((checked_in_at, None)) => time::from_text(&checked_in_at)?,
        };
        check_out_in(&tx, device_id, now, check_in_id, checked_in_at)?;
        outbox::commit(tx, &self.outbox_grew)?;
        Ok(())
    }

    /// Adds to (or, to correct a slip, subtracts from) a session's counters. A counter never
    /// goes below zero.
    pub fn record_tally(
        &mut self,
        session_id: SessionId,
        people_reached: i32,
        questionnaires_assisted: i32,
    ) -> Result<SessionSummary> {
        let device_id = self.device_id()?;
        let now = self.now();
        if people_reached == 0 && questionnaires_assisted == 0 {
            return Err(Error::InvalidQuantity {
                field: "tally",
                reason: "a tally changes at least one counter".into(),
            });
        }
        let tx = self.conn.transaction()?;
        open_session_plan(&tx, session_id)?;
        let (people, assisted): (i64, i64) = tx.query_row(
            "SELECT people_reached, questionnaires_assisted FROM session WHERE id = ?1",
            [session_id.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if people + i64::from(people_reached) < 0 {
            return Err(Error::InvalidQuantity {
                field: "people_reached",
                reason: format!("would go below zero (now {people})"),
            });
        }
        if assisted + i64::from(questionnaires_assisted) < 0 {
            return Err(Error::InvalidQuantity {
                field: "questionnaires_assisted",
                reason: format!("would go below zero (now {assisted})"),
            });
        }
        let tally = Tally {
            session_id,
            people_reached,
            questionnaires_assisted,
        };
        outbox::append(&tx, device_id, now, EventPayload::TallyRecorded { tally })?;
        tx.execute(
            "UPDATE session SET people_reached = people_reached + ?2,
                questionnaires_assisted = questionnaires_assisted + ?3 WHERE id = ?1",
            params![
                session_id.to_string(),
                people_reached,
                questionnaires_assisted
            ],
        )?;
        outbox::commit(tx, &self.outbox_grew)?;
        self.session_summary(session_id)
    }

    /// Closes a session, checking out everyone still checked in. A session closed after its
    /// plan's window is recorded as closed at the window's end: the volunteer is never trapped
    /// in an open session, and the session's times stay inside the plan's window.
    pub fn close_session(&mut self, session_id: SessionId) -> Result<SessionSummary> {
        let device_id = self.device_id()?;
        let now = self.now();
        let tx = self.conn.transaction()?;
        let plan_id = open_session_plan(&tx, session_id)?;
        let plan = load_plan(&tx, plan_id)?.ok_or(Error::UnknownPlan(plan_id))?;
        let opened_at: String = tx.query_row(
            "SELECT opened_at FROM session WHERE id = ?1",
            [session_id.to_string()],
            |r| r.get(0),
        )?;
        let closed_at = now.min(plan.ends_at).max(time::from_text(&opened_at)?);
        let still_in: Vec<(String, String)> = tx
            .prepare("SELECT id, checked_in_at FROM check_in WHERE session_id = ?1 AND checked_out_at IS NULL ORDER BY checked_in_at")?
            .query_map([session_id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        for (id, checked_in_at) in still_in {
            check_out_in(
                &tx,
                device_id,
                closed_at,
                row::id(&id)?,
                time::from_text(&checked_in_at)?,
            )?;
        }
        outbox::append(
            &tx,
            device_id,
            now,
            EventPayload::SessionClosed {
                session_id,
                closed_at,
            },
        )?;
        tx.execute(
            "UPDATE session SET closed_at = ?2 WHERE id = ?1",
            params![session_id.to_string(), time::to_text(closed_at)],
        )?;
        outbox::commit(tx, &self.outbox_grew)?;
        self.session_summary(session_id)
    }

    /// The device's open session, if any.
    pub fn open_session_id(&self) -> Result<Option<SessionId>> {
        self.conn
            .query_row(
                "SELECT id FROM session WHERE closed_at IS NULL LIMIT 1",
                [],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .map(|id| row::id(&id))
            .transpose()
    }

    /// What a session did so far.
    pub fn session_summary(&self, session_id: SessionId) -> Result<SessionSummary> {
        let (plan_id, device_id, station, opened_at, closed_at, people, assisted, plan_title) =
            self.conn
                .query_row(
                    "SELECT s.plan_id, s.device_id, s.station, s.opened_at, s.closed_at,
                        s.people_reached, s.questionnaires_assisted, p.title
                 FROM session s JOIN plan p ON p.id = s.plan_id WHERE s.id = ?1",
                    [session_id.to_string()],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, String>(3)?,
                            r.get::<_, Option<String>>(4)?,
                            r.get::<_, i64>(5)?,
                            r.get::<_, i64>(6)?,
                            r.get::<_, String>(7)?,
                        ))
                    },
                )
                .optional()?
                .ok_or(Error::UnknownSession(session_id))?;
        let session = StationSession {
            id: session_id,
            plan_id: row::id(&plan_id)?,
            device_id: row::id(&device_id)?,
            station,
            opened_at: time::from_text(&opened_at)?,
            closed_at: closed_at.as_deref().map(time::from_text).transpose()?,
        };

        let mut stmt = self.conn.prepare(
            "SELECT id, volunteer_name, ivolunteer_id, checked_in_at, checked_out_at
             FROM check_in WHERE session_id = ?1 ORDER BY checked_in_at, id",
        )?;
        let mut volunteers = Vec::new();
        for r in stmt.query_map([session_id.to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
            ))
        })? {
            let (id, volunteer_name, ivolunteer_id, checked_in_at, checked_out_at) = r?;
            volunteers.push(VolunteerShift {
                check_in: VolunteerCheckIn {
                    id: row::id(&id)?,
                    session_id,
                    volunteer_name,
                    ivolunteer_id,
                    checked_in_at: time::from_text(&checked_in_at)?,
                },
                checked_out_at: checked_out_at.as_deref().map(time::from_text).transpose()?,
            });
        }

        let mut stmt = self.conn.prepare(
            "SELECT si.item_id, i.name, i.unit_label, si.handed_out, si.exceptions, si.voided
             FROM session_item si JOIN item i ON i.id = si.item_id
             WHERE si.session_id = ?1 ORDER BY i.kind, i.name",
        )?;
        let mut handouts = Vec::new();
        for r in stmt.query_map([session_id.to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })? {
            let (item_id, item_name, unit_label, quantity, exceptions, voided) = r?;
            handouts.push(ItemHandedOut {
                item_id: row::id(&item_id)?,
                item_name,
                unit_label,
                quantity: quantity.unsigned_abs(),
                exceptions: exceptions.unsigned_abs(),
                voided: voided.unsigned_abs(),
            });
        }
        let entrants: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM entrant WHERE session_id = ?1",
            [session_id.to_string()],
            |r| r.get(0),
        )?;
        Ok(SessionSummary {
            session,
            plan_title,
            people_reached: row::count(people)?,
            questionnaires_assisted: row::count(assisted)?,
            volunteers,
            handouts,
            entrants: row::count(entrants)?,
        })
    }
}

fn insert_check_in(
    tx: &rusqlite::Transaction<'_>,
    device_id: fieldpost_domain::DeviceId,
    now: DateTime<Utc>,
    session_id: SessionId,
    volunteer_name: String,
    ivolunteer_id: Option<String>,
) -> Result<VolunteerCheckIn> {
    let check_in = VolunteerCheckIn {
        id: CheckInId::new(),
        session_id,
        volunteer_name,
        ivolunteer_id,
        checked_in_at: now,
    };
    outbox::append(
        tx,
        device_id,
        now,
        EventPayload::VolunteerCheckedIn {
            check_in: check_in.clone(),
        },
    )?;
    tx.execute(
        "INSERT INTO check_in (id, session_id, volunteer_name, ivolunteer_id, checked_in_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            check_in.id.to_string(),
            session_id.to_string(),
            check_in.volunteer_name,
            check_in.ivolunteer_id,
            time::to_text(now)
        ],
    )?;
    Ok(check_in)
}

/// Checks a volunteer out at `at`, or at their check-in if that was later: a volunteer who
/// checked in after the plan's end is checked out at their check-in when the session closes
/// (at the plan's end), and a tablet clock set back never makes a shift end before it began
/// (the central refuses a check-out before its check-in).
fn check_out_in(
    tx: &rusqlite::Transaction<'_>,
    device_id: fieldpost_domain::DeviceId,
    at: DateTime<Utc>,
    check_in_id: CheckInId,
    checked_in_at: DateTime<Utc>,
) -> Result<()> {
    let out = at.max(checked_in_at);
    outbox::append(
        tx,
        device_id,
        at,
        EventPayload::VolunteerCheckedOut {
            check_in_id,
            checked_out_at: out,
        },
    )?;
    tx.execute(
        "UPDATE check_in SET checked_out_at = ?2 WHERE id = ?1",
        params![check_in_id.to_string(), time::to_text(out)],
    )?;
    Ok(())
}
