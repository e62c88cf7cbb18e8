//! Who did what: the actor every change names, and the audit log's lines.

use chrono::{DateTime, Utc};
use fieldpost_domain::DeviceId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

/// Who did something, as the audit log and the ledger record it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A console user.
    User {
        /// The user's id.
        id: Uuid,
        /// The user's login name.
        username: String,
    },
    /// An enrolled device.
    Device(DeviceId),
    /// The server itself or its CLI (e.g. `demo`, `cli`).
    System(&'static str),
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::User { username, .. } => write!(f, "user:{username}"),
            Actor::Device(id) => write!(f, "device:{id}"),
            Actor::System(name) => write!(f, "system:{name}"),
        }
    }
}

/// One audit-log line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, JsonSchema)]
pub struct AuditEntry {
    /// Position.
    pub seq: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: String,
    /// What, e.g. `plan.approve`.
    pub action: String,
    /// On what, e.g. the plan id.
    pub subject: Option<String>,
    /// The request's substance.
    pub detail: serde_json::Value,
}

/// The newest lines of the audit log first.
pub fn latest(
    db: &dyn crate::storage::Database,
    limit: u32,
) -> Result<Vec<AuditEntry>, crate::storage::StorageError> {
    crate::storage::read(db, |tx| tx.audit_log().latest(limit))
}

/// Which audit-log lines to read: every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct AuditFilter {
    /// The action, exactly (`user.login`).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub action: Option<String>,
    /// Part of the actor's name (`admin` finds `user:admin`).
    #[serde(default)]
    #[ts(optional = nullable)]
    pub actor: Option<String>,
    /// At or after this time.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub from: Option<DateTime<Utc>>,
    /// Before this time.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub to: Option<DateTime<Utc>>,
    /// Lines older than this position only: the last `seq` of the previous page.
    #[serde(default)]
    #[ts(optional = nullable)]
    pub before: Option<i64>,
}

/// At most `limit` lines that pass `filter`, newest first. The next (older) page passes the
/// last line's `seq` as [`AuditFilter::before`].
pub fn find(
    db: &dyn crate::storage::Database,
    filter: &AuditFilter,
    limit: u32,
) -> Result<Vec<AuditEntry>, crate::storage::StorageError> {
    crate::storage::read(db, |tx| tx.audit_log().find(filter, limit.max(1)))
}

/// Every action the log names, for choosing one.
pub fn actions(
    db: &dyn crate::storage::Database,
) -> Result<Vec<String>, crate::storage::StorageError> {
    crate::storage::read(db, |tx| tx.audit_log().actions())
}
