//! Errors: the store's refusals and the HTTP boundary that turns them into
//! `{"error": {"code", "message", "field"}}` with the right status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use fieldpost_sync::{ErrorBody, ErrorDetail};

/// Why a store operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A value is not acceptable (names the field).
    #[error("{field}: {message}")]
    Invalid {
        /// The request field at fault.
        field: String,
        /// Why.
        message: String,
    },
    /// The request is valid but contradicts the stored state.
    #[error("{message}")]
    Conflict {
        /// Stable code, e.g. `insufficient_stock`.
        code: &'static str,
        /// Why.
        message: String,
        /// The request field at fault, when one is.
        field: Option<String>,
    },
    /// A credential (an enrollment code) is unknown or expired.
    #[error("{message}")]
    Credential {
        /// Stable code.
        code: &'static str,
        /// Why.
        message: String,
    },
    /// A push skipped seqs: the device must send from `expected_seq`.
    #[error("the central expects seq {expected_seq} next from this device")]
    SeqGap {
        /// The next seq the central expects.
        expected_seq: u64,
    },
    /// The database failed.
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    /// Stored data could not be read back.
    #[error("corrupt record: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Shorthand for [`StoreError::Invalid`].
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        StoreError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Shorthand for [`StoreError::Conflict`].
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        StoreError::Conflict {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// Shorthand for a [`StoreError::Conflict`] that names a field.
    pub fn conflict_on(
        code: &'static str,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        StoreError::Conflict {
            code,
            message: message.into(),
            field: Some(field.into()),
        }
    }
}

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
            StoreError::Database(e) => match unique_violation(&e) {
                Some(field) => ApiError::Conflict {
                    code: "duplicate",
                    message: format!("another record already has this {field}"),
                    field: Some(field),
                },
                None => ApiError::Internal(e.to_string()),
            },
            StoreError::Corrupt(m) => ApiError::Internal(m),
        }
    }
}

/// The column of a UNIQUE violation ("UNIQUE constraint failed: units.survey_link").
fn unique_violation(e: &rusqlite::Error) -> Option<String> {
    let rusqlite::Error::SqliteFailure(err, Some(message)) = e else {
        return None;
    };
    if err.extended_code != rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
        && err.extended_code != rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    {
        return None;
    }
    let columns = message.strip_prefix("UNIQUE constraint failed: ")?;
    let last = columns.split(", ").last()?;
    Some(last.rsplit('.').next().unwrap_or(last).to_owned())
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
