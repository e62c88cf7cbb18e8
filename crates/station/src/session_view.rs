//! What the session screen shows, and the screen's writes answering with it.
//!
//! A volunteer's tap (a handout, an undo, a tally, a check-in or check-out) is one call that
//! writes and returns the whole [`SessionView`]: the screen needs no follow-up reads, and
//! what it shows is what the store held right after that write. The view is read on the same
//! connection right after the commit, while the caller still holds the station exclusively
//! (`&mut self`), so no other write (the sync loop's included) can come between.
//!
//! The bare writes ([`Station::record_handout`] and the others) stay for callers that do not
//! show a screen: the sync tests, the benchmarks.

use fieldpost_domain::{CheckInId, Handout, HandoutId, SessionId};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::handouts::{HandoutInput, ItemGrant};
use crate::sessions::{SessionSummary, VolunteerInput};
use crate::{Error, Result, Station, row};

/// Everything the session screen shows, read at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SessionView {
    /// What the session did so far: tallies, volunteers, handouts per item, entrants.
    pub summary: SessionSummary,
    /// The device's grants under the session's plan, each with what remains.
    pub grants: Vec<ItemGrant>,
    /// The session's last handout that undo would cancel, if any.
    pub last_handout: Option<Handout>,
}

impl Station {
    /// What the session screen shows for `session_id`.
    pub fn session_view(&self, session_id: SessionId) -> Result<SessionView> {
        let summary = self.session_summary(session_id)?;
        Ok(SessionView {
            grants: self.remaining_grants(summary.session.plan_id)?,
            last_handout: self.last_handout(session_id)?,
            summary,
        })
    }

    /// Records a handout (as [`Station::record_handout`]) and returns the session as the
    /// screen shows it after: the grant smaller by the quantity, the handout ready for undo.
    pub fn record_handout_and_view(&mut self, input: &HandoutInput) -> Result<SessionView> {
        self.record_handout(input)?;
        self.session_view(input.session_id)
    }

    /// Cancels a handout (as [`Station::void_handout`], the screen's undo) and returns its
    /// session as the screen shows it after.
    pub fn void_handout_and_view(
        &mut self,
        handout_id: HandoutId,
        reason: &str,
    ) -> Result<SessionView> {
        self.void_handout(handout_id, reason)?;
        let session_id = self.session_of(
            "SELECT session_id FROM handout WHERE id = ?1",
            handout_id.to_string(),
        )?;
        self.session_view(session_id.ok_or(Error::UnknownHandout(handout_id))?)
    }

    /// Adds to a session's counters (as [`Station::record_tally`]) and returns the session
    /// as the screen shows it after.
    pub fn record_tally_and_view(
        &mut self,
        session_id: SessionId,
        people_reached: i32,
        questionnaires_assisted: i32,
    ) -> Result<SessionView> {
        self.record_tally(session_id, people_reached, questionnaires_assisted)?;
        self.session_view(session_id)
    }

    /// Checks a volunteer in (as [`Station::check_in`]) and returns the session as the
    /// screen shows it after.
    pub fn check_in_and_view(
        &mut self,
        session_id: SessionId,
        volunteer: &VolunteerInput,
    ) -> Result<SessionView> {
        self.check_in(session_id, volunteer)?;
        self.session_view(session_id)
    }

    /// Checks a volunteer out (as [`Station::check_out`]) and returns their session as the
    /// screen shows it after.
    pub fn check_out_and_view(&mut self, check_in_id: CheckInId) -> Result<SessionView> {
        self.check_out(check_in_id)?;
        let session_id = self.session_of(
            "SELECT session_id FROM check_in WHERE id = ?1",
            check_in_id.to_string(),
        )?;
        self.session_view(session_id.ok_or(Error::UnknownCheckIn(check_in_id))?)
    }

    /// The session a record belongs to, by `sql` over the record's id.
    fn session_of(&self, sql: &str, id: String) -> Result<Option<SessionId>> {
        self.conn
            .query_row(sql, [id], |r| r.get::<_, String>(0))
            .optional()?
            .map(|id| row::id(&id))
            .transpose()
    }
}
