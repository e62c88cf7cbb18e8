//! Enrolled devices (the stations' tablets): what the console lists of them, whom a bearer token belongs to, and when each last pushed.

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, UnitId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A device as the console lists it (never its token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct DeviceRecord {
    /// Identity.
    pub id: DeviceId,
    /// The unit it acts for.
    pub unit_id: UnitId,
    /// Its name.
    pub name: String,
    /// When it enrolled.
    pub enrolled_at: DateTime<Utc>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The device a bearer token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAuth {
    /// The device.
    pub id: DeviceId,
    /// Its unit.
    pub unit_id: UnitId,
    /// Whether it has been revoked.
    pub revoked: bool,
}

/// When a device last pushed, and how much.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct DeviceActivity {
    /// The device.
    pub device_id: DeviceId,
    /// When the central received its newest event (`None`: it never pushed).
    pub last_push_at: Option<DateTime<Utc>>,
    /// Its newest seq stored.
    pub last_seq: u64,
}
