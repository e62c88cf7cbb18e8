//! Console users: the secretariat's admins and viewers, the units' own accounts, and the
//! carriers' accounts (one carrier each, which see only that carrier's lottery winners).

use chrono::{DateTime, Utc};
use fieldpost_domain::{Carrier, UnitId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;
use uuid::Uuid;

use crate::audit::Actor;
use crate::storage::{self, Database, StorageError, Tx};

/// A console user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// May change things.
    Admin,
    /// Read-only.
    Viewer,
    /// A carrier's account ([`User::carrier`] says which): downloads that carrier's lottery
    /// winners and returns their delivery states, and sees nothing else of the console.
    Carrier,
}

impl Role {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Viewer => "viewer",
            Role::Carrier => "carrier",
        }
    }

    /// Parses [`Role::as_str`]'s output.
    pub fn parse(s: &str) -> Option<Role> {
        [Role::Admin, Role::Viewer, Role::Carrier]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// A console user (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct User {
    /// Identity.
    pub id: Uuid,
    /// Login name.
    pub username: String,
    /// Role.
    pub role: Role,
    /// Set for a unit's own user (a team leader): scoped to that unit. `None` is the
    /// secretariat.
    pub unit_id: Option<UnitId>,
    /// Set for a carrier's account (role `carrier`, and only then): the carrier it acts for
    /// (`telecom`, `mobile` or `unicom`).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub carrier: Option<Carrier>,
}

/// A user to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// The user.
    pub user: User,
    /// Its argon2 PHC string.
    pub password_hash: String,
}

// --- use cases ------------------------------------------------------------------------------

/// Why a user was not created.
#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    /// The login name is blank.
    #[error("username: must not be empty")]
    BlankUsername,
    /// The unit the account is confined to does not exist.
    #[error("unit_id: no such unit")]
    NoSuchUnit,
    /// A carrier account without its carrier, or with `other`.
    #[error("carrier: a carrier account names its carrier (telecom, mobile or unicom)")]
    CarrierMissing,
    /// A carrier named for an account of another role.
    #[error("carrier: only a carrier account has a carrier")]
    CarrierNotAllowed,
    /// A carrier account confined to a unit.
    #[error("unit_id: a carrier account belongs to no unit")]
    CarrierWithUnit,
    /// Another account has this login name.
    #[error("another user is called {0}")]
    UsernameTaken(String),
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Creates a console account (its password already hashed), in the audit log.
pub fn create_user(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    new: &NewUser,
) -> Result<User, CreateUserError> {
    let mut user = new.user.clone();
    user.username = user.username.trim().to_owned();
    if user.username.is_empty() {
        return Err(CreateUserError::BlankUsername);
    }
    storage::write(db, |tx| add_user(tx, actor, now, &user, &new.password_hash))
}

/// A carrier account has exactly one of the three carriers and no unit; no other account has
/// a carrier.
fn check_carrier(user: &User) -> Result<(), CreateUserError> {
    match (user.role, user.carrier) {
        (Role::Carrier, None | Some(Carrier::Other)) => Err(CreateUserError::CarrierMissing),
        (Role::Carrier, Some(_)) if user.unit_id.is_some() => Err(CreateUserError::CarrierWithUnit),
        (Role::Admin | Role::Viewer, Some(_)) => Err(CreateUserError::CarrierNotAllowed),
        _ => Ok(()),
    }
}

/// [`create_user`]'s work inside a transaction, for a seed that adds users with other records.
pub(crate) fn add_user(
    tx: &mut dyn Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    user: &User,
    password_hash: &str,
) -> Result<User, CreateUserError> {
    check_carrier(user)?;
    if let Some(unit) = user.unit_id
        && !tx.units().exists(unit)?
    {
        return Err(CreateUserError::NoSuchUnit);
    }
    match tx.users().insert(user, password_hash, now) {
        Err(StorageError::Duplicate { field: "username" }) => {
            return Err(CreateUserError::UsernameTaken(user.username.clone()));
        }
        other => other?,
    }
    tx.audit_log().append(
        now,
        actor,
        "user.create",
        Some(&user.id.to_string()),
        &json!({"username": user.username, "role": user.role, "unit_id": user.unit_id,
                "carrier": user.carrier}),
    )?;
    Ok(user.clone())
}

/// Every console account, oldest first.
pub fn users(db: &dyn Database) -> Result<Vec<User>, StorageError> {
    storage::read(db, |tx| tx.users().all())
}

/// An account and its password hash, by login name, for checking a login.
pub fn credentials(
    db: &dyn Database,
    username: &str,
) -> Result<Option<(User, String)>, StorageError> {
    storage::read(db, |tx| tx.users().with_password_hash(username))
}

/// Opens a console session for `user` until `expires_at`, under the hash of its cookie.
/// Sessions that have expired are swept here, on the write path, rather than by a timer.
pub fn open_session(
    db: &dyn Database,
    now: DateTime<Utc>,
    user: Uuid,
    token_hash: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), StorageError> {
    storage::write(db, |tx| {
        tx.console_sessions().delete_expired(now)?;
        tx.console_sessions()
            .insert(token_hash, user, now, expires_at)
    })
}

/// The user of an unexpired session.
pub fn session_user(
    db: &dyn Database,
    now: DateTime<Utc>,
    token_hash: &str,
) -> Result<Option<User>, StorageError> {
    storage::read(db, |tx| tx.console_sessions().user(token_hash, now))
}

/// Ends a session (logout).
pub fn close_session(db: &dyn Database, token_hash: &str) -> Result<(), StorageError> {
    storage::write(db, |tx| tx.console_sessions().delete(token_hash))
}
