//! Extractors whose refusals use the API's JSON error body: a JSON body that names the field
//! at fault, a query string, and typed ids from the path.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use fieldpost_sync::ErrorCode;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A JSON request body. Malformed JSON and invalid values are 400 with the path of the field
/// (`allocation[0].quantity`); a body over the limit is 413; a non-JSON content type is 415.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> ApiResult<Self> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                let v = v.trim();
                v.eq_ignore_ascii_case("application/json")
                    || (v.starts_with("application/") && v.ends_with("+json"))
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let limit = state.config().body_limit;
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge(limit)
            } else {
                ApiError::BadRequest {
                    code: ErrorCode::UnreadableBody,
                    message: rejection.body_text(),
                    field: None,
                }
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Deserializes JSON, naming the field at fault on failure.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> ApiResult<T> {
    // The path-tracking parse is slower (a push carries thousands of events): parse plainly
    // first, and track the path only to explain a failure.
    if let Ok(value) = serde_json::from_slice(bytes) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.inner();
        let mut path = e.path().to_string();
        let message = inner.to_string();
        // serde reports a missing or unknown field at its parent; name the field itself.
        for marker in ["missing field `", "unknown field `"] {
            if let Some(rest) = message.strip_prefix(marker)
                && let Some((name, _)) = rest.split_once('`')
            {
                let already = path.rsplit('.').next() == Some(name);
                if path == "." {
                    path = name.to_owned();
                } else if !already {
                    path = format!("{path}.{name}");
                }
            }
        }
        let syntax = matches!(
            inner.classify(),
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof
        );
        ApiError::BadRequest {
            code: if syntax {
                ErrorCode::MalformedJson
            } else {
                ErrorCode::InvalidValue
            },
            message,
            field: (path != "." && !syntax).then_some(path),
        }
    })?;
    de.end().map_err(|e| ApiError::BadRequest {
        code: ErrorCode::MalformedJson,
        message: e.to_string(),
        field: None,
    })?;
    Ok(value)
}

/// A query string.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> ApiResult<Self> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|q| ApiQuery(q.0))
            .map_err(|rejection| ApiError::BadRequest {
                code: ErrorCode::InvalidQuery,
                message: rejection.body_text(),
                field: None,
            })
    }
}

/// Parses a typed id from a path segment, naming the segment when it is not a UUID.
pub fn path_id<T: std::str::FromStr>(field: &'static str, raw: &str) -> ApiResult<T> {
    raw.parse()
        .map_err(|_| ApiError::invalid(field, format!("{field} must be a UUID")))
}
