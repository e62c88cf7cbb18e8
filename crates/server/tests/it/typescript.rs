//! The committed TypeScript types must match the Rust types they come from.

use std::path::{Path, PathBuf};

fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/api/generated/console")
}

#[test]
fn generated_typescript_is_current() {
    if std::env::var_os("FIELDPOST_BLESS").is_some() {
        let dir = committed_dir();
        let _ = std::fs::remove_dir_all(&dir);
        fieldpost_server::typescript::export_typescript(&dir).unwrap();
        return;
    }
    let fresh = tempfile::tempdir().unwrap();
    fieldpost_server::typescript::export_typescript(fresh.path()).unwrap();
    assert!(
        std::fs::read_dir(fresh.path()).unwrap().next().is_some(),
        "the export must produce files"
    );
    let stale = fieldpost_domain::typescript::stale_files(&committed_dir(), fresh.path()).unwrap();
    assert!(
        stale.is_empty(),
        "ui/src/lib/api/generated/console is stale ({}): run `cargo xtask types`",
        stale.join(", ")
    );
}
