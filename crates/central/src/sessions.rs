//! Station sessions as the central holds them, with their tallies and volunteers' hours (what
//! devices pushed: the appliers are in [`crate::push`]), and the lottery entrants they
//! registered.

use fieldpost_domain::UnitId;

use crate::records::SessionRecord;
use crate::storage::{self, Database, StorageError};

/// Station sessions with tallies and volunteer hours, all or one unit's, in the order opened.
pub fn sessions(
    db: &dyn Database,
    unit: Option<UnitId>,
) -> Result<Vec<SessionRecord>, StorageError> {
    storage::read(db, |tx| {
        let mut sessions = tx.station_sessions().list(unit)?;
        for s in &mut sessions {
            s.volunteers = tx.volunteer_check_ins().of_session(s.session.id)?;
        }
        Ok(sessions)
    })
}

/// How many lottery entrants a unit's stations registered (the numbers stay in the table).
pub fn entrant_count(db: &dyn Database, unit: UnitId) -> Result<u64, StorageError> {
    storage::read(db, |tx| tx.lottery_entrants().count(unit))
}
