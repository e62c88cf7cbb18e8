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

/// What differs between the committed TypeScript files in `committed` and a fresh export in
/// `fresh`: the names of the files missing, left over or changed, in name order. The tests of
/// every crate that exports types use it to fail when the committed files are stale.
pub fn stale_files(committed: &Path, fresh: &Path) -> std::io::Result<Vec<String>> {
    let (committed, fresh) = (ts_files(committed)?, ts_files(fresh)?);
    let mut names: Vec<&String> = committed.keys().chain(fresh.keys()).collect();
    names.sort();
    names.dedup();
    Ok(names
        .into_iter()
        .filter(|name| committed.get(*name) != fresh.get(*name))
        .cloned()
        .collect())
}

/// The `.ts` files directly in `dir` and their text (none when `dir` does not exist).
fn ts_files(dir: &Path) -> std::io::Result<std::collections::BTreeMap<String, String>> {
    let mut files = std::collections::BTreeMap::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(files),
        Err(e) => return Err(e),
    };
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "ts")
            && let Some(name) = path.file_name()
        {
            files.insert(
                name.to_string_lossy().into_owned(),
                std::fs::read_to_string(&path)?,
            );
        }
    }
    Ok(files)
}
