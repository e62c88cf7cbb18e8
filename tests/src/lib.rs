//! Shared set-up for Fieldpost's end-to-end tests and benchmarks: real stores on real files,
//! seeded as an enrolled tablet would be.
#![deny(missing_docs)]

pub mod central;
pub mod load;
pub mod proxy;
pub mod tls;

use std::path::Path;

use chrono::{Duration, Utc};
use fieldpost_domain::*;
use fieldpost_station::identity::DeviceIdentity;
use fieldpost_station::reference::ReferenceData;
use fieldpost_station::{Result, Station};

/// A fresh directory for a benchmark's files, removed when dropped: under `FIELDPOST_BENCH_DIR`,
/// or else `target/bench` of the current directory, so on the real disk next to the build and
/// never a tmpfs (the benches measure durable commits).
pub fn bench_dir() -> std::io::Result<tempfile::TempDir> {
    let base = std::env::var_os("FIELDPOST_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::env::current_dir()
                .unwrap_or_default()
                .join("target/bench")
        });
    std::fs::create_dir_all(&base)?;
    tempfile::tempdir_in(&base)
}

/// The seeds of a randomized test: the one in `FIELDPOST_SEED` alone (to replay a failure it
/// printed), or else as many as `runs_var` says (default `default_runs`), counting up from
/// `base`.
pub fn seeds(runs_var: &str, default_runs: u64, base: u64) -> Vec<u64> {
    if let Some(seed) = std::env::var("FIELDPOST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        return vec![seed];
    }
    let n = std::env::var(runs_var)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default_runs);
    (0..n).map(|i| base + i).collect()
}

/// What [`enrolled_station`] seeded.
#[derive(Debug, Clone)]
pub struct Seeded {
    /// The device.
    pub device_id: DeviceId,
    /// Its unit.
    pub unit_id: UnitId,
    /// An approved plan whose window covers the next twelve hours.
    pub plan: ActivityPlan,
    /// Medical masks, granted to this device.
    pub mask: Item,
}

/// Where the tests keep the device key of the store at `store`: a directory of its own beside
/// the store's file (the store refuses a key in its own directory, as the app keeps it in
/// its config directory).
pub fn device_key_path(store: &Path) -> std::path::PathBuf {
    let mut dir = store.as_os_str().to_owned();
    dir.push(".keys");
    std::path::PathBuf::from(dir).join("device.key")
}

/// Opens a station at `path` on the system clock, enrolls it, and caches a campaign, a unit,
/// masks and an approved plan granting this device `grant` masks.
pub fn enrolled_station(path: &Path, grant: u32) -> Result<(Station, Seeded)> {
    let mut station = Station::open(path, device_key_path(path))?;
    let device_id = DeviceId::new();
    let unit_id = UnitId::new();
    station.set_identity(&DeviceIdentity {
        device_id,
        unit_id,
        server_url: "http://127.0.0.1:9".into(),
        token: "test-token".into(),
    })?;
    let now = Utc::now();
    // The tests' campaign (fieldpost_central::testkit), as the tablet caches it.
    let campaign = fieldpost_central::testkit::campaign_record(now - Duration::days(1)).campaign;
    let mask = Item {
        id: ItemId::new(),
        code: "mask".into(),
        name: "医疗专用口罩".into(),
        kind: ItemKind::Gift,
        unit_label: "只".into(),
        donor: Some("广东海鸥医疗器械股份有限公司".into()),
    };
    let plan = ActivityPlan {
        id: PlanId::new(),
        unit_id,
        title: "步行街宣传站".into(),
        location: "榕城区步行街".into(),
        starts_at: now - Duration::hours(1),
        ends_at: now + Duration::hours(12),
        expected_people: 500,
        staff: "林小华 等 4 人".into(),
        requested: vec![ItemQuantity {
            item_id: mask.id,
            quantity: grant,
        }],
        status: PlanStatus::Approved,
        allocation: vec![ItemQuantity {
            item_id: mask.id,
            quantity: grant,
        }],
        reject_reason: None,
        revision: 0,
    };
    station.cache_reference(&ReferenceData {
        units: vec![Unit {
            id: unit_id,
            campaign_id: campaign.id,
            section_id: SectionId::new(),
            name: "揭阳市侨联".into(),
            quota: 2_000,
            survey_link: "https://survey.example/jy/qiaolian".into(),
            contact: None,
        }],
        campaign: Some(campaign),
        items: vec![mask.clone()],
        plans: vec![plan.clone()],
        grants: vec![Grant {
            id: GrantId::new(),
            plan_id: plan.id,
            device_id,
            item_id: mask.id,
            quantity: grant,
        }],
    })?;
    Ok((
        station,
        Seeded {
            device_id,
            unit_id,
            plan,
            mask,
        },
    ))
}
