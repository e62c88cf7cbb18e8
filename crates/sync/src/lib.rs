//! Fieldpost's wire types: what the station and the central server say to each other over
//! HTTP, shared by both ends so that neither can drift from the other.
//!
//! This crate knows nothing of the server's storage or the station's store; it holds plain
//! serde types (with ts-rs derives for the console's TypeScript) built from the domain's
//! types. The push/pull types and the HTTP client join it with the sync issue.
#![deny(missing_docs)]

pub mod enroll;
pub mod error;
pub mod typescript;

pub use enroll::{EnrollRequest, EnrollResponse};
pub use error::{ErrorBody, ErrorDetail};
