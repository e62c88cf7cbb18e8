//! The HTTP error body every `/api/v1` endpoint returns with a 4xx or 5xx status.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// `{"error": {"code", "message", "field"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// The details of an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ErrorDetail {
    /// A stable machine-readable code, e.g. `invalid_value`, `insufficient_stock`.
    pub code: String,
    /// A human-readable explanation (English; the UI translates by `code`).
    pub message: String,
    /// The request field at fault, as a path like `allocation[0].quantity`, when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
    /// With code `seq_gap` on a push: the next seq the central expects from the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub expected_seq: Option<u64>,
}
