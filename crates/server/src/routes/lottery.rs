//! The lottery's terms, entrants and the deletion of their numbers (docs/lottery/api.md,
//! "Terms, entrants, deletion"). The secretariat reads (admin and viewer); only an admin
//! changes anything. Numbers are shown masked; none is ever in an answer or an audit line.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::Deserialize;
use ts_rs::TS;

use crate::auth::{Secretariat, SecretariatAdmin};
use crate::error::ApiResult;
use crate::extract::ApiJson;
use crate::state::AppState;
use fieldpost_central::lottery::{self, DeletionReport, EntrantList, LotteryTermsView, TermsInput};

pub(super) async fn terms(
    State(state): State<AppState>,
    _: Secretariat,
) -> ApiResult<Json<LotteryTermsView>> {
    Ok(Json(state.call(lottery::terms).await?))
}

pub(super) async fn put_terms(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    ApiJson(input): ApiJson<TermsInput>,
) -> ApiResult<Json<LotteryTermsView>> {
    let (actor, now, key) = (admin.actor(), state.now(), Arc::clone(state.lottery_key()));
    Ok(Json(
        state
            .call(move |db| lottery::save_terms(db, &key, &actor, now, &input))
            .await?,
    ))
}

pub(super) async fn entrants(
    State(state): State<AppState>,
    _: Secretariat,
) -> ApiResult<Json<EntrantList>> {
    Ok(Json(state.call(lottery::entrants).await?))
}

/// Why the lottery closes now.
#[derive(Debug, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CloseBody {
    /// Said in the deletion report, e.g. 抽奖结束，奖品已发放.
    reason: String,
}

pub(super) async fn close(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    ApiJson(b): ApiJson<CloseBody>,
) -> ApiResult<Json<DeletionReport>> {
    let (actor, now, key) = (admin.actor(), state.now(), Arc::clone(state.lottery_key()));
    Ok(Json(
        state
            .call(move |db| lottery::close(db, &key, &actor, now, &b.reason))
            .await?,
    ))
}

/// The day the numbers are deleted.
#[derive(Debug, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RetentionBody {
    /// `YYYY-MM-DD`: the numbers are deleted at 00:00 Asia/Shanghai of that day; `null`
    /// clears it.
    delete_on: Option<NaiveDate>,
}

pub(super) async fn retention(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    ApiJson(b): ApiJson<RetentionBody>,
) -> ApiResult<Json<LotteryTermsView>> {
    let (actor, now) = (admin.actor(), state.now());
    let view = state
        .call(move |db| lottery::set_retention(db, &actor, now, b.delete_on))
        .await?;
    // A day already come deletes now rather than at the next minute's check.
    state.lottery_check().await;
    Ok(Json(view))
}

pub(super) async fn deletions(
    State(state): State<AppState>,
    _: Secretariat,
) -> ApiResult<Json<Vec<DeletionReport>>> {
    Ok(Json(state.call(lottery::deletions).await?))
}
