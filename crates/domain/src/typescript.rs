//! The UI's TypeScript types, generated from these Rust types with ts-rs.
//!
//! The generated files are committed under `ui/src/lib/api/generated/`; the test below fails
//! when they are stale, and `cargo xtask types` rewrites them.

use std::path::Path;

use ts_rs::{Config, ExportError, TS};

use crate::*;

/// Writes the TypeScript declaration of every domain type the UI sees into `dir`, one file
/// per type. 64-bit integers become `number`: none of ours comes near 2^53.
pub fn export_typescript(dir: &Path) -> Result<(), ExportError> {
    let cfg = Config::new().with_out_dir(dir).with_large_int("number");
    Campaign::export_all(&cfg)?;
    Section::export_all(&cfg)?;
    Unit::export_all(&cfg)?;
    Item::export_all(&cfg)?;
    ActivityPlan::export_all(&cfg)?;
    PlanContent::export_all(&cfg)?;
    PlanAction::export_all(&cfg)?;
    Grant::export_all(&cfg)?;
    EscrowPosition::export_all(&cfg)?;
    DeviceEvent::export_all(&cfg)?;
    TopUpAnswer::export_all(&cfg)?;
    Ok(())
}
