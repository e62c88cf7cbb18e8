//! Device enrollment, listing and revocation.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, UnitId};
use fieldpost_sync::{EnrollRequest, EnrollResponse};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::auth::{Caller, SecretariatAdmin};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, PathId};
use crate::state::AppState;
use fieldpost_central::campaign;
use fieldpost_central::devices::{self, DeviceRecord};
use fieldpost_central::enrollment;
use fieldpost_central::secrets::{enrollment_code_hash, random_token, sha256_hex};

#[derive(Debug, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CodeBody {
    unit_id: UnitId,
}

/// A one-time enrollment code, as the console shows it.
#[derive(Debug, Serialize, TS, JsonSchema)]
pub(crate) struct IssuedCode {
    code: String,
    unit_id: UnitId,
    expires_at: DateTime<Utc>,
    /// What the QR code encodes.
    qr_text: String,
    /// The QR code as an SVG document, for the console to show.
    qr_svg: String,
}

pub(super) async fn issue_code(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    ApiJson(b): ApiJson<CodeBody>,
) -> ApiResult<(StatusCode, Json<IssuedCode>)> {
    let issued = crate::enrollment::issue(&state, &admin.actor(), b.unit_id).await?;
    let qr_text = enrollment::qr_text(&issued.code, None);
    let qr_svg =
        fieldpost_sheets::qr::svg(&qr_text).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok((
        StatusCode::CREATED,
        Json(IssuedCode {
            code: issued.code,
            unit_id: b.unit_id,
            expires_at: issued.expires_at,
            qr_text,
            qr_svg,
        }),
    ))
}

pub(super) async fn enroll(
    State(state): State<AppState>,
    ApiJson(b): ApiJson<EnrollRequest>,
) -> ApiResult<(StatusCode, Json<EnrollResponse>)> {
    let token = random_token("fpd_");
    let (code_hash, token_hash, now) = (
        enrollment_code_hash(&b.code),
        sha256_hex(&token),
        state.now(),
    );
    let device = state
        .call(move |db| enrollment::enroll(db, now, &code_hash, &b.device_name, &token_hash))
        .await?;
    let unit = device.unit_id;
    let campaign_id = state
        .call(move |db| campaign::unit(db, unit))
        .await?
        .ok_or(ApiError::NotFound("unit"))?
        .campaign_id;
    Ok((
        StatusCode::CREATED,
        Json(EnrollResponse {
            device_id: device.id,
            unit_id: device.unit_id,
            campaign_id,
            token,
        }),
    ))
}

pub(super) async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Vec<DeviceRecord>>> {
    let unit = caller.unit_scope();
    Ok(Json(
        state.call(move |db| devices::devices(db, unit)).await?,
    ))
}

pub(super) async fn revoke(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    PathId(id): PathId<DeviceId>,
) -> ApiResult<Json<DeviceRecord>> {
    let (actor, now) = (admin.actor(), state.now());
    Ok(Json(
        state
            .call(move |db| devices::revoke_device(db, &actor, now, id))
            .await?,
    ))
}
