//! What the app holds while it runs: the store behind a mutex (shared with the sync loop,
//! which takes it only for short store operations) and the sync loop's handle.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use fieldpost_domain::{Campaign, DeviceId, Unit};
use fieldpost_station::Station;
use fieldpost_station::sync::SyncStatus;
use fieldpost_station::sync_loop::{self, LoopState, SyncConfig, SyncHandle};
use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};
use ts_rs::TS;

use crate::error::CommandError;

/// The event the app emits whenever the sync loop's state changes; its payload is a
/// [`SyncView`].
pub const SYNC_EVENT: &str = "sync-changed";

/// The store file inside the data directory.
pub const STORE_FILE: &str = "station.sqlite";

/// The device key inside the config directory: never beside the store, so that a copy of the
/// data directory does not take along the key to its token (docs/decisions/2026-12-01-lottery-numbers.md).
pub const DEVICE_KEY_FILE: &str = "device.key";

/// A secretariat whose central speaks HTTPS with a certificate of its own CA (or a
/// self-signed one) puts that root certificate, as PEM, in the data directory under this name
/// when it sets the tablet up. Enrollment and every sync then trust it besides Mozilla's roots.
pub const ROOT_CERTIFICATE_FILE: &str = "secretariat-ca.pem";

/// The running app's state.
#[derive(Debug)]
pub struct AppState {
    /// The store; the sync loop holds a clone.
    pub station: Arc<Mutex<Station>>,
    sync: Mutex<Option<SyncHandle>>,
    central_url_hint: Option<String>,
    /// How the sync loop and enrollment connect.
    pub sync_config: SyncConfig,
}

/// What the first screen needs to know.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AppStatus {
    /// Whether this tablet is enrolled with a central.
    pub enrolled: bool,
    /// The device's id, once enrolled.
    pub device_id: Option<DeviceId>,
    /// The central this device syncs with.
    pub server_url: Option<String>,
    /// The central's address to offer on the first-run screen (from `FIELDPOST_CENTRAL_URL`).
    pub central_url_hint: Option<String>,
    /// The device's unit, once the first sync brought it.
    pub unit: Option<Unit>,
    /// The campaign, once the first sync brought it.
    pub campaign: Option<Campaign>,
}

/// The sync line: the store's record of syncs and the loop's live state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SyncView {
    /// Pending events, last success, last error, quarantined events.
    pub status: SyncStatus,
    /// Whether a sync is running now and whether the central was reachable.
    pub live: LoopState,
    /// Whether the background loop runs (it does once the device is enrolled).
    pub running: bool,
}

impl AppState {
    /// Opens (creating if needed) the store in `data_dir`, with the device key in
    /// `config_dir` (created on first use; it must be another directory).
    pub fn open(
        data_dir: &Path,
        config_dir: &Path,
        central_url_hint: Option<String>,
    ) -> Result<AppState, CommandError> {
        std::fs::create_dir_all(data_dir).map_err(|e| {
            CommandError::new(
                "database",
                format!("cannot create {}: {e}", data_dir.display()),
            )
        })?;
        let station = Station::open(data_dir.join(STORE_FILE), config_dir.join(DEVICE_KEY_FILE))?;
        Ok(AppState {
            station: Arc::new(Mutex::new(station)),
            sync: Mutex::new(None),
            central_url_hint: central_url_hint.filter(|u| !u.trim().is_empty()),
            sync_config: SyncConfig {
                root_certificate_pem: root_certificate(data_dir)?,
                ..SyncConfig::default()
            },
        })
    }

    /// The store, locked.
    pub fn station(&self) -> MutexGuard<'_, Station> {
        // Every store write is one transaction, so a panic while the lock was held cannot
        // have left the store half-written: a poisoned lock is safe to keep using.
        self.station.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn sync_slot(&self) -> MutexGuard<'_, Option<SyncHandle>> {
        self.sync.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether the device is enrolled.
    pub fn is_enrolled(&self) -> Result<bool, CommandError> {
        Ok(self.station().enrollment()?.is_some())
    }

    /// What the first screen needs to know.
    pub fn status(&self) -> Result<AppStatus, CommandError> {
        let station = self.station();
        // Without the token: a device key that no longer opens it must not hide the screens.
        let identity = station.enrollment()?;
        Ok(AppStatus {
            enrolled: identity.is_some(),
            device_id: identity.as_ref().map(|i| i.device_id),
            server_url: identity.map(|i| i.server_url),
            central_url_hint: self.central_url_hint.clone(),
            unit: station.unit()?,
            campaign: station.campaign()?,
        })
    }

    /// The sync line.
    pub fn sync_view(&self) -> Result<SyncView, CommandError> {
        let (live, running) = match self.sync_slot().as_ref() {
            Some(handle) => (handle.state(), true),
            None => (LoopState::default(), false),
        };
        Ok(SyncView {
            status: self.station().sync_status()?,
            live,
            running,
        })
    }

    /// Asks the loop for a sync now; false when it does not run (not enrolled).
    pub fn sync_now(&self) -> bool {
        match self.sync_slot().as_ref() {
            Some(handle) => {
                handle.sync_now();
                true
            }
            None => false,
        }
    }
}

/// The secretariat's root certificate from the data directory, if it put one there. A file
/// that exists but cannot be read stops the app with its reason: syncing without the trust
/// the secretariat set up would only fail later, less clearly.
fn root_certificate(data_dir: &Path) -> Result<Option<Arc<[u8]>>, CommandError> {
    let path = data_dir.join(ROOT_CERTIFICATE_FILE);
    match std::fs::read(&path) {
        Ok(pem) => Ok(Some(pem.into())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(CommandError::new(
            "root_certificate",
            format!("cannot read {}: {e}", path.display()),
        )),
    }
}

/// Starts the background sync loop (once) and relays its state changes to the window as
/// [`SYNC_EVENT`]s.
pub fn start_sync(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let state = app.state::<AppState>();
        let mut watch = {
            let mut slot = state.sync_slot();
            if slot.is_some() {
                return;
            }
            let handle = sync_loop::spawn(state.station.clone(), state.sync_config.clone());
            let watch = handle.watch();
            *slot = Some(handle);
            watch
        };
        while watch.changed().await.is_ok() {
            if let Ok(view) = state.sync_view() {
                // A window that is gone cannot be told; the next change tries again.
                let _ = app.emit(SYNC_EVENT, view);
            }
        }
    });
}
