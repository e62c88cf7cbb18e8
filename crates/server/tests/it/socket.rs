//! The API over a real TCP socket on 127.0.0.1, with reqwest (the sync client's library).

use fieldpost_server::service;
use serde_json::{Value, json};

use crate::support::{Central, PASSWORD};

#[tokio::test]
async fn enroll_and_call_over_a_socket() {
    let c = Central::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/api/v1", listener.local_addr().unwrap());
    let server = tokio::spawn(axum::serve(listener, service(c.state.clone())).into_future());
    let http = {
        fieldpost_sync::client::install_crypto_provider();
        reqwest::Client::new()
    };

    let res = http
        .post(format!("{base}/auth/login"))
        .json(&json!({"username": "admin", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "console login over HTTP");
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let issued: Value = http
        .post(format!("{base}/enrollment-codes"))
        .header("cookie", &cookie)
        .json(&json!({"unit_id": c.unit_a}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let enrolled: fieldpost_sync::EnrollResponse = http
        .post(format!("{base}/devices/enroll"))
        .json(&fieldpost_sync::EnrollRequest {
            code: issued["code"].as_str().unwrap().to_owned(),
            device_name: "甲 1号平板".into(),
        })
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(enrolled.unit_id, c.unit_a, "the wire type round-trips");

    let res = http
        .get(format!("{base}/units/{}", c.unit_b))
        .bearer_auth(&enrolled.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "unit B is not the device's");
    let err: fieldpost_sync::ErrorBody = res.json().await.unwrap();
    assert_eq!(
        err.error.code,
        fieldpost_sync::ErrorCode::Forbidden,
        "the error body is the shared wire type"
    );

    let res = http
        .post(format!("{base}/devices/{}/revoke", enrolled.device_id))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "revocation");
    let res = http
        .get(format!("{base}/plans"))
        .bearer_auth(&enrolled.token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        401,
        "a revoked device is refused over the wire too"
    );
    server.abort();
}
