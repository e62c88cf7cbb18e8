//! Enrollment codes work once and expire; tokens are stored only as hashes; the CLI issues
//! a code and its QR PNG.

use axum::http::StatusCode;
use fieldpost_central::audit::Actor;
use fieldpost_central::enrollment;
use fieldpost_central::testkit::Backend;
use serde_json::json;

use crate::support::{Auth, Central, expect_error};

#[tokio::test]
async fn a_code_works_once() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let (status, issued) = c
        .call(
            "POST",
            "/api/v1/enrollment-codes",
            &admin,
            Some(json!({"unit_id": c.unit_a})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the console issues codes: {issued}"
    );
    assert!(
        issued["qr_svg"].as_str().unwrap().contains("<svg"),
        "the console gets a QR code to show"
    );
    let code = issued["code"].as_str().unwrap().to_owned();
    let enroll = json!({"code": code.to_lowercase(), "device_name": "甲 1号平板"});
    let (status, body) = c
        .call(
            "POST",
            "/api/v1/devices/enroll",
            &Auth::None,
            Some(enroll.clone()),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "a fresh code enrolls, in any case: {body}"
    );
    assert_eq!(
        body["unit_id"],
        c.unit_a.to_string(),
        "the device acts for the code's unit"
    );
    let token = body["token"].as_str().unwrap().to_owned();
    expect_error(
        c.call("POST", "/api/v1/devices/enroll", &Auth::None, Some(enroll))
            .await,
        StatusCode::CONFLICT,
        "enrollment_code_used",
        "a code is one-time",
    );
    let (status, me) = c
        .call("GET", "/api/v1/auth/me", &Auth::Bearer(token.clone()), None)
        .await;
    assert_eq!(status, StatusCode::OK, "the token authenticates");
    assert_eq!(me["kind"], "device", "as a device");

    // The server keeps only the token's hash.
    let stored: Vec<String> = c
        .database
        .rows("SELECT token_hash FROM devices")
        .unwrap()
        .into_iter()
        .map(|r| r[0].clone().unwrap())
        .collect();
    assert_eq!(stored.len(), 1, "one device");
    assert_ne!(stored[0], token, "the raw token is never stored");
    assert_eq!(
        stored[0],
        fieldpost_central::secrets::sha256_hex(&token),
        "the stored value is the token's SHA-256"
    );
}

#[tokio::test]
async fn a_code_expires() {
    let c = Central::new();
    let issued = enrollment::issue(
        c.store.as_ref(),
        &Actor::System("test"),
        c.unit_a,
        c.now(),
        chrono::Duration::hours(24),
    )
    .unwrap();
    c.advance(chrono::Duration::hours(24));
    expect_error(
        c.call(
            "POST",
            "/api/v1/devices/enroll",
            &Auth::None,
            Some(json!({"code": issued.code, "device_name": "迟到的平板"})),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "enrollment_code_expired",
        "a code is dead at its expiry",
    );
    expect_error(
        c.call(
            "POST",
            "/api/v1/devices/enroll",
            &Auth::None,
            Some(json!({"code": "AAAA-BBBB-CCCC", "device_name": "猜的"})),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "invalid_enrollment_code",
        "an unknown code",
    );
}

#[test]
fn the_cli_prints_a_code_and_writes_a_qr_png() {
    let c = Central::new();
    let mut cli = std::process::Command::new(env!("CARGO_BIN_EXE_fieldpost-server"));
    cli.args(["enroll-code", "--unit", "单位甲", "--data-dir"])
        .arg(c.dir.path());
    if let Backend::Postgres(url) = &c.database.backend {
        cli.args(["--database", url]);
    }
    let out = cli.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "enroll-code must succeed: {stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let field = |name: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap_or_else(|| panic!("no {name} line in {stdout}"))
            .trim()
            .to_owned()
    };
    let code = field("enrollment code:");
    let png = std::fs::read(field("qr:")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "the QR code is a PNG");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (status, body) = rt.block_on(c.call(
        "POST",
        "/api/v1/devices/enroll",
        &Auth::None,
        Some(json!({"code": code, "device_name": "CLI 平板"})),
    ));
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the printed code enrolls: {body}"
    );
    assert_eq!(body["unit_id"], c.unit_a.to_string(), "for the named unit");
}
