//! Fieldpost's wire types: what the station and the central server say to each other over
//! HTTP, shared by both ends so that neither can drift from the other.
//!
//! This crate knows nothing of the server's storage or the station's store; it holds plain
//! serde types (with ts-rs derives for the console's TypeScript) built from the domain's
//! types, and the station's HTTP [`client`] for them. The central's side lives in
//! fieldpost-server; both follow the contract written out in [`push`] and [`pull`].
#![deny(missing_docs)]

pub mod client;
pub mod enroll;
pub mod error;
pub mod pull;
pub mod push;
pub mod typescript;

pub use enroll::{EnrollRequest, EnrollResponse};

/// How far a tablet's clock may be from the central's (seconds) before it counts as wrong:
/// more than the network's delays and a tablet's usual drift, far less than a wrong time zone.
/// The central corrects a wrong clock's times and flags them; the tablet tells its volunteer.
pub const CLOCK_TOLERANCE_SECONDS: i64 = 300;
pub use error::{ErrorBody, ErrorCode, ErrorDetail, ErrorFacts};
pub use pull::{Change, PullQuery, PullResponse, Record, UnitProgress};
pub use push::{PushRequest, PushResponse, QuarantineCode, Quarantined};
