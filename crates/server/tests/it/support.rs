//! A central on a temporary database (a SQLite file, or a PostgreSQL database when
//! `FIELDPOST_TEST_POSTGRES` names a cluster), with a movable clock and a small campaign: two
//! sections, units A and B, masks and kits in stock, and console users of each kind.
//!
//! Every response a test receives through [`Central::raw`] (and so through `send`, `call` and
//! `login`) is checked against the OpenAPI document: a JSON body against the schema documented
//! for its route and status, any other body against the documented content type. The whole
//! suite thereby validates real responses; `openapi.rs` checks that every route was answered.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::body::Body;
use axum::body::Bytes;
use axum::http::{HeaderMap, Request, StatusCode, header};
use chrono::{DateTime, TimeZone, Utc};
use fieldpost_central::audit::Actor;
use fieldpost_central::enrollment;
use fieldpost_central::storage::Database;
use fieldpost_central::testkit::{self, TestDatabase};
use fieldpost_central::users::Role;
use fieldpost_domain::{DeviceId, ItemId, SectionId, UnitId};
use fieldpost_server::{AppState, Config, app};
use serde_json::{Value, json};
use tower::ServiceExt;

pub const PASSWORD: &str = "correct horse battery";

/// How a request authenticates.
#[derive(Debug, Clone)]
pub enum Auth {
    None,
    Cookie(String),
    Bearer(String),
}

pub struct Central {
    /// The records, through the seam (SQLite, or PostgreSQL under `FIELDPOST_TEST_POSTGRES`).
    pub store: Arc<dyn Database>,
    /// The same database, for a test's own look at its rows.
    pub database: TestDatabase,
    pub dir: tempfile::TempDir,
    pub state: AppState,
    clock: Arc<Mutex<DateTime<Utc>>>,
    pub unit_a: UnitId,
    pub unit_b: UnitId,
    pub mask: ItemId,
    pub kit: ItemId,
    pub section: SectionId,
    /// The (method, route, status) of every response validated against the document.
    pub answered: Arc<Mutex<BTreeSet<(String, String, u16)>>>,
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
        let database = TestDatabase::open(dir.path()).unwrap();
        let store = Arc::clone(&database.db);
        let clock = Arc::new(Mutex::new(t0()));
        let c = Arc::clone(&clock);
        let state = AppState::new(store.clone(), Arc::clone(&database.lottery_key))
            .with_config(config)
            .with_clock(Arc::new(move || *c.lock().unwrap()));
        // The one test world (fieldpost_central::testkit::world), with this suite's units,
        // items, stock and a console user of each kind.
        let (mut world, section) = testkit::world(t0());
        world.target(1000);
        let unit_a = world.unit(section, "单位甲", 600, "https://s.example/a");
        let unit_b = world.unit(section, "单位乙", 400, "https://s.example/b");
        let mask = world.gift("mask", "口罩", "份");
        let kit = world.gift("kit", "网安四宝", "份");
        world.receive(mask, 100, None);
        world.receive(kit, 10, None);
        let hash = quick_hash(PASSWORD);
        world.user("admin", Role::Admin, None, &hash);
        world.user("viewer", Role::Viewer, None, &hash);
        world.user("leader_a", Role::Admin, Some(unit_a), &hash);
        world.user("viewer_a", Role::Viewer, Some(unit_a), &hash);
        world.apply(store.as_ref(), t0()).unwrap();
        // As the server's start does: the world's lottery terms get their key.
        database.prepare_lottery(t0()).unwrap();
        Central {
            dir,
            store,
            database,
            state,
            clock,
            unit_a,
            unit_b,
            mask,
            kit,
            section,
            answered: Arc::default(),
        }
    }

    /// The lottery's public key, as tablets pull it: what they seal numbers to.
    pub fn lottery_public_key(&self) -> fieldpost_domain::LotteryPublicKey {
        self.database
            .lottery_key
            .key()
            .expect("the world's lottery has its key")
            .public_key()
    }

    /// The test's movable clock, for a state a test builds itself.
    pub fn clock(&self) -> fieldpost_server::Clock {
        let clock = Arc::clone(&self.clock);
        Arc::new(move || *clock.lock().unwrap())
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self.clock.lock().unwrap();
        *t += by;
    }

    pub fn now(&self) -> DateTime<Utc> {
        *self.clock.lock().unwrap()
    }

    /// Sends one request through `app(state).oneshot`.
    /// Sends `req` to the router and checks the response against the OpenAPI document.
    pub async fn raw(&self, req: Request<Body>) -> (StatusCode, HeaderMap, Bytes) {
        let (method, path) = (
            req.method().as_str().to_owned(),
            req.uri().path().to_owned(),
        );
        let res = app(self.state.clone()).oneshot(req).await.unwrap();
        let (status, headers) = (res.status(), res.headers().clone());
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        if let Some(route) = check_against_document(&method, &path, status, &headers, &bytes) {
            self.answered
                .lock()
                .unwrap()
                .insert((method, route, status.as_u16()));
        }
        (status, headers, bytes)
    }

    pub async fn send(&self, req: Request<Body>) -> (StatusCode, Value) {
        let (status, _, bytes) = self.raw(req).await;
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
        self.login_with(username, PASSWORD).await
    }

    /// Logs a console user in with `password`; returns the session cookie.
    pub async fn login_with(&self, username: &str, password: &str) -> Auth {
        let (status, headers, _) = self
            .raw(request(
                "POST",
                "/api/v1/auth/login",
                &Auth::None,
                Some(json!({"username": username, "password": password})),
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{username} must be able to log in");
        let cookie = headers
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

/// The served OpenAPI document.
pub fn document() -> &'static Value {
    fieldpost_server::openapi::document()
}

/// The documented route (path template under `/api/v1`) that serves `path`: a literal segment
/// wins over a `{parameter}`, as in the router.
pub fn route_of(method: &str, path: &str) -> Option<String> {
    let path = path.strip_prefix("/api/v1")?;
    let method = method.to_ascii_lowercase();
    let segments: Vec<&str> = path.split('/').collect();
    document()["paths"]
        .as_object()?
        .iter()
        .filter(|(_, ops)| ops.get(&method).is_some())
        .filter_map(|(template, _)| {
            let parts: Vec<&str> = template.split('/').collect();
            if parts.len() != segments.len() {
                return None;
            }
            let mut params = 0;
            for (t, s) in parts.iter().zip(&segments) {
                if t.starts_with('{') {
                    params += 1;
                } else if t != s {
                    return None;
                }
            }
            Some((params, template.clone()))
        })
        .min()
        .map(|(_, template)| template)
}

/// A validator per schema, compiled once against the whole document so that its `$ref`s
/// resolve.
fn validate(schema: &Value, instance: &Value) -> Result<(), String> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<jsonschema::Validator>>>> = OnceLock::new();
    let key = schema.to_string();
    let cache = CACHE.get_or_init(Mutex::default);
    let validator = {
        // A panicking test must not fail the others: the cache stays usable.
        let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
        Arc::clone(cache.entry(key).or_insert_with(|| {
            let mut root = json!({"components": document()["components"].clone()});
            match schema {
                Value::Object(fields) => {
                    for (k, v) in fields {
                        root[k] = v.clone();
                    }
                }
                // `true`: any JSON (the document itself).
                Value::Bool(true) => {}
                other => panic!("a response schema is an object or true, not {other}"),
            }
            Arc::new(
                jsonschema::draft202012::new(&root)
                    .unwrap_or_else(|e| panic!("the document's schema {schema} compiles: {e}")),
            )
        }))
    };
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

/// Checks one response against the document and returns the route it was for. Paths outside
/// `/api/v1` (the console's files) are not the API's; an unrouted API path answers an error
/// body.
fn check_against_document(
    method: &str,
    path: &str,
    status: StatusCode,
    headers: &HeaderMap,
    bytes: &[u8],
) -> Option<String> {
    if !path.starts_with("/api/") {
        return None;
    }
    let Some(route) = route_of(method, path) else {
        let body: Value = serde_json::from_slice(bytes)
            .unwrap_or_else(|_| panic!("{method} {path} ({status}) answers a JSON error body"));
        let schema = json!({"$ref": "#/components/schemas/ErrorBody"});
        if let Err(e) = validate(&schema, &body) {
            panic!(
                "{method} {path} ({status}) is no route, and its body is no ErrorBody: {e}\n{body}"
            );
        }
        return None;
    };
    let responses = &document()["paths"][&route][method.to_ascii_lowercase()]["responses"];
    let class = format!("{}XX", status.as_u16() / 100);
    let documented = responses
        .get(status.as_str())
        .or_else(|| responses.get(&class))
        .unwrap_or_else(|| {
            panic!("{method} {route} answered {status}, which the document does not list")
        });
    if let Some(required) = documented.get("headers").and_then(Value::as_object) {
        for (name, spec) in required {
            if spec["required"] == true {
                assert!(
                    headers.contains_key(name.as_str()),
                    "{method} {route} ({status}) is documented with the header {name}"
                );
            }
        }
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match documented.get("content").and_then(Value::as_object) {
        None => assert!(
            bytes.is_empty(),
            "{method} {route} ({status}) is documented without a body, yet answered one"
        ),
        Some(content) => {
            if let Some(json) = content.get("application/json") {
                assert!(
                    content_type.starts_with("application/json"),
                    "{method} {route} ({status}) is documented as JSON, answered {content_type}"
                );
                let body: Value = serde_json::from_slice(bytes).unwrap_or_else(|_| {
                    panic!("{method} {route} ({status}) answered JSON that does not parse")
                });
                if let Err(e) = validate(&json["schema"], &body) {
                    panic!(
                        "{method} {route} ({status}) answered what its documented schema refuses: \
                         {e}\n{body}"
                    );
                }
            } else {
                assert!(
                    content
                        .keys()
                        .any(|mime| content_type.starts_with(mime.as_str())),
                    "{method} {route} ({status}) answered {content_type}, documented as {:?}",
                    content.keys().collect::<Vec<_>>()
                );
                assert!(
                    !bytes.is_empty(),
                    "{method} {route} ({status}) answered a document"
                );
            }
        }
    }
    Some(route)
}

/// Pushes `payloads` as `device`'s next events through the push use case, as the push route
/// does: a handout or a void reaches the central only this way (one writer per fact).
pub fn push_events(
    store: &dyn Database,
    now: DateTime<Utc>,
    device: fieldpost_domain::DeviceId,
    payloads: Vec<fieldpost_domain::EventPayload>,
) -> fieldpost_sync::PushResponse {
    use fieldpost_central::push::{PushedEvent, push};
    // Handouts and their kin only: no entrant, so the lottery key is never read.
    let no_key = fieldpost_central::lottery_key::LotteryKeyFile::open("/nonexistent/lottery.key")
        .expect("a missing key file opens empty");
    // An empty push answers with what the central holds of the device.
    let last = push(store, &no_key, now, device, &[])
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
    push(store, &no_key, now, device, &events).expect("the batch applies")
}

/// A push's quarantined events as (seq, code), in the order the central answered them.
pub fn quarantine_codes(r: &fieldpost_sync::PushResponse) -> Vec<(u64, &str)> {
    r.quarantined
        .iter()
        .map(|q| (q.seq, q.code.as_str()))
        .collect()
}
