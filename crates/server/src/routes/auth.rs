//! Console login, sessions and users.

use axum::Json;
use axum::extract::State;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use fieldpost_domain::UnitId;
use fieldpost_sync::ErrorCode;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

use crate::auth::{Authenticated, Caller, SESSION_COOKIE, SecretariatAdmin, session_cookie};
use crate::client::ClientAddress;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, PathId, UserIdSegment};
use crate::state::AppState;
use chrono::{DateTime, SecondsFormat, Utc};
use fieldpost_central::logins::{self, Scope};
use fieldpost_central::secrets::{
    hash_password, random_password, random_token, sha256_hex, verify_password,
};
use fieldpost_central::users::{self, Account, AccountChange, NewUser, Role, User};

#[derive(Debug, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LoginBody {
    username: String,
    password: String,
}

/// Who is logged in, or which device is calling.
#[derive(Debug, Serialize, TS, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum Me {
    User { user: User },
    Device { device_id: String, unit_id: UnitId },
}

fn cookie(state: &AppState, value: &str, max_age: i64) -> ApiResult<HeaderValue> {
    let secure = if state.config().secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; HttpOnly; SameSite=Strict; Path=/; Max-Age={max_age}{secure}"
    ))
    .map_err(|e| ApiError::Internal(format!("cookie header: {e}")))
}

/// 429 `login_throttled`: try again at `retry_at` (`now` by the state's clock).
fn throttled(why: &str, retry_at: DateTime<Utc>, now: DateTime<Utc>) -> ApiError {
    let millis = u64::try_from((retry_at - now).num_milliseconds()).unwrap_or(0);
    let retry_after = millis.div_ceil(1000).max(1);
    ApiError::TooManyRequests {
        message: format!(
            "{why}; try again after {}",
            retry_at.to_rfc3339_opts(SecondsFormat::Secs, true)
        ),
        retry_at,
        retry_after,
    }
}

pub(super) async fn login(
    State(state): State<AppState>,
    client: ClientAddress,
    ApiJson(body): ApiJson<LoginBody>,
) -> ApiResult<impl IntoResponse> {
    let username = body.username.trim().to_owned();
    let address = client.throttle_key();
    // Before any password is checked: a name or address that must wait is refused unchecked,
    // and this attempt is counted as a failure until it proves otherwise (logins::begin).
    let (limits, now) = (state.config().login_limits, state.now());
    let (name, at) = (username.clone(), address.clone());
    let attempt = match state
        .call(move |db| logins::begin(db, now, &limits, &name, at.as_deref()))
        .await?
    {
        Ok(attempt) => attempt,
        Err(refused) => {
            let why = match refused.scope {
                Scope::Account => "too many failed logins for this name",
                Scope::Address => "too many failed logins from this address",
            };
            return Err(throttled(why, refused.retry_at, now));
        }
    };
    let typed = username.clone();
    let found = state
        .call(move |db| users::credentials(db, &username))
        .await?;
    let password = body.password;
    let (user, ok) = tokio::task::spawn_blocking(move || {
        let ok = verify_password(&password, found.as_ref().map(|(_, h)| h.as_str()));
        (found.map(|(u, _)| u), ok)
    })
    .await
    .map_err(|e| ApiError::Internal(format!("password check failed: {e}")))?;
    let Some(user) = user.filter(|_| ok) else {
        // The name as typed, never the password: who tried, for the audit log.
        let now = state.now();
        let retry_at = state
            .call(move |db| logins::failed(db, now, &typed, address.as_deref(), &attempt))
            .await?;
        return Err(match retry_at {
            Some(at) => throttled(
                "wrong username or password, and too many failed logins",
                at,
                now,
            ),
            None => ApiError::Unauthorized {
                code: ErrorCode::InvalidLogin,
                message: "wrong username or password".into(),
            },
        });
    };
    state
        .call(move |db| logins::succeeded(db, &attempt))
        .await?;
    let token = random_token("fps_");
    let now = state.now();
    let ttl = state.config().session_ttl;
    let (hash, opened) = (sha256_hex(&token), user.clone());
    state
        .call(move |db| users::open_session(db, now, &opened, &hash, now + ttl))
        .await?;
    let mut headers = HeaderMap::new();
    headers.insert(SET_COOKIE, cookie(&state, &token, ttl.num_seconds())?);
    Ok((headers, Json(Me::User { user })))
}

pub(super) async fn logout(
    State(state): State<AppState>,
    request_headers: HeaderMap,
) -> ApiResult<impl IntoResponse> {
    if let Some(token) = session_cookie(&request_headers) {
        let hash = sha256_hex(&token);
        state
            .call(move |db| users::close_session(db, &hash))
            .await?;
    }
    let mut headers = HeaderMap::new();
    headers.insert(SET_COOKIE, cookie(&state, "", 0)?);
    Ok((StatusCode::NO_CONTENT, headers))
}

pub(super) async fn me(Authenticated(caller): Authenticated) -> Json<Me> {
    Json(match caller {
        Caller::User(user) => Me::User { user },
        Caller::Device(d) => Me::Device {
            device_id: d.id.to_string(),
            unit_id: d.unit_id,
        },
    })
}

pub(super) async fn users(
    State(state): State<AppState>,
    _: SecretariatAdmin,
) -> ApiResult<Json<Vec<Account>>> {
    Ok(Json(state.call(users::accounts).await?))
}

#[derive(Debug, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserBody {
    username: String,
    password: String,
    role: Role,
    #[serde(default)]
    unit_id: Option<UnitId>,
    /// For a carrier's account (role `carrier`), and only then: its carrier.
    #[serde(default)]
    #[ts(optional = nullable)]
    carrier: Option<fieldpost_domain::Carrier>,
}

/// Shortest password accepted for a console user.
const MIN_PASSWORD: usize = 10;

/// 400 naming `password` unless it is long enough.
fn check_password(password: &str) -> ApiResult<()> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(ApiError::invalid(
            "password",
            format!("must be at least {MIN_PASSWORD} characters"),
        ));
    }
    Ok(())
}

/// An argon2 hash of `password`, made on a blocking thread (it is slow on purpose).
async fn hashed(password: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| ApiError::Internal(format!("hashing failed: {e}")))?
        .map_err(|e| ApiError::Internal(format!("hashing failed: {e}")))
}

pub(super) async fn create_user(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    ApiJson(body): ApiJson<UserBody>,
) -> ApiResult<(StatusCode, Json<User>)> {
    check_password(&body.password)?;
    let password_hash = hashed(body.password).await?;
    let new = NewUser {
        user: User {
            id: Uuid::now_v7(),
            username: body.username,
            role: body.role,
            unit_id: body.unit_id,
            carrier: body.carrier,
        },
        password_hash,
    };
    let (actor, now) = (admin.actor(), state.now());
    let user = state
        .call(move |db| users::create_user(db, &actor, now, &new))
        .await?;
    Ok((StatusCode::CREATED, Json(user)))
}

/// A change of an account's role, unit and carrier. Its login name stays; its password is
/// reset separately.
#[derive(Debug, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AccountBody {
    role: Role,
    /// The unit the account is confined to; absent or null: the secretariat (or a carrier).
    #[serde(default)]
    #[ts(optional = nullable)]
    unit_id: Option<UnitId>,
    /// For a carrier's account (role `carrier`), and only then: its carrier.
    #[serde(default)]
    #[ts(optional = nullable)]
    carrier: Option<fieldpost_domain::Carrier>,
}

pub(super) async fn update_user(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    PathId(UserIdSegment(id)): PathId<UserIdSegment>,
    ApiJson(body): ApiJson<AccountBody>,
) -> ApiResult<Json<Account>> {
    let (actor, now) = (admin.actor(), state.now());
    let change = AccountChange {
        role: body.role,
        unit_id: body.unit_id,
        carrier: body.carrier,
    };
    Ok(Json(
        state
            .call(move |db| users::change_account(db, &actor, now, id, change))
            .await?,
    ))
}

async fn set_disabled(
    state: &AppState,
    admin: &SecretariatAdmin,
    id: Uuid,
    disabled: bool,
) -> ApiResult<Json<Account>> {
    let (actor, now) = (admin.actor(), state.now());
    Ok(Json(
        state
            .call(move |db| users::set_disabled(db, &actor, now, id, disabled))
            .await?,
    ))
}

pub(super) async fn disable_user(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    PathId(UserIdSegment(id)): PathId<UserIdSegment>,
) -> ApiResult<Json<Account>> {
    set_disabled(&state, &admin, id, true).await
}

pub(super) async fn enable_user(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    PathId(UserIdSegment(id)): PathId<UserIdSegment>,
) -> ApiResult<Json<Account>> {
    set_disabled(&state, &admin, id, false).await
}

/// A new password for an account: the one typed, or none to have the server make one.
#[derive(Debug, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PasswordBody {
    /// The new password (at least 10 characters); absent or null: the server makes a random
    /// one and answers it once.
    #[serde(default)]
    #[ts(optional = nullable)]
    password: Option<String>,
}

/// The account whose password was reset, and the password the server made (shown once,
/// never stored in clear); `None` when the admin typed it.
#[derive(Debug, Serialize, TS, JsonSchema)]
pub(crate) struct PasswordReset {
    account: Account,
    generated: Option<String>,
}

pub(super) async fn reset_password(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    PathId(UserIdSegment(id)): PathId<UserIdSegment>,
    ApiJson(body): ApiJson<PasswordBody>,
) -> ApiResult<Json<PasswordReset>> {
    let (password, generated) = match body.password {
        Some(typed) => {
            check_password(&typed)?;
            (typed, None)
        }
        None => {
            let made = random_password();
            (made.clone(), Some(made))
        }
    };
    let password_hash = hashed(password).await?;
    let (actor, now) = (admin.actor(), state.now());
    let account = state
        .call(move |db| users::reset_password(db, &actor, now, id, &password_hash))
        .await?;
    Ok(Json(PasswordReset { account, generated }))
}
