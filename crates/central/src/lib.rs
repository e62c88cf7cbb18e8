//! Fieldpost's central records: the secretariat's campaign, sections, units and their quotas,
//! items and the stock ledger, activity plans and per-device grants, the devices' pushed
//! events and what they pull, daily collection counts, devices, console users and the audit
//! log; the rules that keep them, and their storage (SQLite, the embedded default).
//!
//! Nothing here knows HTTP: `fieldpost-server` serves these records over `/api/v1`, and the
//! spreadsheets and posters are drawn from them by `fieldpost-sheets`.
#![deny(missing_docs)]

pub mod audit;
pub mod campaign;
pub mod demo;
pub mod devices;
pub mod enrollment;
pub mod error;
pub mod plans;
pub mod push;
pub mod records;
pub mod secrets;
pub mod seed;
pub mod stock;
pub mod store;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod top_ups;
pub mod users;

use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use error::StoreError;

use audit::Actor;
use store::Store;
use users::{NewUser, Role, User};

/// On a central with no console user yet, creates `admin` with a random password and returns
/// the login, to be printed once: only its argon2 hash is stored.
pub fn bootstrap_admin(
    store: &dyn Store,
    now: DateTime<Utc>,
) -> Result<Option<(String, String)>, StoreError> {
    if !store.users()?.is_empty() {
        return Ok(None);
    }
    let password = secrets::random_password();
    let password_hash = secrets::hash_password(&password)
        .map_err(|e| StoreError::Corrupt(format!("password hashing: {e}")))?;
    let user = store.create_user(
        &Actor::System("bootstrap"),
        now,
        NewUser {
            user: User {
                id: Uuid::now_v7(),
                username: demo::ADMIN_USERNAME.into(),
                role: Role::Admin,
                unit_id: None,
            },
            password_hash,
        },
    )?;
    Ok(Some((user.username, password)))
}
