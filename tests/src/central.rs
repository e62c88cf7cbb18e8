//! A real central on loopback: the server's own router on a SQLite file (or a PostgreSQL
//! database when `FIELDPOST_TEST_POSTGRES` names a cluster, see `testkit::TestDatabase`), served by axum on
//! 127.0.0.1 with an ephemeral port, seeded with a campaign, a unit, masks in stock and an
//! approved plan whose window covers now.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Duration, Utc};
use fieldpost_central::audit::Actor;
use fieldpost_central::enrollment;
use fieldpost_central::plans::{Approval, DeviceShare, PlanContent};
use fieldpost_central::storage::Database;
use fieldpost_central::testkit::{self, Direct, TestDatabase};
use fieldpost_domain::*;
use fieldpost_server::{AppState, Clock, Config, service};
use fieldpost_station::Station;
use fieldpost_station::identity::DeviceIdentity;
use fieldpost_sync::EnrollRequest;
use fieldpost_sync::client::Client;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A central served on loopback until [`TestCentral::stop`].
#[derive(Debug)]
pub struct TestCentral {
    /// The store, for seeding and for checking what the central holds.
    pub store: Arc<dyn Database>,
    /// The same database, for a test's own look at its rows.
    pub database: TestDatabase,
    /// Where its data lives.
    pub data_dir: PathBuf,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl TestCentral {
    /// Serves a central on the data directory `dir` (created and migrated if new).
    pub async fn start(dir: &Path) -> anyhow::Result<TestCentral> {
        TestCentral::start_with(dir, Config::default(), Arc::new(Utc::now)).await
    }

    /// Like [`TestCentral::start`], with the server's `config` and a `clock` the test moves
    /// (token rotation, say, without waiting a week).
    pub async fn start_with(
        dir: &Path,
        config: Config,
        clock: Clock,
    ) -> anyhow::Result<TestCentral> {
        TestCentral::serve(dir, TestDatabase::open(dir)?, config, clock).await
    }

    /// Serves a central on `database`, the database of the data directory `dir`.
    pub async fn start_on(dir: &Path, database: TestDatabase) -> anyhow::Result<TestCentral> {
        TestCentral::serve(dir, database, Config::default(), Arc::new(Utc::now)).await
    }

    async fn serve(
        dir: &Path,
        database: TestDatabase,
        config: Config,
        clock: Clock,
    ) -> anyhow::Result<TestCentral> {
        let store = Arc::clone(&database.db);
        let state = AppState::new(store.clone(), Arc::clone(&database.lottery_key))
            .with_config(config)
            .with_clock(clock);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, service(state))
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(TestCentral {
            store,
            database,
            data_dir: dir.to_owned(),
            addr,
            shutdown: Some(tx),
            task,
        })
    }

    /// Seeds the tests' world ([`seed`]) and makes its lottery ready for entrants, as the
    /// server's start does: the world's terms get their key (`lottery.key` in the data
    /// directory), which tablets pull.
    pub fn seed(&self, masks: u32, kits: u32) -> anyhow::Result<World> {
        let world = seed(self.store.as_ref(), masks, kits)?;
        self.database.prepare_lottery(Utc::now())?;
        Ok(world)
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops serving and waits for open requests to finish.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = self.task.await;
    }
}

/// What [`seed`] created on the central.
#[derive(Debug, Clone)]
pub struct World {
    /// The campaign.
    pub campaign_id: CampaignId,
    /// The unit whose devices the tests enroll.
    pub unit_id: UnitId,
    /// Another unit, for scope checks.
    pub other_unit_id: UnitId,
    /// Medical masks.
    pub mask: ItemId,
    /// Four-mascot kits.
    pub kit: ItemId,
}

fn actor() -> Actor {
    Actor::System("fieldpost-tests")
}

/// Seeds a campaign whose collection window covers now, two units, and stock.
pub fn seed(store: &dyn Database, masks: u32, kits: u32) -> anyhow::Result<World> {
    let now = Utc::now();
    // The one test world (fieldpost_central::testkit::world), with this crate's units.
    let (mut b, section) = testkit::world(now - Duration::days(1));
    let campaign_id = b.campaign_id();
    let unit_id = b.unit(section, "揭阳市侨联", 2_000, "https://s.example/q");
    let other_unit_id = b.unit(section, "团市委", 2_000, "https://s.example/t");
    let mask = b.gift("mask", "医疗专用口罩", "只");
    let kit = b.gift("kit", "网安四宝宣传品", "份");
    b.receive(mask, masks, None);
    b.receive(kit, kits, None);
    b.apply(store, now)?;
    Ok(World {
        campaign_id,
        unit_id,
        other_unit_id,
        mask,
        kit,
    })
}

/// Files a plan for `unit` whose window covers the next twelve hours, requesting `requested`.
pub fn filed_plan(
    store: &dyn Database,
    unit: UnitId,
    requested: &[ItemQuantity],
) -> anyhow::Result<PlanId> {
    let now = Utc::now();
    let id = PlanId::new();
    store.file_plan(
        &actor(),
        now,
        id,
        unit,
        PlanContent {
            title: "步行街宣传站".into(),
            location: "榕城区步行街".into(),
            starts_at: now - Duration::hours(1),
            ends_at: now + Duration::hours(12),
            expected_people: 500,
            staff: "林小华 等 4 人".into(),
            requested: requested.to_vec(),
        },
    )?;
    Ok(id)
}

/// Files and approves a plan for `unit` whose window covers the next twelve hours,
/// allocating `allocation` and granting each listed device its share.
pub fn approved_plan(
    store: &dyn Database,
    unit: UnitId,
    allocation: &[ItemQuantity],
    shares: &[DeviceShare],
) -> anyhow::Result<PlanId> {
    let now = Utc::now();
    let id = filed_plan(store, unit, allocation)?;
    store.approve_plan(
        &actor(),
        now,
        id,
        Approval {
            allocation: allocation.to_vec(),
            grants: Some(shares.to_vec()),
        },
    )?;
    Ok(id)
}

/// Enrolls a new tablet for `unit` through the central's HTTP API (a one-time code issued
/// on the store, exchanged at `central_url`) and opens its store at `path`.
pub async fn enroll_station(
    store: &dyn Database,
    central_url: &str,
    unit: UnitId,
    path: &Path,
    name: &str,
) -> anyhow::Result<Station> {
    let code = enrollment::issue(store, &actor(), unit, Utc::now(), Duration::hours(1))?;
    let reply = Client::new(central_url, None)?
        .enroll(&EnrollRequest {
            code: code.code,
            device_name: name.into(),
        })
        .await?;
    let mut station = Station::open(path, crate::device_key_path(path))?;
    station.set_identity(&DeviceIdentity {
        device_id: reply.device_id,
        unit_id: reply.unit_id,
        server_url: central_url.to_owned(),
        token: reply.token,
    })?;
    Ok(station)
}

/// The events the central stores of `device`, as (seq, id), in seq order: what a test
/// compares with the device's own log to prove each event arrived exactly once.
pub fn stored_events(db: &TestDatabase, device: DeviceId) -> Vec<(u64, String)> {
    db.rows(&format!(
        "SELECT seq, id FROM device_events WHERE device_id = '{device}' ORDER BY seq"
    ))
    .unwrap_or_default()
    .into_iter()
    .filter_map(|r| match (&r[0], &r[1]) {
        (Some(seq), Some(id)) => Some((seq.parse().ok()?, id.clone())),
        _ => None,
    })
    .collect()
}
