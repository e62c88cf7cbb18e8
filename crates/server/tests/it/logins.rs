//! Console logins (issue 14, item 3): failed logins throttled per name and per client
//! address with growing waits and a lock, refused unchecked while they last (429, `retry_at`,
//! `Retry-After`), audited; the session cookie's attributes; and the refusal of cross-site
//! changes made with the session cookie, which leaves the tablets' bearer requests alone.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, HeaderName, Request, StatusCode, header};
use chrono::{DateTime, Duration, Utc};
use fieldpost_central::logins::LoginLimits;
use fieldpost_server::{AppState, Config, app};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::support::{Auth, Central, PASSWORD, Tablet, request};

/// What a login answered: status, headers, body.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Value,
}

impl Answer {
    fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    /// `retry_at` of a 429, as seconds after `now`.
    fn retry_in(&self, now: DateTime<Utc>) -> Option<i64> {
        let at: DateTime<Utc> = self.body["error"]["retry_at"].as_str()?.parse().ok()?;
        Some((at - now).num_seconds())
    }

    fn retry_after(&self) -> Option<u64> {
        self.headers
            .get(header::RETRY_AFTER)?
            .to_str()
            .ok()?
            .parse()
            .ok()
    }
}

/// A login request from `peer` (as the connection would give it), with extra headers.
fn login_request(
    username: &str,
    password: &str,
    peer: Option<&str>,
    headers: &[(&str, &str)],
) -> Request<Body> {
    let mut req = request(
        "POST",
        "/api/v1/auth/login",
        &Auth::None,
        Some(json!({"username": username, "password": password})),
    );
    for (name, value) in headers {
        req.headers_mut().insert(
            HeaderName::from_bytes(name.as_bytes()).expect("a header name"),
            value.parse().expect("a header value"),
        );
    }
    if let Some(peer) = peer {
        let addr: SocketAddr = format!("{peer}:40000").parse().expect("a peer address");
        req.extensions_mut().insert(ConnectInfo(addr));
    }
    req
}

async fn answer(c: &Central, req: Request<Body>) -> Answer {
    let (status, headers, bytes) = c.raw(req).await;
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).expect("a JSON answer")
    };
    Answer {
        status,
        headers,
        body,
    }
}

async fn login(c: &Central, username: &str, password: &str, peer: &str) -> Answer {
    answer(c, login_request(username, password, Some(peer), &[])).await
}

const PEER: &str = "203.0.113.7";

#[tokio::test]
async fn a_name_waits_longer_after_each_failure_then_is_locked_and_the_right_password_waits_too() {
    let c = Central::new();
    for n in 1..=3 {
        let a = login(&c, "admin", "wrong password", PEER).await;
        assert_eq!(
            (a.status, a.code()),
            (StatusCode::UNAUTHORIZED, "invalid_login"),
            "failure {n} of 3 free ones costs no wait"
        );
    }
    // From the 4th failure on, each costs a wait twice the last: 1, 2, 4, 8, 16, 32 s.
    for (n, wait) in (4..=9).zip([1_i64, 2, 4, 8, 16, 32]) {
        let a = login(&c, "admin", "wrong password", PEER).await;
        assert_eq!(
            (a.status, a.code()),
            (StatusCode::TOO_MANY_REQUESTS, "login_throttled"),
            "failure {n} makes the name wait: {}",
            a.body
        );
        assert_eq!(a.retry_in(c.now()), Some(wait), "failure {n}: {}", a.body);
        assert_eq!(
            a.retry_after(),
            Some(wait as u64),
            "Retry-After says the same wait in seconds"
        );
        // The right password during the wait is refused without being checked.
        let early = login(&c, "admin", PASSWORD, PEER).await;
        assert_eq!(
            (early.status, early.code()),
            (StatusCode::TOO_MANY_REQUESTS, "login_throttled"),
            "even the right password waits: {}",
            early.body
        );
        assert_eq!(
            early.retry_in(c.now()),
            Some(wait),
            "a refused attempt does not lengthen the wait"
        );
        c.advance(Duration::seconds(wait));
    }
    // The 10th failure locks the name for 15 minutes.
    let locked = login(&c, "admin", "wrong password", PEER).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(locked.retry_in(c.now()), Some(15 * 60), "{}", locked.body);
    assert_eq!(locked.retry_after(), Some(900));
    c.advance(Duration::minutes(14));
    let still = login(&c, "admin", PASSWORD, PEER).await;
    assert_eq!(
        (still.status, still.retry_in(c.now())),
        (StatusCode::TOO_MANY_REQUESTS, Some(60)),
        "the right password is refused while locked: {}",
        still.body
    );
    c.advance(Duration::minutes(1));
    let ok = login(&c, "admin", PASSWORD, PEER).await;
    assert_eq!(ok.status, StatusCode::OK, "the lock ends: {}", ok.body);
    // The success cleared the name's count: three free failures again.
    for n in 1..=3 {
        let a = login(&c, "admin", "wrong password", PEER).await;
        assert_eq!(
            a.status,
            StatusCode::UNAUTHORIZED,
            "failure {n} after a success is free again"
        );
    }

    // The lock is in the audit log with the name and the address; the password never is.
    let admin = c.login("admin").await;
    let (status, lines) = c
        .call(
            "GET",
            "/api/v1/audit?action=user.login_locked",
            &admin,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let lines = lines.as_array().unwrap();
    assert_eq!(lines.len(), 1, "one lock started: {lines:?}");
    let detail = &lines[0]["detail"];
    assert_eq!(detail["username"], "admin");
    assert_eq!(detail["address"], PEER);
    assert_eq!(detail["scope"], "account");
    assert_eq!(detail["failures"], 10);
    assert!(
        !Value::Array(lines.clone())
            .to_string()
            .contains("wrong password"),
        "never the password"
    );
    let (_, failed) = c
        .call(
            "GET",
            "/api/v1/audit?action=user.login_failed",
            &admin,
            None,
        )
        .await;
    assert_eq!(
        failed.as_array().unwrap()[0]["detail"]["address"],
        PEER,
        "a failure names the address it came from"
    );
}

#[tokio::test]
async fn a_password_reset_by_an_admin_ends_the_lock_on_the_name() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let mut last = None;
    for _ in 0..10 {
        let a = login(&c, "viewer", "wrong password", PEER).await;
        last = a.retry_in(c.now());
        if let Some(wait) = last.filter(|w| *w < 60) {
            c.advance(Duration::seconds(wait));
        }
    }
    assert_eq!(last, Some(15 * 60), "the 10th failure locked the name");
    let locked = login(&c, "viewer", PASSWORD, PEER).await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.body
    );
    let (_, users) = c.call("GET", "/api/v1/users", &admin, None).await;
    let id = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "viewer")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = c
        .call(
            "POST",
            &format!("/api/v1/users/{id}/password"),
            &admin,
            Some(json!({"password": "a brand new password"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ok = login(&c, "viewer", "a brand new password", PEER).await;
    assert_eq!(
        ok.status,
        StatusCode::OK,
        "the guesses were at the old password: the reset ends the lock ({})",
        ok.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn guesses_sent_in_parallel_are_each_counted_before_their_password_is_checked() {
    let c = Central::new();
    let mut guesses = tokio::task::JoinSet::new();
    for n in 0..12 {
        let router = app(c.state.clone());
        guesses.spawn(async move {
            let req = login_request("viewer", &format!("guess {n}"), Some(PEER), &[]);
            router.oneshot(req).await.unwrap().status()
        });
    }
    let statuses: Vec<StatusCode> = guesses.join_all().await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(
        checked, 3,
        "only the 3 free failures are answered as wrong passwords, however many run at once \
         (the 4th is counted before its password is checked, and makes the rest wait): \
         {statuses:?}"
    );
    assert!(
        statuses
            .iter()
            .all(|s| matches!(*s, StatusCode::UNAUTHORIZED | StatusCode::TOO_MANY_REQUESTS)),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn an_unknown_name_is_throttled_exactly_like_an_existing_one() {
    let c = Central::new();
    let mut seen = Vec::new();
    for name in ["viewer", "nobody-at-all"] {
        let mut answers = Vec::new();
        for _ in 0..5 {
            let a = login(&c, name, "wrong password", PEER).await;
            answers.push((a.status, a.code().to_owned(), a.retry_in(c.now())));
        }
        seen.push(answers);
    }
    assert_eq!(
        seen[0], seen[1],
        "the answers must not tell which names have an account"
    );
    assert_eq!(
        seen[0][3].0,
        StatusCode::TOO_MANY_REQUESTS,
        "both wait after the 4th"
    );
}

#[tokio::test]
async fn the_throttling_of_a_name_holds_on_another_instance_of_the_same_database() {
    let c = Central::new();
    let clock_of = |c: &Central| {
        let now = c.now();
        Arc::new(move || now) as fieldpost_server::Clock
    };
    for _ in 0..4 {
        login(&c, "viewer", "wrong password", PEER).await;
    }
    // A second central on the same database (as two instances on one PostgreSQL).
    let other = AppState::new(c.store.clone(), Arc::clone(&c.database.lottery_key))
        .with_clock(clock_of(&c));
    let res = app(other)
        .oneshot(login_request("viewer", PASSWORD, Some(PEER), &[]))
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the other instance counts the same failures"
    );
}

#[tokio::test]
async fn one_address_guessing_many_names_is_throttled_and_its_successes_do_not_count() {
    let mut limits = LoginLimits::default();
    limits.address.free_failures = 5;
    limits.address.lock_after = 8;
    let c = Central::with_config(Config {
        login_limits: limits,
        ..Config::default()
    });
    // Successful logins from an office's address are no failures.
    for _ in 0..10 {
        let a = login(&c, "viewer", PASSWORD, "198.51.100.1").await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    }
    for n in 1..=5 {
        let a = login(&c, &format!("guess{n}"), "wrong password", "198.51.100.1").await;
        assert_eq!(
            a.status,
            StatusCode::UNAUTHORIZED,
            "failure {n} from the address is free (each name's first)"
        );
    }
    let sixth = login(&c, "guess6", "wrong password", "198.51.100.1").await;
    assert_eq!(
        (sixth.status, sixth.retry_in(c.now())),
        (StatusCode::TOO_MANY_REQUESTS, Some(1)),
        "the 6th failure from one address makes it wait, though each name failed once: {}",
        sixth.body
    );
    let blocked = login(&c, "admin", PASSWORD, "198.51.100.1").await;
    assert_eq!(
        (blocked.status, blocked.code()),
        (StatusCode::TOO_MANY_REQUESTS, "login_throttled"),
        "a right password from the waiting address is refused unchecked"
    );
    assert!(
        blocked.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("from this address"),
        "{}",
        blocked.body
    );
    let elsewhere = login(&c, "admin", PASSWORD, "198.51.100.2").await;
    assert_eq!(
        elsewhere.status,
        StatusCode::OK,
        "the same name from another address is not held up"
    );
    c.advance(Duration::seconds(1));
    login(&c, "guess7", "wrong password", "198.51.100.1").await;
    c.advance(Duration::seconds(2));
    let lock = login(&c, "guess8", "wrong password", "198.51.100.1").await;
    assert_eq!(
        lock.retry_in(c.now()),
        Some(30 * 60),
        "the 8th failure locks the address for 30 minutes: {}",
        lock.body
    );
    let admin = c.login("admin").await;
    let (_, lines) = c
        .call(
            "GET",
            "/api/v1/audit?action=user.login_locked",
            &admin,
            None,
        )
        .await;
    let lines = lines.as_array().unwrap();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["detail"]["scope"], "address");
    assert_eq!(lines[0]["detail"]["address"], "198.51.100.1");
    assert_eq!(lines[0]["detail"]["username"], "guess8");
}

#[tokio::test]
async fn only_a_trusted_proxy_is_believed_about_the_client_address() {
    let mut limits = LoginLimits::default();
    limits.address.free_failures = 1;
    let proxy = "10.0.0.1";
    let c = Central::with_config(Config {
        login_limits: limits,
        trusted_proxies: vec![proxy.parse().unwrap()],
        ..Config::default()
    });
    let via = |client: &str| [("x-forwarded-for", client.to_owned())];
    let send = |name: &str, peer: &str, xff: &str| {
        let h = via(xff);
        login_request(
            name,
            "wrong password",
            Some(peer),
            &[(h[0].0, h[0].1.as_str())],
        )
    };
    // Through the trusted proxy, two clients are two addresses.
    let a = answer(&c, send("n1", proxy, "192.0.2.10")).await;
    let b = answer(&c, send("n2", proxy, "192.0.2.11")).await;
    assert_eq!(
        (a.status, b.status),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED),
        "each client's first failure is free"
    );
    // An untrusted peer that forges the header is counted as itself.
    let f1 = answer(&c, send("n3", "192.0.2.99", "192.0.2.20")).await;
    let f2 = answer(&c, send("n4", "192.0.2.99", "192.0.2.21")).await;
    assert_eq!(f1.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        f2.status,
        StatusCode::TOO_MANY_REQUESTS,
        "a forged X-Forwarded-For does not buy a fresh address: {}",
        f2.body
    );
}

/// The Set-Cookie of the admin's login.
async fn cookie_of(c: &Central) -> String {
    let (status, headers, _) = c
        .raw(login_request("admin", PASSWORD, Some(PEER), &[]))
        .await;
    assert_eq!(status, StatusCode::OK);
    headers[header::SET_COOKIE].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_session_cookie_is_http_only_strict_and_secure_when_the_console_is_on_https() {
    let plain = Central::new();
    let cookie = cookie_of(&plain).await;
    let attributes: Vec<&str> = cookie.split("; ").skip(1).collect();
    assert!(
        attributes.contains(&"HttpOnly") && attributes.contains(&"SameSite=Strict"),
        "no script reads it and no other site sends it: {cookie}"
    );
    assert!(attributes.contains(&"Path=/"), "{cookie}");
    assert!(
        attributes.contains(&"Max-Age=43200"),
        "it lasts the session's 12 hours: {cookie}"
    );
    assert!(
        !attributes.contains(&"Secure"),
        "plain HTTP on loopback cannot keep a Secure cookie: {cookie}"
    );

    let tls = Central::with_config(Config {
        secure_cookies: true,
        ..Config::default()
    });
    let cookie = cookie_of(&tls).await;
    let attributes: Vec<&str> = cookie.split("; ").skip(1).collect();
    assert!(
        attributes.contains(&"Secure")
            && attributes.contains(&"HttpOnly")
            && attributes.contains(&"SameSite=Strict"),
        "behind HTTPS the cookie is never sent over plain HTTP: {cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_owned();
    let (status, headers, _) = tls
        .raw(request(
            "POST",
            "/api/v1/auth/logout",
            &Auth::Cookie(pair),
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let cleared = headers[header::SET_COOKIE].to_str().unwrap();
    assert!(
        cleared.contains("Max-Age=0") && cleared.contains("Secure") && cleared.contains("HttpOnly"),
        "logout clears it with the same attributes: {cleared}"
    );
}

/// A change by the admin's session cookie (creating a viewer), with `headers`.
fn cookie_change(admin: &Auth, name: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut req = request(
        "POST",
        "/api/v1/users",
        admin,
        Some(json!({"username": name, "password": "a long password", "role": "viewer"})),
    );
    req.headers_mut()
        .insert(header::HOST, "central.example:8080".parse().unwrap());
    for (name, value) in headers {
        req.headers_mut().insert(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    req
}

#[tokio::test]
async fn a_cookie_change_from_another_site_is_refused_and_one_from_the_console_is_not() {
    let c = Central::new();
    let admin = c.login("admin").await;
    for (why, headers) in [
        (
            "Sec-Fetch-Site cross-site",
            vec![("sec-fetch-site", "cross-site")],
        ),
        (
            "Sec-Fetch-Site same-site (a sibling subdomain)",
            vec![("sec-fetch-site", "same-site")],
        ),
        ("another origin", vec![("origin", "https://evil.example")]),
        (
            "another port",
            vec![("origin", "http://central.example:9090")],
        ),
        ("an opaque origin", vec![("origin", "null")]),
    ] {
        let (status, body) = c.send(cookie_change(&admin, "csrf1", &headers)).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("cross_site_request")),
            "{why} is refused: {body}"
        );
    }
    let (status, users) = c.call("GET", "/api/v1/users", &admin, None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !users.to_string().contains("csrf1"),
        "nothing refused was created"
    );
    // What Chromium sends from the console itself, and what curl sends (no browser headers).
    for (name, headers) in [
        (
            "same-origin",
            vec![
                ("sec-fetch-site", "same-origin"),
                ("origin", "http://central.example:8080"),
            ],
        ),
        ("no-headers", vec![]),
    ] {
        let (status, body) = c.send(cookie_change(&admin, name, &headers)).await;
        assert_eq!(status, StatusCode::CREATED, "{name} is accepted: {body}");
    }
    // A read is no change: a cross-site GET is left to the cookie's SameSite.
    let mut read = request("GET", "/api/v1/users", &admin, None);
    read.headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    assert_eq!(c.send(read).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_login_from_another_site_is_refused_before_any_password_is_checked() {
    let c = Central::new();
    let mut req = login_request(
        "admin",
        PASSWORD,
        Some(PEER),
        &[
            ("origin", "https://evil.example"),
            ("host", "central.example"),
        ],
    );
    req.headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    let a = answer(&c, req).await;
    assert_eq!(
        (a.status, a.code()),
        (StatusCode::FORBIDDEN, "cross_site_request"),
        "login CSRF: another site cannot log the browser in: {}",
        a.body
    );
    assert!(
        a.headers.get(header::SET_COOKIE).is_none(),
        "no session is opened"
    );
    let ok = answer(
        &c,
        login_request(
            "admin",
            PASSWORD,
            Some(PEER),
            &[
                ("origin", "http://central.example"),
                ("host", "central.example"),
            ],
        ),
    )
    .await;
    assert_eq!(
        ok.status,
        StatusCode::OK,
        "the console's own login: {}",
        ok.body
    );
}

#[tokio::test]
async fn behind_https_only_an_https_origin_of_this_host_is_the_console() {
    let c = Central::with_config(Config {
        secure_cookies: true,
        ..Config::default()
    });
    let admin = c.login("admin").await;
    let (status, body) = c
        .send(cookie_change(
            &admin,
            "downgraded",
            &[("origin", "http://central.example:8080")],
        ))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("cross_site_request")),
        "an http:// page cannot change what the https:// console holds: {body}"
    );
    let (status, body) = c
        .send(cookie_change(
            &admin,
            "over-tls",
            &[("origin", "https://central.example:8080")],
        ))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn a_trusted_proxy_says_which_scheme_and_host_the_browser_reached() {
    let c = Central::with_config(Config {
        trusted_proxies: vec!["10.0.0.1".parse().unwrap()],
        ..Config::default()
    });
    let admin = c.login("admin").await;
    let through = |name: &str, peer: &str| {
        let mut req = cookie_change(
            &admin,
            name,
            &[
                ("origin", "https://central.example.cn"),
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "central.example.cn"),
            ],
        );
        // The proxy rewrote Host to the upstream's address.
        req.headers_mut()
            .insert(header::HOST, "10.0.0.11:8081".parse().unwrap());
        let addr: SocketAddr = format!("{peer}:50000").parse().unwrap();
        req.extensions_mut().insert(ConnectInfo(addr));
        req
    };
    let (status, body) = c.send(through("via-proxy", "10.0.0.1")).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the console behind the trusted proxy is same-origin: {body}"
    );
    let (status, body) = c.send(through("forged", "192.0.2.50")).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("cross_site_request")),
        "anyone else's X-Forwarded-Host is ignored, and its Origin is not this Host: {body}"
    );
}

#[tokio::test]
async fn a_tablets_bearer_requests_are_not_checked_for_their_origin() {
    let c = Central::new();
    let tablet = Tablet::enroll(&c, c.unit_a, "tablet-1").await;
    let mut req = request(
        "POST",
        "/api/v1/sync/push",
        &tablet.auth,
        Some(json!({"events": []})),
    );
    // Whatever a webview or an old tablet sends beside its token (v0.1.0 sends no Origin;
    // these are the worst a browser-like client could add).
    req.headers_mut()
        .insert("origin", "tauri://localhost".parse().unwrap());
    req.headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    let (status, body) = c.send(req).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a bearer token is no ambient credential a site could borrow: {body}"
    );
    // And without any browser header, as v0.1.0 tablets call.
    let (status, _) = c
        .call("GET", "/api/v1/sync/pull?after=0", &tablet.auth, None)
        .await;
    assert_eq!(status, StatusCode::OK);
}
