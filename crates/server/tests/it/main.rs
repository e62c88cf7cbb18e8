//! fieldpost-server's integration tests: real SQLite files, real migrations, the real router.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod accounts;
mod assessment;
mod backup;
mod bulletins;
mod console;
mod demo;
mod draw;
mod enrollment;
mod field_paths;
mod ledger_prop;
mod logins;
mod lottery;
mod no_panic;
mod openapi;
mod panics;
mod plans;
mod refusals;
mod scope;
mod socket;
mod stock_console;
mod store;
mod support;
mod sync;
mod tokens;
mod top_ups;
mod typescript;
