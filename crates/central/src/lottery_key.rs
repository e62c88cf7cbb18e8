//! The lottery's secret key: a file of its own beside the central, never a row of its
//! database (docs/decisions/2026-12-01-lottery-numbers.md).
//!
//! Tablets seal entrants' numbers to its public half; the central opens them with it when a
//! push applies (to keep one entry per phone) and when a carrier's winners are exported.
//! Deleting the file at the lottery's close makes every sealed copy unreadable, wherever it
//! was copied to. Several instances of the central share the file as they share a TLS key.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use fieldpost_domain::LotterySecretKey;

/// Why the key file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// Reading, writing or deleting the file failed.
    #[error("lottery key file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The failure.
        source: std::io::Error,
    },
    /// The file holds something that is not a key.
    #[error("lottery key file {path} does not hold a lottery key")]
    Malformed {
        /// The file.
        path: PathBuf,
    },
}

/// The key file and what was read of it.
#[derive(Debug)]
pub struct LotteryKeyFile {
    path: PathBuf,
    key: RwLock<Option<LotterySecretKey>>,
}

impl LotteryKeyFile {
    /// Reads the key at `path`, if the file exists; creates nothing.
    pub fn open(path: impl Into<PathBuf>) -> Result<LotteryKeyFile, KeyFileError> {
        let path = path.into();
        let key = read(&path)?;
        Ok(LotteryKeyFile {
            path,
            key: RwLock::new(key),
        })
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The key, if there is one.
    pub fn key(&self) -> Option<LotterySecretKey> {
        self.key.read().ok().and_then(|k| k.clone())
    }

    /// Reads the file again (another instance may have made the key since this one looked),
    /// and keeps what it found.
    pub fn reload(&self) -> Result<Option<LotterySecretKey>, KeyFileError> {
        let mut slot = self
            .key
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let key = read(&self.path)?;
        slot.clone_from(&key);
        Ok(key)
    }

    /// The key, made and written (mode 0600, synced) when there was none.
    pub fn get_or_create(&self) -> Result<LotterySecretKey, KeyFileError> {
        let mut slot = self
            .key
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(key) = slot.as_ref() {
            return Ok(key.clone());
        }
        // Another instance may have written it since this one looked.
        if let Some(key) = read(&self.path)? {
            *slot = Some(key.clone());
            return Ok(key);
        }
        let key = LotterySecretKey::generate();
        write_new(&self.path, &key).map_err(|source| KeyFileError::Io {
            path: self.path.clone(),
            source,
        })?;
        *slot = Some(key.clone());
        Ok(key)
    }

    /// Deletes the file (the lottery's close). Returns whether there was one.
    pub fn delete(&self) -> Result<bool, KeyFileError> {
        let mut slot = self
            .key
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *slot = None;
        // Overwrite the key's bytes before the name goes, so the file system's freed blocks
        // do not keep it (best effort: a copy-on-write file system may keep them anyway).
        if let Ok(mut file) = fs::OpenOptions::new().write(true).open(&self.path)
            && let Ok(meta) = file.metadata()
        {
            let zeros = vec![0u8; usize::try_from(meta.len()).unwrap_or(0)];
            let _ = file.write_all(&zeros).and_then(|()| file.sync_all());
        }
        match fs::remove_file(&self.path) {
            Ok(()) => {
                sync_dir(&self.path);
                Ok(true)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(source) => Err(KeyFileError::Io {
                path: self.path.clone(),
                source,
            }),
        }
    }
}

fn read(path: &Path) -> Result<Option<LotterySecretKey>, KeyFileError> {
    match fs::read_to_string(path) {
        Ok(text) => LotterySecretKey::parse(&text)
            .map(Some)
            .map_err(|_| KeyFileError::Malformed {
                path: path.to_owned(),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(KeyFileError::Io {
            path: path.to_owned(),
            source,
        }),
    }
}

fn write_new(path: &Path, key: &LotterySecretKey) -> std::io::Result<()> {
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        fs::create_dir_all(dir)?;
    }
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(key.to_text().as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()?;
    sync_dir(path);
    Ok(())
}

/// Makes a created or removed directory entry durable (best effort: not every platform can).
fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent()
        && let Ok(dir) = fs::File::open(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        })
    {
        let _ = dir.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_made_once_kept_in_its_file_and_gone_when_deleted() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("lottery.key");
        let file = LotteryKeyFile::open(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(file.key().is_none());
        let key = file.get_or_create().unwrap_or_else(|e| panic!("{e}"));
        let again = LotteryKeyFile::open(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again.key().map(|k| k.public_key()), Some(key.public_key()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = fs::metadata(&path).map(|m| m.permissions().mode() & 0o777);
            assert_eq!(mode.ok(), Some(0o600));
        }
        assert!(file.delete().unwrap_or_else(|e| panic!("{e}")));
        assert!(!path.exists());
        assert!(file.key().is_none());
        assert!(!file.delete().unwrap_or_else(|e| panic!("{e}")));
    }

    #[test]
    fn a_file_that_is_not_a_key_is_named() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("lottery.key");
        fs::write(&path, "not a key").unwrap_or_else(|e| panic!("{e}"));
        let err = LotteryKeyFile::open(&path).err().map(|e| e.to_string());
        assert!(err.is_some_and(|e| e.contains("does not hold a lottery key")));
    }
}
