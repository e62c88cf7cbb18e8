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

/// A console account as the secretariat's accounts page lists it: the user and whether it
/// is disabled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct Account {
    /// The user.
    #[serde(flatten)]
    pub user: User,
    /// Since when the account is disabled (it cannot log in); `None`: enabled.
    pub disabled_at: Option<DateTime<Utc>>,
}

impl Account {
    /// Whether this account keeps the console administered: an enabled secretariat admin.
    fn is_active_secretariat_admin(&self) -> bool {
        self.disabled_at.is_none() && self.user.role == Role::Admin && self.user.unit_id.is_none()
    }
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
pub(crate) fn check_carrier(user: &User) -> Result<(), CreateUserError> {
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

/// Every console account with its standing, oldest first.
pub fn accounts(db: &dyn Database) -> Result<Vec<Account>, StorageError> {
    storage::read(db, |tx| tx.users().accounts())
}

/// Why an account was not changed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// No account has this id.
    #[error("user_id: no such account")]
    NoSuchUser,
    /// The unit the account would be confined to does not exist.
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
    /// The change would leave no enabled secretariat admin, and nobody could manage accounts.
    #[error(
        "this is the last enabled secretariat admin: make another account an admin before \
         disabling or demoting it"
    )]
    LastAdmin,
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl From<CreateUserError> for AccountError {
    fn from(e: CreateUserError) -> Self {
        match e {
            CreateUserError::NoSuchUnit => AccountError::NoSuchUnit,
            CreateUserError::CarrierMissing => AccountError::CarrierMissing,
            CreateUserError::CarrierNotAllowed => AccountError::CarrierNotAllowed,
            CreateUserError::CarrierWithUnit => AccountError::CarrierWithUnit,
            CreateUserError::Storage(e) => AccountError::Storage(e),
            // Never made by a change of role or unit: the name is not touched.
            CreateUserError::BlankUsername | CreateUserError::UsernameTaken(_) => {
                AccountError::Storage(StorageError::Failed(e.to_string()))
            }
        }
    }
}

/// An account that exists, and 'the last admin' refusal if `after` would end its standing
/// as the only enabled secretariat admin.
fn guarded(tx: &mut dyn Tx, id: Uuid, after: &Account) -> Result<Account, AccountError> {
    let before = tx.users().account(id)?.ok_or(AccountError::NoSuchUser)?;
    if before.is_active_secretariat_admin()
        && !after.is_active_secretariat_admin()
        && tx.users().active_secretariat_admins()? <= 1
    {
        return Err(AccountError::LastAdmin);
    }
    Ok(before)
}

/// A change of an account's role, unit and carrier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountChange {
    /// The new role.
    pub role: Role,
    /// The unit the account is confined to (`None`: the secretariat, or a carrier).
    pub unit_id: Option<UnitId>,
    /// The carrier of a carrier's account.
    pub carrier: Option<Carrier>,
}

/// Changes an account's role, unit and carrier, in the audit log. Its sessions end, so that
/// the new scope holds from the next request on (a session carries no scope of its own, but
/// a page open under the old scope should not go on as if nothing happened).
pub fn change_account(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    change: AccountChange,
) -> Result<Account, AccountError> {
    storage::write(db, |tx| {
        let current = tx.users().account(id)?.ok_or(AccountError::NoSuchUser)?;
        let after = Account {
            user: User {
                role: change.role,
                unit_id: change.unit_id,
                carrier: change.carrier,
                ..current.user.clone()
            },
            disabled_at: current.disabled_at,
        };
        check_carrier(&after.user)?;
        if let Some(unit) = after.user.unit_id
            && !tx.units().exists(unit)?
        {
            return Err(AccountError::NoSuchUnit);
        }
        let before = guarded(tx, id, &after)?;
        if before == after {
            return Ok(after);
        }
        tx.users().update(&after.user)?;
        tx.console_sessions().delete_for_user(id)?;
        tx.audit_log().append(
            now,
            actor,
            "user.update",
            Some(&id.to_string()),
            &json!({"username": after.user.username,
                    "before": {"role": before.user.role, "unit_id": before.user.unit_id,
                               "carrier": before.user.carrier},
                    "after": {"role": after.user.role, "unit_id": after.user.unit_id,
                              "carrier": after.user.carrier}}),
        )?;
        Ok(after)
    })
}

/// Disables an account (it cannot log in, and every session of it ends at once) or enables
/// it again, in the audit log. The last enabled secretariat admin cannot be disabled.
pub fn set_disabled(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    disabled: bool,
) -> Result<Account, AccountError> {
    storage::write(db, |tx| {
        let current = tx.users().account(id)?.ok_or(AccountError::NoSuchUser)?;
        if current.disabled_at.is_some() == disabled {
            return Ok(current);
        }
        let after = Account {
            user: current.user.clone(),
            disabled_at: disabled.then_some(now),
        };
        guarded(tx, id, &after)?;
        tx.users().set_disabled(id, after.disabled_at)?;
        let ended = if disabled {
            tx.console_sessions().delete_for_user(id)?
        } else {
            0
        };
        tx.audit_log().append(
            now,
            actor,
            if disabled {
                "user.disable"
            } else {
                "user.enable"
            },
            Some(&id.to_string()),
            &json!({"username": after.user.username, "sessions_ended": ended}),
        )?;
        Ok(after)
    })
}

/// Replaces an account's password (already hashed), in the audit log without it; every
/// session of the account ends, so that whoever held the old password is logged out, and the
/// name's failed logins are forgotten (its lock, if any, ends).
pub fn reset_password(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    id: Uuid,
    password_hash: &str,
) -> Result<Account, AccountError> {
    storage::write(db, |tx| {
        let current = tx.users().account(id)?.ok_or(AccountError::NoSuchUser)?;
        tx.users().set_password_hash(id, password_hash)?;
        let ended = tx.console_sessions().delete_for_user(id)?;
        // The failures were guesses at the old password: a lock on the name (which an
        // attacker can keep up on a known name) ends with it.
        tx.login_throttles().delete(
            crate::logins::Scope::Account.as_str(),
            &crate::logins::name_key(&current.user.username),
        )?;
        tx.audit_log().append(
            now,
            actor,
            "user.password_reset",
            Some(&id.to_string()),
            &json!({"username": current.user.username, "sessions_ended": ended}),
        )?;
        Ok(current)
    })
}

/// An account and its password hash, by login name, for checking a login.
pub fn credentials(
    db: &dyn Database,
    username: &str,
) -> Result<Option<(User, String)>, StorageError> {
    storage::read(db, |tx| tx.users().with_password_hash(username))
}

/// Opens a console session for `user` until `expires_at`, under the hash of its cookie, and
/// records the login in the audit log. Sessions that have expired are swept here, on the
/// write path, rather than by a timer.
pub fn open_session(
    db: &dyn Database,
    now: DateTime<Utc>,
    user: &User,
    token_hash: &str,
    expires_at: DateTime<Utc>,
) -> Result<(), StorageError> {
    storage::write(db, |tx| {
        tx.console_sessions().delete_expired(now)?;
        tx.console_sessions()
            .insert(token_hash, user.id, now, expires_at)?;
        tx.audit_log().append(
            now,
            &Actor::User {
                id: user.id,
                username: user.username.clone(),
            },
            "user.login",
            Some(&user.id.to_string()),
            &json!({"username": user.username}),
        )
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
