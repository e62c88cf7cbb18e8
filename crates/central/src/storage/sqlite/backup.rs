//! Online backups of the central's SQLite file with SQLite's backup API, safe while the
//! central serves writes (from the same process or from another one, e.g.
//! `fieldpost-server backup`).
//!
//! The copy is taken from one read transaction on a connection of its own: in WAL mode a
//! reader never blocks the writer, and the snapshot stays fixed, so a busy writer cannot make
//! the backup restart forever. (Without it each step opens a read transaction of its own, and
//! any commit between two steps restarts the copy from page 1: under a writer committing
//! every few milliseconds it never finished, see the server's `backup` tests.) The price is
//! that checkpoints cannot pass the snapshot until the copy ends, so the WAL grows meanwhile.
//! Pages are copied a few at a time with a short pause between steps, so the copy does not
//! hog the disk that the writer fsyncs every commit to.
//!
//! The copy is written to `FILE.partial`, switched to a rollback journal (one self-contained
//! file, no `-wal` beside it), checked with `PRAGMA integrity_check`, fsynced, and only then
//! renamed to `FILE`: a file under the name asked for is always a whole, checked copy.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};

use crate::storage::{StorageError, StorageResult};

/// How a backup runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupOptions {
    /// Replace the target when it exists (otherwise an existing target is refused).
    pub force: bool,
    /// Pages copied per step (at least 1).
    pub pages_per_step: u32,
    /// Pause between steps, leaving the disk to the central's writer.
    pub pause: Duration,
    /// How long the source may stay busy or locked in a row before the backup gives up.
    pub busy_limit: Duration,
}

impl Default for BackupOptions {
    /// No overwriting; 256 pages (4 MiB at the central's 16 KiB pages) per step, 10 ms apart;
    /// give up after 30 s of a busy source.
    fn default() -> Self {
        BackupOptions {
            force: false,
            pages_per_step: 256,
            pause: Duration::from_millis(10),
            busy_limit: Duration::from_secs(30),
        }
    }
}

/// What a finished backup holds, read back from the copy itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    /// The copy (the target asked for).
    pub path: PathBuf,
    /// Its pages (`PRAGMA page_count`).
    pub pages: u64,
    /// Its page size in bytes.
    pub page_size: u64,
    /// Its size on disk in bytes.
    pub bytes: u64,
    /// The last migration recorded in it (`schema_migrations`).
    pub schema_version: i64,
    /// Steps the copy took.
    pub steps: u64,
    /// How long the copy, the check and the fsyncs took.
    pub elapsed: Duration,
}

fn failed(message: String) -> StorageError {
    StorageError::Failed(message)
}

/// `path` with `suffix` appended to its file name (`c.sqlite3` → `c.sqlite3.partial`).
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name: OsString = path.file_name().unwrap_or_default().to_owned();
    name.push(suffix);
    path.with_file_name(name)
}

/// The `.partial` file and its journal, removed unless the backup got to renaming it.
struct Partial {
    path: PathBuf,
    keep: bool,
}

impl Partial {
    fn sidecars(&self) -> [PathBuf; 4] {
        [
            self.path.clone(),
            with_suffix(&self.path, "-journal"),
            with_suffix(&self.path, "-wal"),
            with_suffix(&self.path, "-shm"),
        ]
    }

    fn remove(&self) -> std::io::Result<()> {
        for p in self.sidecars() {
            match std::fs::remove_file(&p) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }
}

impl Drop for Partial {
    fn drop(&mut self) {
        if !self.keep {
            // Best effort: the error that got us here is the one to report.
            let _ = self.remove();
        }
    }
}

/// Copies the central database at `source` to `dest` while it may be serving writes, and
/// checks the copy. The source is only read, on a read-only connection of its own; it must
/// exist (nothing is created). `dest` must not exist unless `options.force`, and its
/// directory must. The copy is a whole central: [`super::SqliteDatabase::open`] opens it.
///
/// Errors name the path at fault and the reason. On any error nothing is left at
/// `dest.partial`, and `dest` holds either the whole, checked copy (only the final fsync of
/// its directory failed) or what it held before.
pub fn backup_file(
    source: &Path,
    dest: &Path,
    options: &BackupOptions,
) -> StorageResult<BackupReport> {
    let started = Instant::now();
    let source_real = std::fs::canonicalize(source)
        .map_err(|e| failed(format!("no central database at {}: {e}", source.display())))?;
    if !source_real.is_file() {
        return Err(failed(format!(
            "{} is not a database file",
            source.display()
        )));
    }
    let dest = check_target(&source_real, dest, options.force)?;
    let mut partial = Partial {
        path: with_suffix(&dest, ".partial"),
        keep: false,
    };
    // A `.partial` is never a backup: one left by a killed run goes.
    partial.remove().map_err(|e| {
        failed(format!(
            "cannot remove the stale {}: {e}",
            partial.path.display()
        ))
    })?;

    let src = Connection::open_with_flags(
        &source_real,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| failed(format!("cannot open {}: {e}", source.display())))?;
    src.busy_timeout(Duration::from_secs(5))
        .map_err(|e| failed(format!("cannot open {}: {e}", source.display())))?;
    let mut dst = Connection::open(&partial.path)
        .map_err(|e| failed(format!("cannot create {}: {e}", partial.path.display())))?;

    // One read transaction for the whole copy: a fixed snapshot, started by reading the
    // schema version (which also tells a central from any other SQLite file).
    let snapshot = src
        .unchecked_transaction()
        .map_err(|e| failed(format!("cannot read {}: {e}", source.display())))?;
    let version = schema_version(&snapshot).map_err(|e| {
        failed(format!(
            "{} is not a central database: {e}",
            source.display()
        ))
    })?;
    let steps = copy_pages(&snapshot, &mut dst, options).map_err(|e| {
        failed(format!(
            "backup of {} into {} failed: {e}",
            source.display(),
            partial.path.display()
        ))
    })?;
    drop(snapshot);
    drop(src);

    let copy = check_copy(&dst).map_err(|e| failed(format!("{}: {e}", partial.path.display())))?;
    if copy.version != version {
        return Err(failed(format!(
            "{}: schema version {} in the copy, {version} in {}",
            partial.path.display(),
            copy.version,
            source.display()
        )));
    }
    dst.close()
        .map_err(|(_, e)| failed(format!("cannot close {}: {e}", partial.path.display())))?;
    // The copy was committed with synchronous=FULL already; this makes sure of the whole file.
    let bytes = sync_file(&partial.path)
        .map_err(|e| failed(format!("cannot fsync {}: {e}", partial.path.display())))?;

    if !options.force && dest.exists() {
        return Err(exists(&dest));
    }
    std::fs::rename(&partial.path, &dest).map_err(|e| {
        failed(format!(
            "cannot rename {} to {}: {e}",
            partial.path.display(),
            dest.display()
        ))
    })?;
    partial.keep = true;
    sync_dir(&dest).map_err(|e| {
        failed(format!(
            "cannot fsync the directory of {}: {e}",
            dest.display()
        ))
    })?;
    Ok(BackupReport {
        path: dest,
        pages: copy.pages,
        page_size: copy.page_size,
        bytes,
        schema_version: version,
        steps,
        elapsed: started.elapsed(),
    })
}

fn exists(dest: &Path) -> StorageError {
    failed(format!(
        "{} already exists; not overwriting it (force to replace it)",
        dest.display()
    ))
}

/// The target as an absolute path in an existing directory, never the source itself, and not
/// an existing file unless `force`.
fn check_target(source_real: &Path, dest: &Path, force: bool) -> StorageResult<PathBuf> {
    let name = dest
        .file_name()
        .ok_or_else(|| failed(format!("{} does not name a file", dest.display())))?;
    let dir = match dest.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let dir = std::fs::canonicalize(dir).map_err(|e| {
        failed(format!(
            "cannot write {}: its directory {}: {e}",
            dest.display(),
            dir.display()
        ))
    })?;
    let target = dir.join(name);
    let sidecars = ["", "-wal", "-shm", "-journal"].map(|s| with_suffix(source_real, s));
    if sidecars.contains(&target) {
        return Err(failed(format!(
            "{} is the central's own database; back up to another file",
            dest.display()
        )));
    }
    match std::fs::symlink_metadata(&target) {
        Ok(meta) if meta.is_dir() => Err(failed(format!("{} is a directory", dest.display()))),
        Ok(_) if !force => Err(exists(dest)),
        Ok(_) => Ok(target),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(target),
        Err(e) => Err(failed(format!("cannot check {}: {e}", dest.display()))),
    }
}

/// The last migration recorded in a central database.
fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT MAX(version) FROM schema_migrations", [], |r| {
        r.get::<_, Option<i64>>(0)
    })
    .map(|v| v.unwrap_or(0))
}

/// Copies every page of `src`'s main database into `dst`, `options.pages_per_step` at a time.
/// Returns the number of steps.
fn copy_pages(
    src: &Connection,
    dst: &mut Connection,
    options: &BackupOptions,
) -> Result<u64, String> {
    let backup = Backup::new(src, dst).map_err(|e| e.to_string())?;
    let pages = i32::try_from(options.pages_per_step.max(1)).unwrap_or(i32::MAX);
    let mut steps = 0u64;
    let mut busy_since: Option<Instant> = None;
    loop {
        let step = backup.step(pages).map_err(|e| e.to_string())?;
        steps += 1;
        match step {
            StepResult::Done => return Ok(steps),
            StepResult::More => busy_since = None,
            StepResult::Busy | StepResult::Locked => {
                let since = *busy_since.get_or_insert_with(Instant::now);
                if since.elapsed() > options.busy_limit {
                    return Err(format!(
                        "the source stayed locked for more than {:?}",
                        options.busy_limit
                    ));
                }
            }
            // StepResult is non-exhaustive; anything new is treated as "try again".
            _ => {}
        }
        thread::sleep(options.pause);
    }
}

/// What the copy holds, read back from it.
struct CopyFacts {
    pages: u64,
    page_size: u64,
    version: i64,
}

/// Makes the finished copy one self-contained file (rollback journal: nothing beside it to
/// lose), then checks it: `PRAGMA integrity_check` must answer `ok`.
fn check_copy(dst: &Connection) -> Result<CopyFacts, String> {
    let mode: String = dst
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
        .map_err(|e| format!("cannot leave WAL mode: {e}"))?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(format!("journal mode stayed {mode}"));
    }
    let problems: Vec<String> = dst
        .prepare("PRAGMA integrity_check")
        .and_then(|mut s| {
            s.query_map([], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<String>>>()
        })
        .map_err(|e| format!("integrity_check failed to run: {e}"))?;
    if problems != ["ok"] {
        return Err(format!(
            "integrity_check of the copy failed: {}",
            problems.join("; ")
        ));
    }
    let read = |sql: &str| -> Result<i64, String> {
        dst.query_row(sql, [], |r| r.get(0))
            .map_err(|e| format!("{sql}: {e}"))
    };
    let pages = read("PRAGMA page_count")?;
    let page_size = read("PRAGMA page_size")?;
    let version = schema_version(dst).map_err(|e| format!("no schema version: {e}"))?;
    Ok(CopyFacts {
        pages: u64::try_from(pages).map_err(|e| e.to_string())?,
        page_size: u64::try_from(page_size).map_err(|e| e.to_string())?,
        version,
    })
}

/// fsyncs a file; returns its size.
fn sync_file(path: &Path) -> std::io::Result<u64> {
    let file = std::fs::OpenOptions::new().write(true).open(path)?;
    file.sync_all()?;
    Ok(file.metadata()?.len())
}

/// fsyncs the directory holding `path`, so the rename survives a power cut.
#[cfg(unix)]
fn sync_dir(path: &Path) -> std::io::Result<()> {
    match path.parent() {
        Some(dir) => std::fs::File::open(dir)?.sync_all(),
        None => Ok(()),
    }
}

/// Windows has no directory handles to fsync; its rename is journaled by NTFS.
#[cfg(not(unix))]
fn sync_dir(_path: &Path) -> std::io::Result<()> {
    Ok(())
}
