//! Extractors whose refusals use the API's JSON error body: a JSON body that names the field
//! at fault, a query string, and typed ids from the path.

use std::str::FromStr;

use axum::body::Bytes;
use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{FromRequest, FromRequestParts, RawPathParams, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use fieldpost_domain::{
    Carrier, DeviceId, DrawId, ItemId, PlanId, PoolId, TopUpRequestId, UnitId, UnitLinkId, WinId,
};
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
        let syntax = matches!(
            inner.classify(),
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof
        );
        let message = inner.to_string();
        let field = field_at_fault(e.path(), &message).filter(|_| !syntax);
        ApiError::BadRequest {
            code: if syntax {
                ErrorCode::MalformedJson
            } else {
                ErrorCode::InvalidValue
            },
            message,
            field,
        }
    })?;
    de.end().map_err(|e| ApiError::BadRequest {
        code: ErrorCode::MalformedJson,
        message: e.to_string(),
        field: None,
    })?;
    Ok(value)
}

/// The field a refusal names, from the path serde was at (`allocation[0].quantity`) and its
/// message: serde reports a missing or unknown field at its parent, so that field is named
/// itself. `None` for the whole body.
fn field_at_fault(path: &serde_path_to_error::Path, message: &str) -> Option<String> {
    let mut path = path.to_string();
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
    (path != ".").then_some(path)
}

/// A query string. A value that does not parse is 400 `invalid_query` naming its parameter
/// (`limit`), as a body's refusal names its field.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> ApiResult<Self> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ApiQuery)
            .map_err(|e| {
                let message = e.inner().to_string();
                let field = field_at_fault(e.path(), &message);
                ApiError::BadRequest {
                    code: ErrorCode::InvalidQuery,
                    message: match &field {
                        Some(f) if !message.contains(f.as_str()) => format!("{f}: {message}"),
                        _ => message,
                    },
                    field,
                }
            })
    }
}

/// An id that a route takes from its path: the name of its segment (`{plan_id}` is
/// `plan_id`), which is also the field a 400 names when the segment is not a UUID.
pub trait PathField: FromStr {
    /// The segment's name in the route, and the refusal's `field`.
    const FIELD: &'static str;
    /// What the segment must be, as a refusal says it.
    const EXPECTED: &'static str = "a UUID";
}

/// A bulletin's day, `2022-08-03`.
impl PathField for chrono::NaiveDate {
    const FIELD: &'static str = "day";
    const EXPECTED: &'static str = "a date (YYYY-MM-DD)";
}

impl PathField for PlanId {
    const FIELD: &'static str = "plan_id";
}

impl PathField for UnitId {
    const FIELD: &'static str = "unit_id";
}

impl PathField for ItemId {
    const FIELD: &'static str = "item_id";
}

impl PathField for UnitLinkId {
    const FIELD: &'static str = "link_id";
}

impl PathField for DeviceId {
    const FIELD: &'static str = "device_id";
}

impl PathField for TopUpRequestId {
    const FIELD: &'static str = "request_id";
}

impl PathField for PoolId {
    const FIELD: &'static str = "pool_id";
}

impl PathField for DrawId {
    const FIELD: &'static str = "draw_id";
}

impl PathField for WinId {
    const FIELD: &'static str = "win_id";
}

/// A console account's id, as a path segment (`/users/{user_id}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UserIdSegment(pub uuid::Uuid);

impl FromStr for UserIdSegment {
    type Err = uuid::Error;

    fn from_str(s: &str) -> Result<Self, uuid::Error> {
        s.parse().map(UserIdSegment)
    }
}

impl PathField for UserIdSegment {
    const FIELD: &'static str = "user_id";
}

/// A carrier that delivers prizes, as a path segment (`telecom`, `mobile` or `unicom`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CarrierSegment(pub Carrier);

impl FromStr for CarrierSegment {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        match Carrier::from_code(s) {
            Some(Carrier::Other) | None => Err(()),
            Some(c) => Ok(CarrierSegment(c)),
        }
    }
}

impl PathField for CarrierSegment {
    const FIELD: &'static str = "carrier";
    const EXPECTED: &'static str = "telecom, mobile or unicom";
}

/// A typed id from the path segment named [`PathField::FIELD`]. A segment that is not a UUID
/// (or not what [`PathField::EXPECTED`] says) is 400 `invalid_value` naming the segment
/// (`plan_id must be a UUID`). The segment is found
/// by name, so a route with several ids takes one `PathId` of each; a route without the
/// segment is a programming error, answered 500.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathId<T>(pub T);

impl<S: Send + Sync, T: PathField> FromRequestParts<S> for PathId<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> ApiResult<Self> {
        let field = T::FIELD;
        let params = match RawPathParams::from_request_parts(parts, state).await {
            Ok(params) => params,
            // A segment percent-decoded to something that is not UTF-8 is not a UUID (nor a
            // day) either. axum refuses every segment for it, so name the one at fault (every
            // path parameter of the API is an id, but a bulletin's day), from the rejection's
            // text: "Invalid UTF-8 in `unit_id`".
            Err(RawPathParamsRejection::InvalidUtf8InPathParam(e)) => {
                let text = e.body_text();
                let bad = text
                    .split('`')
                    .nth(1)
                    .filter(|k| !k.is_empty())
                    .unwrap_or(field);
                if bad == field {
                    return Err(ApiError::invalid(
                        field,
                        format!("{field} must be {}", T::EXPECTED),
                    ));
                }
                return Err(not_a_uuid(bad));
            }
            Err(other) => {
                return Err(ApiError::Internal(format!(
                    "path id {field}: {}",
                    other.body_text()
                )));
            }
        };
        let raw = params
            .iter()
            .find_map(|(name, value)| (name == field).then_some(value))
            .ok_or_else(|| ApiError::Internal(format!("the route has no {{{field}}} segment")))?;
        raw.parse()
            .map(PathId)
            .map_err(|_| ApiError::invalid(field, format!("{field} must be {}", T::EXPECTED)))
    }
}

/// 400 `invalid_value` for the path segment `field`.
fn not_a_uuid(field: &str) -> ApiError {
    ApiError::invalid(field, format!("{field} must be a UUID"))
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::{Body, to_bytes};
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use serde_json::Value;
    use tower::ServiceExt;

    use super::*;

    /// A router whose routes take ids from their paths, and answer what they took.
    fn router() -> Router {
        Router::new()
            .route(
                "/plans/{plan_id}/units/{unit_id}",
                get(
                    |PathId(plan): PathId<PlanId>, PathId(unit): PathId<UnitId>| async move {
                        format!("{plan} {unit}")
                    },
                ),
            )
            .route(
                "/devices/{id}",
                get(|PathId(device): PathId<DeviceId>| async move { device.to_string() }),
            )
    }

    async fn get_path(path: &str) -> (StatusCode, String) {
        let res = router()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let body = to_bytes(res.into_body(), usize::MAX).await.unwrap();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn each_id_is_read_from_its_named_segment() {
        let (plan, unit) = (PlanId::new(), UnitId::new());
        let (status, body) = get_path(&format!("/plans/{plan}/units/{unit}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            body,
            format!("{plan} {unit}"),
            "each id from its own segment"
        );
    }

    #[tokio::test]
    async fn a_segment_that_is_not_a_uuid_is_400_naming_it() {
        let plan = PlanId::new();
        for (path, field) in [
            (format!("/plans/nope/units/{}", UnitId::new()), "plan_id"),
            (format!("/plans/{plan}/units/nope"), "unit_id"),
            // Percent-decoded to bytes that are not UTF-8.
            (format!("/plans/{plan}/units/%FF"), "unit_id"),
        ] {
            let (status, body) = get_path(&path).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}");
            let body: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(body["error"]["code"], "invalid_value", "{path}");
            assert_eq!(body["error"]["field"], field, "{path}");
            assert_eq!(
                body["error"]["message"],
                format!("{field} must be a UUID"),
                "{path}"
            );
        }
    }

    #[tokio::test]
    async fn a_route_without_the_segment_is_a_500() {
        let (status, _) = get_path(&format!("/devices/{}", DeviceId::new())).await;
        assert_eq!(
            status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "`{{id}}` is not `{{device_id}}`: the route and the extractor disagree"
        );
    }

    #[test]
    fn every_path_parameter_of_the_api_is_an_id_a_handler_can_take() {
        let fields = [
            PlanId::FIELD,
            UnitId::FIELD,
            DeviceId::FIELD,
            TopUpRequestId::FIELD,
            PoolId::FIELD,
            DrawId::FIELD,
            WinId::FIELD,
            ItemId::FIELD,
            UnitLinkId::FIELD,
            CarrierSegment::FIELD,
            UserIdSegment::FIELD,
            chrono::NaiveDate::FIELD,
        ];
        for (method, path) in crate::routes::table() {
            for name in path
                .split('/')
                .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
            {
                assert!(
                    fields.contains(&name),
                    "{} {path}: no PathField is named {name}",
                    method.as_str()
                );
            }
        }
    }
}
