//! Integration tests of fieldpost-station: the real migrations on real SQLite files.

mod support;

mod handouts;
mod outbox;
mod plans;
mod refusals;
mod sessions;
