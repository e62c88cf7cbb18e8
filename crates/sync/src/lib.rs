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
pub use error::{ErrorBody, ErrorCode, ErrorDetail};
pub use pull::{Change, PullQuery, PullResponse, Record, UnitProgress};
pub use push::{PushRequest, PushResponse, QuarantineCode, Quarantined};
