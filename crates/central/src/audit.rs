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
