//! `fieldpost-server backup`: an online copy of the central's SQLite file, taken with SQLite's
//! backup API while the central may be serving writes, checked, and published under its name
//! only when whole. Real files throughout; the CLI runs as its own process.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use fieldpost_central::audit::Actor;
use fieldpost_central::plans::DeviceShare;
use fieldpost_central::storage::sqlite::{
    BackupOptions, DATABASE_FILE, PAGE_SIZE, SqliteDatabase, backup_file, migrate,
};
use fieldpost_central::testkit::{self, Direct};
use fieldpost_central::{campaign, records};
use fieldpost_domain::{EventPayload, Handout, HandoutId, ItemId, SessionId};
use rusqlite::{Connection, OpenFlags};

use crate::support::push_events;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2022, 8, 6, 2, 0, 0).unwrap()
}

/// A central with records in `data_dir`: the test world with two units and two gifts in
/// stock, two enrolled tablets under an approved plan, and `handouts` handouts pushed by each.
struct Seeded {
    store: Arc<SqliteDatabase>,
    mask: ItemId,
}

fn seeded_central(data_dir: &Path, handouts: usize) -> Seeded {
    let store = Arc::new(SqliteDatabase::open_dir(data_dir).unwrap());
    let t = now();
    let (mut world, section) = testkit::world(t - chrono::Duration::days(1));
    let unit = world.unit(section, "单位甲", 600, "https://s.example/a");
    world.unit(section, "单位乙", 400, "https://s.example/b");
    let mask = world.gift("mask", "口罩", "份");
    let kit = world.gift("kit", "网安四宝", "份");
    world.receive(mask, 5_000, None);
    world.receive(kit, 100, Some("捐赠".into()));
    world.apply(store.as_ref(), t).unwrap();
    let tablets: Vec<_> = (1..=2)
        .map(|i| testkit::enroll(store.as_ref(), t, unit, &format!("平板 {i}")).unwrap())
        .collect();
    let grants: Vec<DeviceShare> = tablets
        .iter()
        .map(|d| DeviceShare {
            device_id: d.device_id,
            item_id: mask,
            quantity: 1_000,
        })
        .collect();
    let plan = testkit::approved_plan(
        store.as_ref(),
        t,
        unit,
        t - chrono::Duration::days(1),
        t + chrono::Duration::days(1),
        &grants,
    )
    .unwrap();
    for tablet in &tablets {
        let session = SessionId::new();
        let payloads = (0..handouts)
            .map(|_| EventPayload::HandoutRecorded {
                handout: Handout {
                    id: HandoutId::new(),
                    session_id: session,
                    plan_id: plan,
                    item_id: mask,
                    quantity: 1,
                    handed_out_at: t,
                    over_grant_reason: None,
                },
            })
            .collect();
        let out = push_events(store.as_ref(), t, tablet.device_id, payloads);
        assert!(out.quarantined.is_empty(), "{:?}", out.quarantined);
    }
    Seeded { store, mask }
}

/// Rows per table of the database at `path`, read on a read-only connection.
fn table_rows(path: &Path) -> Vec<(String, i64)> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables
        .into_iter()
        .map(|t| {
            let n = conn
                .query_row(&format!("SELECT COUNT(*) FROM \"{t}\""), [], |r| r.get(0))
                .unwrap();
            (t, n)
        })
        .collect()
}

fn ledger_rows(db: &SqliteDatabase) -> usize {
    db.ledger(None, 0, u32::MAX).unwrap().len()
}

fn partial_of(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap().to_owned();
    name.push(".partial");
    path.with_file_name(name)
}

/// Only `expected` files are in `dir`: nothing half-written, no journal or WAL beside a copy.
fn assert_files(dir: &Path, expected: &[&str]) {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
    expected.sort();
    assert_eq!(names, expected, "the files in {}", dir.display());
}

fn cli(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fieldpost-server"))
        .arg("backup")
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_backup_holds_the_same_records_and_opens_as_a_central() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let seeded = seeded_central(&data, 30);
    let copy_path = out.join("central-backup.sqlite3");

    let report = seeded
        .store
        .backup_to(
            &copy_path,
            &BackupOptions {
                pages_per_step: 2,
                pause: Duration::from_millis(1),
                ..BackupOptions::default()
            },
        )
        .unwrap();

    assert_eq!(report.path, std::fs::canonicalize(&copy_path).unwrap());
    assert_eq!(
        report.schema_version,
        migrate::MIGRATIONS.last().unwrap().0,
        "the copy is at the newest migration"
    );
    assert_eq!(
        report.page_size, PAGE_SIZE as u64,
        "the copy keeps the pages"
    );
    assert_eq!(report.bytes, report.pages * report.page_size);
    assert_eq!(report.bytes, std::fs::metadata(&copy_path).unwrap().len());
    assert!(
        report.steps > 1,
        "two pages a step take several steps: {report:?}"
    );
    assert_files(&out, &["central-backup.sqlite3"]);

    let source = seeded.store.path().to_owned();
    assert_eq!(
        table_rows(&copy_path),
        table_rows(&source),
        "every table holds the same rows"
    );
    let copy = SqliteDatabase::open(&copy_path).unwrap();
    let store = seeded.store.as_ref();
    assert_eq!(campaign::units(&copy, None).unwrap().len(), 2);
    assert_eq!(
        campaign::units(&copy, None).unwrap(),
        campaign::units(store, None).unwrap()
    );
    assert_eq!(
        campaign::items(&copy).unwrap(),
        campaign::items(store).unwrap()
    );
    assert_eq!(ledger_rows(&copy), ledger_rows(store));
    assert_eq!(copy.stock().unwrap(), store.stock().unwrap());
    let handed_out = |db: &SqliteDatabase| {
        records::handout_lines(db, None)
            .unwrap()
            .iter()
            .map(|l| l.quantity)
            .sum::<u32>()
    };
    assert_eq!(
        handed_out(&copy),
        60,
        "30 handouts from each of two tablets"
    );
    assert_eq!(handed_out(&copy), handed_out(store));
}

/// A writer that keeps receiving stock on `store` until stopped; counts its commits.
struct Writer {
    stop: Arc<AtomicBool>,
    commits: Arc<AtomicU64>,
    thread: std::thread::JoinHandle<()>,
}

impl Writer {
    fn start(store: Arc<SqliteDatabase>, item: ItemId) -> Writer {
        let stop = Arc::new(AtomicBool::new(false));
        let commits = Arc::new(AtomicU64::new(0));
        let (s, c) = (Arc::clone(&stop), Arc::clone(&commits));
        // Told once the writer has committed five times: the backup starts mid-writing.
        let (warm, warmed) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let actor = Actor::System("backup-test");
            while !s.load(Ordering::SeqCst) {
                store
                    .receive(&actor, now(), item, 1, Some("while backing up".into()))
                    .unwrap();
                if c.fetch_add(1, Ordering::SeqCst) + 1 == 5 {
                    let _ = warm.send(());
                }
            }
        });
        let w = Writer {
            stop,
            commits,
            thread,
        };
        warmed
            .recv()
            .expect("the writer commits before the backup starts");
        w
    }

    fn commits(&self) -> u64 {
        self.commits.load(Ordering::SeqCst)
    }

    fn stop(self) -> u64 {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().unwrap();
        self.commits.load(Ordering::SeqCst)
    }
}

#[test]
fn a_backup_taken_while_the_central_writes_is_whole_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let seeded = seeded_central(&dir.path().join("data"), 200);
    let before = ledger_rows(&seeded.store);
    let writer = Writer::start(Arc::clone(&seeded.store), seeded.mask);
    let copy_path = dir.path().join("live.sqlite3");

    let during_start = writer.commits();
    // One page a step with a pause: the backup spans many of the writer's commits.
    let report = seeded
        .store
        .backup_to(
            &copy_path,
            &BackupOptions {
                pages_per_step: 1,
                pause: Duration::from_millis(2),
                ..BackupOptions::default()
            },
        )
        .unwrap();
    let during = writer.commits() - during_start;
    let total = writer.stop();

    assert!(report.steps > 10, "{report:?}");
    assert!(
        during > 0,
        "the writer kept committing while the backup ran ({report:?})"
    );
    let copy = SqliteDatabase::open(&copy_path).unwrap();
    let copied = ledger_rows(&copy);
    assert!(
        (before..=before + total as usize).contains(&copied),
        "the copy is one snapshot of the ledger: {copied} rows, {before} before, {total} written"
    );
    assert_eq!(
        ledger_rows(&seeded.store),
        before + total as usize,
        "the central lost nothing to the backup"
    );
    let integrity: String = Connection::open(&copy_path)
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    // The snapshot is consistent: the copy's balances are the sums of the copy's ledger.
    let received = copy
        .stock()
        .unwrap()
        .into_iter()
        .find(|b| b.item.id == seeded.mask)
        .unwrap()
        .received;
    let mask_rows = copy
        .ledger(Some(seeded.mask), 0, u32::MAX)
        .unwrap()
        .into_iter()
        .filter(|e| e.note.as_deref() == Some("while backing up"))
        .count();
    assert_eq!(
        copied - before,
        mask_rows,
        "only the writer's receipts came after the seed"
    );
    assert_eq!(
        received,
        5_000 + mask_rows as u64,
        "the balance the copy shows is the sum of the receipts it holds"
    );
}

#[test]
fn the_cli_backs_up_a_central_another_process_keeps_writing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let seeded = seeded_central(&data, 50);
    let writer = Writer::start(Arc::clone(&seeded.store), seeded.mask);
    let copy_path = dir.path().join("cli.sqlite3");

    let out = cli(&[
        "--data-dir".as_ref(),
        data.as_os_str(),
        "--to".as_ref(),
        copy_path.as_os_str(),
    ]);
    let total = writer.stop();

    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "stdout: {stdout}\nstderr: {}",
        text(&out.stderr)
    );
    assert!(stdout.contains("integrity_check: ok"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "schema version: {}",
            migrate::MIGRATIONS.last().unwrap().0
        )),
        "{stdout}"
    );
    assert!(stdout.contains("cli.sqlite3"), "{stdout}");
    let copy = SqliteDatabase::open(&copy_path).unwrap();
    assert_eq!(campaign::units(&copy, None).unwrap().len(), 2);
    assert!(ledger_rows(&copy) <= ledger_rows(&seeded.store));
    assert!(total >= 5);
}

#[test]
fn an_existing_target_is_refused_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    drop(seeded_central(&data, 5));
    let target = dir.path().join("kept.sqlite3");
    std::fs::write(&target, "yesterday's backup").unwrap();

    let refused = cli(&[
        "--data-dir".as_ref(),
        data.as_os_str(),
        "--to".as_ref(),
        target.as_os_str(),
    ]);
    let stderr = text(&refused.stderr);
    assert!(!refused.status.success(), "refused with a non-zero exit");
    assert!(stderr.contains(&target.display().to_string()), "{stderr}");
    assert!(stderr.contains("already exists"), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "yesterday's backup",
        "the existing file is untouched"
    );

    // The library refuses too, with no CLI in front of it.
    let source = data.join(DATABASE_FILE);
    let err = backup_file(&source, &target, &BackupOptions::default()).unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    assert!(!partial_of(&target).exists());

    let forced = cli(&[
        "--data-dir".as_ref(),
        data.as_os_str(),
        "--to".as_ref(),
        target.as_os_str(),
        "--force".as_ref(),
    ]);
    assert!(forced.status.success(), "{}", text(&forced.stderr));
    let copy = SqliteDatabase::open(&target).unwrap();
    assert_eq!(campaign::units(&copy, None).unwrap().len(), 2);
    drop(copy);
    assert!(!partial_of(&target).exists());
}

#[test]
fn a_copy_that_fails_its_check_leaves_no_file_behind() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    drop(seeded_central(&data, 5));
    let source = data.join(DATABASE_FILE);
    // Damage the units table's root page in the (closed, checkpointed) source: the backup
    // copies pages as they are, so only the copy's integrity_check can see it.
    let root: i64 = Connection::open(&source)
        .unwrap()
        .query_row(
            "SELECT rootpage FROM sqlite_schema WHERE name = 'units'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut bytes = std::fs::read(&source).unwrap();
    let at = (root as usize - 1) * PAGE_SIZE as usize;
    bytes[at..at + 64].fill(0xff);
    std::fs::write(&source, bytes).unwrap();

    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let target = out.join("damaged.sqlite3");
    let err = backup_file(&source, &target, &BackupOptions::default()).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("integrity_check"), "{message}");
    assert!(message.contains("damaged.sqlite3.partial"), "{message}");
    assert_files(&out, &[]);

    let run = cli(&[
        "--data-dir".as_ref(),
        data.as_os_str(),
        "--to".as_ref(),
        target.as_os_str(),
    ]);
    assert!(!run.status.success());
    assert!(
        text(&run.stderr).contains("integrity_check"),
        "{}",
        text(&run.stderr)
    );
    assert_files(&out, &[]);
}

#[test]
fn bad_sources_and_targets_are_named_and_nothing_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-data");
    let target = dir.path().join("b.sqlite3");
    let run = cli(&[
        "--data-dir".as_ref(),
        missing.as_os_str(),
        "--to".as_ref(),
        target.as_os_str(),
    ]);
    let stderr = text(&run.stderr);
    assert!(!run.status.success());
    assert!(stderr.contains("no central database"), "{stderr}");
    assert!(stderr.contains(&missing.display().to_string()), "{stderr}");
    assert!(!missing.exists(), "a backup never creates a data directory");
    assert!(!target.exists());

    let data = dir.path().join("data");
    drop(seeded_central(&data, 1));
    let source = data.join(DATABASE_FILE);
    let nowhere = dir.path().join("no-such-dir").join("b.sqlite3");
    let err = backup_file(&source, &nowhere, &BackupOptions::default()).unwrap_err();
    assert!(err.to_string().contains("no-such-dir"), "{err}");

    let itself = backup_file(
        &source,
        &source,
        &BackupOptions {
            force: true,
            ..BackupOptions::default()
        },
    )
    .unwrap_err();
    assert!(
        itself.to_string().contains("the central's own database"),
        "{itself}"
    );
    assert!(
        SqliteDatabase::open(&source).is_ok(),
        "the central is intact"
    );
    assert_files(dir.path(), &["data"]);
}
