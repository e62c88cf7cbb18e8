//! End-to-end tests across real processes and files.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod crash;
