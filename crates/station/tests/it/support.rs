//! A station on a temp file, enrolled, with one campaign, unit, two items and an approved
//! plan that grants this device 5 masks (and nothing of the kits).

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};
use fieldpost_domain::*;
use fieldpost_station::identity::DeviceIdentity;
use fieldpost_station::lottery::EntrantInput;
use fieldpost_station::reference::ReferenceData;
use fieldpost_station::{Clock, Station};
use fieldpost_sync::{Change, PullResponse, Record};

/// A clock the test moves by hand.
pub struct TestClock(Mutex<DateTime<Utc>>);

impl TestClock {
    pub fn set(&self, t: DateTime<Utc>) {
        *self.0.lock().unwrap() = t;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

pub struct Fixture {
    pub station: Station,
    /// The central's lottery key, whose public half the fixture's terms carry.
    pub lottery: LotterySecretKey,
    /// The bearer token the fixture enrolled with.
    pub token: String,
    pub clock: Arc<TestClock>,
    pub dir: tempfile::TempDir,
    pub device_id: DeviceId,
    pub unit_id: UnitId,
    pub plan: ActivityPlan,
    pub mask: Item,
    pub kit: Item,
}

impl Fixture {
    /// The store, in the "data" directory.
    pub fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("data/station.sqlite")
    }

    /// The device key, in the "config" directory.
    pub fn key_path(&self) -> std::path::PathBuf {
        self.dir.path().join("config/device.key")
    }

    /// Reopens the same file, as after a restart.
    pub fn reopen(self) -> Fixture {
        let (path, key) = (self.path(), self.key_path());
        drop(self.station);
        let station = Station::open_with_clock(&path, &key, self.clock.clone()).unwrap();
        Fixture { station, ..self }
    }

    /// Stores `terms` as a pull would bring them (without moving the pull cursor).
    pub fn pull_terms(&mut self, terms: LotteryTerms) {
        self.station
            .apply_pull(&PullResponse {
                changes: vec![Change {
                    server_seq: 0,
                    record: Record::Lottery { terms },
                }],
                cursor: 0,
                more: false,
                rotated_token: None,
            })
            .unwrap();
    }

    /// The fixture's terms: open, version `2022-v1`, sealed to [`Fixture::lottery`].
    pub fn terms(&self) -> LotteryTerms {
        LotteryTerms {
            consent_text: "您自愿参加本次调查活动的线下抽奖。".into(),
            consent_version: CONSENT_VERSION.into(),
            public_key: Some(self.lottery.public_key()),
            registration_open: true,
        }
    }

    /// An entrant of `phone` with consent to the current version, carrier as its prefix says.
    pub fn entrant(&self, session_id: SessionId, phone: &str) -> EntrantInput {
        EntrantInput {
            session_id,
            phone: phone.into(),
            carrier: fieldpost_station::lottery::suggested_carrier(phone).unwrap_or(Carrier::Other),
            consent_text_version: Some(CONSENT_VERSION.into()),
        }
    }

    /// Opens a session under the fixture's plan.
    pub fn open_session(&mut self) -> SessionId {
        self.station
            .open_session(
                self.plan.id,
                "进贤门广场",
                &[fieldpost_station::sessions::VolunteerInput {
                    name: "林小华".into(),
                    ivolunteer_id: Some("IV-0001".into()),
                }],
            )
            .unwrap()
            .id
    }
}

pub fn plan_start() -> DateTime<Utc> {
    // 2022-08-06 09:00 China time.
    Utc.with_ymd_and_hms(2022, 8, 6, 1, 0, 0).unwrap()
}

/// The consent version of the fixture's terms.
pub const CONSENT_VERSION: &str = "2022-v1";

/// Opens a store as the app lays it out: the store in `data/`, the key in `config/`.
pub fn open_station(dir: &std::path::Path, clock: Arc<TestClock>) -> Station {
    Station::open_with_clock(
        dir.join("data/station.sqlite"),
        dir.join("config/device.key"),
        clock,
    )
    .unwrap()
}

/// A fixture without lottery terms (as before the first pull that brings them).
pub fn fixture_without_terms() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    let clock = Arc::new(TestClock(Mutex::new(plan_start() + Duration::minutes(30))));
    let mut station = open_station(dir.path(), clock.clone());
    let device_id = DeviceId::new();
    let unit_id = UnitId::new();
    // A token as the central issues them, distinctive enough to search a file for.
    let token = format!("fpd_{:032x}", rand::random::<u128>());
    station
        .set_identity(&DeviceIdentity {
            device_id,
            unit_id,
            server_url: "http://127.0.0.1:9".into(),
            token: token.clone(),
        })
        .unwrap();
    let campaign = Campaign {
        id: CampaignId::new(),
        name: "2022 网民网络安全感满意度调查活动（揭阳站）".into(),
        city: "揭阳".into(),
        publicity_start: chrono::NaiveDate::from_ymd_opt(2022, 7, 8).unwrap(),
        publicity_end: chrono::NaiveDate::from_ymd_opt(2022, 8, 2).unwrap(),
        collection_start: Utc.with_ymd_and_hms(2022, 8, 3, 1, 0, 0).unwrap(),
        collection_end: Utc.with_ymd_and_hms(2022, 8, 12, 16, 0, 0).unwrap(),
        target: 50_000,
    };
    let unit = Unit {
        id: unit_id,
        campaign_id: campaign.id,
        section_id: SectionId::new(),
        name: "揭阳市侨联".into(),
        quota: 2_000,
        survey_link: "https://survey.example/jy/qiaolian".into(),
        contact: None,
    };
    let mask = Item {
        id: ItemId::new(),
        code: "mask".into(),
        name: "医疗专用口罩".into(),
        kind: ItemKind::Gift,
        unit_label: "只".into(),
        donor: Some("广东海鸥医疗器械股份有限公司".into()),
    };
    let kit = Item {
        id: ItemId::new(),
        code: "kit".into(),
        name: "网安四宝宣传品".into(),
        kind: ItemKind::Gift,
        unit_label: "份".into(),
        donor: None,
    };
    let plan = ActivityPlan {
        id: PlanId::new(),
        unit_id,
        title: "侨联步行街宣传站".into(),
        location: "榕城区步行街".into(),
        starts_at: plan_start(),
        ends_at: plan_start() + Duration::hours(8),
        expected_people: 300,
        staff: "林小华 等 4 人".into(),
        requested: vec![ItemQuantity {
            item_id: mask.id,
            quantity: 10,
        }],
        status: PlanStatus::Approved,
        allocation: vec![ItemQuantity {
            item_id: mask.id,
            quantity: 10,
        }],
        reject_reason: None,
        revision: 0,
    };
    let grants = vec![Grant {
        id: GrantId::new(),
        plan_id: plan.id,
        device_id,
        item_id: mask.id,
        quantity: 5,
    }];
    station
        .cache_reference(&ReferenceData {
            campaign: Some(campaign),
            units: vec![unit],
            items: vec![mask.clone(), kit.clone()],
            plans: vec![plan.clone()],
            grants,
        })
        .unwrap();
    Fixture {
        station,
        lottery: LotterySecretKey::generate(),
        token,
        clock,
        dir,
        device_id,
        unit_id,
        plan,
        mask,
        kit,
    }
}

/// The usual fixture: enrolled, reference data cached, and the lottery terms pulled.
pub fn fixture() -> Fixture {
    let mut fx = fixture_without_terms();
    let terms = fx.terms();
    fx.pull_terms(terms);
    fx
}

/// The outbox's seqs must be exactly 1..=n, and match the status counter.
pub fn assert_gap_free(station: &Station) {
    let events = station.events().unwrap();
    for (i, e) in events.iter().enumerate() {
        assert_eq!(
            e.seq,
            i as u64 + 1,
            "outbox seqs must be 1, 2, 3 … without gaps"
        );
    }
    assert_eq!(
        station.outbox_status().unwrap().last_seq,
        events.len() as u64,
        "the seq counter must match the events stored"
    );
}
