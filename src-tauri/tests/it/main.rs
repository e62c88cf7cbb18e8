//! Integration tests of the station app's shell (no window needed).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod device_key;
mod trust;
mod typescript;
