//! The secretariat's root certificate on the tablet: `secretariat-ca.pem` in the data
//! directory is what enrollment and the sync loop trust besides Mozilla's roots.

use fieldpost_app_lib::state::{AppState, ROOT_CERTIFICATE_FILE};

const PEM: &str = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

#[test]
fn the_root_certificate_in_the_data_directory_is_trusted_by_the_sync() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(ROOT_CERTIFICATE_FILE), PEM).unwrap();
    let state = AppState::open(dir.path(), &dir.path().join("config"), None).unwrap();
    assert_eq!(
        state.sync_config.root_certificate_pem.as_deref(),
        Some(PEM.as_bytes()),
        "the file's bytes reach the sync loop's config as they are"
    );
}

#[test]
fn without_the_file_only_mozillas_roots_are_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let state = AppState::open(dir.path(), &dir.path().join("config"), None).unwrap();
    assert_eq!(state.sync_config.root_certificate_pem, None);
}

#[test]
fn an_unreadable_root_certificate_is_named_at_start() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the file should be: it exists but cannot be read as a file.
    std::fs::create_dir(dir.path().join(ROOT_CERTIFICATE_FILE)).unwrap();
    let error = AppState::open(dir.path(), &dir.path().join("config"), None).unwrap_err();
    assert_eq!(error.kind, "root_certificate");
    assert!(
        error.message.contains(ROOT_CERTIFICATE_FILE),
        "the message names the file: {}",
        error.message
    );
}
