//! Device enrollment: a tablet exchanges a one-time code for its identity and bearer token.

use fieldpost_domain::{CampaignId, DeviceId, UnitId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// `POST /api/v1/devices/enroll`: the one-time code the console (or the CLI) issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrollRequest {
    /// The enrollment code, as shown under the QR code.
    pub code: String,
    /// A name for the tablet that the secretariat will recognize, e.g. "侨联 1号平板".
    pub device_name: String,
}

/// The reply to a successful enrollment. The token is shown exactly once: the server keeps
/// only its hash, so a device that loses it must be enrolled again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct EnrollResponse {
    /// The device's new identity.
    pub device_id: DeviceId,
    /// The one unit the device acts for.
    pub unit_id: UnitId,
    /// The campaign of that unit.
    pub campaign_id: CampaignId,
    /// The bearer token for `Authorization: Bearer <token>`.
    pub token: String,
}
