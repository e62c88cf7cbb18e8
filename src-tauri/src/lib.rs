//! The Fieldpost station app: a thin Tauri 2 shell over [`fieldpost_station`].
//!
//! Every command is a one-line adapter over a use case of the store ([`commands`]); refusals
//! cross the boundary as `{kind, message}` ([`error::CommandError`]). The store lives in the
//! app's data directory (or `FIELDPOST_DATA_DIR`, so that tests never touch a user's data),
//! and the sync loop runs in the background whenever the device is enrolled.
#![deny(missing_docs)]

pub mod commands;
pub mod enroll;
pub mod error;
pub mod qr;
pub mod state;
pub mod typescript;

use tauri::Manager;

/// Environment variable: the data directory to use instead of the platform's app data dir.
pub const DATA_DIR_ENV: &str = "FIELDPOST_DATA_DIR";
/// Environment variable: the central's address to offer on the first-run screen.
pub const CENTRAL_URL_ENV: &str = "FIELDPOST_CENTRAL_URL";

/// Builds and runs the app: on desktop from `main`, on Android and iOS from the platform's
/// entry point.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let result = tauri::Builder::default()
        .setup(|app| {
            let dir = match std::env::var_os(DATA_DIR_ENV) {
                Some(dir) => std::path::PathBuf::from(dir),
                None => app.path().app_data_dir()?,
            };
            let state = state::AppState::open(&dir, std::env::var(CENTRAL_URL_ENV).ok())?;
            let enrolled = state.is_enrolled()?;
            app.manage(state);
            if enrolled {
                state::start_sync(app.handle().clone());
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::enroll,
            commands::todays_plans,
            commands::plans,
            commands::plan,
            commands::items,
            commands::draft_plan,
            commands::file_plan,
            commands::revise_plan,
            commands::open_session,
            commands::open_session_id,
            commands::check_in,
            commands::check_out,
            commands::record_tally,
            commands::session_view,
            commands::close_session,
            commands::record_handout,
            commands::void_handout,
            commands::remaining_grants,
            commands::release_grant,
            commands::request_top_up,
            commands::top_up_requests,
            commands::register_entrant,
            commands::sync_view,
            commands::sync_now,
            commands::unit_qr,
        ])
        .run(tauri::generate_context!());
    if let Err(e) = result {
        // Nothing can be shown without the window; say why on the terminal and stop.
        eprintln!("fieldpost-app: {e}");
        std::process::exit(1);
    }
}
