//! The OpenAPI document served at `/api/v1/openapi.json`.
//!
//! Hand-written (utoipa would need schema derives on the domain's types): the integration
//! test `openapi` fails when a route exists that the document lacks, or the reverse.

/// The document, as served.
pub const DOCUMENT: &str = include_str!("openapi.json");
