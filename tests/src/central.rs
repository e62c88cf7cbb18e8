//! A real central on loopback: the server's own router on a SQLite file, served by axum on
//! 127.0.0.1 with an ephemeral port, seeded with a campaign, a unit, masks in stock and an
//! approved plan whose window covers now.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{Duration, NaiveDate, Utc};
use fieldpost_central::audit::Actor;
use fieldpost_central::campaign::{self, CampaignRecord};
use fieldpost_central::enrollment;
use fieldpost_central::plans::{Approval, DeviceShare, PlanContent};
use fieldpost_central::storage::Database;
use fieldpost_central::storage::sqlite::SqliteDatabase;
use fieldpost_central::testkit::Direct;
use fieldpost_domain::*;
use fieldpost_server::{AppState, app};
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
    pub store: Arc<SqliteDatabase>,
    /// Where its data lives.
    pub data_dir: PathBuf,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl TestCentral {
    /// Serves a central on the data directory `dir` (created and migrated if new).
    pub async fn start(dir: &Path) -> anyhow::Result<TestCentral> {
        let store = Arc::new(SqliteDatabase::open_dir(dir)?);
        let state = AppState::new(store.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app(state))
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(TestCentral {
            store,
            data_dir: dir.to_owned(),
            addr,
            shutdown: Some(tx),
            task,
        })
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
    let campaign_id = CampaignId::new();
    campaign::put_campaign(
        store,
        &actor(),
        now,
        &CampaignRecord {
            campaign: Campaign {
                id: campaign_id,
                name: "2022 网民网络安全感满意度调查活动（揭阳站）".into(),
                city: "揭阳".into(),
                publicity_start: NaiveDate::from_ymd_opt(2022, 7, 8).unwrap_or_default(),
                publicity_end: NaiveDate::from_ymd_opt(2022, 8, 2).unwrap_or_default(),
                collection_start: now - Duration::days(1),
                collection_end: now + Duration::days(9),
                target: 50_000,
            },
            note: None,
        },
    )?;
    let section = campaign::create_section(
        store,
        &actor(),
        now,
        &Section {
            id: SectionId::new(),
            code: "qiao".into(),
            name: "侨".into(),
        },
    )?
    .id;
    let unit = |name: &str, link: &str| Unit {
        id: UnitId::new(),
        campaign_id,
        section_id: section,
        name: name.into(),
        quota: 2_000,
        survey_link: link.into(),
        contact: None,
    };
    let unit_id = campaign::create_unit(
        store,
        &actor(),
        now,
        &unit("揭阳市侨联", "https://s.example/q"),
    )?
    .id;
    let other_unit_id =
        campaign::create_unit(store, &actor(), now, &unit("团市委", "https://s.example/t"))?.id;
    let item = |code: &str, name: &str, label: &str| Item {
        id: ItemId::new(),
        code: code.into(),
        name: name.into(),
        kind: ItemKind::Gift,
        unit_label: label.into(),
        donor: None,
    };
    let mask = campaign::create_item(store, &actor(), now, &item("mask", "医疗专用口罩", "只"))?.id;
    let kit = campaign::create_item(store, &actor(), now, &item("kit", "网安四宝宣传品", "份"))?.id;
    if masks > 0 {
        store.receive(&actor(), now, mask, masks, None)?;
    }
    if kits > 0 {
        store.receive(&actor(), now, kit, kits, None)?;
    }
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
    let mut station = Station::open(path)?;
    station.set_identity(&DeviceIdentity {
        device_id: reply.device_id,
        unit_id: reply.unit_id,
        server_url: central_url.to_owned(),
        token: reply.token,
    })?;
    Ok(station)
}
