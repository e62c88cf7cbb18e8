//! The assessment by collection volume (按采集量考核) and the summary meeting's report (总结会).
//!
//! The assessment is every console user's: the secretariat sees every unit, a unit's own
//! account its own unit only (as with its plans and exports). The thresholds and the confirmed
//! commendations are a secretariat admin's to set. The summary report is the secretariat's: it
//! holds the campaign's stock books, which are not a unit's to see.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use std::collections::HashMap;

use fieldpost_central::assessment::{
    self, Assessment, AssessmentRules, Commendation, ConfirmInput, RulesInput, SummaryReport,
};
use fieldpost_central::campaign;
use fieldpost_sheets::export::{self, XLSX_MIME};

use super::export::attachment;
use crate::auth::{Caller, Secretariat, SecretariatAdmin};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiJson;
use crate::state::AppState;

/// The unit a caller's assessment is confined to (none: every unit); 403 for a device.
fn scope(caller: &Caller) -> ApiResult<Option<fieldpost_domain::UnitId>> {
    match caller {
        Caller::Device(_) => Err(ApiError::Forbidden(
            "the assessment is the console's, not a device's".into(),
        )),
        Caller::User(u) => Ok(u.unit_id),
    }
}

pub(super) async fn get_assessment(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Assessment>> {
    let unit = scope(&caller)?;
    Ok(Json(
        state
            .call(move |db| assessment::assessment(db, unit))
            .await?,
    ))
}

pub(super) async fn put_rules(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    ApiJson(input): ApiJson<RulesInput>,
) -> ApiResult<Json<AssessmentRules>> {
    let (actor, now) = (admin.actor(), state.now());
    Ok(Json(
        state
            .call(move |db| assessment::put_rules(db, &actor, now, &input))
            .await?,
    ))
}

pub(super) async fn export_assessment(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Response> {
    let unit = scope(&caller)?;
    let bytes = state
        .call_many(move |db| {
            let a = assessment::assessment(db, unit)?;
            let sections: HashMap<_, _> = campaign::sections(db)?
                .into_iter()
                .map(|s| (s.id, s.name))
                .collect();
            export::unit_assessment(&a, &sections)
                .map_err(|e| ApiError::Internal(format!("xlsx: {e}")))
        })
        .await?;
    Ok(attachment(
        bytes,
        XLSX_MIME,
        "assessment.xlsx",
        "按采集量考核.xlsx",
    ))
}

pub(super) async fn summary(
    State(state): State<AppState>,
    _: Secretariat,
) -> ApiResult<Json<SummaryReport>> {
    Ok(Json(state.call(assessment::summary).await?))
}

pub(super) async fn confirm_commendations(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    ApiJson(input): ApiJson<ConfirmInput>,
) -> ApiResult<Json<Vec<Commendation>>> {
    let (actor, now) = (admin.actor(), state.now());
    Ok(Json(
        state
            .call(move |db| {
                assessment::confirm_commendations(db, &actor, now, &input.commendations)
            })
            .await?,
    ))
}
