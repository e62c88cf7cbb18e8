//! Issue 12: the device key that encrypts the token lives in the config directory, never
//! beside the store in the data directory.

use fieldpost_app_lib::state::{AppState, DEVICE_KEY_FILE, STORE_FILE};

#[test]
fn the_device_key_is_created_in_the_config_directory_only() {
    let dir = tempfile::tempdir().unwrap();
    let (data, config) = (dir.path().join("data"), dir.path().join("config"));
    let state = AppState::open(&data, &config, None).unwrap();
    drop(state);
    let key = config.join(DEVICE_KEY_FILE);
    assert_eq!(std::fs::read(&key).unwrap().len(), 32, "32 random bytes");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "readable by the app's user only");
    }
    let beside: Vec<String> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        beside.iter().all(|f| f.starts_with(STORE_FILE)),
        "the data directory holds the store only: {beside:?}"
    );
}

#[test]
fn a_config_directory_that_is_the_data_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let error = AppState::open(dir.path(), dir.path(), None).unwrap_err();
    assert_eq!(error.kind, "device_key_beside_store", "{}", error.message);
}

/// A platform that gives one directory for config and data (Android's app-private files may)
/// gets the key in a `keys` directory inside it: the app starts, the key is not beside the
/// store.
#[test]
fn one_directory_for_both_puts_the_key_in_a_keys_directory() {
    let dir = tempfile::tempdir().unwrap();
    let config = fieldpost_app_lib::key_dir(dir.path().to_path_buf(), dir.path());
    assert_eq!(config, dir.path().join("keys"));
    let other = dir.path().join("config");
    assert_eq!(fieldpost_app_lib::key_dir(other.clone(), dir.path()), other);
    let state = AppState::open(dir.path(), &config, None).unwrap();
    drop(state);
    assert!(config.join(DEVICE_KEY_FILE).exists());
    assert!(!dir.path().join(DEVICE_KEY_FILE).exists());
}
