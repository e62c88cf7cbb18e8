//! Upgrades: what v0.1.0 left in the field still works with this version.
//!
//! - The central's data directory written by v0.1.0 (`tests/fixtures/upgrade/v0.1.0/central`)
//!   opens, migrates and serves with every record kept.
//! - The tablet's store written by v0.1.0, seven events still in its outbox, opens and
//!   migrates in this version's station, and its pending events reach the upgraded central
//!   exactly once.
//! - A tablet still *running* v0.1.0 — the `tablet` example built from the release's tag —
//!   syncs with this central: its own store's pending events, a new session's, and a fresh
//!   enrollment.
//!
//! The fixtures were written by `upgrade-fixtures` at the tag; `manifest.json` says what each
//! side holds (`docs/decisions/2026-12-01-upgrade-fixtures.md`).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

use chrono::{Duration, Utc};
use fieldpost_central::audit::Actor;
use fieldpost_central::plans::{Approval, DeviceShare};
use fieldpost_central::storage::Database;
use fieldpost_central::testkit::{Direct, TestDatabase};
use fieldpost_domain::{DeviceId, ItemId, ItemQuantity, PlanId, UnitId};
use fieldpost_station::Station;
use fieldpost_station::identity::DeviceIdentity;
use fieldpost_station::sync_loop::{SyncConfig, connect, sync_once};
use fieldpost_tests::central::{TestCentral, filed_plan, stored_events};
use fieldpost_tests::device_key_path;
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/upgrade/v0.1.0")
}

/// What the fixtures hold, as `upgrade-fixtures` wrote it.
struct Manifest(Value);

impl Manifest {
    fn read() -> Manifest {
        let text = std::fs::read_to_string(fixtures().join("manifest.json")).unwrap();
        Manifest(serde_json::from_str(&text).unwrap())
    }

    /// The tablet store among the fixtures copied into `dir`.
    fn store_in(&self, dir: &Path) -> PathBuf {
        dir.join("station").join(self.0["store"].as_str().unwrap())
    }

    fn id<T: std::str::FromStr>(&self, key: &str) -> T
    where
        T::Err: std::fmt::Debug,
    {
        self.0[key].as_str().unwrap().parse().unwrap()
    }

    /// The unit's records on `store` are what the manifest says `side` holds: masks and
    /// kits handed out, sessions, entrants.
    fn assert_records(&self, store: &dyn Database, side: &str) {
        let unit = self.id("unit_id");
        assert_eq!(
            handed_out(store, unit, self.id("mask"), self.id("kit")),
            (
                self.count(side, &["handed_out", "mask"]),
                self.count(side, &["handed_out", "kit"])
            ),
            "{side}: handed out"
        );
        assert_eq!(
            sessions(store, unit) as u64,
            self.count(side, &["sessions"]),
            "{side}: sessions"
        );
        assert_eq!(
            entrants(store, unit),
            self.count(side, &["entrants"]),
            "{side}: entrants"
        );
    }

    fn count(&self, side: &str, path: &[&str]) -> u64 {
        let mut v = &self.0[side];
        for key in path {
            v = &v[key];
        }
        v.as_u64()
            .unwrap_or_else(|| panic!("{side}.{path:?} in the manifest"))
    }
}

/// A copy of the fixtures in `dir`: `central/` and `station/`.
fn copy_fixtures(dir: &Path) {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }
    copy(&fixtures().join("central"), &dir.join("central"));
    copy(&fixtures().join("station"), &dir.join("station"));
}

/// The upgraded central: this version on a copy of v0.1.0's data directory (SQLite, the
/// embedded central's database, whichever backend the other tests run on).
async fn upgraded_central(dir: &Path) -> TestCentral {
    let data = dir.join("central");
    let database = TestDatabase::sqlite(&data).unwrap();
    database.prepare_lottery(Utc::now()).unwrap();
    TestCentral::start_on(&data, database).await.unwrap()
}

/// (mask, kit) handed out across `unit`'s plans, as the unit-quota records say.
fn handed_out(store: &dyn Database, unit: UnitId, mask: ItemId, kit: ItemId) -> (u64, u64) {
    let records = fieldpost_central::records::records(store).unwrap();
    let record = records
        .units
        .into_iter()
        .find(|r| r.unit.id == unit)
        .unwrap();
    let of = |item: ItemId| {
        record
            .items
            .iter()
            .filter(|f| f.item_id == item)
            .map(|f| f.handed_out)
            .sum()
    };
    (of(mask), of(kit))
}

fn sessions(store: &dyn Database, unit: UnitId) -> usize {
    fieldpost_central::sessions::sessions(store, Some(unit))
        .unwrap()
        .len()
}

fn entrants(store: &dyn Database, unit: UnitId) -> u64 {
    fieldpost_central::sessions::entrant_count(store, unit).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_v0_1_0_central_opens_migrated_with_every_record() {
    let m = Manifest::read();
    let dir = tempfile::tempdir().unwrap();
    copy_fixtures(dir.path());
    let central = upgraded_central(dir.path()).await;
    let store = central.store.as_ref();
    let (unit, device): (UnitId, DeviceId) = (m.id("unit_id"), m.id("device_id"));
    m.assert_records(store, "central");
    let events = stored_events(&central.database, device);
    assert_eq!(events.len() as u64, m.count("central", &["events"]));
    assert!(
        events.iter().zip(1..).all(|((seq, _), n)| *seq == n),
        "the device's events keep their seqs 1…n: {events:?}"
    );
    // The device enrolled under v0.1.0 is still listed, not revoked.
    let devices = fieldpost_central::devices::devices(store, Some(unit)).unwrap();
    assert!(
        devices
            .iter()
            .any(|d| d.id == device && d.revoked_at.is_none()),
        "{devices:?}"
    );
    // And the upgraded central keeps working: a plan is filed on it.
    filed_plan(store, unit, &[]).unwrap();
    central.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_v0_1_0_store_migrates_and_its_pending_events_reach_the_central_exactly_once() {
    let m = Manifest::read();
    let dir = tempfile::tempdir().unwrap();
    copy_fixtures(dir.path());
    let central = upgraded_central(dir.path()).await;
    let store_path = m.store_in(dir.path());
    let mut station = Station::open(&store_path, device_key_path(&store_path)).unwrap();
    let outbox = station.outbox_status().unwrap();
    assert_eq!(outbox.last_seq, m.count("station", &["events"]));
    assert_eq!(outbox.pending, m.count("station", &["pending"]));
    // The migration ordered the old handouts by their events' seqs: "undo" still finds the
    // last tap of each session.
    let last_tap = station
        .events()
        .unwrap()
        .into_iter()
        .rev()
        .find_map(|e| match e.payload {
            fieldpost_domain::EventPayload::HandoutRecorded { handout } => Some(handout),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        station
            .last_handout(last_tap.session_id)
            .unwrap()
            .map(|h| h.id),
        Some(last_tap.id)
    );
    // The central answers at a new address now; the token is v0.1.0's, opened from the
    // migrated store.
    let identity = station.identity().unwrap().unwrap();
    station
        .set_identity(&DeviceIdentity {
            server_url: central.url(),
            ..identity.clone()
        })
        .unwrap();
    let station = Arc::new(Mutex::new(station));
    let config = SyncConfig::default();
    let client = connect(&central.url(), Some(identity.token), &config).unwrap();
    let report = sync_once(&station, &client, &config).await.unwrap();
    assert_eq!(report.pushed, m.count("station", &["pending"]));
    let again = sync_once(&station, &client, &config).await.unwrap();
    assert_eq!(again.pushed, 0, "a second sync sends nothing new");

    let local: Vec<(u64, String)> = station
        .lock()
        .unwrap()
        .events()
        .unwrap()
        .into_iter()
        .map(|e| (e.seq, e.id.to_string()))
        .collect();
    assert_eq!(stored_events(&central.database, identity.device_id), local);
    m.assert_records(central.store.as_ref(), "station");
    central.stop().await;
}

/// The `tablet` example of v0.1.0, built from the release's tag (or, in a clone without
/// tags, its commit as `release.toml` records it) into `target/compat/`, once per run;
/// `FIELDPOST_V0_1_0_TABLET` names a binary built already.
fn old_tablet() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        if let Some(path) = std::env::var_os("FIELDPOST_V0_1_0_TABLET") {
            return PathBuf::from(path);
        }
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let release = std::fs::read_to_string(fixtures().join("release.toml")).unwrap();
        let field = |name: &str| {
            release
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{name} = \"")))
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or_else(|| panic!("release.toml has no {name}"))
                .to_owned()
        };
        let (tag, commit) = (field("tag"), field("commit"));
        let git = |args: &[&str]| Command::new("git").arg("-C").arg(root).args(args).output();
        let tagged = git(&[
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{tag}^{{commit}}"),
        ])
        .is_ok_and(|o| o.status.success());
        let rev = if tagged { tag } else { commit.clone() };
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"))
            .join("compat/v0.1.0");
        let src = target.join("src");
        let stamp = src.join(".fieldpost-release");
        if std::fs::read_to_string(&stamp).ok().as_deref() != Some(commit.as_str()) {
            let _ = std::fs::remove_dir_all(&src);
            std::fs::create_dir_all(&src).unwrap();
            let archive = git(&["archive", "--format=tar", &rev]).unwrap();
            assert!(
                archive.status.success(),
                "git archive {rev}: {} (the upgrade test builds v0.1.0 from the repository's \
                 history: a shallow clone lacks it)",
                String::from_utf8_lossy(&archive.stderr)
            );
            let mut untar = Command::new("tar")
                .args(["-x", "-C"])
                .arg(&src)
                .stdin(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            std::io::Write::write_all(untar.stdin.as_mut().unwrap(), &archive.stdout).unwrap();
            drop(untar.stdin.take());
            assert!(untar.wait().unwrap().success(), "tar -x");
            std::fs::write(&stamp, &commit).unwrap();
        }
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let built = Command::new(cargo)
            .current_dir(&src)
            .args([
                "build",
                "--locked",
                "-p",
                "fieldpost-station",
                "--example",
                "tablet",
            ])
            .arg("--target-dir")
            .arg(target.join("target"))
            .env_remove("CARGO_TARGET_DIR")
            .status()
            .unwrap();
        assert!(built.success(), "building v0.1.0's tablet failed");
        target.join("target/debug/examples/tablet")
    })
}

/// Runs the old tablet with `args`; its one JSON line.
fn tablet(args: &[&str]) -> Value {
    let out = Command::new(old_tablet()).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "v0.1.0 tablet {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Approves a plan for `unit` covering the next hours, granting `device` masks.
fn plan_for(store: &dyn Database, unit: UnitId, device: DeviceId, mask: ItemId) -> PlanId {
    let plan = filed_plan(store, unit, &[]).unwrap();
    store
        .approve_plan(
            &Actor::System("upgrade-test"),
            Utc::now(),
            plan,
            Approval {
                allocation: vec![ItemQuantity {
                    item_id: mask,
                    quantity: 4,
                }],
                grants: Some(vec![DeviceShare {
                    device_id: device,
                    item_id: mask,
                    quantity: 4,
                }]),
            },
        )
        .unwrap();
    plan
}

fn event_list(reply: &Value) -> Vec<(u64, String)> {
    serde_json::from_value(reply["events"].clone()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tablet_still_running_v0_1_0_syncs_its_store_with_this_central() {
    let m = Manifest::read();
    let dir = tempfile::tempdir().unwrap();
    copy_fixtures(dir.path());
    let central = upgraded_central(dir.path()).await;
    let store_path = m.store_in(dir.path());
    let store_arg = store_path.to_str().unwrap().to_owned();
    let url = central.url();
    let (unit, device, mask) = (m.id("unit_id"), m.id("device_id"), m.id("mask"));

    let first = tokio::task::spawn_blocking({
        let (store_arg, url) = (store_arg.clone(), url.clone());
        move || tablet(&["sync", &store_arg, &url])
    })
    .await
    .unwrap();
    assert_eq!(first["pushed"], m.count("station", &["pending"]));
    assert_eq!(first["pending"], 0);

    // A new day's plan, pulled and worked by the old tablet: a session, a handout, an
    // entrant sealed by v0.1.0's code to this central's key.
    let plan = plan_for(central.store.as_ref(), unit, device, mask).to_string();
    let worked = tokio::task::spawn_blocking({
        let store_arg = store_arg.clone();
        move || {
            tablet(&["sync", &store_arg]);
            let worked = tablet(&["work", &store_arg, &plan, "13912345678"]);
            let synced = tablet(&["sync", &store_arg]);
            assert_eq!(synced["pending"], 0, "{synced}");
            assert!(synced["pushed"].as_u64().unwrap() > 0, "{synced}");
            let again = tablet(&["sync", &store_arg]);
            assert_eq!(again["pushed"], 0, "{again}");
            (worked, tablet(&["events", &store_arg]))
        }
    })
    .await
    .unwrap();
    let (worked, events) = worked;
    assert_eq!(worked["handouts"], 1, "{worked}");
    assert_eq!(
        stored_events(&central.database, device),
        event_list(&events),
        "every event of the old tablet is stored once, in its order"
    );
    let store = central.store.as_ref();
    let (masks, _) = handed_out(store, unit, mask, m.id("kit"));
    assert_eq!(masks, m.count("station", &["handed_out", "mask"]) + 1);
    assert_eq!(entrants(store, unit), m.count("station", &["entrants"]) + 1);
    central.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_v0_1_0_tablet_enrolls_with_this_central_and_syncs() {
    let dir = tempfile::tempdir().unwrap();
    let central = TestCentral::start(&dir.path().join("central"))
        .await
        .unwrap();
    let world = central.seed(100, 10).unwrap();
    let code = fieldpost_central::enrollment::issue(
        central.store.as_ref(),
        &Actor::System("upgrade-test"),
        world.unit_id,
        Utc::now(),
        Duration::hours(1),
    )
    .unwrap()
    .code;
    let store_arg = dir.path().join("old.sqlite").to_str().unwrap().to_owned();
    let url = central.url();
    let enrolled = tokio::task::spawn_blocking({
        let store_arg = store_arg.clone();
        move || tablet(&["enroll", &store_arg, &url, &code, "旧版平板"])
    })
    .await
    .unwrap();
    let device: DeviceId = enrolled["device_id"].as_str().unwrap().parse().unwrap();
    let plan = plan_for(central.store.as_ref(), world.unit_id, device, world.mask).to_string();
    let events = tokio::task::spawn_blocking(move || {
        tablet(&["sync", &store_arg]);
        tablet(&["work", &store_arg, &plan, "13712345678"]);
        let synced = tablet(&["sync", &store_arg]);
        assert_eq!(synced["pending"], 0, "{synced}");
        tablet(&["events", &store_arg])
    })
    .await
    .unwrap();
    assert_eq!(
        stored_events(&central.database, device),
        event_list(&events)
    );
    let store = central.store.as_ref();
    assert_eq!(
        handed_out(store, world.unit_id, world.mask, world.kit),
        (1, 0)
    );
    assert_eq!(entrants(store, world.unit_id), 1);
    central.stop().await;
}
