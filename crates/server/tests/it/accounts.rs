//! Issue 13, deliverable 1 ("every unit sees itself"): a unit's own accounts get their unit's
//! dashboard, plans, devices and exports and nothing private of another unit; the secretariat's
//! admins manage accounts (create, role, unit, disable, reset password), never leaving the
//! console without an enabled admin; every change and every login is in the audit log, which
//! is filtered, paged and exported.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{Auth, Central, PASSWORD, expect_error, request};

/// A login attempt's status and body, without asserting it works.
async fn try_login(c: &Central, username: &str, password: &str) -> (StatusCode, Value, Auth) {
    let (status, headers, body) = c
        .raw(request(
            "POST",
            "/api/v1/auth/login",
            &Auth::None,
            Some(json!({"username": username, "password": password})),
        ))
        .await;
    let auth = headers
        .get(axum::http::header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map_or(Auth::None, |pair| Auth::Cookie(pair.to_owned()));
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    (status, body, auth)
}

/// The account called `username`, as the accounts list answers it.
async fn account(c: &Central, admin: &Auth, username: &str) -> Value {
    let (status, all) = c.call("GET", "/api/v1/users", admin, None).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the secretariat admin lists accounts"
    );
    all.as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == username)
        .cloned()
        .unwrap_or_else(|| panic!("{username} is listed: {all}"))
}

async fn download(c: &Central, path: &str, auth: &Auth) -> StatusCode {
    let (status, _, bytes) = c.raw(request("GET", path, auth, None)).await;
    if status == StatusCode::OK {
        assert!(!bytes.is_empty(), "{path} answers a workbook");
    }
    status
}

#[tokio::test]
async fn a_unit_account_gets_its_own_units_dashboard_and_nothing_private_of_another() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let plan_a = c.file_plan(&admin, c.unit_a).await;
    let plan_b = c.file_plan(&admin, c.unit_b).await;
    c.device(c.unit_a, "甲 1号平板").await;
    c.device(c.unit_b, "乙 1号平板").await;
    let counts = json!({"counts": [
        {"unit_id": c.unit_a, "day": "2022-08-03", "count": 40},
        {"unit_id": c.unit_b, "day": "2022-08-04", "count": 90}]});
    let (status, _) = c
        .call("POST", "/api/v1/collection-counts", &admin, Some(counts))
        .await;
    assert_eq!(status, StatusCode::OK, "counts imported");

    for who in ["leader_a", "viewer_a"] {
        let me = c.login(who).await;
        let (status, d) = c.call("GET", "/api/v1/dashboard", &me, None).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{who}: a unit account has a dashboard: {d}"
        );
        assert_eq!(
            d["unit_scope"],
            c.unit_a.to_string(),
            "{who}: scoped to unit A"
        );
        let days: Vec<_> = d["daily"].as_array().unwrap().iter().collect();
        assert_eq!(days.len(), 1, "{who}: only unit A's day: {days:?}");
        assert_eq!(days[0]["count"], 40, "{who}: unit A's count, not B's 90");
        let devices = d["devices"].as_array().unwrap();
        assert_eq!(devices.len(), 1, "{who}: only unit A's tablet: {devices:?}");
        assert_eq!(devices[0]["name"], "甲 1号平板");
        assert_eq!(d["plans_submitted"], 1, "{who}: only unit A's plan waits");
        for item in d["items"].as_array().unwrap() {
            assert_eq!(
                item["received"], 0,
                "{who}: the secretariat's stock is not shown"
            );
            assert_eq!(
                item["on_hand"], 0,
                "{who}: the secretariat's stock is not shown"
            );
        }
        // The bulletin's ranking is public among units; nothing else of unit B is.
        let units = d["records"]["units"].as_array().unwrap();
        assert_eq!(units.len(), 2, "{who}: the ranking names every unit");
        let b = units
            .iter()
            .find(|u| u["unit"]["id"] == c.unit_b.to_string())
            .unwrap();
        assert_eq!(
            b["collected"], 90,
            "{who}: unit B's count is in the bulletin"
        );
        assert_eq!(b["rank"], 1, "{who}: and its rank");
        assert!(
            b["plans"].as_array().unwrap().is_empty(),
            "{who}: B's plans hidden"
        );
        assert!(
            b["items"].as_array().unwrap().is_empty(),
            "{who}: B's gifts hidden"
        );
        assert_eq!(b["unit"]["survey_link"], "", "{who}: B's link hidden");
        assert!(b["unit"]["contact"].is_null(), "{who}: B's contact hidden");
        let a = units
            .iter()
            .find(|u| u["unit"]["id"] == c.unit_a.to_string())
            .unwrap();
        assert_eq!(
            a["plans"].as_array().unwrap().len(),
            1,
            "{who}: A's own plan shows"
        );
        assert_eq!(
            a["unit"]["survey_link"], "https://s.example/a",
            "{who}: own link"
        );

        let (_, plans) = c.call("GET", "/api/v1/plans", &me, None).await;
        let ids: Vec<_> = plans.as_array().unwrap().iter().map(|p| &p["id"]).collect();
        assert_eq!(ids, vec![&json!(plan_a)], "{who}: unit A's plans only");
        let (_, devices) = c.call("GET", "/api/v1/devices", &me, None).await;
        assert_eq!(
            devices.as_array().unwrap().len(),
            1,
            "{who}: own devices only"
        );
        expect_error(
            c.call("GET", &format!("/api/v1/plans/{plan_b}"), &me, None)
                .await,
            StatusCode::FORBIDDEN,
            "forbidden",
            &format!("{who}: unit B's plan"),
        );

        for export in ["bulletin", "handouts", "volunteer-hours", "plan-assessment"] {
            let path = format!("/api/v1/exports/{export}.xlsx");
            assert_eq!(
                download(&c, &path, &me).await,
                StatusCode::OK,
                "{who}: {path}"
            );
        }
        let own = format!("/api/v1/posters/{}", c.unit_a);
        assert_eq!(
            download(&c, &own, &me).await,
            StatusCode::OK,
            "{who}: own poster"
        );
        let theirs = format!("/api/v1/posters/{}", c.unit_b);
        assert_eq!(
            download(&c, &theirs, &me).await,
            StatusCode::FORBIDDEN,
            "{who}: unit B's poster"
        );
        for path in ["/api/v1/posters", "/api/v1/exports/audit-log.xlsx"] {
            assert_eq!(
                download(&c, path, &me).await,
                StatusCode::FORBIDDEN,
                "{who}: {path}"
            );
        }
        for path in [
            "/api/v1/users",
            "/api/v1/audit",
            "/api/v1/audit/actions",
            "/api/v1/stock",
        ] {
            expect_error(
                c.call("GET", path, &me, None).await,
                StatusCode::FORBIDDEN,
                "forbidden",
                &format!("{who}: {path} is the secretariat's"),
            );
        }
    }
}

#[tokio::test]
async fn a_unit_accounts_assessment_export_holds_its_own_plans_only() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let plan_b = c.file_plan(&admin, c.unit_b).await;
    let leader = c.login("leader_a").await;
    let plan_a = c.file_plan(&leader, c.unit_a).await;
    // The assessment counts approved plans.
    for plan in [plan_a, plan_b] {
        let (status, body) = c
            .call(
                "POST",
                &format!("/api/v1/plans/{plan}/approve"),
                &admin,
                Some(json!({"allocation": []})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "approved: {body}");
    }
    let (status, _, bytes) = c
        .raw(request(
            "GET",
            "/api/v1/exports/plan-assessment.xlsx",
            &leader,
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    use calamine::Reader;
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let text: String = sheet.rows().flatten().map(|c| c.to_string()).collect();
    assert!(text.contains("单位甲"), "unit A's plan is in it: {text}");
    assert!(
        !text.contains("单位乙"),
        "unit B's plan is not in unit A's assessment: {text}"
    );
}

#[tokio::test]
async fn a_unit_admin_changes_its_own_plans_and_nothing_of_the_secretariat() {
    let c = Central::new();
    let leader = c.login("leader_a").await;
    let plan = c.file_plan(&leader, c.unit_a).await;
    let (status, body) = c
        .call(
            "PUT",
            &format!("/api/v1/plans/{plan}"),
            &leader,
            Some(c.plan_body(c.unit_a)),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a unit admin revises its own plan: {body}"
    );
    let viewer = c.login("viewer_a").await;
    expect_error(
        c.call(
            "POST",
            "/api/v1/plans",
            &viewer,
            Some(c.plan_body(c.unit_a)),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "a unit viewer is read-only",
    );
    let user = json!({"username": "x", "password": "long enough pw", "role": "viewer"});
    for (method, path, body) in [
        (
            "POST",
            format!("/api/v1/plans/{plan}/approve"),
            Some(json!({"allocation": []})),
        ),
        ("POST", "/api/v1/users".to_owned(), Some(user)),
        (
            "POST",
            "/api/v1/enrollment-codes".to_owned(),
            Some(json!({"unit_id": c.unit_a})),
        ),
    ] {
        expect_error(
            c.call(method, &path, &leader, body).await,
            StatusCode::FORBIDDEN,
            "forbidden",
            &format!("a unit admin may not {method} {path}"),
        );
    }
}

#[tokio::test]
async fn the_secretariat_admin_creates_changes_disables_and_resets_accounts() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let body = json!({"username": "leader_b", "password": "乙单位的好密码1234", "role": "viewer",
                      "unit_id": c.unit_b});
    let (status, made) = c.call("POST", "/api/v1/users", &admin, Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "created: {made}");
    let id = made["id"].as_str().unwrap().to_owned();
    let listed = account(&c, &admin, "leader_b").await;
    assert!(
        listed["disabled_at"].is_null(),
        "a new account is enabled: {listed}"
    );

    // Role and unit.
    let (status, changed) = c
        .call(
            "PUT",
            &format!("/api/v1/users/{id}"),
            &admin,
            Some(json!({"role": "admin", "unit_id": c.unit_b})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "role changed: {changed}");
    assert_eq!(changed["role"], "admin");
    assert_eq!(changed["unit_id"], c.unit_b.to_string());
    expect_error(
        c.call(
            "PUT",
            &format!("/api/v1/users/{id}"),
            &admin,
            Some(json!({"role": "viewer", "unit_id": uuid::Uuid::now_v7()})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "a unit that does not exist",
    );
    let refused = expect_error(
        c.call(
            "PUT",
            &format!("/api/v1/users/{id}"),
            &admin,
            Some(json!({"role": "carrier"})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "a carrier account names its carrier",
    );
    assert_eq!(
        refused["error"]["field"], "carrier",
        "the field at fault: {refused}"
    );
    expect_error(
        c.call(
            "PUT",
            &format!("/api/v1/users/{}", uuid::Uuid::now_v7()),
            &admin,
            Some(json!({"role": "viewer"})),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
        "no such account",
    );

    // Disable: the open session ends at once and a login is refused.
    let (status, _, session) = try_login(&c, "leader_b", "乙单位的好密码1234").await;
    assert_eq!(status, StatusCode::OK, "leader_b logs in");
    let (status, _) = c.call("GET", "/api/v1/dashboard", &session, None).await;
    assert_eq!(status, StatusCode::OK, "leader_b's session works");
    let (status, disabled) = c
        .call("POST", &format!("/api/v1/users/{id}/disable"), &admin, None)
        .await;
    assert_eq!(status, StatusCode::OK, "disabled: {disabled}");
    assert!(disabled["disabled_at"].is_string(), "the time is recorded");
    expect_error(
        c.call("GET", "/api/v1/dashboard", &session, None).await,
        StatusCode::UNAUTHORIZED,
        "invalid_session",
        "a disabled account's session ended at once",
    );
    let (status, body, _) = try_login(&c, "leader_b", "乙单位的好密码1234").await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a disabled account cannot log in"
    );
    assert_eq!(
        body["error"]["code"], "invalid_login",
        "told as any wrong login: {body}"
    );
    let (status, _) = c
        .call("POST", &format!("/api/v1/users/{id}/enable"), &admin, None)
        .await;
    assert_eq!(status, StatusCode::OK, "enabled again");
    let (status, _, session) = try_login(&c, "leader_b", "乙单位的好密码1234").await;
    assert_eq!(status, StatusCode::OK, "an enabled account logs in again");

    // Reset the password: made by the server, shown once; the old one and the session end.
    let (status, reset) = c
        .call(
            "POST",
            &format!("/api/v1/users/{id}/password"),
            &admin,
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "reset: {reset}");
    let made = reset["generated"].as_str().unwrap().to_owned();
    assert!(made.len() >= 16, "a made password is long: {made}");
    let (status, _) = c.call("GET", "/api/v1/dashboard", &session, None).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a reset ends the sessions"
    );
    let (status, _, _) = try_login(&c, "leader_b", "乙单位的好密码1234").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old password is gone");
    let (status, _, _) = try_login(&c, "leader_b", &made).await;
    assert_eq!(status, StatusCode::OK, "the made password works");
    // Or typed by the admin, with the same length rule as a new account's.
    let short = expect_error(
        c.call(
            "POST",
            &format!("/api/v1/users/{id}/password"),
            &admin,
            Some(json!({"password": "short"})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "a short password",
    );
    assert_eq!(short["error"]["field"], "password");
    let (status, reset) = c
        .call(
            "POST",
            &format!("/api/v1/users/{id}/password"),
            &admin,
            Some(json!({"password": "typed by the admin"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        reset["generated"].is_null(),
        "a typed password is not echoed: {reset}"
    );
    let (status, _, _) = try_login(&c, "leader_b", "typed by the admin").await;
    assert_eq!(status, StatusCode::OK, "the typed password works");

    // Only a secretariat admin manages accounts.
    let viewer = c.login("viewer").await;
    expect_error(
        c.call(
            "POST",
            &format!("/api/v1/users/{id}/disable"),
            &viewer,
            None,
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "a secretariat viewer is read-only",
    );

    // Every change is in the audit log, and never a password.
    let (_, audit) = c.call("GET", "/api/v1/audit?limit=100", &admin, None).await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["subject"] == id.as_str())
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in [
        "user.create",
        "user.update",
        "user.disable",
        "user.enable",
        "user.password_reset",
    ] {
        assert!(
            actions.contains(&action),
            "{action} is audited: {actions:?}"
        );
    }
    let text = audit.to_string();
    for secret in ["乙单位的好密码1234", "typed by the admin", made.as_str()] {
        assert!(!text.contains(secret), "no password in the audit log");
    }
}

#[tokio::test]
async fn the_last_enabled_secretariat_admin_is_never_disabled_or_demoted() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let me = account(&c, &admin, "admin").await;
    let id = me["id"].as_str().unwrap().to_owned();
    // leader_a is an admin too, but of a unit: it does not keep the console administered.
    for (method, path, body) in [
        ("POST", format!("/api/v1/users/{id}/disable"), None),
        (
            "PUT",
            format!("/api/v1/users/{id}"),
            Some(json!({"role": "viewer"})),
        ),
        (
            "PUT",
            format!("/api/v1/users/{id}"),
            Some(json!({"role": "admin", "unit_id": c.unit_a})),
        ),
    ] {
        let refused = expect_error(
            c.call(method, &path, &admin, body).await,
            StatusCode::CONFLICT,
            "last_admin",
            &format!("{method} {path} would leave no secretariat admin"),
        );
        assert!(
            refused["error"]["message"]
                .as_str()
                .unwrap()
                .contains("last"),
            "the refusal says why: {refused}"
        );
    }
    let (status, _) = c.call("GET", "/api/v1/users", &admin, None).await;
    assert_eq!(status, StatusCode::OK, "the admin is still in charge");
    // With a second admin, the first may step down.
    let second = json!({"username": "admin2", "password": "second admin pw", "role": "admin"});
    let (status, _) = c.call("POST", "/api/v1/users", &admin, Some(second)).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = c
        .call(
            "PUT",
            &format!("/api/v1/users/{id}"),
            &admin,
            Some(json!({"role": "viewer"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "a second admin exists: {body}");
    let admin2 = c.login_with("admin2", "second admin pw").await;
    let (status, body) = c
        .call(
            "POST",
            &format!("/api/v1/users/{id}/disable"),
            &admin2,
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the demoted admin can be disabled: {body}"
    );
    let me2 = account(&c, &admin2, "admin2").await;
    expect_error(
        c.call(
            "POST",
            &format!("/api/v1/users/{}/disable", me2["id"].as_str().unwrap()),
            &admin2,
            None,
        )
        .await,
        StatusCode::CONFLICT,
        "last_admin",
        "admin2 is now the last one",
    );
}

#[tokio::test]
async fn logins_are_audited_filtered_paged_and_exported() {
    let c = Central::new();
    let (status, _, _) = try_login(&c, "admin", "not the password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = try_login(&c, "nobody", "whatever it is").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    c.advance(chrono::Duration::hours(1));
    let admin = c.login("admin").await;
    c.login("viewer").await;

    let (status, failed) = c
        .call(
            "GET",
            "/api/v1/audit?action=user.login_failed",
            &admin,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<_> = failed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["detail"]["username"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec!["nobody", "admin"],
        "failed logins, newest first"
    );
    let text = failed.to_string();
    assert!(
        !text.contains("not the password"),
        "never the password: {text}"
    );
    assert!(!text.contains(PASSWORD), "never the password");

    let (_, ok) = c
        .call(
            "GET",
            "/api/v1/audit?action=user.login&actor=viewer",
            &admin,
            None,
        )
        .await;
    let ok = ok.as_array().unwrap();
    assert_eq!(ok.len(), 1, "one successful login by viewer: {ok:?}");
    assert_eq!(ok[0]["actor"], "user:viewer");

    // The time range: the failures came an hour before the successes.
    let from = (c.now() - chrono::Duration::minutes(1)).to_rfc3339();
    let path = format!("/api/v1/audit?from={}", url_escape(&from));
    let (status, recent) = c.call("GET", &path, &admin, None).await;
    assert_eq!(status, StatusCode::OK, "{recent}");
    assert!(
        recent
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["action"] != "user.login_failed"),
        "the failures are older than `from`: {recent}"
    );
    let to = url_escape(&from);
    let (_, older) = c
        .call(
            "GET",
            &format!("/api/v1/audit?to={to}&action=user.login_failed"),
            &admin,
            None,
        )
        .await;
    assert_eq!(
        older.as_array().unwrap().len(),
        2,
        "both failures before `to`"
    );

    // Pages: `before` the last line's seq gives the next, older page, without repeats.
    let (_, first) = c.call("GET", "/api/v1/audit?limit=2", &admin, None).await;
    let first = first.as_array().unwrap();
    assert_eq!(first.len(), 2);
    let last = first[1]["seq"].as_i64().unwrap();
    let (_, second) = c
        .call(
            "GET",
            &format!("/api/v1/audit?limit=2&before={last}"),
            &admin,
            None,
        )
        .await;
    let second = second.as_array().unwrap();
    assert!(!second.is_empty(), "an older page");
    assert!(
        second.iter().all(|e| e["seq"].as_i64().unwrap() < last),
        "the next page is older: {second:?}"
    );

    // A secretariat viewer reads the log (reading is not changing), not the accounts.
    let viewer = c.login("viewer").await;
    let (status, _) = c.call("GET", "/api/v1/audit", &viewer, None).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a secretariat viewer reads the audit log"
    );
    expect_error(
        c.call("GET", "/api/v1/users", &viewer, None).await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "the accounts are the secretariat admins'",
    );

    let (_, actions) = c.call("GET", "/api/v1/audit/actions", &admin, None).await;
    let actions: Vec<_> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"user.login") && actions.contains(&"user.login_failed"),
        "{actions:?}"
    );

    // The export holds the filtered lines.
    let (status, _, bytes) = c
        .raw(request(
            "GET",
            "/api/v1/exports/audit-log.xlsx?action=user.login_failed",
            &admin,
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    use calamine::Reader;
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(
        rows.len(),
        4,
        "title, header and the two failures: {rows:?}"
    );
    assert_eq!(
        rows[1][3..5],
        ["操作", "操作代码"],
        "the action's name, then its code"
    );
    assert_eq!(
        rows[2][3], "登录失败",
        "the action's Chinese name, as the page shows it"
    );
    assert_eq!(rows[2][4], "user.login_failed", "the code, to filter on");
    assert!(
        rows[2][6].contains("nobody") && !rows[2][6].starts_with('{'),
        "the name as typed, in words, not raw JSON: {rows:?}"
    );
}

/// Escapes what a time in a query string needs (`+` and `:`).
fn url_escape(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

#[tokio::test]
async fn a_unit_accounts_dashboard_lists_its_own_exceptions_only() {
    use crate::support::Tablet;
    use crate::sync::{approved_plan, push};
    use fieldpost_domain::EventPayload;
    let c = Central::new();
    // An over-grant handout on a tablet of each unit.
    let mut flagged = Vec::new();
    for (unit, name) in [(c.unit_a, "甲 1号"), (c.unit_b, "乙 1号")] {
        let mut t = Tablet::enroll(&c, unit, name).await;
        let plan = approved_plan(&c, unit, &[(t.id, 1)]);
        let open = t.open_session(plan);
        let (id, mut beyond) = t.handout(plan, c.mask, 3);
        if let EventPayload::HandoutRecorded { handout } = &mut beyond.payload {
            handout.over_grant_reason = Some("箱子里多了口罩".into());
        }
        push(&c, &t, &[open, beyond]).await;
        flagged.push(id.to_string());
    }
    let admin = c.login("admin").await;
    let (_, all) = c.call("GET", "/api/v1/dashboard", &admin, None).await;
    assert_eq!(
        all["exceptions"]["over_grant"].as_array().unwrap().len(),
        2,
        "the secretariat sees both units' exceptions"
    );
    let leader = c.login("leader_a").await;
    let (_, own) = c.call("GET", "/api/v1/dashboard", &leader, None).await;
    let ids: Vec<_> = own["exceptions"]["over_grant"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        ids,
        vec![flagged[0].clone()],
        "unit A sees its own exception only"
    );
}

/// The console's posters page shows a unit account its extra links' posters: each must load for
/// that unit, and another unit's stay closed whichever unit the path names.
#[tokio::test]
async fn a_unit_account_prints_its_own_extra_links_posters_not_another_units() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let link = |unit, url: &'static str| {
        let (c, admin) = (&c, &admin);
        async move {
            let (status, added) = c
                .call(
                    "POST",
                    &format!("/api/v1/units/{unit}/links"),
                    admin,
                    Some(json!({"label": "二号入口", "url": url})),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "an extra link: {added}");
            added["id"].as_str().unwrap().to_owned()
        }
    };
    let own = link(c.unit_a, "https://s.example/a-2").await;
    let theirs = link(c.unit_b, "https://s.example/b-2").await;
    for who in ["leader_a", "viewer_a"] {
        let me = c.login(who).await;
        let path = format!("/api/v1/posters/{}/links/{own}", c.unit_a);
        let (status, headers, svg) = c.raw(request("GET", &path, &me, None)).await;
        assert_eq!(status, StatusCode::OK, "{who}: own extra link's poster");
        assert_eq!(
            headers[axum::http::header::CONTENT_TYPE],
            "image/svg+xml; charset=utf-8",
            "{who}: an image the page can show"
        );
        let svg = String::from_utf8(svg.to_vec()).unwrap();
        assert!(
            svg.contains("https://s.example/a-2") && svg.contains("二号入口"),
            "{who}: the poster of that link: {svg}"
        );
        for (unit, id, why) in [
            (c.unit_b, &theirs, "unit B's link under unit B"),
            (c.unit_b, &own, "own link named under unit B"),
        ] {
            expect_error(
                c.call(
                    "GET",
                    &format!("/api/v1/posters/{unit}/links/{id}"),
                    &me,
                    None,
                )
                .await,
                StatusCode::FORBIDDEN,
                "forbidden",
                &format!("{who}: {why}, as unit B's primary poster answers"),
            );
        }
        expect_error(
            c.call(
                "GET",
                &format!("/api/v1/posters/{}/links/{theirs}", c.unit_a),
                &me,
                None,
            )
            .await,
            StatusCode::NOT_FOUND,
            "not_found",
            &format!("{who}: unit B's link named under unit A is no link of A's"),
        );
    }
}
