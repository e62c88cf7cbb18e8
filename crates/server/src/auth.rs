//! Credentials: device bearer tokens, console sessions, passwords and enrollment codes, and
//! the [`Caller`] extractor that every protected handler takes.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use fieldpost_domain::UnitId;
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use crate::store::{Actor, DeviceAuth, Role, User};

/// The console's session cookie.
pub const SESSION_COOKIE: &str = "fieldpost_session";

/// A fresh high-entropy secret (256 bits), hex-encoded, with a readable prefix.
pub fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let mut s = String::with_capacity(prefix.len() + 64);
    s.push_str(prefix);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// SHA-256, hex. Right for tokens and codes: they are random and high-entropy, so a slow
/// hash would add nothing but latency to every request.
pub fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Letters and digits that cannot be confused when read aloud or typed (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A one-time enrollment code: 12 symbols (~59 bits), shown as `XXXX-XXXX-XXXX`.
pub fn enrollment_code() -> String {
    let mut rng = rand::rng();
    let mut s = String::with_capacity(14);
    for i in 0..12 {
        if i > 0 && i % 4 == 0 {
            s.push('-');
        }
        let k = rng.random_range(0..CODE_ALPHABET.len());
        s.push(char::from(CODE_ALPHABET[k]));
    }
    s
}

/// The hash under which an enrollment code is stored; ignores case, dashes and spaces.
pub fn enrollment_code_hash(code: &str) -> String {
    let normalized: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    sha256_hex(&normalized)
}

/// An argon2id PHC string for a password.
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let salt = SaltString::encode_b64(&bytes)?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Whether `password` matches a stored PHC string. With `None` (an unknown user) it still
/// does the work of one verification, so that timing does not tell which users exist.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("dummy").unwrap_or_default());
    let phc = stored.unwrap_or(dummy);
    let ok = PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false);
    ok && stored.is_some()
}

/// A readable random password for generated accounts (16 symbols, ~79 bits).
pub fn random_password() -> String {
    let mut rng = rand::rng();
    (0..16)
        .map(|_| char::from(CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())]))
        .collect::<String>()
        .to_lowercase()
}

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

impl Caller {
    /// As the audit log names it.
    pub fn actor(&self) -> Actor {
        match self {
            Caller::User(u) => Actor::User {
                id: u.id,
                username: u.username.clone(),
            },
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
            Caller::User(u) if u.unit_id.is_none() => Ok(u),
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

fn unauthorized(code: &'static str, message: &str) -> ApiError {
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

/// A device's bearer token as presented, revoked or not: what a push accepts. A revoked
/// (lost) device's late events are still stored, because the facts they record happened; every
/// other endpoint takes [`Caller`], which refuses revoked devices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushingDevice(pub DeviceAuth);

impl FromRequestParts<AppState> for PushingDevice {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<PushingDevice> {
        let token = bearer(parts)?.ok_or_else(|| {
            unauthorized(
                "unauthenticated",
                "a push needs the device's Authorization: Bearer token",
            )
        })?;
        let hash = sha256_hex(&token);
        let device = state
            .run(move |s| s.device_by_token(&hash))
            .await?
            .ok_or_else(|| unauthorized("invalid_credential", "unknown device token"))?;
        Ok(PushingDevice(device))
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
                "invalid_credential",
                "expected Authorization: Bearer <token>",
            )
        })
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Caller> {
        if let Some(token) = bearer(parts)? {
            let hash = sha256_hex(&token);
            let device = state
                .run(move |s| s.device_by_token(&hash))
                .await?
                .ok_or_else(|| unauthorized("invalid_credential", "unknown device token"))?;
            if device.revoked {
                return Err(unauthorized(
                    "device_revoked",
                    "this device has been revoked",
                ));
            }
            return Ok(Caller::Device(device));
        }
        if let Some(token) = session_cookie(&parts.headers) {
            let hash = sha256_hex(&token);
            let now = state.now();
            let user = state
                .run(move |s| s.session_user(now, &hash))
                .await?
                .ok_or_else(|| {
                    unauthorized("invalid_session", "the session has expired; log in again")
                })?;
            return Ok(Caller::User(user));
        }
        Err(unauthorized(
            "unauthenticated",
            "log in, or send a device's Authorization: Bearer token",
        ))
    }
}
