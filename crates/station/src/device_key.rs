//! The device key: 32 random bytes in a file of their own, outside the store's directory,
//! under which the tablet keeps what a copy of its database must not reveal.
//!
//! A thief who copies the store (the SQLite file, its WAL) gets neither the bearer token nor a
//! way to try the 10^10 mobile numbers against the entrants' hashes: the token is stored
//! encrypted under a key derived from this one (ChaCha20-Poly1305, a fresh nonce each time),
//! and "one entry per phone" is kept by an HMAC-SHA256 under another key derived from it.
//! The file lives in the app's *config* directory while the store lives in its *data*
//! directory, is created with mode 0600, and never enters the database. A platform keystore
//! would plug in here. See `docs/decisions/2026-12-01-lottery-numbers.md`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use fieldpost_domain::MobileNumber;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{Error, Result};

/// The length of the key file, in bytes.
pub const DEVICE_KEY_LEN: usize = 32;

const SEALED_PREFIX: &str = "v1.";
const NONCE_LEN: usize = 12;

/// The tablet's device key, loaded from its file. `Debug` never prints it.
#[derive(Clone)]
pub struct DeviceKey {
    bytes: [u8; DEVICE_KEY_LEN],
    path: PathBuf,
}

impl std::fmt::Debug for DeviceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceKey")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl DeviceKey {
    /// Reads the key at `path`, or creates it (32 random bytes, mode 0600, its directory
    /// created with mode 0700) when there is none. A file of another length is refused
    /// rather than replaced: replacing it would make the stored token unreadable.
    pub fn load_or_create(path: &Path) -> Result<DeviceKey> {
        match read_key(path) {
            Ok(bytes) => {
                restrict(path)?;
                return Ok(DeviceKey {
                    bytes,
                    path: path.to_owned(),
                });
            }
            Err(KeyRead::Missing) => {}
            Err(KeyRead::Failed(e)) => return Err(e),
        }
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir)?;
        }
        let mut bytes = [0u8; DEVICE_KEY_LEN];
        rand::rng().fill_bytes(&mut bytes);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(path) {
            Ok(mut file) => {
                file.write_all(&bytes)
                    .and_then(|()| file.sync_all())
                    .map_err(|e| key_error(path, &format!("cannot write: {e}")))?;
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    // The key's directory entry must be durable before anything is stored
                    // under the key, or a power cut could leave a token nothing can open.
                    if let Ok(dir) = std::fs::File::open(dir) {
                        let _ = dir.sync_all();
                    }
                }
                Ok(DeviceKey {
                    bytes,
                    path: path.to_owned(),
                })
            }
            // Another process created it meanwhile: use theirs.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => match read_key(path) {
                Ok(bytes) => Ok(DeviceKey {
                    bytes,
                    path: path.to_owned(),
                }),
                Err(KeyRead::Missing) => Err(key_error(path, "vanished while being created")),
                Err(KeyRead::Failed(e)) => Err(e),
            },
            Err(e) => Err(key_error(path, &format!("cannot create: {e}"))),
        }
    }

    /// Where the key is kept.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn derived(&self, label: &[u8]) -> [u8; 32] {
        Sha256::new()
            .chain_update(label)
            .chain_update(self.bytes)
            .finalize()
            .into()
    }

    fn cipher(&self, label: &[u8]) -> ChaCha20Poly1305 {
        ChaCha20Poly1305::new(Key::from_slice(&self.derived(label)))
    }

    /// Encrypts `plain` for the store under the subkey `label`, bound to `context` (the
    /// column it is for, so a value cannot be moved to another): `v1.` + base64url of a fresh
    /// 12-byte nonce and the ciphertext.
    fn encrypt(&self, label: &[u8], context: &[u8], plain: &[u8]) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher(label)
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: context,
                },
            )
            // ChaCha20-Poly1305 fails only for messages beyond 256 GiB.
            .unwrap_or_default();
        let mut bytes = Vec::with_capacity(NONCE_LEN + sealed.len());
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&sealed);
        format!("{SEALED_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes))
    }

    fn decrypt(&self, label: &[u8], context: &[u8], text: &str, field: &str) -> Result<Vec<u8>> {
        let unreadable = || {
            Error::Corrupt(format!(
                "{field} does not open with the device key at {} (another tablet's key, or \
                 altered); enroll the tablet again",
                self.path.display()
            ))
        };
        let bytes = text
            .strip_prefix(SEALED_PREFIX)
            .and_then(|b| URL_SAFE_NO_PAD.decode(b).ok())
            .filter(|b| b.len() >= NONCE_LEN + 16)
            .ok_or_else(unreadable)?;
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        self.cipher(label)
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: context,
                },
            )
            .map_err(|_| unreadable())
    }

    /// The bearer token as stored: encrypted.
    pub(crate) fn seal_token(&self, token: &str) -> String {
        self.encrypt(TOKEN_KEY, TOKEN_CONTEXT, token.as_bytes())
    }

    /// The bearer token from its stored form.
    pub(crate) fn open_token(&self, sealed: &str) -> Result<String> {
        let plain = self.decrypt(TOKEN_KEY, TOKEN_CONTEXT, sealed, "device_identity.token")?;
        String::from_utf8(plain).map_err(|_| Error::Corrupt("device_identity.token".into()))
    }

    /// A number kept encrypted on the tablet while it waits for the central's lottery key
    /// (entrants migrated from before numbers were sealed; see `migrate.rs`).
    pub(crate) fn seal_waiting_phone(&self, number: &MobileNumber) -> String {
        self.encrypt(PHONE_KEY, PHONE_CONTEXT, number.expose().as_bytes())
    }

    /// The number [`DeviceKey::seal_waiting_phone`] encrypted.
    pub(crate) fn open_waiting_phone(&self, sealed: &str) -> Result<MobileNumber> {
        let plain = self.decrypt(PHONE_KEY, PHONE_CONTEXT, sealed, "entrant_awaiting_seal")?;
        let text = String::from_utf8(plain)
            .map_err(|_| Error::Corrupt("entrant_awaiting_seal.phone".into()))?;
        MobileNumber::parse(&text).map_err(|_| Error::Corrupt("entrant_awaiting_seal.phone".into()))
    }

    /// The keyed hash "one entry per phone" is kept by on this tablet: HMAC-SHA256 under a
    /// key derived from the device key, hex.
    pub(crate) fn phone_hash(&self, number: &MobileNumber) -> String {
        fieldpost_domain::sealed::keyed_hash(&self.derived(PHONE_HASH_KEY), number)
    }
}

const TOKEN_KEY: &[u8] = b"fieldpost-device-token-1\n";
const TOKEN_CONTEXT: &[u8] = b"device_identity.token";
const PHONE_KEY: &[u8] = b"fieldpost-device-phone-1\n";
const PHONE_CONTEXT: &[u8] = b"entrant_awaiting_seal.phone";
const PHONE_HASH_KEY: &[u8] = b"fieldpost-entrant-hash-1\n";

enum KeyRead {
    Missing,
    Failed(Error),
}

fn key_error(path: &Path, reason: &str) -> Error {
    Error::DeviceKey {
        path: path.display().to_string(),
        reason: reason.to_owned(),
    }
}

fn read_key(path: &Path) -> std::result::Result<[u8; DEVICE_KEY_LEN], KeyRead> {
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(KeyRead::Missing),
        Err(e) => {
            return Err(KeyRead::Failed(key_error(
                path,
                &format!("cannot read: {e}"),
            )));
        }
    };
    let mut bytes = Vec::with_capacity(DEVICE_KEY_LEN);
    Read::by_ref(&mut file)
        .take(DEVICE_KEY_LEN as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| KeyRead::Failed(key_error(path, &format!("cannot read: {e}"))))?;
    bytes.try_into().map_err(|b: Vec<u8>| {
        KeyRead::Failed(key_error(
            path,
            &format!("holds {} bytes, not {DEVICE_KEY_LEN}", b.len()),
        ))
    })
}

/// Takes group and other permissions off an existing key file (copied in with a umask's
/// defaults, say).
fn restrict(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|e| key_error(path, &format!("cannot read its permissions: {e}")))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| key_error(path, &format!("cannot make it private: {e}")))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(|e| key_error(dir, &format!("cannot create the key's directory: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_created_once_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config/device.key");
        let key = DeviceKey::load_or_create(&path).unwrap();
        let again = DeviceKey::load_or_create(&path).unwrap();
        assert_eq!(key.bytes, again.bytes, "the second open reads the same key");
        assert_eq!(std::fs::read(&path).unwrap().len(), DEVICE_KEY_LEN);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "only the app's user may read the key");
        }
        assert!(
            !format!("{key:?}").contains(&format!("{:?}", key.bytes)),
            "Debug never prints the key"
        );
    }

    #[test]
    fn a_damaged_key_file_is_refused_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("device.key");
        std::fs::write(&path, b"short").unwrap();
        let err = DeviceKey::load_or_create(&path).unwrap_err();
        assert_eq!(err.kind(), "device_key", "{err}");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"short",
            "the file is left for someone to look at"
        );
    }

    #[test]
    fn tokens_open_with_their_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let key = DeviceKey::load_or_create(&dir.path().join("a.key")).unwrap();
        let other = DeviceKey::load_or_create(&dir.path().join("b.key")).unwrap();
        let sealed = key.seal_token("fpd_secret");
        assert!(!sealed.contains("fpd_secret"));
        assert_ne!(
            sealed,
            key.seal_token("fpd_secret"),
            "a fresh nonce each time"
        );
        assert_eq!(key.open_token(&sealed).unwrap(), "fpd_secret");
        assert!(
            other.open_token(&sealed).is_err(),
            "another key opens nothing"
        );
        assert!(
            key.open_token("fpd_secret").is_err(),
            "plain text is not a sealed token"
        );
    }
}
