//! End-to-end tests across real processes, files and loopback HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod clocks;
mod crash;
mod faults;
mod https;
mod kill_central;
mod load;
mod partitions;
mod pipelining;
mod process;
mod sealed_entrants;
mod token_rotation;
mod two_instances;
mod upgrade;
