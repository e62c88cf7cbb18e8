//! Activity plans: filing and revision by a unit; review, allocation, grants and closing by
//! the secretariat.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use fieldpost_domain::{
    ActivityPlan, DeviceId, Grant, ItemId, ItemQuantity, PlanId, PlanStatus, UnitId,
};
use fieldpost_sync::ErrorCode;
use schemars::JsonSchema;
use serde::Deserialize;
use ts_rs::TS;

use crate::auth::{Caller, SecretariatAdmin};
use crate::error::{ApiError, ApiResult, conflict};
use crate::extract::{ApiJson, ApiQuery, PathId};
use crate::state::AppState;
use fieldpost_central::grants;
use fieldpost_central::plans::{self, Approval, DeviceShare, PlanContent, PlanView};

#[derive(Debug, Deserialize, TS, JsonSchema)]
pub(crate) struct PlansQuery {
    #[serde(default)]
    unit_id: Option<UnitId>,
    #[serde(default)]
    status: Option<PlanStatus>,
}

pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<PlansQuery>,
) -> ApiResult<Json<Vec<ActivityPlan>>> {
    let unit = match (caller.unit_scope(), q.unit_id) {
        (Some(own), Some(asked)) if own != asked => {
            return Err(ApiError::Forbidden("this belongs to another unit".into()));
        }
        (Some(own), _) => Some(own),
        (None, asked) => asked,
    };
    Ok(Json(
        state
            .call(move |db| plans::plans(db, unit, q.status))
            .await?,
    ))
}

async fn load(state: &AppState, id: PlanId) -> ApiResult<PlanView> {
    state.call(move |db| plans::plan(db, id)).await
}

pub(super) async fn get(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<PlanId>,
) -> ApiResult<Json<PlanView>> {
    let view = load(&state, id).await?;
    caller.may_read_unit(view.plan.unit_id)?;
    Ok(Json(view))
}

#[derive(Debug, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PlanBody {
    /// Devices file plans offline and name them themselves; the console may leave it out.
    #[serde(default)]
    id: Option<PlanId>,
    /// The unit filing; a device or unit user may leave it out (their own).
    #[serde(default)]
    unit_id: Option<UnitId>,
    title: String,
    location: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    expected_people: u32,
    #[serde(default)]
    staff: String,
    #[serde(default)]
    requested: Vec<ItemQuantity>,
}

fn content(b: PlanBody) -> PlanContent {
    PlanContent {
        title: b.title,
        location: b.location,
        starts_at: b.starts_at,
        ends_at: b.ends_at,
        expected_people: b.expected_people,
        staff: b.staff,
        requested: b.requested,
    }
}

pub(super) async fn file(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(b): ApiJson<PlanBody>,
) -> ApiResult<(StatusCode, Json<PlanView>)> {
    let unit = b
        .unit_id
        .or(caller.unit_scope())
        .ok_or_else(|| ApiError::invalid("unit_id", "name the unit that files the plan"))?;
    caller.may_write_unit(unit)?;
    let id = b.id.unwrap_or_default();
    let (actor, now) = (caller.actor(), state.now());
    let view = state
        .call(move |db| plans::file(db, &actor, now, id, unit, &content(b)))
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

pub(super) async fn revise(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<PlanId>,
    ApiJson(b): ApiJson<PlanBody>,
) -> ApiResult<Json<PlanView>> {
    let view = load(&state, id).await?;
    caller.may_write_unit(view.plan.unit_id)?;
    if b.id.is_some_and(|id| id != view.plan.id) {
        return Err(ApiError::invalid(
            "id",
            "does not match the plan in the path",
        ));
    }
    if b.unit_id.is_some_and(|u| u != view.plan.unit_id) {
        return Err(ApiError::invalid(
            "unit_id",
            "a plan cannot move to another unit",
        ));
    }
    let (actor, now, id) = (caller.actor(), state.now(), view.plan.id);
    Ok(Json(
        state
            .call(move |db| plans::revise(db, &actor, now, id, &content(b)))
            .await?,
    ))
}

#[derive(Debug, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ApproveBody {
    #[serde(default)]
    allocation: Vec<ItemQuantity>,
    #[serde(default)]
    grants: Option<Vec<DeviceShare>>,
}

pub(super) async fn approve(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    PathId(id): PathId<PlanId>,
    ApiJson(b): ApiJson<ApproveBody>,
) -> ApiResult<Json<PlanView>> {
    let approval = Approval {
        allocation: b.allocation,
        grants: b.grants,
    };
    let (actor, now) = (admin.actor(), state.now());
    Ok(Json(
        state
            .call(move |db| plans::approve(db, &actor, now, id, &approval))
            .await?,
    ))
}

#[derive(Debug, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RejectBody {
    reason: String,
}

pub(super) async fn reject(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    PathId(id): PathId<PlanId>,
    ApiJson(b): ApiJson<RejectBody>,
) -> ApiResult<Json<PlanView>> {
    let (actor, now) = (admin.actor(), state.now());
    Ok(Json(
        state
            .call(move |db| plans::reject(db, &actor, now, id, &b.reason))
            .await?,
    ))
}

pub(super) async fn close(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    PathId(id): PathId<PlanId>,
) -> ApiResult<Json<PlanView>> {
    let (actor, now) = (admin.actor(), state.now());
    Ok(Json(
        state
            .call(move |db| plans::close(db, &actor, now, id))
            .await?,
    ))
}

#[derive(Debug, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ItemQuantityBody {
    item_id: ItemId,
    quantity: u32,
}

pub(super) async fn allocate(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    PathId(id): PathId<PlanId>,
    ApiJson(b): ApiJson<ItemQuantityBody>,
) -> ApiResult<Json<PlanView>> {
    let (actor, now) = (admin.actor(), state.now());
    Ok(Json(
        state
            .call(move |db| grants::allocate_more(db, &actor, now, id, b.item_id, b.quantity))
            .await?,
    ))
}

pub(super) async fn return_allocation(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    PathId(id): PathId<PlanId>,
    ApiJson(b): ApiJson<ItemQuantityBody>,
) -> ApiResult<Json<PlanView>> {
    let (actor, now) = (admin.actor(), state.now());
    Ok(Json(
        state
            .call(move |db| grants::return_allocation(db, &actor, now, id, b.item_id, b.quantity))
            .await?,
    ))
}

pub(super) async fn grant(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    PathId(id): PathId<PlanId>,
    ApiJson(share): ApiJson<DeviceShare>,
) -> ApiResult<(StatusCode, Json<Grant>)> {
    let (actor, now) = (admin.actor(), state.now());
    let grant = state
        .call(move |db| grants::grant(db, &actor, now, id, share))
        .await?;
    Ok((StatusCode::CREATED, Json(grant)))
}

#[derive(Debug, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReleaseBody {
    /// The secretariat names the device; a device releases its own grant.
    #[serde(default)]
    device_id: Option<DeviceId>,
    item_id: ItemId,
    quantity: u32,
}

pub(super) async fn release(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<PlanId>,
    ApiJson(b): ApiJson<ReleaseBody>,
) -> ApiResult<Json<PlanView>> {
    let view = load(&state, id).await?;
    let device_id = match &caller {
        Caller::Device(d) => {
            caller.may_write_unit(view.plan.unit_id)?;
            if b.device_id.is_some_and(|asked| asked != d.id) {
                return Err(ApiError::Forbidden(
                    "a device releases only its own grant".into(),
                ));
            }
            d.id
        }
        Caller::User(_) => {
            caller.secretariat_admin()?;
            let device_id = b
                .device_id
                .ok_or_else(|| ApiError::invalid("device_id", "name the device"))?;
            // Escrow (DESIGN.md): the central never shrinks the grant of a device that may be
            // offline and spending it. Only a revoked device's stock is moved by the console;
            // a live device gives stock back with its own release event.
            let unit = view.plan.unit_id;
            let device = state
                .call(move |db| fieldpost_central::devices::devices(db, Some(unit)))
                .await?
                .into_iter()
                .find(|d| d.id == device_id)
                .ok_or_else(|| {
                    ApiError::invalid("device_id", "no such device of this plan's unit")
                })?;
            if device.revoked_at.is_none() {
                return Err(conflict(
                    ErrorCode::DeviceNotRevoked,
                    Some("device_id"),
                    "the device may be offline and spending its grant: only a revoked device's \
                     grant can be released by the secretariat; the device releases its own",
                ));
            }
            device_id
        }
    };
    let share = DeviceShare {
        device_id,
        item_id: b.item_id,
        quantity: b.quantity,
    };
    let (actor, now, id) = (caller.actor(), state.now(), view.plan.id);
    Ok(Json(
        state
            .call(move |db| grants::release(db, &actor, now, id, share))
            .await?,
    ))
}
