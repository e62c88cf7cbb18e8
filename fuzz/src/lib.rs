//! What every fuzz target shares: one real central, built once per process.
//!
//! The central is the server's own router (`fieldpost_server::app`) over a real SQLite file in
//! a temporary directory (on `/dev/shm` where there is one, so that its fsyncs cost nothing),
//! seeded like the server's tests (`crates/server/tests/it/support.rs`): the tests' campaign,
//! units 单位甲 and 单位乙, masks and kits in stock, console users, an approved plan of 单位甲
//! granting masks to one enrolled tablet. Each input is sent through the router with
//! `tower::ServiceExt::oneshot` on a current-thread runtime, and [`Answer::check`] holds the
//! answer to what a client may rely on: never a 5xx, and every 4xx a JSON error body. A panic
//! anywhere on the way is a crash, as libFuzzer reports it.
//!
//! Seeds name the world's records by fixed placeholder ids ([`PLACEHOLDERS`]), which
//! [`Central::with_ids`] replaces with the real ones (same length, so a mutation's offsets
//! still hold): a seed's push then speaks of the real device, plan and item.

use std::sync::{Arc, OnceLock};

use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use axum::body::{Body, Bytes};
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, Duration, TimeZone, Utc};
use fieldpost_central::audit::Actor;
use fieldpost_central::lottery_key::LotteryKeyFile;
use fieldpost_central::plans::DeviceShare;
use fieldpost_central::storage::Database;
use fieldpost_central::storage::sqlite::SqliteDatabase;
use fieldpost_central::testkit::{self, Enrolled};
use fieldpost_central::users::Role;
use fieldpost_domain::{ItemId, PlanId, UnitId};
use fieldpost_server::{AppState, app};
use tower::ServiceExt;

/// The password of every console user of the fuzz central.
pub const PASSWORD: &str = "correct horse battery";

/// Placeholder ids in seeds, in the order of [`Central::with_ids`]'s replacements: the
/// calling device, the approved plan, the granted item (masks), and unit 单位甲.
pub const PLACEHOLDERS: [&str; 4] = [
    "00000000-0000-7000-8000-0000000000d1",
    "00000000-0000-7000-8000-0000000000a1",
    "00000000-0000-7000-8000-0000000000b1",
    "00000000-0000-7000-8000-0000000000c1",
];

/// A one-time enrollment code in a seed, replaced by a fresh one ([`Central::issue_code`]).
pub const CODE_PLACEHOLDER: &str = "{CODE}";

/// The central's clock, fixed: 2022-08-03 01:00 UTC, the first collection day. Sessions and
/// codes never expire while a target runs, and every run sees the same world.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2022, 8, 3, 1, 0, 0)
        .single()
        .unwrap_or(DateTime::UNIX_EPOCH)
}

/// The fuzz central.
pub struct Central {
    runtime: tokio::runtime::Runtime,
    router: axum::Router,
    store: Arc<dyn Database>,
    /// Unit 单位甲.
    pub unit: UnitId,
    /// The approved plan of 单位甲.
    pub plan: PlanId,
    /// Masks, granted under the plan.
    pub item: ItemId,
    /// A tablet of 单位甲 holding a grant of masks.
    pub tablet: Enrolled,
    /// The `Cookie` header of the secretariat admin's console session.
    pub admin_cookie: String,
    verbose: bool,
    /// The address the router is served on, once [`Central::url`] was asked.
    served: OnceLock<String>,
    /// Kept for the process's life (a static is never dropped: see [`data_dir`]).
    _dir: tempfile::TempDir,
}

/// How a request authenticates.
#[derive(Debug, Clone, Copy)]
pub enum Auth<'a> {
    /// Not at all.
    None,
    /// A console session (`Cookie` header).
    Cookie(&'a str),
    /// A device token.
    Bearer(&'a str),
}

/// What the central answered.
#[derive(Debug)]
pub struct Answer {
    /// The status.
    pub status: StatusCode,
    /// The body.
    pub body: Bytes,
}

impl Answer {
    /// Panics (a crash to libFuzzer) unless the answer is one a client may get for any input:
    /// never a server error, and a refusal always the API's JSON error body.
    pub fn check(&self, route: &str) {
        let text = String::from_utf8_lossy(&self.body);
        assert!(
            !self.status.is_server_error(),
            "{route} answered {} to a client's input: {text}",
            self.status
        );
        if self.status.is_client_error() {
            let body: serde_json::Value = serde_json::from_slice(&self.body)
                .unwrap_or_else(|_| panic!("{route}: a {} is a JSON error: {text}", self.status));
            assert!(
                body["error"]["code"].is_string() && body["error"]["message"].is_string(),
                "{route}: a {} names its code and reason: {text}",
                self.status
            );
        }
    }
}

/// A cheap argon2 hash (as the server's tests make): a fuzzed login verifies many.
fn quick_hash(password: &str) -> String {
    let fail = |e: &dyn std::fmt::Display| -> ! { panic!("hashing the fuzz users' password: {e}") };
    let params = Params::new(8, 1, 1, None).unwrap_or_else(|e| fail(&e));
    let salt = SaltString::encode_b64(b"fieldpost-fuzz!!").unwrap_or_else(|e| fail(&e));
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .unwrap_or_else(|e| fail(&e))
}

/// libfuzzer-sys's panic hook aborts at any panic, even one that is caught, so that a crash
/// is found where it happens. One kind is caught by design: calamine panics on some damaged
/// spreadsheets, and `fieldpost_sheets::import::read_table` answers those as unreadable files
/// (a 400, which [`Answer::check`] still checks). Those are let through; any other panic
/// still aborts.
fn allow_caught_reader_panics() {
    let abort = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let in_calamine = info
            .location()
            .is_some_and(|l| l.file().contains("/calamine-"));
        if !in_calamine {
            abort(info);
        }
    }));
}

/// A fresh data directory for this process: on `/dev/shm` where there is one. A fuzzing
/// process ends by `exit`, so nothing drops it: the directories of processes that are gone
/// are removed here instead.
fn data_dir() -> tempfile::TempDir {
    const PREFIX: &str = "fieldpost-fuzz-";
    let shm = std::path::Path::new("/dev/shm");
    let parent = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    if let Ok(entries) = std::fs::read_dir(&parent) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(rest) = name.strip_prefix(PREFIX) else {
                continue;
            };
            let pid = rest.split('-').next().unwrap_or("");
            if !pid.is_empty() && !std::path::Path::new("/proc").join(pid).exists() {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    tempfile::Builder::new()
        .prefix(&format!("{PREFIX}{}-", std::process::id()))
        .tempdir_in(&parent)
        .unwrap_or_else(|e| panic!("a data directory in {}: {e}", parent.display()))
}

impl Central {
    /// The process's central, set up at the first call.
    pub fn get() -> &'static Central {
        static CENTRAL: OnceLock<Central> = OnceLock::new();
        CENTRAL.get_or_init(Central::start)
    }

    fn start() -> Central {
        allow_caught_reader_panics();
        let fail = |what: &str, e: &dyn std::fmt::Display| -> ! {
            panic!("setting up the fuzz central: {what}: {e}")
        };
        let dir = data_dir();
        let store: Arc<dyn Database> = Arc::new(
            SqliteDatabase::open_dir(dir.path()).unwrap_or_else(|e| fail("the database", &e)),
        );
        let key = Arc::new(
            LotteryKeyFile::open(dir.path().join("lottery.key"))
                .unwrap_or_else(|e| fail("the lottery key", &e)),
        );
        let t0 = now();
        let (mut world, section) = testkit::world(t0);
        world.target(1000);
        let unit = world.unit(section, "单位甲", 600, "https://s.example/a");
        world.unit(section, "单位乙", 400, "https://s.example/b");
        let item = world.gift("mask", "口罩", "份");
        let kit = world.gift("kit", "网安四宝", "份");
        world.receive(item, 1000, None);
        world.receive(kit, 10, None);
        let hash = quick_hash(PASSWORD);
        world.user("admin", Role::Admin, None, &hash);
        world.user("viewer", Role::Viewer, None, &hash);
        world.user("leader_a", Role::Admin, Some(unit), &hash);
        world
            .apply(store.as_ref(), t0)
            .unwrap_or_else(|e| fail("the world", &e));
        fieldpost_central::lottery::prepare(store.as_ref(), &key, t0)
            .unwrap_or_else(|e| fail("the lottery", &e));
        let tablet = testkit::enroll(store.as_ref(), t0, unit, "fuzz 平板")
            .unwrap_or_else(|e| fail("the tablet", &e));
        let plan = testkit::approved_plan(
            store.as_ref(),
            t0,
            unit,
            t0 - Duration::days(1),
            t0 + Duration::days(5),
            &[DeviceShare {
                device_id: tablet.device_id,
                item_id: item,
                quantity: 100,
            }],
        )
        .unwrap_or_else(|e| fail("the plan", &e));
        let state = AppState::new(Arc::clone(&store), key).with_clock(Arc::new(now));
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| fail("the runtime", &e));
        let mut central = Central {
            runtime,
            router: app(state),
            store,
            unit,
            plan,
            item,
            tablet,
            admin_cookie: String::new(),
            verbose: std::env::var_os("FIELDPOST_FUZZ_VERBOSE").is_some(),
            served: OnceLock::new(),
            _dir: dir,
        };
        let login = serde_json::json!({"username": "admin", "password": PASSWORD}).to_string();
        let (status, cookie) = central.runtime.block_on(async {
            let req = Request::post("/api/v1/auth/login")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(login))
                .unwrap_or_else(|e| fail("the login request", &e));
            match central.router.clone().oneshot(req).await {
                Ok(res) => (
                    res.status(),
                    res.headers()
                        .get(header::SET_COOKIE)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.split(';').next())
                        .unwrap_or_default()
                        .to_owned(),
                ),
                Err(e) => fail("the login", &e),
            }
        });
        assert_eq!(status, StatusCode::OK, "the fuzz admin logs in");
        central.admin_cookie = cookie;
        central
    }

    /// Sends one request through the router and reads the whole answer.
    pub fn send(
        &self,
        method: &str,
        uri: &str,
        auth: Auth<'_>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Answer {
        let mut req = Request::builder().method(method).uri(uri);
        match auth {
            Auth::None => {}
            Auth::Cookie(c) => req = req.header(header::COOKIE, c),
            Auth::Bearer(t) => req = req.header(header::AUTHORIZATION, format!("Bearer {t}")),
        }
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        let req = req
            .body(Body::from(body))
            .unwrap_or_else(|e| panic!("{method} {uri} is a request: {e}"));
        let answer = self.runtime.block_on(async {
            let res = match self.router.clone().oneshot(req).await {
                Ok(res) => res,
                Err(infallible) => match infallible {},
            };
            let status = res.status();
            let body = axum::body::to_bytes(res.into_body(), usize::MAX)
                .await
                .unwrap_or_else(|e| panic!("{method} {uri}: the answer's body is read: {e}"));
            Answer { status, body }
        });
        if self.verbose {
            eprintln!(
                "{method} {uri} -> {} {}",
                answer.status,
                String::from_utf8_lossy(&answer.body)
            );
        }
        answer
    }

    /// The router served over HTTP on 127.0.0.1 (an ephemeral port), for a target that goes
    /// through the station's own client: served by this central's runtime, so it answers
    /// while a [`Central::block_on`] runs.
    pub fn url(&self) -> &str {
        self.served.get_or_init(|| {
            let listener = self
                .runtime
                .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
                .unwrap_or_else(|e| panic!("binding the fuzz central to loopback: {e}"));
            let addr = listener
                .local_addr()
                .unwrap_or_else(|e| panic!("the fuzz central's address: {e}"));
            let router = self.router.clone();
            self.runtime.spawn(async move {
                let _ = axum::serve(listener, router).await;
            });
            format!("http://{addr}")
        })
    }

    /// Prints `what` when `FIELDPOST_FUZZ_VERBOSE` is set (as [`Central::send`] prints each
    /// answer), to see which paths a target's seeds reach.
    pub fn note(&self, what: impl std::fmt::Display) {
        if self.verbose {
            eprintln!("{what}");
        }
    }

    /// Runs `future` on the central's runtime (which also serves [`Central::url`]).
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// A newly enrolled tablet of 单位甲 (no grant): its log starts at seq 1, so a fuzzed
    /// push is applied, not refused as a gap or a replay of an earlier input's events.
    pub fn new_tablet(&self) -> Enrolled {
        testkit::enroll(self.store.as_ref(), now(), self.unit, "fuzz 平板")
            .unwrap_or_else(|e| panic!("enrolling a fuzz tablet: {e}"))
    }

    /// A fresh one-time enrollment code of 单位甲.
    pub fn issue_code(&self) -> String {
        fieldpost_central::enrollment::issue(
            self.store.as_ref(),
            &Actor::System("fuzz"),
            self.unit,
            now(),
            Duration::hours(24),
        )
        .unwrap_or_else(|e| panic!("issuing an enrollment code: {e}"))
        .code
    }

    /// `input` with the [`PLACEHOLDERS`] replaced by `device`, the plan, the item and the unit.
    pub fn with_ids(&self, input: &[u8], device: &str) -> Vec<u8> {
        let ids = [
            device.to_owned(),
            self.plan.to_string(),
            self.item.to_string(),
            self.unit.to_string(),
        ];
        let mut out = input.to_vec();
        for (placeholder, id) in PLACEHOLDERS.iter().zip(&ids) {
            out = replace(&out, placeholder.as_bytes(), id.as_bytes());
        }
        out
    }
}

/// `haystack` with every `from` replaced by `to`.
pub fn replace(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    if from.is_empty() || haystack.len() < from.len() {
        return haystack.to_vec();
    }
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

/// `bytes` as a URI's query: bytes a URI may not hold are percent-encoded (everything but
/// the unreserved characters, the sub-delimiters, `:@/?` and `%` itself), so that every input
/// reaches the handler instead of failing as a request before it.
pub fn query(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/?%".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
