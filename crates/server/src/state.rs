//! What every handler shares: the central's database, the configuration, the clock, the queues that keep
//! each device's pushes in order on their way into the store, and when each device was last
//! heard from.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};
use fieldpost_domain::DeviceId;

use crate::error::{ApiError, ApiResult};
use crate::turns::{Ticket, Turns};
use fieldpost_central::devices::CONTACT_RESOLUTION;
use fieldpost_central::lottery_key::LotteryKeyFile;
use fieldpost_central::storage::Database;

/// Where "now" comes from. Tests substitute a clock they can move, so that expiry is tested
/// without sleeping.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Tunables of the HTTP API.
#[derive(Debug, Clone)]
pub struct Config {
    /// Largest request body accepted, in bytes; larger ones get 413.
    pub body_limit: usize,
    /// How long an enrollment code stays valid.
    pub enrollment_code_ttl: chrono::Duration,
    /// How long a console session lasts.
    pub session_ttl: chrono::Duration,
    /// The console is reached over HTTPS (the central itself serves plain HTTP, so this means
    /// behind a TLS proxy): the session cookie is marked `Secure`, and a change's `Origin`
    /// must be `https://` this host. Off for loopback and a LAN over plain HTTP.
    pub secure_cookies: bool,
    /// How failed console logins are throttled, per login name and per client address.
    pub login_limits: fieldpost_central::logins::LoginLimits,
    /// Reverse proxies whose `X-Forwarded-For` (the client's address), `X-Forwarded-Proto`
    /// and `X-Forwarded-Host` are believed; from any other peer those headers are ignored,
    /// since a client could write anything in them.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The built console (`ui/dist-console`), served at `/`; `None` serves a page saying how
    /// to build it.
    pub console_dir: Option<std::path::PathBuf>,
    /// How old a device's token grows before a push or pull answer carries its successor
    /// (see `fieldpost_central::devices::successor_token`).
    pub token_rotation: chrono::Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            body_limit: 8 * 1024 * 1024,
            enrollment_code_ttl: chrono::Duration::hours(24),
            session_ttl: chrono::Duration::hours(12),
            secure_cookies: false,
            login_limits: fieldpost_central::logins::LoginLimits::default(),
            trusted_proxies: Vec::new(),
            console_dir: None,
            token_rotation: fieldpost_central::devices::DEFAULT_TOKEN_ROTATION,
        }
    }
}

/// The state behind [`crate::app`].
#[derive(Clone)]
pub struct AppState {
    db: Arc<dyn Database>,
    lottery_key: Arc<LotteryKeyFile>,
    config: Arc<Config>,
    clock: Clock,
    push_turns: Arc<Turns<DeviceId>>,
    contacts: Contacts,
}

/// When this instance last heard from each device (an authenticated push or pull), by the
/// state's clock, and when it last recorded that in the database.
///
/// The database is the record (`fieldpost_central::devices::heard_from`): every instance
/// sharing it, and a restarted one, knows the last contact. A station that has nothing to
/// push still pulls every 30 s, and recording each of those would make every no-op sync a
/// write (an fsync), so an instance records a device's contact at most once per
/// [`CONTACT_RESOLUTION`]; this map is only what saves the writes in between, and lets the
/// console show this instance's fresher time.
type Contacts = Arc<Mutex<HashMap<DeviceId, Contact>>>;

/// One device's contact, as this instance knows it.
#[derive(Debug, Clone, Copy)]
struct Contact {
    /// Last heard from.
    seen: DateTime<Utc>,
    /// Last recorded in the database.
    recorded: DateTime<Utc>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// State over the central's database and its lottery key file (see
    /// `fieldpost_central::lottery`), with the default configuration and the system clock.
    pub fn new(db: Arc<dyn Database>, lottery_key: Arc<LotteryKeyFile>) -> AppState {
        AppState {
            db,
            lottery_key,
            config: Arc::new(Config::default()),
            clock: Arc::new(Utc::now),
            push_turns: Turns::new(crate::turns::PATIENCE),
            contacts: Contacts::default(),
        }
    }

    /// Replaces the configuration.
    pub fn with_config(mut self, config: Config) -> AppState {
        self.config = Arc::new(config);
        self
    }

    /// Replaces the clock.
    pub fn with_clock(mut self, clock: Clock) -> AppState {
        self.clock = clock;
        self
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Now, by the state's clock.
    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// A place in `device`'s queue of pushes: see [`crate::turns`].
    pub(crate) fn push_ticket(&self, device: DeviceId) -> Ticket<DeviceId> {
        self.push_turns.ticket(device)
    }

    /// Notes that `device` was heard from now (it authenticated a push or a pull), and records
    /// it in the database when the recorded time is [`CONTACT_RESOLUTION`] old or more. A
    /// failure to record is logged, never the sync's failure.
    pub(crate) async fn heard_from(&self, device: DeviceId) {
        let now = self.now();
        let record = {
            let mut contacts = self.contacts.lock().unwrap_or_else(PoisonError::into_inner);
            match contacts.get_mut(&device) {
                // Concurrent requests of one device may finish in any order; keep the latest.
                Some(c) => {
                    c.seen = c.seen.max(now);
                    if now - c.recorded >= CONTACT_RESOLUTION {
                        c.recorded = now;
                        true
                    } else {
                        false
                    }
                }
                None => {
                    contacts.insert(
                        device,
                        Contact {
                            seen: now,
                            recorded: now,
                        },
                    );
                    true
                }
            }
        };
        if record
            && let Err(e) = self
                .call(move |db| fieldpost_central::devices::heard_from(db, device, now))
                .await
        {
            tracing::warn!(%device, error = %e, "could not record the device's contact");
        }
    }

    /// When this instance last heard from each device since it started (fresher than what
    /// the database records, by up to [`CONTACT_RESOLUTION`]).
    pub(crate) fn last_contacts(&self) -> HashMap<DeviceId, DateTime<Utc>> {
        self.contacts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(device, c)| (*device, c.seen))
            .collect()
    }

    /// The lottery key file: opened by the push for entrants, made with the first terms,
    /// deleted with the numbers.
    pub fn lottery_key(&self) -> &Arc<LotteryKeyFile> {
        &self.lottery_key
    }

    /// Deletes the lottery's numbers if their retention date has come (the server runs this
    /// at start-up and every minute). A failure is logged and tried again at the next check.
    pub async fn lottery_check(&self) {
        let (key, now) = (Arc::clone(&self.lottery_key), self.now());
        let result = self
            .call(move |db| fieldpost_central::lottery::delete_if_due(db, &key, now))
            .await;
        match result {
            Ok(Some(report)) => tracing::info!(
                entrant_rows = report.entrant_rows,
                event_payloads = report.event_payloads,
                key_file_deleted = report.key_file_deleted,
                "lottery: retention date reached, every full number deleted"
            ),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "lottery: the retention check failed"),
        }
    }

    /// The central's database, for the use cases.
    pub fn db(&self) -> &Arc<dyn Database> {
        &self.db
    }

    /// Runs a use case on tokio's blocking pool, and answers its error as the HTTP layer
    /// does ([`ApiError`]'s `From` impls, one per use case's error).
    pub async fn call<T, E, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        E: Into<ApiError> + Send + 'static,
        F: FnOnce(&dyn Database) -> Result<T, E> + Send + 'static,
    {
        let db = Arc::clone(&self.db);
        tokio::task::spawn_blocking(move || f(db.as_ref()))
            .await
            .map_err(|e| ApiError::Internal(format!("use case task failed: {e}")))?
            .map_err(Into::into)
    }

    /// Runs a handler's blocking part that calls several use cases, each error answered as
    /// [`ApiError`]'s `From` impls say, on tokio's blocking pool.
    pub async fn call_many<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Database) -> ApiResult<T> + Send + 'static,
    {
        self.call(f).await
    }
}
