//! Collection counts, the unit-quota records, the audit log, health and the OpenAPI document.

use axum::Json;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use chrono::{DateTime, Utc};
use fieldpost_domain::UnitId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::auth::{Caller, Secretariat, SecretariatAdmin};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, PathId};
use crate::state::AppState;
use fieldpost_central::audit::{self, AuditEntry, AuditFilter};
use fieldpost_central::records::{self, DailyCount, Records, UnitRecord};

#[derive(Debug, Serialize, TS, JsonSchema)]
pub(crate) struct Health {
    status: &'static str,
}

pub(super) async fn health() -> Json<Health> {
    Json(Health { status: "ok" })
}

pub(super) async fn openapi() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], crate::openapi::text())
}

#[derive(Debug, Deserialize, TS, JsonSchema)]
pub(crate) struct CountsQuery {
    #[serde(default)]
    unit_id: Option<UnitId>,
}

pub(super) async fn counts(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<CountsQuery>,
) -> ApiResult<Json<Vec<DailyCount>>> {
    let unit = match (caller.unit_scope(), q.unit_id) {
        (Some(own), Some(asked)) if own != asked => {
            return Err(ApiError::Forbidden("this belongs to another unit".into()));
        }
        (Some(own), _) => Some(own),
        (None, asked) => asked,
    };
    Ok(Json(state.call(move |db| records::counts(db, unit)).await?))
}

#[derive(Debug, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CountsBody {
    counts: Vec<DailyCount>,
}

#[derive(Debug, Serialize, TS, JsonSchema)]
pub(crate) struct Imported {
    imported: u32,
}

pub(super) async fn import_counts(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    ApiJson(b): ApiJson<CountsBody>,
) -> ApiResult<Json<Imported>> {
    let (actor, now) = (admin.actor(), state.now());
    let imported = state
        .call(move |db| records::import_counts(db, &actor, now, &b.counts))
        .await?;
    Ok(Json(Imported { imported }))
}

pub(super) async fn records(
    State(state): State<AppState>,
    _: Secretariat,
) -> ApiResult<Json<Records>> {
    Ok(Json(state.call(records::records).await?))
}

pub(super) async fn unit_record(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<UnitId>,
) -> ApiResult<Json<UnitRecord>> {
    caller.may_read_unit(id)?;
    state
        .call(records::records)
        .await?
        .units
        .into_iter()
        .find(|r| r.unit.id == id)
        .map(Json)
        .ok_or(ApiError::NotFound("unit"))
}

/// Which audit-log lines to read, one page of them: [`AuditFilter`]'s fields and a limit.
/// (Not `#[serde(flatten)]`: a flattened query string reads every value as text, and the
/// numbers would be refused.)
#[derive(Debug, Deserialize, TS, JsonSchema)]
pub(crate) struct AuditQuery {
    /// At most this many lines (default 200, at most 5,000).
    #[serde(default)]
    limit: Option<u32>,
    /// The action, exactly (`user.login`).
    #[serde(default)]
    action: Option<String>,
    /// Part of the actor's name.
    #[serde(default)]
    actor: Option<String>,
    /// At or after this time.
    #[serde(default)]
    from: Option<DateTime<Utc>>,
    /// Before this time.
    #[serde(default)]
    to: Option<DateTime<Utc>>,
    /// Lines older than this position only: the last `seq` of the previous page.
    #[serde(default)]
    before: Option<i64>,
}

/// The filter with blank text conditions dropped, as a form sends them.
pub(super) fn audit_filter(mut filter: AuditFilter) -> AuditFilter {
    let blank = |v: &Option<String>| v.as_deref().is_some_and(|t| t.trim().is_empty());
    if blank(&filter.action) {
        filter.action = None;
    }
    if blank(&filter.actor) {
        filter.actor = None;
    }
    filter
}

pub(super) async fn audit(
    State(state): State<AppState>,
    _: Secretariat,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Vec<AuditEntry>>> {
    let limit = q.limit.unwrap_or(200).clamp(1, 5000);
    let filter = audit_filter(AuditFilter {
        action: q.action,
        actor: q.actor,
        from: q.from,
        to: q.to,
        before: q.before,
    });
    Ok(Json(
        state
            .call(move |db| audit::find(db, &filter, limit))
            .await?,
    ))
}

pub(super) async fn audit_actions(
    State(state): State<AppState>,
    _: Secretariat,
) -> ApiResult<Json<Vec<String>>> {
    Ok(Json(state.call(audit::actions).await?))
}
