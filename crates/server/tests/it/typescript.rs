//! The committed TypeScript types must match the Rust types they come from.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn committed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/api/generated/console")
}

fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "ts") {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            files.insert(name, std::fs::read_to_string(&path).unwrap());
        }
    }
    files
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
    let expected = read_tree(fresh.path());
    let committed = read_tree(&committed_dir());
    assert!(!expected.is_empty(), "the export must produce files");
    assert_eq!(
        committed.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "ui/src/lib/api/generated/console is stale: run `cargo xtask types`"
    );
    for (name, text) in &expected {
        assert_eq!(
            committed.get(name),
            Some(text),
            "{name} is stale: run `cargo xtask types`"
        );
    }
}
