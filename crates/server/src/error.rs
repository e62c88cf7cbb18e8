//! The HTTP boundary of errors: every refusal becomes
//! `{"error": {"code", "message", "field"}}` with the right status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use fieldpost_central::StoreError;
use fieldpost_central::push::PushError;
use fieldpost_central::storage::StorageError;
use fieldpost_central::users::CreateUserError;
use fieldpost_sync::{ErrorBody, ErrorDetail};

/// An error answered over HTTP.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: malformed body or invalid value.
    #[error("{message}")]
    BadRequest {
        /// Stable code.
        code: &'static str,
        /// Why.
        message: String,
        /// The field at fault.
        field: Option<String>,
    },
    /// 401: no credential, or a bad, expired or revoked one.
    #[error("{message}")]
    Unauthorized {
        /// Stable code.
        code: &'static str,
        /// Why.
        message: String,
    },
    /// 403: outside the caller's unit or role.
    #[error("{0}")]
    Forbidden(String),
    /// 404.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 405.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 409: contradicts the stored state.
    #[error("{message}")]
    Conflict {
        /// Stable code.
        code: &'static str,
        /// Why.
        message: String,
        /// The field at fault.
        field: Option<String>,
    },
    /// 409 `seq_gap`: a push skipped seqs.
    #[error("{message}")]
    SeqGap {
        /// The next seq the central expects.
        expected_seq: u64,
        /// Why.
        message: String,
    },
    /// 413: body over the limit.
    #[error("request body exceeds the limit of {0} bytes")]
    PayloadTooLarge(usize),
    /// 415: the body is not JSON.
    #[error("expected Content-Type: application/json")]
    UnsupportedMediaType,
    /// 500: logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result of a handler.
pub type ApiResult<T> = std::result::Result<T, ApiError>;

impl ApiError {
    /// Shorthand for a 400 naming a field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            code: "invalid_value",
            message: message.into(),
            field: Some(field.into()),
        }
    }

    /// The status this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } | ApiError::SeqGap { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn detail(&self) -> ErrorDetail {
        let (code, field) = match self {
            ApiError::BadRequest { code, field, .. } => (*code, field.clone()),
            ApiError::Unauthorized { code, .. } => (*code, None),
            ApiError::Forbidden(_) => ("forbidden", None),
            ApiError::NotFound(_) => ("not_found", None),
            ApiError::MethodNotAllowed => ("method_not_allowed", None),
            ApiError::Conflict { code, field, .. } => (*code, field.clone()),
            ApiError::SeqGap { .. } => ("seq_gap", None),
            ApiError::PayloadTooLarge(_) => ("payload_too_large", None),
            ApiError::UnsupportedMediaType => ("unsupported_media_type", None),
            ApiError::Internal(_) => ("internal", None),
        };
        let message = match self {
            // Internals never leak: the details went to the log.
            ApiError::Internal(_) => "internal server error".to_owned(),
            other => other.to_string(),
        };
        ErrorDetail {
            code: code.to_owned(),
            message,
            field,
            expected_seq: match self {
                ApiError::SeqGap { expected_seq, .. } => Some(*expected_seq),
                _ => None,
            },
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => ApiError::NotFound(what),
            StoreError::Invalid { field, message } => ApiError::BadRequest {
                code: "invalid_value",
                message: format!("{field}: {message}"),
                field: Some(field),
            },
            StoreError::Conflict {
                code,
                message,
                field,
            } => ApiError::Conflict {
                code,
                message,
                field,
            },
            StoreError::Credential { code, message } => ApiError::Unauthorized { code, message },
            e @ StoreError::SeqGap { expected_seq } => ApiError::SeqGap {
                expected_seq,
                message: e.to_string(),
            },
            e @ StoreError::Duplicate { field } => ApiError::Conflict {
                code: "duplicate",
                message: e.to_string(),
                field: Some(field.to_owned()),
            },
            StoreError::Storage(m) => ApiError::Internal(m),
            StoreError::Corrupt(m) => ApiError::Internal(m),
        }
    }
}

/// 400 `invalid_value` naming `field`, with the use case's own words (`field: why`).
fn invalid_value(field: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::BadRequest {
        code: "invalid_value",
        message: e.to_string(),
        field: Some(field.to_owned()),
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        match e {
            e @ StorageError::Duplicate { field } => ApiError::Conflict {
                code: "duplicate",
                message: e.to_string(),
                field: Some(field.to_owned()),
            },
            StorageError::Failed(m) | StorageError::Corrupt(m) => ApiError::Internal(m),
        }
    }
}

impl From<CreateUserError> for ApiError {
    fn from(e: CreateUserError) -> Self {
        match e {
            e @ CreateUserError::BlankUsername => invalid_value("username", e),
            e @ CreateUserError::NoSuchUnit => invalid_value("unit_id", e),
            e @ CreateUserError::UsernameTaken(_) => ApiError::Conflict {
                code: "duplicate",
                message: e.to_string(),
                field: Some("username".into()),
            },
            CreateUserError::Storage(e) => e.into(),
        }
    }
}

impl From<PushError> for ApiError {
    fn from(e: PushError) -> Self {
        match e {
            PushError::UnknownDevice => ApiError::NotFound("device"),
            e @ PushError::SeqGap { expected_seq } => ApiError::SeqGap {
                expected_seq,
                message: e.to_string(),
            },
            e @ PushError::SeqTooLarge => invalid_value("seq", e),
            PushError::EventConflict { field, message } => ApiError::Conflict {
                code: "event_conflict",
                message,
                field: Some(field),
            },
            PushError::Storage(e) => e.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let ApiError::Internal(detail) = &self {
            tracing::error!(%detail, "request failed");
        }
        let body = ErrorBody {
            error: self.detail(),
        };
        (status, axum::Json(body)).into_response()
    }
}
