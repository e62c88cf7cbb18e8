//! The daily bulletin (采集数据通报): live, published once a day by the secretariat, and its
//! archive of published days. Every console user reads it, unit accounts included: the 通报 is
//! published to all units (docs/decisions/2026-12-01-unit-accounts.md).

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;

use super::export::{attachment, xlsx_error};
use crate::auth::{Caller, SecretariatAdmin};
use crate::error::{ApiError, ApiResult};
use crate::extract::PathId;
use crate::state::AppState;
use fieldpost_central::bulletin::{self, Bulletin, PublishedDay};
use fieldpost_sheets::export::{self, XLSX_MIME};

/// 403 for a device: the bulletin pages are the console's (tablets pull their own unit's
/// progress instead).
fn console_user(caller: &Caller) -> ApiResult<()> {
    match caller {
        Caller::Device(_) => Err(ApiError::Forbidden(
            "the bulletin is the console's, not a device's".into(),
        )),
        Caller::User(_) => Ok(()),
    }
}

pub(super) async fn live(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Bulletin>> {
    console_user(&caller)?;
    let now = state.now();
    Ok(Json(state.call(move |db| bulletin::live(db, now)).await?))
}

pub(super) async fn publish(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
) -> ApiResult<Json<Bulletin>> {
    let (actor, now) = (admin.actor(), state.now());
    Ok(Json(
        state
            .call(move |db| bulletin::publish(db, &actor, now))
            .await?,
    ))
}

pub(super) async fn days(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<PublishedDay>>> {
    console_user(&caller)?;
    Ok(Json(state.call(bulletin::published_days).await?))
}

async fn archived(state: &AppState, day: NaiveDate) -> ApiResult<Bulletin> {
    state
        .call(move |db| bulletin::published(db, day))
        .await?
        .ok_or(ApiError::NotFound("bulletin"))
}

pub(super) async fn published(
    State(state): State<AppState>,
    caller: Caller,
    PathId(day): PathId<NaiveDate>,
) -> ApiResult<Json<Bulletin>> {
    console_user(&caller)?;
    Ok(Json(archived(&state, day).await?))
}

pub(super) async fn published_xlsx(
    State(state): State<AppState>,
    caller: Caller,
    PathId(day): PathId<NaiveDate>,
) -> ApiResult<Response> {
    console_user(&caller)?;
    let b = archived(&state, day).await?;
    let bytes = export::bulletin(&b).map_err(xlsx_error)?;
    Ok(attachment(
        bytes,
        XLSX_MIME,
        &format!("bulletin-{day}.xlsx"),
        &format!("采集数据通报-{day}.xlsx"),
    ))
}
