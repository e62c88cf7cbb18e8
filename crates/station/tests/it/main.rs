//! Integration tests of fieldpost-station: the real migrations on real SQLite files.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

mod clocks;
mod handouts;
mod lottery;
mod outbox;
mod plans;
mod refusals;
mod session_view;
mod sessions;
mod sync;
mod sync_loop;
mod top_ups;
