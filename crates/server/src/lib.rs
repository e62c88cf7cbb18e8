//! Fieldpost's central server: the HTTP API under `/api/v1` over the central's records
//! (`fieldpost-central`), for the secretariat's console and for the station tablets, with the
//! spreadsheets and posters of `fieldpost-sheets`, and the console's pages at `/`.
//!
//! [`app`] builds the axum router over an [`AppState`], so tests drive it with
//! `tower::ServiceExt::oneshot` and the binary serves it. This crate authenticates callers,
//! checks their scope, parses requests and answers errors; the records and their rules are
//! the central crate's.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use fieldpost_central::lottery_key::LotteryKeyFile;
//! use fieldpost_central::storage::sqlite::SqliteDatabase;
//! use fieldpost_server::{AppState, app};
//!
//! let dir = std::path::Path::new("/tmp/fieldpost-demo");
//! let store = Arc::new(SqliteDatabase::open_dir(dir)?);
//! let login = fieldpost_central::demo::start(store.as_ref(), dir, chrono::Utc::now())?;
//! let key = Arc::new(LotteryKeyFile::open(dir.join("lottery.key"))?);
//! fieldpost_central::lottery::prepare(store.as_ref(), &key, chrono::Utc::now())?;
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! axum::serve(listener, fieldpost_server::service(AppState::new(store, key))).await?;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod auth;
pub mod client;
pub mod enrollment;
pub mod error;
pub mod extract;
pub mod openapi;
mod routes;
pub mod state;
mod turns;
pub mod typescript;

use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::connect_info::IntoMakeServiceWithConnectInfo;
pub use error::ApiError;
pub use routes::Method;
pub use state::{AppState, Clock, Config};

/// The HTTP API over `state`: every route under `/api/v1`, JSON errors, the body limit, and
/// the refusal of cross-site changes ([`client::guard`]).
///
/// A handler that panics (a bug, never a client's doing: issue 14) answers a logged 500 with
/// the standard error body, and the server goes on serving: the outermost layer catches the
/// panic, where without it the connection would just drop. A panic inside a use case (on
/// tokio's blocking pool, see [`AppState::call`]) comes back as a 500 of its own.
pub fn app(state: AppState) -> Router {
    let limit = state.config().body_limit;
    routes::router()
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            client::guard,
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            error::answer_panic,
        ))
        .with_state(state)
}

/// [`app`] as `axum::serve` takes it, with each connection's peer address: what the login
/// throttling counts per client address (without it, only per login name).
pub fn service(state: AppState) -> IntoMakeServiceWithConnectInfo<Router, SocketAddr> {
    app(state).into_make_service_with_connect_info::<SocketAddr>()
}

/// Every route [`app`] serves, as (method, path under `/api/v1`).
pub fn route_table() -> Vec<(Method, &'static str)> {
    routes::table()
}
