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
pub mod device_key;
pub mod error;
pub mod handouts;
pub mod identity;
pub mod lottery;
mod migrate;
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

pub use device_key::DeviceKey;
pub use error::{Error, Result};
pub use time::{Clock, SystemClock};

/// The tablet's store: one SQLite file, one connection, the use cases as methods; and the
/// device key, from a file of its own outside the store's directory ([`device_key`]).
pub struct Station {
    conn: Connection,
    key: DeviceKey,
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
    /// Opens (creating if needed) the store at `store` with the device key at `device_key`
    /// (created on first use), on the system clock.
    ///
    /// The key must not be in the store's directory: a copy of that directory (a backup, a
    /// thief's) would then open everything the key protects. The app keeps the store in its
    /// data directory and the key in its config directory.
    pub fn open(store: impl AsRef<Path>, device_key: impl AsRef<Path>) -> Result<Station> {
        Station::open_with_clock(store, device_key, Arc::new(SystemClock))
    }

    /// [`Station::open`] with the given clock.
    pub fn open_with_clock(
        store: impl AsRef<Path>,
        device_key: impl AsRef<Path>,
        clock: Arc<dyn Clock>,
    ) -> Result<Station> {
        let (store, device_key) = (store.as_ref(), device_key.as_ref());
        refuse_key_beside_store(store, device_key)?;
        let key = DeviceKey::load_or_create(device_key)?;
        let conn = db::open(store, &key)?;
        let mut station = Station {
            conn,
            key,
            clock,
            device_id: None,
            outbox_grew: tokio::sync::watch::Sender::new(0),
        };
        station.device_id = station.stored_device_id()?;
        Ok(station)
    }

    /// The clock this store writes its times by: the sync dates its requests by it too.
    pub fn clock(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.clock)
    }

    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }
}

fn refuse_key_beside_store(store: &Path, key: &Path) -> Result<()> {
    let dir_of = |p: &Path| {
        let dir = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        // A directory that does not exist yet is compared as written.
        std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_owned())
    };
    let (store_dir, key_dir) = (dir_of(store), dir_of(key));
    if store_dir == key_dir {
        return Err(Error::DeviceKeyBesideStore {
            path: key.display().to_string(),
            store_dir: store_dir.display().to_string(),
        });
    }
    Ok(())
}
