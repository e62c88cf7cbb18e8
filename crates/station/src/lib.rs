//! The station tablet's offline store and its use cases.
//!
//! Every write lands in a local SQLite file first, durably (`synchronous=FULL` in WAL mode), and
//! a use case returns only after its transaction has committed: when the UI confirms a handout,
//! the handout survives a power cut. Each write appends its [`DeviceEvent`] to the outbox in the
//! same transaction, numbered with the next gap-free per-device `seq`, so the fact and its event
//! can never be separated.
//!
//! Refusals ([`Error`]) name the field or record at fault and write nothing.
//! Behind the use cases' own checks, every event is judged by the rule the central applies when
//! it is pushed (the domain's `quarantine::decide`, over the facts this tablet holds, in
//! `rules.rs`) before it is recorded: a tablet never records an event that the central would
//! quarantine by what the tablet knows ([`Error::WouldBeQuarantined`]).
//!
//! The use cases are methods on [`Station`], grouped by what the volunteer does: [`identity`]
//! (enrollment), [`reference`](mod@reference) (data cached from the central), [`plans`] (the team leader's
//! activity plans), [`sessions`] (opening and closing, check-ins, tallies), [`handouts`]
//! (gifts against the device's grant), [`lottery`] (entrants), and [`outbox`]. The session
//! screen's writes also come as [`session_view`] use cases that answer with everything the
//! screen shows, so that a tap is one call.
//!
//! A write that appends events tells whoever watches the outbox ([`Station::outbox_watch`])
//! once it has committed: the [`sync_loop`] takes that as its cue to sync soon.
//!
//! [`DeviceEvent`]: fieldpost_domain::DeviceEvent
#![deny(missing_docs)]

mod db;
pub mod error;
pub mod handouts;
pub mod identity;
pub mod lottery;
pub mod outbox;
pub mod plans;
pub mod reference;
mod row;
mod rules;
pub mod session_view;
pub mod sessions;
pub mod sync;
pub mod sync_loop;
pub mod time;
pub mod typescript;

use std::path::Path;
use std::sync::Arc;

use rusqlite::Connection;

pub use error::{Error, Result};
pub use time::{Clock, SystemClock};

/// The tablet's store: one SQLite file, one connection, the use cases as methods.
pub struct Station {
    conn: Connection,
    clock: Arc<dyn Clock>,
    /// The enrolled device's id, read once: every write needs it.
    device_id: Option<fieldpost_domain::DeviceId>,
    /// Counts the commits that appended events, for the sync loop's cue.
    outbox_grew: tokio::sync::watch::Sender<u64>,
}

impl std::fmt::Debug for Station {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Station")
            .field("path", &self.conn.path())
            .finish_non_exhaustive()
    }
}

impl Station {
    /// Opens (creating if needed) the store at `path`, on the system clock.
    pub fn open(path: impl AsRef<Path>) -> Result<Station> {
        Station::open_with_clock(path, Arc::new(SystemClock))
    }

    /// Opens the store at `path` with the given clock.
    pub fn open_with_clock(path: impl AsRef<Path>, clock: Arc<dyn Clock>) -> Result<Station> {
        let conn = db::open(path.as_ref())?;
        let mut station = Station {
            conn,
            clock,
            device_id: None,
            outbox_grew: tokio::sync::watch::Sender::new(0),
        };
        station.device_id = station.identity()?.map(|i| i.device_id);
        Ok(station)
    }

    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}
