//! The HTTP boundary of errors: every refusal becomes
//! `{"error": {"code", "message", "field"}}` with the right status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use fieldpost_central::StoreError;
use fieldpost_sync::{ErrorBody, ErrorCode, ErrorDetail};

/// An error answered over HTTP.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: malformed body or invalid value.
    #[error("{message}")]
    BadRequest {
        /// Stable code.
        code: ErrorCode,
        /// Why.
        message: String,
        /// The field at fault.
        field: Option<String>,
    },
    /// 401: no credential, or a bad, expired or revoked one.
    #[error("{message}")]
    Unauthorized {
        /// Stable code.
        code: ErrorCode,
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
        code: ErrorCode,
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
            code: ErrorCode::InvalidValue,
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
            ApiError::Forbidden(_) => (ErrorCode::Forbidden, None),
            ApiError::NotFound(_) => (ErrorCode::NotFound, None),
            ApiError::MethodNotAllowed => (ErrorCode::MethodNotAllowed, None),
            ApiError::Conflict { code, field, .. } => (*code, field.clone()),
            ApiError::SeqGap { .. } => (ErrorCode::SeqGap, None),
            ApiError::PayloadTooLarge(_) => (ErrorCode::PayloadTooLarge, None),
            ApiError::UnsupportedMediaType => (ErrorCode::UnsupportedMediaType, None),
            ApiError::Internal(_) => (ErrorCode::Internal, None),
        };
        let message = match self {
            // Internals never leak: the details went to the log.
            ApiError::Internal(_) => "internal server error".to_owned(),
            other => other.to_string(),
        };
        ErrorDetail {
            code,
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
                code: ErrorCode::InvalidValue,
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
                code: ErrorCode::Duplicate,
                message: e.to_string(),
                field: Some(field.to_owned()),
            },
            StoreError::Storage(m) => ApiError::Internal(m),
            StoreError::Corrupt(m) => ApiError::Internal(m),
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
