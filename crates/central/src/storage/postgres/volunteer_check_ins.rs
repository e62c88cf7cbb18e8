//! `volunteer_check_ins`: volunteers' hours at sessions.

use super::PgTx;
use crate::records::VolunteerHours;
use crate::storage::{StorageResult, VolunteerCheckInTable};
use chrono::{DateTime, Utc};
use fieldpost_domain::quarantine::CheckInFacts;
use fieldpost_domain::{CheckInId, DeviceId, SessionId, VolunteerCheckIn};

impl VolunteerCheckInTable for PgTx<'_> {
    fn insert(&mut self, c: &VolunteerCheckIn, device: DeviceId) -> StorageResult<bool> {
        todo!("PostgreSQL")
    }
    fn find(&mut self, id: CheckInId) -> StorageResult<Option<CheckInFacts>> {
        todo!("PostgreSQL")
    }
    fn check_out(&mut self, id: CheckInId, at: DateTime<Utc>) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
    fn of_session(&mut self, session: SessionId) -> StorageResult<Vec<VolunteerHours>> {
        todo!("PostgreSQL")
    }
}
