//! Who is calling: the [`Caller`] extractor (a console session cookie or a device's bearer
//! token) and the scope checks on it, and the extractors that state a role in a handler's
//! signature: [`Secretariat`] and [`SecretariatAdmin`]. Every protected handler takes one of
//! them (or [`PushingDevice`]). [`Caller`] refuses a carrier's account, so every route is
//! closed to it by default; only `/auth/me` and the carrier routes take [`Authenticated`]. The secrets themselves are made and hashed in
//! `fieldpost_central::secrets`.

use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use fieldpost_domain::UnitId;
use fieldpost_sync::ErrorCode;

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use fieldpost_central::audit::Actor;
use fieldpost_central::devices::DeviceAuth;
use fieldpost_central::secrets::sha256_hex;
use fieldpost_central::users::{Role, User};

/// The console's session cookie.
pub const SESSION_COOKIE: &str = "fieldpost_session";

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// A console user with a session.
    User(User),
    /// An enrolled, unrevoked device.
    Device(DeviceAuth),
}

fn forbidden(message: &str) -> ApiError {
    ApiError::Forbidden(message.to_owned())
}

/// A console user as the audit log names it.
fn user_actor(u: &User) -> Actor {
    Actor::User {
        id: u.id,
        username: u.username.clone(),
    }
}

impl Caller {
    /// As the audit log names it.
    pub fn actor(&self) -> Actor {
        match self {
            Caller::User(u) => user_actor(u),
            Caller::Device(d) => Actor::Device(d.id),
        }
    }

    /// The one unit the caller is confined to; `None` for the secretariat.
    pub fn unit_scope(&self) -> Option<UnitId> {
        match self {
            Caller::User(u) => u.unit_id,
            Caller::Device(d) => Some(d.unit_id),
        }
    }

    /// 403 unless the caller may read records of `unit`.
    pub fn may_read_unit(&self, unit: UnitId) -> ApiResult<()> {
        match self.unit_scope() {
            Some(own) if own != unit => Err(forbidden("this belongs to another unit")),
            _ => Ok(()),
        }
    }

    /// 403 unless the caller may change records of `unit` (file or revise its plans).
    pub fn may_write_unit(&self, unit: UnitId) -> ApiResult<()> {
        self.may_read_unit(unit)?;
        match self {
            Caller::User(u) if u.role != Role::Admin => Err(forbidden("viewers are read-only")),
            _ => Ok(()),
        }
    }

    /// 403 unless the caller is the secretariat (a user not confined to a unit).
    pub fn secretariat(&self) -> ApiResult<&User> {
        match self {
            // A carrier's account belongs to no unit, and is no secretariat either.
            Caller::User(u) if u.unit_id.is_none() && u.role != Role::Carrier => Ok(u),
            _ => Err(forbidden("only the secretariat may do this")),
        }
    }

    /// 403 unless the caller is a secretariat admin.
    pub fn secretariat_admin(&self) -> ApiResult<&User> {
        let u = self.secretariat()?;
        if u.role != Role::Admin {
            return Err(forbidden("viewers are read-only"));
        }
        Ok(u)
    }
}

fn unauthorized(code: ErrorCode, message: &str) -> ApiError {
    ApiError::Unauthorized {
        code,
        message: message.to_owned(),
    }
}

/// The session token in the request's cookies.
pub fn session_cookie(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == SESSION_COOKIE)
        .map(|(_, v)| v.to_owned())
}

/// The device a push comes from, by its bearer token. A revoked device is refused here as
/// everywhere (issue 14: a lost tablet's token dies with its revocation; whoever holds the
/// tablet can no longer add handouts to its unit's records). A push authenticated just before
/// the revocation and applied after it is still handled: its handouts beyond the returned
/// grant are flagged (see `fieldpost_central::push`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushingDevice(pub DeviceAuth);

impl FromRequestParts<AppState> for PushingDevice {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<PushingDevice> {
        let token = bearer(parts)?.ok_or_else(|| {
            unauthorized(
                ErrorCode::Unauthenticated,
                "a push needs the device's Authorization: Bearer token",
            )
        })?;
        let hash = sha256_hex(&token);
        let device = state
            .call(move |db| fieldpost_central::devices::device_by_token(db, &hash))
            .await?
            .ok_or_else(|| unauthorized(ErrorCode::InvalidCredential, "unknown device token"))?;
        if device.revoked {
            return Err(unauthorized(
                ErrorCode::DeviceRevoked,
                "this device has been revoked",
            ));
        }
        Ok(PushingDevice(device))
    }
}

/// The bearer token a request presented, if any, as the device sent it. Never a rejection: the
/// handler's [`Caller`] or [`PushingDevice`] has checked the token already. A sync's answer
/// derives the device's next token from it (`rotated_token`).
#[derive(Clone, PartialEq, Eq)]
pub struct PresentedToken(pub Option<String>);

impl std::fmt::Debug for PresentedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PresentedToken(..)")
    }
}

impl FromRequestParts<AppState> for PresentedToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> ApiResult<PresentedToken> {
        Ok(PresentedToken(bearer(parts).ok().flatten()))
    }
}

/// The successor of the token `device` presented, if the device is due one by the server's
/// rotation period: what its push or pull answer carries as `rotated_token`. Failing to offer
/// one is logged, never the sync's failure: the token in use keeps working, and the next sync
/// offers again.
pub(crate) async fn rotated_token(
    state: &AppState,
    device: &DeviceAuth,
    token: PresentedToken,
) -> Option<String> {
    let token = token.0?;
    let (now, rotation) = (state.now(), state.config().token_rotation);
    // Most syncs end here, without a query: the token is younger than the period.
    if device.revoked || now - device.token_issued_at < rotation {
        return None;
    }
    let device_id = device.id;
    let device = device.clone();
    match state
        .call(move |db| {
            fieldpost_central::devices::successor_token(db, &device, &token, now, rotation)
        })
        .await
    {
        Ok(next) => next,
        Err(e) => {
            tracing::warn!(device = %device_id, error = %e, "could not offer the device a new token");
            None
        }
    }
}

/// The bearer token of the request, if it has an `Authorization` header; a header that is not
/// `Bearer <token>` is refused.
fn bearer(parts: &Parts) -> ApiResult<Option<String>> {
    let Some(value) = parts.headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| Some(t.to_owned()))
        .ok_or_else(|| {
            unauthorized(
                ErrorCode::InvalidCredential,
                "expected Authorization: Bearer <token>",
            )
        })
}

/// Any authenticated caller, a carrier's account included. Only `/auth/me` and the carrier
/// routes take it; every other route takes [`Caller`] (or a role built on it), which refuses
/// a carrier's account: a carrier sees its own winners and nothing else of the console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated(pub Caller);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Authenticated> {
        authenticate(parts, state).await.map(Authenticated)
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Caller> {
        let caller = authenticate(parts, state).await?;
        if let Caller::User(u) = &caller
            && u.role == Role::Carrier
        {
            return Err(forbidden(
                "a carrier account may only download and return its own carrier's winners",
            ));
        }
        Ok(caller)
    }
}

/// Who is calling, by the bearer token or the session cookie (401 without a good one).
async fn authenticate(parts: &mut Parts, state: &AppState) -> ApiResult<Caller> {
    if let Some(token) = bearer(parts)? {
        let hash = sha256_hex(&token);
        let device = state
            .call(move |db| fieldpost_central::devices::device_by_token(db, &hash))
            .await?
            .ok_or_else(|| unauthorized(ErrorCode::InvalidCredential, "unknown device token"))?;
        if device.revoked {
            return Err(unauthorized(
                ErrorCode::DeviceRevoked,
                "this device has been revoked",
            ));
        }
        return Ok(Caller::Device(device));
    }
    if let Some(token) = session_cookie(&parts.headers) {
        let hash = sha256_hex(&token);
        let now = state.now();
        let user = state
            .call(move |db| fieldpost_central::users::session_user(db, now, &hash))
            .await?
            .ok_or_else(|| {
                unauthorized(
                    ErrorCode::InvalidSession,
                    "the session has expired; log in again",
                )
            })?;
        return Ok(Caller::User(user));
    }
    Err(unauthorized(
        ErrorCode::Unauthenticated,
        "log in, or send a device's Authorization: Bearer token",
    ))
}

/// A caller of the secretariat: a console user not confined to a unit, viewer or admin. As an
/// extractor, it takes the [`Caller`] (401 without a good credential) and then refuses anyone
/// else with 403, as [`Caller::secretariat`] does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secretariat(pub User);

impl Secretariat {
    /// As the audit log names it.
    pub fn actor(&self) -> Actor {
        user_actor(&self.0)
    }
}

impl FromRequestParts<AppState> for Secretariat {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Secretariat> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.secretariat().cloned().map(Secretariat)
    }
}

/// A secretariat admin: what every change outside a unit's own plans needs. As an extractor,
/// it takes the [`Caller`] (401 without a good credential) and then refuses anyone else with
/// 403, as [`Caller::secretariat_admin`] does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretariatAdmin(pub User);

impl SecretariatAdmin {
    /// As the audit log names it.
    pub fn actor(&self) -> Actor {
        user_actor(&self.0)
    }
}

impl FromRequestParts<AppState> for SecretariatAdmin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> ApiResult<SecretariatAdmin> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.secretariat_admin().cloned().map(SecretariatAdmin)
    }
}
