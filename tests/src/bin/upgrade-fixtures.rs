//! Writes the upgrade fixtures of this version: a central's data directory and a tablet's store
//! as this release leaves them in the field, for every later version's upgrade tests
//! (`tests/tests/it/upgrade.rs`). Run once when a release is tagged:
//!
//! ```text
//! cargo run -p fieldpost-tests --bin upgrade-fixtures -- tests/fixtures/upgrade/v0.1.0
//! ```
//!
//! On SQLite (the central's embedded default): the central is seeded with the tests' world;
//! a tablet enrolls over HTTP, pulls an approved plan with its grants and the lottery's terms,
//! works one session and syncs it, then works a second session offline, whose events stay in
//! its outbox. `manifest.json` says what each side holds, for the tests to check after the
//! upgrade.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, bail, ensure};
use fieldpost_central::plans::DeviceShare;
use fieldpost_central::testkit::POSTGRES_ENV;
use fieldpost_domain::{ItemId, ItemQuantity, PlanId, SessionId};
use fieldpost_station::Station;
use fieldpost_station::handouts::HandoutInput;
use fieldpost_station::lottery::{EntrantInput, suggested_carrier};
use fieldpost_station::sessions::VolunteerInput;
use fieldpost_station::sync_loop::{SyncConfig, connect, sync_once};
use fieldpost_tests::central::{TestCentral, approved_plan, enroll_station};
use serde_json::json;

/// The store's file name inside the fixture's `station/` directory.
const STORE: &str = "station.db";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let out = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .context("usage: upgrade-fixtures OUT_DIR")?;
    ensure!(
        std::env::var(POSTGRES_ENV).is_err(),
        "unset {POSTGRES_ENV}: the fixtures are the embedded SQLite central's"
    );
    if out.exists() && std::fs::read_dir(&out)?.next().is_some() {
        bail!("{} is not empty: fixtures are written once", out.display());
    }
    let work = tempfile::tempdir()?;
    let central_dir = work.path().join("central");
    let station_dir = work.path().join("station");
    std::fs::create_dir_all(&station_dir)?;
    let store_path = station_dir.join(STORE);

    let central = TestCentral::start(&central_dir).await?;
    let world = central.seed(1_000, 200)?;
    let station = enroll_station(
        central.store.as_ref(),
        &central.url(),
        world.unit_id,
        &store_path,
        "升级测试平板",
    )
    .await?;
    let device_id = station.identity()?.context("enrolled")?.device_id;
    let plan_id = approved_plan(
        central.store.as_ref(),
        world.unit_id,
        &[
            ItemQuantity {
                item_id: world.mask,
                quantity: 20,
            },
            ItemQuantity {
                item_id: world.kit,
                quantity: 5,
            },
        ],
        &[
            DeviceShare {
                device_id,
                item_id: world.mask,
                quantity: 20,
            },
            DeviceShare {
                device_id,
                item_id: world.kit,
                quantity: 5,
            },
        ],
    )?;
    let station = Arc::new(Mutex::new(station));
    sync(&station).await?;

    // A session worked and synced: 3 masks, 1 kit, one entrant.
    let handed = [(world.mask, 3), (world.kit, 1)];
    session(&station, plan_id, (40, 9), &handed, "13812345678")?;
    let synced = sync(&station).await?;
    ensure!(synced == 0, "{synced} events still pending after a sync");
    let acked = lock(&station).outbox_status()?.acked_through;

    // A session worked offline, never synced: 2 masks, one entrant.
    session(
        &station,
        plan_id,
        (15, 4),
        &[(world.mask, 2)],
        "18612345678",
    )?;
    let outbox = lock(&station).outbox_status()?;
    ensure!(
        outbox.pending > 0,
        "the offline session left nothing pending"
    );

    central.stop().await;
    drop(station);

    copy_dir(&central_dir, &out.join("central"))?;
    copy_dir(&station_dir, &out.join("station"))?;
    let manifest = json!({
        "version": env!("CARGO_PKG_VERSION"),
        "store": STORE,
        "unit_id": world.unit_id,
        "device_id": device_id,
        "plan_id": plan_id,
        "mask": world.mask,
        "kit": world.kit,
        "central": {
            "events": acked,
            "handed_out": {"mask": 3, "kit": 1},
            "sessions": 1,
            "entrants": 1,
        },
        "station": {
            "events": outbox.last_seq,
            "acked_through": outbox.acked_through,
            "pending": outbox.pending,
            "handed_out": {"mask": 5, "kit": 1},
            "sessions": 2,
            "entrants": 2,
        },
    });
    std::fs::write(
        out.join("manifest.json"),
        serde_json::to_string_pretty(&manifest)? + "\n",
    )?;
    println!("{manifest}");
    Ok(())
}

fn lock(station: &Mutex<Station>) -> std::sync::MutexGuard<'_, Station> {
    station
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One sync with the enrolled central; what is still pending after it.
async fn sync(station: &Arc<Mutex<Station>>) -> anyhow::Result<u64> {
    let identity = lock(station).identity()?.context("enrolled")?;
    let config = SyncConfig::default();
    let client = connect(&identity.server_url, Some(identity.token), &config)?;
    sync_once(station, &client, &config).await?;
    Ok(lock(station).outbox_status()?.pending)
}

/// A session under `plan`: a tally, the handouts, one entrant, closed.
fn session(
    station: &Mutex<Station>,
    plan: PlanId,
    (people, questionnaires): (i32, i32),
    handouts: &[(ItemId, u32)],
    phone: &str,
) -> anyhow::Result<SessionId> {
    let mut station = lock(station);
    let session = station.open_session(
        plan,
        "步行街站",
        &[VolunteerInput {
            name: "林小华".into(),
            ivolunteer_id: Some("IV-2022-0001".into()),
        }],
    )?;
    station.record_tally(session.id, people, questionnaires)?;
    for &(item_id, quantity) in handouts {
        station.record_handout(&HandoutInput {
            session_id: session.id,
            item_id,
            quantity,
            over_grant_reason: None,
        })?;
    }
    let terms = station.lottery_terms()?.context("terms pulled")?;
    station.register_entrant(&EntrantInput {
        session_id: session.id,
        phone: phone.into(),
        carrier: suggested_carrier(phone).context("a mobile number")?,
        consent_text_version: Some(terms.consent_version),
    })?;
    station.close_session(session.id)?;
    Ok(session.id)
}

/// Copies the regular files of `from` (recursively) to `to`, leaving out SQLite's transient
/// `-wal`/`-shm` files: the stores were closed, so their logs are checkpointed.
fn copy_dir(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let text = name.to_string_lossy();
        if text.ends_with("-wal") || text.ends_with("-shm") {
            let len = entry.metadata()?.len();
            ensure!(len == 0, "{text} holds {len} bytes: a store was left open");
            continue;
        }
        let target = to.join(&name);
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}
