//! Fieldpost's central server: the secretariat's records (campaign, sections, units and their
//! quotas, items and the stock ledger, activity plans and per-device grants, daily
//! collection counts, devices, console users, the audit log) behind an HTTP API under
//! `/api/v1` for the console and for the station tablets.
//!
//! [`app`] builds the axum router over an [`AppState`], so tests drive it with
//! `tower::ServiceExt::oneshot` and the binary serves it. Storage sits behind the narrow
//! [`store::Store`] trait; [`store::sqlite::SqliteStore`] is the embedded default and a
//! PostgreSQL backend can implement the same trait.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use fieldpost_server::{AppState, app, store::sqlite::SqliteStore};
//!
//! let dir = std::path::Path::new("/tmp/fieldpost-demo");
//! let store = Arc::new(SqliteStore::open_dir(dir)?);
//! let login = fieldpost_server::demo::start(store.as_ref(), dir, chrono::Utc::now())?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! axum::serve(listener, app(AppState::new(store))).await?;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod auth;
pub mod demo;
pub mod enrollment;
pub mod error;
pub mod export;
pub mod extract;
pub mod import;
pub mod openapi;
pub mod posters;
mod routes;
pub mod state;
pub mod store;
#[cfg(feature = "testkit")]
pub mod testkit;
mod turns;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use error::{ApiError, StoreError};
pub use routes::Method;
pub use state::{AppState, Clock, Config};

use store::{Actor, NewUser, Role, Store, User};

/// The HTTP API over `state`: every route under `/api/v1`, JSON errors, the body limit.
pub fn app(state: AppState) -> Router {
    let limit = state.config().body_limit;
    routes::router()
        .layer(DefaultBodyLimit::max(limit))
        .with_state(state)
}

/// Every route [`app`] serves, as (method, path under `/api/v1`).
pub fn route_table() -> Vec<(Method, &'static str)> {
    routes::table()
}

/// On a central with no console user yet, creates `admin` with a random password and returns
/// the login, to be printed once: only its argon2 hash is stored.
pub fn bootstrap_admin(
    store: &dyn Store,
    now: DateTime<Utc>,
) -> Result<Option<(String, String)>, StoreError> {
    if !store.users()?.is_empty() {
        return Ok(None);
    }
    let password = auth::random_password();
    let password_hash = auth::hash_password(&password)
        .map_err(|e| StoreError::Corrupt(format!("password hashing: {e}")))?;
    let user = store.create_user(
        &Actor::System("bootstrap"),
        now,
        NewUser {
            user: User {
                id: Uuid::now_v7(),
                username: demo::ADMIN_USERNAME.into(),
                role: Role::Admin,
                unit_id: None,
            },
            password_hash,
        },
    )?;
    Ok(Some((user.username, password)))
}
