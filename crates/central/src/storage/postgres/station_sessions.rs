//! `station_sessions`: the sessions devices opened, with their tallies.

use super::PgTx;
use crate::records::SessionRecord;
use crate::storage::{StationSessionTable, StorageResult};
use chrono::{DateTime, Utc};
use fieldpost_domain::quarantine::SessionFacts;
use fieldpost_domain::{DeviceId, SessionId, StationSession, Tally, UnitId};

impl StationSessionTable for PgTx<'_> {
    fn find(&mut self, id: SessionId) -> StorageResult<Option<SessionFacts>> {
        todo!("PostgreSQL")
    }
    fn insert(
        &mut self,
        s: &StationSession,
        unit: UnitId,
        device: DeviceId,
        exception: Option<&str>,
    ) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
    fn close(&mut self, id: SessionId, closed_at: DateTime<Utc>) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
    fn add_tally(&mut self, t: &Tally) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
    fn list(&mut self, unit: Option<UnitId>) -> StorageResult<Vec<SessionRecord>> {
        todo!("PostgreSQL")
    }
}
