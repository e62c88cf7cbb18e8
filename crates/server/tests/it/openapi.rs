//! The OpenAPI document lists exactly the routes the router serves.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use fieldpost_server::route_table;
use serde_json::Value;

use crate::support::{Auth, Central};

fn document() -> Value {
    serde_json::from_str(fieldpost_server::openapi::DOCUMENT).expect("the document is JSON")
}

#[test]
fn every_route_is_documented_and_every_documented_route_exists() {
    let doc = document();
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .expect("operations")
                .keys()
                .map(move |m| (m.clone(), path.clone()))
        })
        .collect();
    let routed: BTreeSet<(String, String)> = route_table()
        .into_iter()
        .map(|(m, p)| (m.as_str().to_owned(), p.to_owned()))
        .collect();
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from openapi.json: {undocumented:?}"
    );
    assert!(
        unrouted.is_empty(),
        "openapi.json documents routes that do not exist: {unrouted:?}"
    );
}

#[test]
fn every_operation_documents_its_responses_and_refs_resolve() {
    let doc = document();
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let text = doc.to_string();
    for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = part.split('"').next().unwrap();
        assert!(
            schemas.contains_key(name),
            "$ref to an undefined schema {name}"
        );
    }
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|k| k.starts_with('2')),
                "{method} {path} documents its success"
            );
            if op.get("requestBody").is_some() {
                for code in ["400", "413"] {
                    assert!(
                        responses.contains_key(code),
                        "{method} {path} takes a body, so it documents {code}"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn the_document_is_served_without_credentials() {
    let c = Central::new();
    let (status, served) = c
        .call("GET", "/api/v1/openapi.json", &Auth::None, None)
        .await;
    assert_eq!(status, StatusCode::OK, "the document is public");
    assert_eq!(served, document(), "what is served is the checked document");
}
