//! The committed TypeScript types of the station window must match the Rust types they come
//! from (issue #5: "a test fails when they are stale").

use std::path::{Path, PathBuf};

fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/api/generated/station")
}

#[test]
fn generated_typescript_is_current() {
    if std::env::var_os("FIELDPOST_BLESS").is_some() {
        let dir = committed_dir();
        let _ = std::fs::remove_dir_all(&dir);
        fieldpost_app_lib::typescript::export_typescript(&dir).unwrap();
        return;
    }
    let fresh = tempfile::tempdir().unwrap();
    fieldpost_app_lib::typescript::export_typescript(fresh.path()).unwrap();
    assert!(
        fresh.path().join("CommandError.ts").exists(),
        "the export must include the command error"
    );
    let stale = fieldpost_domain::typescript::stale_files(&committed_dir(), fresh.path()).unwrap();
    assert!(
        stale.is_empty(),
        "ui/src/lib/api/generated/station is stale ({}): run `cargo xtask types`",
        stale.join(", ")
    );
}
