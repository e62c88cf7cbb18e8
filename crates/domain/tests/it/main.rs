//! Integration tests of fieldpost-domain.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod lottery;
mod typescript;
