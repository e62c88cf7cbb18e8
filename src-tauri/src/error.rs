//! Errors at the Tauri boundary: `{kind, message, field?}`. The UI matches on `kind` (a stable
//! snake_case name) to show its own Chinese text beside the field named by `field`; `message`
//! is the store's English explanation, for details and bug reports.

use fieldpost_station::Error as StoreError;
use fieldpost_sync::client::ClientError;
use serde::Serialize;
use ts_rs::TS;

/// A refused or failed command, as the UI receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CommandError {
    /// Stable snake_case name of the refusal, e.g. `over_grant`.
    pub kind: String,
    /// The explanation in English.
    pub message: String,
    /// The input field at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
}

impl CommandError {
    /// An error of `kind` with `message` and no field.
    pub fn new(kind: &str, message: impl Into<String>) -> Self {
        CommandError {
            kind: kind.to_owned(),
            message: message.into(),
            field: None,
        }
    }

    /// The same error, naming the input field at fault.
    pub fn with_field(mut self, field: &str) -> Self {
        self.field = Some(field.to_owned());
        self
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for CommandError {}

impl From<StoreError> for CommandError {
    fn from(e: StoreError) -> Self {
        let field = match &e {
            StoreError::EmptyField { field }
            | StoreError::InvalidQuantity { field, .. }
            | StoreError::TooLong { field, .. } => Some(*field),
            StoreError::InvalidPhone(_) | StoreError::DuplicateEntrant => Some("phone"),
            StoreError::ConsentRequired | StoreError::ConsentVersionStale { .. } => Some("consent"),
            StoreError::PlanWindowInverted => Some("ends_at"),
            StoreError::PlanBeforeCampaign => Some("starts_at"),
            _ => None,
        };
        let error = CommandError::new(e.kind(), e.to_string());
        match field {
            Some(f) => error.with_field(f),
            None => error,
        }
    }
}

impl From<ClientError> for CommandError {
    fn from(e: ClientError) -> Self {
        let kind = match &e {
            ClientError::Offline(_) => "central_unreachable",
            ClientError::Unauthorized(_) => "enrollment_refused",
            ClientError::Refused { .. } => "central_refused",
            ClientError::Tls(_) => "central_untrusted",
            ClientError::Setup(_) => "root_certificate",
            ClientError::SeqGap { .. } | ClientError::Conflict(_) | ClientError::Protocol(_) => {
                "central_protocol"
            }
        };
        CommandError::new(kind, e.to_string())
    }
}

impl From<tauri::Error> for CommandError {
    fn from(e: tauri::Error) -> Self {
        CommandError::new("app", e.to_string())
    }
}
