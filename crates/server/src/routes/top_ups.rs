//! Devices' top-up requests (申请追加): the secretariat's queue, and its answer. A device
//! sends a request as a `top_up_requested` event (see the push); a fulfilment is a grant,
//! which the device pulls like any other.

use axum::Json;
use axum::extract::State;
use fieldpost_domain::{TopUpRequestId, UnitId};
use schemars::JsonSchema;
use serde::Deserialize;
use ts_rs::TS;

use crate::auth::{Caller, SecretariatAdmin};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, PathId};
use crate::state::AppState;
use fieldpost_central::top_ups::{self, TopUpRequestLine, TopUpStatus};

#[derive(Debug, Deserialize, TS, JsonSchema)]
pub(crate) struct ListQuery {
    #[serde(default)]
    unit_id: Option<UnitId>,
    #[serde(default)]
    status: Option<TopUpStatus>,
}

pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<TopUpRequestLine>>> {
    let unit = match (caller.unit_scope(), q.unit_id) {
        (Some(own), Some(asked)) if own != asked => {
            return Err(ApiError::Forbidden("this belongs to another unit".into()));
        }
        (Some(own), _) => Some(own),
        (None, asked) => asked,
    };
    Ok(Json(
        state
            .call(move |db| top_ups::requests(db, unit, q.status))
            .await?,
    ))
}

#[derive(Debug, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FulfilBody {
    /// How many to grant; the request's own quantity when left out.
    #[serde(default)]
    quantity: Option<u32>,
}

pub(super) async fn fulfil(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    PathId(id): PathId<TopUpRequestId>,
    ApiJson(b): ApiJson<FulfilBody>,
) -> ApiResult<Json<TopUpRequestLine>> {
    let (actor, now) = (admin.actor(), state.now());
    Ok(Json(
        state
            .call(move |db| top_ups::fulfil(db, &actor, now, id, b.quantity))
            .await?,
    ))
}

#[derive(Debug, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DeclineBody {
    reason: String,
}

pub(super) async fn decline(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    PathId(id): PathId<TopUpRequestId>,
    ApiJson(b): ApiJson<DeclineBody>,
) -> ApiResult<Json<TopUpRequestLine>> {
    let (actor, now) = (admin.actor(), state.now());
    Ok(Json(
        state
            .call(move |db| top_ups::decline(db, &actor, now, id, &b.reason))
            .await?,
    ))
}
