//! The OpenAPI document served at `/api/v1/openapi.json`, generated from the Rust types the
//! routes read and answer with (their JSON Schemas, derived with `schemars`), so that the
//! document cannot say other than what the server does.
//!
//! [`operations()`] is the one table of what each route takes and answers. The integration
//! tests check it against the router's own table (every route documented, nothing else) and
//! validate every JSON response the test suite receives against the schema documented for its
//! route and status (`docs/decisions/2026-12-01-one-definition-per-shape.md`).
//!
//! The table is in `operations.rs`; this file has the types it is written in and turns it
//! into the document.

mod operations;

use std::sync::OnceLock;

use fieldpost_sync::ErrorBody;
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value, json};

use crate::routes::Method;

pub use operations::operations;

/// Where the schemas of named types live in the document.
const SCHEMAS: &str = "/components/schemas";

/// The routes that answer 429 `login_throttled`.
const THROTTLED: &[(Method, &str)] = &[(Method::Post, "/auth/login")];

/// A type's schema: a `$ref` into the document's components for a named type.
type SchemaOf = fn(&mut SchemaGenerator) -> Schema;

/// The schema of `T`, as a [`SchemaOf`].
fn schema<T: JsonSchema>(g: &mut SchemaGenerator) -> Schema {
    g.subschema_for::<T>()
}

/// What a route reads from the request body.
#[derive(Debug, Clone, Copy)]
pub enum Body {
    /// Nothing.
    None,
    /// JSON of this schema.
    Json(SchemaOf),
    /// An uploaded spreadsheet (.xlsx, .xls or CSV) as the raw bytes.
    File,
}

/// What a route answers with when it succeeds.
#[derive(Debug, Clone, Copy)]
pub enum Reply {
    /// JSON of this schema.
    Json(SchemaOf),
    /// No body.
    Empty,
    /// A document of this MIME type (a spreadsheet, a poster).
    File(&'static str),
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone.
    Public,
    /// A console session or a device token.
    Caller,
    /// A device token only.
    Device,
}

/// One route as the document describes it.
#[derive(Debug, Clone, Copy)]
pub struct Operation {
    /// The method.
    pub method: Method,
    /// The path under `/api/v1`, with `{name}` for a path parameter.
    pub path: &'static str,
    /// What it does.
    pub summary: &'static str,
    /// Who may call it.
    pub access: Access,
    /// The query parameters, as the schema of the struct they are read into.
    pub query: Option<SchemaOf>,
    /// The request body.
    pub body: Body,
    /// The status it answers with when it succeeds.
    pub status: u16,
    /// And the body of that answer.
    pub reply: Reply,
}

/// The document as served, built once.
pub fn text() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| document().to_string())
}

/// The document, built once.
pub fn document() -> &'static Value {
    static DOCUMENT: OnceLock<Value> = OnceLock::new();
    DOCUMENT.get_or_init(build)
}

/// A generator that puts the schemas of named types into the document's components.
fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = SCHEMAS.into();
            s.meta_schema = None;
        })
        .into_generator()
}

/// The whole document: every operation of the table, and the schemas they refer to.
fn build() -> Value {
    let mut g = generator();
    let error = Value::from(schema::<ErrorBody>(&mut g));
    let mut paths = Map::new();
    for o in operations() {
        let entry = paths
            .entry(o.path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(ops) = entry {
            ops.insert(o.method.as_str().to_owned(), operation(&o, &mut g, &error));
        }
    }
    json!({
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "Fieldpost central API",
            "version": "1",
            "description": "The secretariat's central server for the 网民网络安全感满意度调查活动 \
                campaign. Every refusal is an ErrorBody, {\"error\": {\"code\", \"message\", \
                \"field\"?}}, whose code is one of ErrorCode. Generated from the server's Rust \
                types."
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"session": []}, {"device": []}],
        "paths": paths,
        "components": {
            "schemas": g.take_definitions(true),
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": crate::auth::SESSION_COOKIE},
                "device": {"type": "http", "scheme": "bearer"}
            }
        }
    })
}

/// One operation's entry: its parameters, request body, answers (the success and every
/// refusal it can give) and security.
fn operation(o: &Operation, g: &mut SchemaGenerator, error: &Value) -> Value {
    let mut parameters: Vec<Value> = o
        .path
        .split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            // Every path parameter is an id, but a carrier's code and a bulletin's day.
            let schema = if name == "carrier" {
                json!({"type": "string", "enum": ["telecom", "mobile", "unicom"]})
            } else if name == "day" {
                json!({"type": "string", "format": "date"})
            } else {
                json!({"type": "string", "format": "uuid"})
            };
            json!({"name": name, "in": "path", "required": true, "schema": schema})
        })
        .collect();
    if let Some(query) = o.query {
        parameters.extend(query_parameters(query));
    }
    let mut responses = Map::new();
    let success = match o.reply {
        Reply::Json(s) => json!({"description": "OK",
            "content": {"application/json": {"schema": Value::from(s(g))}}}),
        Reply::Empty => json!({"description": "No content"}),
        Reply::File(mime) => json!({"description": "OK",
            "content": {mime: {"schema": {"type": "string", "format": "binary"}}}}),
    };
    responses.insert(o.status.to_string(), success);
    let refusal =
        |why: &str| json!({"description": why, "content": {"application/json": {"schema": error}}});
    let takes_input = !matches!(o.body, Body::None) || o.query.is_some() || !parameters.is_empty();
    if takes_input {
        responses.insert("400".into(), refusal("Malformed request or invalid value"));
    }
    if o.access != Access::Public {
        responses.insert(
            "401".into(),
            refusal("No credential, or a bad, expired or revoked one"),
        );
    }
    if o.method != Method::Get && o.access != Access::Device {
        responses.insert(
            "403".into(),
            refusal(
                "Refused: `forbidden` (outside the caller's role or unit), or \
                 `cross_site_request`: a change authenticated by the console's session cookie \
                 (or a login) whose Sec-Fetch-Site is cross-site or same-site, or whose Origin \
                 is not this central's. Requests with a device's bearer token are not checked",
            ),
        );
    }
    if THROTTLED.contains(&(o.method, o.path)) {
        let mut throttled = refusal(
            "`login_throttled`: too many failed logins for this name or from this address \
             (growing waits, then a lock). The password was not checked; `retry_at` in the \
             body and Retry-After (seconds) say when to try again",
        );
        throttled["headers"] = json!({"Retry-After": {
            "description": "Seconds until the login may be tried again",
            "required": true,
            "schema": {"type": "integer", "minimum": 1}
        }});
        responses.insert("429".into(), throttled);
    }
    if !matches!(o.body, Body::None) {
        responses.insert("413".into(), refusal("Body over the limit"));
        responses.insert(
            "415".into(),
            refusal("Not the content type the route takes"),
        );
    }
    responses.insert(
        "4XX".into(),
        refusal("Refused: forbidden, not found, conflict (see code)"),
    );
    responses.insert(
        "5XX".into(),
        refusal("Internal error (details only in the log)"),
    );
    let mut op = json!({
        "operationId": operation_id(o),
        "summary": o.summary,
        "responses": responses,
    });
    if !parameters.is_empty() {
        op["parameters"] = Value::Array(parameters);
    }
    match o.body {
        Body::None => {}
        Body::Json(s) => {
            op["requestBody"] = json!({"required": true,
                "content": {"application/json": {"schema": Value::from(s(g))}}});
        }
        Body::File => {
            op["requestBody"] = json!({"required": true, "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}});
        }
    }
    match o.access {
        Access::Public => op["security"] = json!([]),
        Access::Device => op["security"] = json!([{"device": []}]),
        Access::Caller => {}
    }
    op
}

/// A query struct's fields as query parameters, each with its schema inline.
fn query_parameters(query: SchemaOf) -> Vec<Value> {
    let mut inline = SchemaSettings::draft2020_12()
        .with(|s| s.inline_subschemas = true)
        .into_generator();
    let schema = Value::from(query(&mut inline));
    let required: Vec<&str> = schema["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    schema["properties"]
        .as_object()
        .map(|props| {
            props
                .iter()
                .map(|(name, s)| {
                    json!({"name": name, "in": "query",
                           "required": required.contains(&name.as_str()), "schema": s})
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The operation's id, from its method and path: `GET /plans/{plan_id}` → `getPlansPlanid`.
fn operation_id(o: &Operation) -> String {
    let mut id = o.method.as_str().to_owned();
    for part in o.path.split(['/', '-', '.', '{', '}']) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            id.push(first.to_ascii_uppercase());
            id.extend(chars);
        }
    }
    id.replace('_', "")
}
