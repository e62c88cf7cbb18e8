//! The Fieldpost station app: a thin Tauri 2 shell over [`fieldpost_station`].
//!
//! Every command is a one-line adapter over a use case of the store ([`commands`]); refusals
//! cross the boundary as `{kind, message}` ([`error::CommandError`]). The store lives in the
//! app's data directory (or `FIELDPOST_DATA_DIR`, so that tests never touch a user's data),
//! the device key in its config directory (or `FIELDPOST_CONFIG_DIR`; with only
//! `FIELDPOST_DATA_DIR` set, a sibling `<data dir>-config`), and the sync loop runs in the
//! background whenever the device is enrolled.
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
/// Environment variable: the directory of the device key, instead of the platform's app
/// config dir. Never the data directory: the store refuses a key beside it.
pub const CONFIG_DIR_ENV: &str = "FIELDPOST_CONFIG_DIR";
/// Environment variable: the central's address to offer on the first-run screen.
pub const CENTRAL_URL_ENV: &str = "FIELDPOST_CENTRAL_URL";

/// Where the device key goes: the config directory, or a `keys` directory inside it when the
/// platform gives one directory for both (Android's app-private files may be): the store
/// refuses a key in its own directory, and the app must still start.
pub fn key_dir(config_dir: std::path::PathBuf, data_dir: &std::path::Path) -> std::path::PathBuf {
    if config_dir == data_dir {
        config_dir.join("keys")
    } else {
        config_dir
    }
}

/// Builds and runs the app: on desktop from `main`, on Android and iOS from the platform's
/// entry point.
#[cfg_attr(mobile, tauri::mobile_entry_point)]
pub fn run() {
    let result = tauri::Builder::default()
        .setup(|app| {
            let data_env = std::env::var_os(DATA_DIR_ENV).map(std::path::PathBuf::from);
            let config_env = std::env::var_os(CONFIG_DIR_ENV).map(std::path::PathBuf::from);
            let config_dir = match (config_env, &data_env) {
                (Some(dir), _) => dir,
                // A test's data directory: keep its key out of the user's config too.
                (None, Some(data)) => sibling(data, "-config"),
                (None, None) => app.path().app_config_dir()?,
            };
            let data_dir = match data_env {
                Some(dir) => dir,
                None => app.path().app_data_dir()?,
            };
            let config_dir = key_dir(config_dir, &data_dir);
            let state =
                state::AppState::open(&data_dir, &config_dir, std::env::var(CENTRAL_URL_ENV).ok())?;
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
            commands::unit_progress,
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
            commands::lottery_terms,
            commands::suggested_carrier,
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

/// `dir` with `suffix` added to its last component: `/tmp/x` → `/tmp/x-config`.
fn sibling(dir: &std::path::Path, suffix: &str) -> std::path::PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    dir.with_file_name(name)
}
