//! A central on a temporary SQLite file, with a movable clock and a small campaign: two
//! sections, units A and B, masks and kits in stock, and console users of each kind.

use std::sync::{Arc, Mutex};

use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use fieldpost_central::audit::Actor;
use fieldpost_central::campaign::CampaignRecord;
use fieldpost_central::enrollment;
use fieldpost_central::store::Store;
use fieldpost_central::store::sqlite::SqliteStore;
use fieldpost_central::users::{NewUser, Role, User};
use fieldpost_domain::{
    Campaign, CampaignId, DeviceId, Item, ItemId, ItemKind, Section, SectionId, Unit, UnitId,
};
use fieldpost_server::{AppState, Config, app};
use serde_json::{Value, json};
use tower::ServiceExt;
use uuid::Uuid;

pub const PASSWORD: &str = "correct horse battery";

/// How a request authenticates.
#[derive(Debug, Clone)]
pub enum Auth {
    None,
    Cookie(String),
    Bearer(String),
}

pub struct Central {
    pub dir: tempfile::TempDir,
    pub store: Arc<SqliteStore>,
    pub state: AppState,
    clock: Arc<Mutex<DateTime<Utc>>>,
    pub unit_a: UnitId,
    pub unit_b: UnitId,
    pub mask: ItemId,
    pub kit: ItemId,
    pub section: SectionId,
}

/// A cheap argon2 hash: tests verify many logins, and the cost parameters are part of the
/// PHC string, so verification follows them.
pub fn quick_hash(password: &str) -> String {
    let params = Params::new(8, 1, 1, None).unwrap();
    let salt = SaltString::encode_b64(b"fieldpost-tests!").unwrap();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes(), &salt)
        .unwrap()
        .to_string()
}

pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2022, 8, 3, 1, 0, 0).unwrap()
}

impl Central {
    pub fn new() -> Central {
        Central::with_config(Config::default())
    }

    pub fn with_config(config: Config) -> Central {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(SqliteStore::open_dir(dir.path()).unwrap());
        let clock = Arc::new(Mutex::new(t0()));
        let c = Arc::clone(&clock);
        let state = AppState::new(store.clone())
            .with_config(config)
            .with_clock(Arc::new(move || *c.lock().unwrap()));
        let actor = Actor::System("test");
        let now = t0();
        let campaign_id = CampaignId::new();
        store
            .put_campaign(
                &actor,
                now,
                CampaignRecord {
                    campaign: Campaign {
                        id: campaign_id,
                        name: "测试调查".into(),
                        city: "揭阳".into(),
                        publicity_start: NaiveDate::from_ymd_opt(2022, 7, 8).unwrap(),
                        publicity_end: NaiveDate::from_ymd_opt(2022, 8, 2).unwrap(),
                        collection_start: t0(),
                        collection_end: t0() + chrono::Duration::days(10),
                        target: 1000,
                    },
                    note: None,
                },
            )
            .unwrap();
        let section = store
            .create_section(
                &actor,
                now,
                Section {
                    id: SectionId::new(),
                    code: "qiao".into(),
                    name: "侨".into(),
                },
            )
            .unwrap()
            .id;
        let unit = |name: &str, quota: u32, link: &str| Unit {
            id: UnitId::new(),
            campaign_id,
            section_id: section,
            name: name.into(),
            quota,
            survey_link: link.into(),
            contact: None,
        };
        let unit_a = store
            .create_unit(&actor, now, unit("单位甲", 600, "https://s.example/a"))
            .unwrap()
            .id;
        let unit_b = store
            .create_unit(&actor, now, unit("单位乙", 400, "https://s.example/b"))
            .unwrap()
            .id;
        let item = |code: &str, name: &str| Item {
            id: ItemId::new(),
            code: code.into(),
            name: name.into(),
            kind: ItemKind::Gift,
            unit_label: "份".into(),
            donor: None,
        };
        let mask = store
            .create_item(&actor, now, item("mask", "口罩"))
            .unwrap()
            .id;
        let kit = store
            .create_item(&actor, now, item("kit", "网安四宝"))
            .unwrap()
            .id;
        store.receive(&actor, now, mask, 100, None).unwrap();
        store.receive(&actor, now, kit, 10, None).unwrap();
        for (name, role, unit_id) in [
            ("admin", Role::Admin, None),
            ("viewer", Role::Viewer, None),
            ("leader_a", Role::Admin, Some(unit_a)),
            ("viewer_a", Role::Viewer, Some(unit_a)),
        ] {
            fieldpost_central::users::create_user(
                store.as_ref(),
                &actor,
                now,
                &NewUser {
                    user: User {
                        id: Uuid::now_v7(),
                        username: name.into(),
                        role,
                        unit_id,
                    },
                    password_hash: quick_hash(PASSWORD),
                },
            )
            .unwrap();
        }
        Central {
            dir,
            store,
            state,
            clock,
            unit_a,
            unit_b,
            mask,
            kit,
            section,
        }
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self.clock.lock().unwrap();
        *t += by;
    }

    pub fn now(&self) -> DateTime<Utc> {
        *self.clock.lock().unwrap()
    }

    /// Sends one request through `app(state).oneshot`.
    pub async fn send(&self, req: Request<Body>) -> (StatusCode, Value) {
        let res = app(self.state.clone()).oneshot(req).await.unwrap();
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                panic!("response is not JSON: {}", String::from_utf8_lossy(&bytes))
            })
        };
        (status, body)
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        auth: &Auth,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.send(request(method, path, auth, body)).await
    }

    /// Logs a console user in; returns the session cookie.
    pub async fn login(&self, username: &str) -> Auth {
        let res = app(self.state.clone())
            .oneshot(request(
                "POST",
                "/api/v1/auth/login",
                &Auth::None,
                Some(json!({"username": username, "password": PASSWORD})),
            ))
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{username} must be able to log in"
        );
        let cookie = res
            .headers()
            .get(header::SET_COOKIE)
            .expect("login sets a cookie")
            .to_str()
            .unwrap()
            .to_owned();
        let pair = cookie.split(';').next().unwrap().to_owned();
        Auth::Cookie(pair)
    }

    /// Enrolls a device for `unit`; returns its id and bearer auth.
    pub async fn device(&self, unit: UnitId, name: &str) -> (DeviceId, Auth) {
        let issued = enrollment::issue(
            self.store.as_ref(),
            &Actor::System("test"),
            unit,
            self.now(),
            chrono::Duration::hours(24),
        )
        .unwrap();
        let (status, body) = self
            .call(
                "POST",
                "/api/v1/devices/enroll",
                &Auth::None,
                Some(json!({"code": issued.code, "device_name": name})),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "a fresh code must enroll: {body}"
        );
        let id: DeviceId = body["device_id"].as_str().unwrap().parse().unwrap();
        (id, Auth::Bearer(body["token"].as_str().unwrap().to_owned()))
    }

    /// Files a plan for `unit` as the secretariat admin; returns its id.
    pub async fn file_plan(&self, admin: &Auth, unit: UnitId) -> String {
        let (status, body) = self
            .call("POST", "/api/v1/plans", admin, Some(self.plan_body(unit)))
            .await;
        assert_eq!(status, StatusCode::CREATED, "filing must succeed: {body}");
        body["plan"]["id"].as_str().unwrap().to_owned()
    }

    pub fn plan_body(&self, unit: UnitId) -> Value {
        json!({
            "unit_id": unit,
            "title": "步行街宣传站",
            "location": "榕城区",
            "starts_at": "2022-08-06T01:00:00Z",
            "ends_at": "2022-08-06T09:00:00Z",
            "expected_people": 300,
            "staff": "张三",
            "requested": [{"item_id": self.mask, "quantity": 50}],
        })
    }
}

pub fn request(method: &str, path: &str, auth: &Auth, body: Option<Value>) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(path);
    match auth {
        Auth::None => {}
        Auth::Cookie(c) => b = b.header(header::COOKIE, c),
        Auth::Bearer(t) => b = b.header(header::AUTHORIZATION, format!("Bearer {t}")),
    }
    match body {
        Some(v) => b
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(v.to_string()))
            .unwrap(),
        None => b.body(Body::empty()).unwrap(),
    }
}

/// Asserts an error response's status and code, and returns its body.
pub fn expect_error(got: (StatusCode, Value), status: StatusCode, code: &str, why: &str) -> Value {
    let (s, body) = got;
    assert_eq!(s, status, "{why}: {body}");
    assert_eq!(body["error"]["code"], code, "{why}: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "every error carries a message: {body}"
    );
    body
}

/// Inside the sync tests' plan window (2022-08-06 01:00–09:00 UTC), `minutes` after it opens.
pub fn at(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2022, 8, 6, 1, 0, 0).unwrap() + chrono::Duration::minutes(minutes)
}

/// A tablet as the sync tests drive it: its identity, token, next seq and the session its
/// handouts go under. Each test module adds the events it needs (`impl Tablet` there).
pub struct Tablet {
    pub id: fieldpost_domain::DeviceId,
    pub auth: Auth,
    pub next_seq: u64,
    pub session: fieldpost_domain::SessionId,
}

impl Tablet {
    pub async fn enroll(c: &Central, unit: fieldpost_domain::UnitId, name: &str) -> Tablet {
        let (id, auth) = c.device(unit, name).await;
        Tablet {
            id,
            auth,
            next_seq: 1,
            session: fieldpost_domain::SessionId::new(),
        }
    }

    /// The next event of this tablet's log, recorded at `at(0)`.
    pub fn event(
        &mut self,
        payload: fieldpost_domain::EventPayload,
    ) -> fieldpost_domain::DeviceEvent {
        let seq = self.next_seq;
        self.next_seq += 1;
        fieldpost_domain::DeviceEvent {
            id: fieldpost_domain::EventId::new(),
            device_id: self.id,
            seq,
            recorded_at: at(0),
            payload,
        }
    }
}

/// Pushes `payloads` as `device`'s next events through the push use case, as the push route
/// does: a handout or a void reaches the central only this way (one writer per fact).
pub fn push_events(
    store: &SqliteStore,
    now: DateTime<Utc>,
    device: fieldpost_domain::DeviceId,
    payloads: Vec<fieldpost_domain::EventPayload>,
) -> fieldpost_sync::PushResponse {
    use fieldpost_central::push::{PushedEvent, push};
    // An empty push answers with what the central holds of the device.
    let last = push(store, now, device, &[])
        .expect("the device is enrolled")
        .acked_through;
    let events: Vec<PushedEvent> = payloads
        .into_iter()
        .zip(last + 1..)
        .map(|(payload, seq)| {
            let event = fieldpost_domain::DeviceEvent {
                id: fieldpost_domain::EventId::new(),
                device_id: device,
                seq,
                recorded_at: now,
                payload,
            };
            let text = serde_json::to_string(&event).expect("an event serializes");
            PushedEvent::new(event, text)
        })
        .collect();
    push(store, now, device, &events).expect("the batch applies")
}
