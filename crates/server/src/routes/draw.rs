//! The lottery's draw (issue 12): prize pools, the frozen and published entrant list, the
//! draw and its voiding, wins and their delivery, the carriers' lists with full numbers (only
//! for that carrier's account), and the public winners list.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use fieldpost_domain::{Carrier, DrawId, PoolId, WinId};
use fieldpost_sync::ErrorCode;
use schemars::JsonSchema;
use serde::Deserialize;
use ts_rs::TS;

use super::export::attachment;
use super::import::Upload;
use crate::auth::{Authenticated, Caller, Secretariat, SecretariatAdmin};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, CarrierSegment, PathId};
use crate::state::AppState;
use fieldpost_central::draw::carriers::{self, ReturnReport};
use fieldpost_central::draw::{
    Draw, FrozenListView, ListView, Pool, PoolInput, PublicWinners, Win, WinState, list, pools,
    run, wins,
};
use fieldpost_central::users::Role;
use fieldpost_sheets::export::XLSX_MIME;

pub(super) async fn list_pools(
    State(state): State<AppState>,
    _: Secretariat,
) -> ApiResult<Json<Vec<Pool>>> {
    Ok(Json(state.call(pools::pools).await?))
}

pub(super) async fn create_pool(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    ApiJson(body): ApiJson<PoolInput>,
) -> ApiResult<(StatusCode, Json<Pool>)> {
    let (actor, now) = (admin.actor(), state.now());
    let pool = state
        .call(move |db| pools::create(db, &actor, now, &body))
        .await?;
    Ok((StatusCode::CREATED, Json(pool)))
}

pub(super) async fn update_pool(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    PathId(id): PathId<PoolId>,
    ApiJson(body): ApiJson<PoolInput>,
) -> ApiResult<Json<Pool>> {
    let (actor, now) = (admin.actor(), state.now());
    let pool = state
        .call(move |db| pools::update(db, &actor, now, id, &body))
        .await?;
    Ok(Json(pool))
}

pub(super) async fn freeze(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
) -> ApiResult<Json<FrozenListView>> {
    let (actor, now) = (admin.actor(), state.now());
    Ok(Json(
        state.call(move |db| list::freeze(db, &actor, now)).await?,
    ))
}

pub(super) async fn get_list(
    State(state): State<AppState>,
    _: Secretariat,
) -> ApiResult<Json<Option<ListView>>> {
    Ok(Json(state.call(list::list).await?))
}

pub(super) async fn list_csv(State(state): State<AppState>, _: Secretariat) -> ApiResult<Response> {
    let text = state
        .call(list::published_text)
        .await?
        .ok_or(ApiError::NotFound("frozen list"))?;
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8"),
            (CACHE_CONTROL, "no-store"),
        ],
        text,
    )
        .into_response())
}

/// `POST /lottery/draws`.
#[derive(Debug, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct DrawBody {
    /// The public value as announced (e.g. the numbers of a named lottery draw).
    public_value: String,
    /// Where it comes from (e.g. 福彩3D 2022年第223期 开奖号码).
    value_source: String,
}

pub(super) async fn run_draw(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    ApiJson(body): ApiJson<DrawBody>,
) -> ApiResult<(StatusCode, Json<Draw>)> {
    let (actor, now) = (admin.actor(), state.now());
    let draw = state
        .call(move |db| run::run(db, &actor, now, &body.public_value, &body.value_source))
        .await?;
    Ok((StatusCode::CREATED, Json(draw)))
}

pub(super) async fn standing_draw(
    State(state): State<AppState>,
    _: Secretariat,
) -> ApiResult<Json<Option<Draw>>> {
    Ok(Json(state.call(run::standing).await?))
}

pub(super) async fn all_draws(
    State(state): State<AppState>,
    _: Secretariat,
) -> ApiResult<Json<Vec<Draw>>> {
    Ok(Json(state.call(run::draws).await?))
}

/// `POST /lottery/draws/{draw_id}/void`.
#[derive(Debug, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct VoidBody {
    /// Why the draw is voided (required).
    reason: String,
}

pub(super) async fn void_draw(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    PathId(id): PathId<DrawId>,
    ApiJson(body): ApiJson<VoidBody>,
) -> ApiResult<Json<Draw>> {
    let (actor, now) = (admin.actor(), state.now());
    Ok(Json(
        state
            .call(move |db| run::void(db, &actor, now, id, &body.reason))
            .await?,
    ))
}

pub(super) async fn list_wins(
    State(state): State<AppState>,
    _: Secretariat,
) -> ApiResult<Json<Vec<Win>>> {
    Ok(Json(state.call(wins::wins).await?))
}

/// `PUT /lottery/wins/{win_id}`.
#[derive(Debug, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct WinStateBody {
    /// The new state.
    state: WinState,
    /// A note (empty or left out: none).
    #[serde(default)]
    #[ts(optional = nullable)]
    note: Option<String>,
}

pub(super) async fn set_win_state(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    PathId(id): PathId<WinId>,
    ApiJson(body): ApiJson<WinStateBody>,
) -> ApiResult<Json<Win>> {
    let (actor, now) = (admin.actor(), state.now());
    Ok(Json(
        state
            .call(move |db| wins::set_state(db, &actor, now, id, body.state, body.note.as_deref()))
            .await?,
    ))
}

/// `POST /lottery/wins/{win_id}/handover`.
#[derive(Debug, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct HandoverBody {
    /// The station where the prize was handed over.
    station: String,
    /// When.
    handed_at: DateTime<Utc>,
}

pub(super) async fn handover(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    PathId(id): PathId<WinId>,
    ApiJson(body): ApiJson<HandoverBody>,
) -> ApiResult<Json<Win>> {
    let (actor, now) = (admin.actor(), state.now());
    Ok(Json(
        state
            .call(move |db| wins::handover(db, &actor, now, id, &body.station, body.handed_at))
            .await?,
    ))
}

pub(super) async fn promote(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    PathId(id): PathId<WinId>,
) -> ApiResult<(StatusCode, Json<Win>)> {
    let (actor, now) = (admin.actor(), state.now());
    let win = state
        .call(move |db| wins::promote(db, &actor, now, id))
        .await?;
    Ok((StatusCode::CREATED, Json(win)))
}

/// 403 unless the caller is `carrier`'s own account (or, with `admin_too`, a secretariat
/// admin).
fn carrier_caller(caller: &Caller, carrier: Carrier, admin_too: bool) -> ApiResult<()> {
    match caller {
        Caller::User(u) if u.role == Role::Carrier => {
            if u.carrier == Some(carrier) {
                Ok(())
            } else {
                Err(ApiError::Forbidden("this is another carrier's list".into()))
            }
        }
        _ if admin_too => caller.secretariat_admin().map(|_| ()),
        _ => Err(ApiError::Forbidden(
            "only the carrier's own account may download its winners' numbers".into(),
        )),
    }
}

pub(super) async fn carrier_winners(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    PathId(CarrierSegment(carrier)): PathId<CarrierSegment>,
) -> ApiResult<Response> {
    carrier_caller(&caller, carrier, false)?;
    let (actor, now) = (caller.actor(), state.now());
    let key = state.lottery_key().key();
    let bytes = state
        .call_many(move |db| {
            let lines = carriers::carrier_winners(db, &actor, now, carrier, key.as_ref())?;
            fieldpost_sheets::lottery::carrier_winners(carrier, &lines, now)
                .map_err(|e| ApiError::Internal(format!("xlsx: {e}")))
        })
        .await?;
    let chinese = format!(
        "{}中奖名单.xlsx",
        fieldpost_sheets::lottery::carrier_name(carrier)
    );
    Ok(attachment(
        bytes,
        XLSX_MIME,
        &format!("winners-{}.xlsx", carrier.code()),
        &chinese,
    ))
}

pub(super) async fn carrier_returns(
    State(state): State<AppState>,
    Authenticated(caller): Authenticated,
    PathId(CarrierSegment(carrier)): PathId<CarrierSegment>,
    Upload(file): Upload,
) -> ApiResult<Json<ReturnReport>> {
    carrier_caller(&caller, carrier, true)?;
    let sheet =
        fieldpost_sheets::lottery::read_returns(&file).map_err(|e| ApiError::BadRequest {
            code: ErrorCode::UnreadableFile,
            message: e.to_string(),
            field: Some("file".into()),
        })?;
    let (actor, now) = (caller.actor(), state.now());
    let report = state
        .call(move |db| {
            carriers::apply_returns(db, &actor, now, carrier, &sheet.rows, &sheet.issues)
        })
        .await?;
    Ok(Json(report))
}

pub(super) async fn public_winners(
    State(state): State<AppState>,
) -> ApiResult<Json<Option<PublicWinners>>> {
    Ok(Json(state.call(run::public_winners).await?))
}
