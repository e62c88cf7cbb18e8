//! Fieldpost's central records: the secretariat's campaign, sections, units and their quotas,
//! items and the stock ledger, activity plans and per-device grants, the devices' pushed
//! events and what they pull, daily collection counts, devices, console users and the audit
//! log; the rules that keep them, and their storage (SQLite, the embedded default).
//!
//! Nothing here knows HTTP: `fieldpost-server` serves these records over `/api/v1`, and the
//! spreadsheets and posters are drawn from them by `fieldpost-sheets`.
#![deny(missing_docs)]

pub mod assessment;
pub mod audit;
pub mod bulletin;
pub mod campaign;
pub mod demo;
pub mod devices;
pub mod draw;
pub mod enrollment;
pub mod grants;
pub mod links;
pub mod logins;
pub mod lottery;
pub mod lottery_key;
pub mod plans;
pub mod pull;
pub mod push;
pub mod records;
pub mod secrets;
pub mod seed;
pub mod sessions;
pub mod stock;
pub mod storage;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod top_ups;
pub mod users;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use audit::Actor;
use storage::Database;
use users::{NewUser, Role, User};

/// Why the first admin could not be created.
#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    /// The password could not be hashed.
    #[error("password hashing: {0}")]
    Hash(String),
    /// The account could not be stored.
    #[error(transparent)]
    Create(#[from] users::CreateUserError),
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] storage::StorageError),
}

/// On a central with no console user yet, creates `admin` with a random password and returns
/// the login, to be printed once: only its argon2 hash is stored.
pub fn bootstrap_admin(
    db: &dyn Database,
    now: DateTime<Utc>,
) -> Result<Option<(String, String)>, BootstrapError> {
    if !users::users(db)?.is_empty() {
        return Ok(None);
    }
    let password = secrets::random_password();
    let password_hash =
        secrets::hash_password(&password).map_err(|e| BootstrapError::Hash(e.to_string()))?;
    let user = users::create_user(
        db,
        &Actor::System("bootstrap"),
        now,
        &NewUser {
            user: User {
                id: Uuid::now_v7(),
                username: demo::ADMIN_USERNAME.into(),
                role: Role::Admin,
                unit_id: None,
                carrier: None,
            },
            password_hash,
        },
    )?;
    Ok(Some((user.username, password)))
}
