//! The OpenAPI document served at `/api/v1/openapi.json`, generated from the Rust types the
//! routes read and answer with (their JSON Schemas, derived with `schemars`), so that the
//! document cannot say other than what the server does.
//!
//! [`operations`] is the one table of what each route takes and answers. The integration
//! tests check it against the router's own table (every route documented, nothing else) and
//! validate every JSON response the test suite receives against the schema documented for its
//! route and status (`docs/decisions/2026-12-01-one-definition-per-shape.md`).

use std::sync::OnceLock;

use fieldpost_central::audit::AuditEntry;
use fieldpost_central::campaign::CampaignRecord;
use fieldpost_central::devices::DeviceRecord;
use fieldpost_central::plans::{DeviceShare, PlanView};
use fieldpost_central::records::{DailyCount, Records, UnitRecord};
use fieldpost_central::stock::{LedgerEntry, StockBalance};
use fieldpost_central::top_ups::TopUpRequestLine;
use fieldpost_central::users::User;
use fieldpost_domain::{ActivityPlan, Grant, Item, Section, Unit};
use fieldpost_sheets::import::{CountRow, Preview, TaskRow};
use fieldpost_sync::{
    EnrollRequest, EnrollResponse, ErrorBody, PullQuery, PullResponse, PushRequest, PushResponse,
};
use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde_json::{Map, Value, json};

use crate::routes::Method::{self, Get, Post, Put};
use crate::routes::{auth, catalog, console, devices, import, plans, records, top_ups};

/// Where the schemas of named types live in the document.
const SCHEMAS: &str = "/components/schemas";

/// The MIME type of the .xlsx exports.
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A type's schema: a `$ref` into the document's components for a named type.
type SchemaOf = fn(&mut SchemaGenerator) -> Schema;

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

#[allow(clippy::too_many_arguments)]
const fn op(
    method: Method,
    path: &'static str,
    summary: &'static str,
    access: Access,
    query: Option<SchemaOf>,
    body: Body,
    status: u16,
    reply: Reply,
) -> Operation {
    Operation {
        method,
        path,
        summary,
        access,
        query,
        body,
        status,
        reply,
    }
}

/// Every route the API serves: what it takes and what it answers.
pub fn operations() -> Vec<Operation> {
    use Access::{Caller, Device, Public};
    use Body::{File, None as NoBody};
    use Reply::{Empty, Json as J};
    let json = |s: SchemaOf| Body::Json(s);
    vec![
        op(
            Get,
            "/health",
            "Liveness",
            Public,
            None,
            NoBody,
            200,
            J(schema::<records::Health>),
        ),
        op(
            Get,
            "/openapi.json",
            "This document",
            Public,
            None,
            NoBody,
            200,
            J(schema::<Value>),
        ),
        op(
            Post,
            "/auth/login",
            "Log in to the console; sets the session cookie (HttpOnly, SameSite=Strict)",
            Public,
            None,
            json(schema::<auth::LoginBody>),
            200,
            J(schema::<auth::Me>),
        ),
        op(
            Post,
            "/auth/logout",
            "End the console session and clear the cookie",
            Public,
            None,
            NoBody,
            204,
            Empty,
        ),
        op(
            Get,
            "/auth/me",
            "Who is calling (user or device)",
            Caller,
            None,
            NoBody,
            200,
            J(schema::<auth::Me>),
        ),
        op(
            Get,
            "/campaign",
            "The campaign: windows, target, note",
            Caller,
            None,
            NoBody,
            200,
            J(schema::<CampaignRecord>),
        ),
        op(
            Put,
            "/campaign",
            "Create or replace the campaign (secretariat admin)",
            Caller,
            None,
            json(schema::<catalog::CampaignBody>),
            200,
            J(schema::<CampaignRecord>),
        ),
        op(
            Get,
            "/sections",
            "Sections (版块)",
            Caller,
            None,
            NoBody,
            200,
            J(schema::<Vec<Section>>),
        ),
        op(
            Post,
            "/sections",
            "Add a section (secretariat admin)",
            Caller,
            None,
            json(schema::<catalog::SectionBody>),
            201,
            J(schema::<Section>),
        ),
        op(
            Get,
            "/units",
            "Units; a unit's own callers see only their unit",
            Caller,
            Some(schema::<catalog::UnitsQuery>),
            NoBody,
            200,
            J(schema::<Vec<Unit>>),
        ),
        op(
            Post,
            "/units",
            "Add a unit with quota and exclusive survey link (secretariat admin)",
            Caller,
            None,
            json(schema::<catalog::UnitBody>),
            201,
            J(schema::<Unit>),
        ),
        op(
            Get,
            "/units/{unit_id}",
            "One unit",
            Caller,
            None,
            NoBody,
            200,
            J(schema::<Unit>),
        ),
        op(
            Put,
            "/units/{unit_id}",
            "Replace a unit's section, name, quota, link, contact (secretariat admin)",
            Caller,
            None,
            json(schema::<catalog::UnitBody>),
            200,
            J(schema::<Unit>),
        ),
        op(
            Get,
            "/items",
            "Items (宣传品 / 奖品)",
            Caller,
            None,
            NoBody,
            200,
            J(schema::<Vec<Item>>),
        ),
        op(
            Post,
            "/items",
            "Add an item (secretariat admin)",
            Caller,
            None,
            json(schema::<catalog::ItemBody>),
            201,
            J(schema::<Item>),
        ),
        op(
            Get,
            "/stock",
            "Balances per item, derived from the ledger (secretariat)",
            Caller,
            None,
            NoBody,
            200,
            J(schema::<Vec<StockBalance>>),
        ),
        op(
            Get,
            "/stock/ledger",
            "Ledger rows after a sequence number (secretariat)",
            Caller,
            Some(schema::<catalog::LedgerQuery>),
            NoBody,
            200,
            J(schema::<Vec<LedgerEntry>>),
        ),
        op(
            Post,
            "/stock/receipts",
            "Record stock received (secretariat admin)",
            Caller,
            None,
            json(schema::<catalog::StockMoveBody>),
            201,
            J(schema::<LedgerEntry>),
        ),
        op(
            Post,
            "/stock/write-offs",
            "Write stock off; never below zero on hand (secretariat admin)",
            Caller,
            None,
            json(schema::<catalog::StockMoveBody>),
            201,
            J(schema::<LedgerEntry>),
        ),
        op(
            Get,
            "/plans",
            "Activity plans; a unit's callers see their own",
            Caller,
            Some(schema::<plans::PlansQuery>),
            NoBody,
            200,
            J(schema::<Vec<ActivityPlan>>),
        ),
        op(
            Post,
            "/plans",
            "File a plan (a device or user of the unit, or the secretariat)",
            Caller,
            None,
            json(schema::<plans::PlanBody>),
            201,
            J(schema::<PlanView>),
        ),
        op(
            Get,
            "/plans/{plan_id}",
            "A plan with its balances and grants",
            Caller,
            None,
            NoBody,
            200,
            J(schema::<PlanView>),
        ),
        op(
            Put,
            "/plans/{plan_id}",
            "Revise a submitted or rejected plan (back to submitted)",
            Caller,
            None,
            json(schema::<plans::PlanBody>),
            200,
            J(schema::<PlanView>),
        ),
        op(
            Post,
            "/plans/{plan_id}/approve",
            "Approve with an allocation per item, split into device grants, in one transaction (secretariat admin)",
            Caller,
            None,
            json(schema::<plans::ApproveBody>),
            200,
            J(schema::<PlanView>),
        ),
        op(
            Post,
            "/plans/{plan_id}/reject",
            "Reject with a reason (secretariat admin)",
            Caller,
            None,
            json(schema::<plans::RejectBody>),
            200,
            J(schema::<PlanView>),
        ),
        op(
            Post,
            "/plans/{plan_id}/close",
            "Close: release unspent grants and return the unspent allocation to stock (secretariat admin)",
            Caller,
            None,
            NoBody,
            200,
            J(schema::<PlanView>),
        ),
        op(
            Post,
            "/plans/{plan_id}/allocations",
            "Allocate more of an item from stock on hand (secretariat admin)",
            Caller,
            None,
            json(schema::<plans::ItemQuantityBody>),
            200,
            J(schema::<PlanView>),
        ),
        op(
            Post,
            "/plans/{plan_id}/returns",
            "Return ungranted allocation to stock (secretariat admin)",
            Caller,
            None,
            json(schema::<plans::ItemQuantityBody>),
            200,
            J(schema::<PlanView>),
        ),
        op(
            Post,
            "/plans/{plan_id}/grants",
            "Grant part of the allocation to a device; sum(grants) <= allocation (secretariat admin)",
            Caller,
            None,
            json(schema::<DeviceShare>),
            201,
            J(schema::<Grant>),
        ),
        op(
            Post,
            "/plans/{plan_id}/releases",
            "Give part of a device's grant back to the plan: a device its own; the secretariat only a revoked device's (409 `device_not_revoked` otherwise: escrow)",
            Caller,
            None,
            json(schema::<plans::ReleaseBody>),
            200,
            J(schema::<PlanView>),
        ),
        op(
            Get,
            "/top-up-requests",
            "Devices' top-up requests (申请追加): open ones oldest first, then the decided ones newest first; a unit's callers see their own",
            Caller,
            Some(schema::<top_ups::ListQuery>),
            NoBody,
            200,
            J(schema::<Vec<TopUpRequestLine>>),
        ),
        op(
            Post,
            "/top-up-requests/{request_id}/fulfil",
            "Fulfil an open top-up request: grant the device `quantity` (the request's own when left out), allocating from stock first what the plan's ungranted allocation lacks; the device pulls the grant (secretariat admin). 409 codes: top_up_not_open, plan_not_approved, device_revoked, insufficient_stock",
            Caller,
            None,
            json(schema::<top_ups::FulfilBody>),
            200,
            J(schema::<TopUpRequestLine>),
        ),
        op(
            Post,
            "/top-up-requests/{request_id}/decline",
            "Decline an open top-up request with a reason (secretariat admin). 409 code: top_up_not_open",
            Caller,
            None,
            json(schema::<top_ups::DeclineBody>),
            200,
            J(schema::<TopUpRequestLine>),
        ),
        op(
            Get,
            "/collection-counts",
            "Imported daily collection counts",
            Caller,
            Some(schema::<records::CountsQuery>),
            NoBody,
            200,
            J(schema::<Vec<DailyCount>>),
        ),
        op(
            Post,
            "/collection-counts",
            "Import daily counts; a re-imported day replaces the old count (secretariat admin)",
            Caller,
            None,
            json(schema::<records::CountsBody>),
            200,
            J(schema::<records::Imported>),
        ),
        op(
            Get,
            "/records",
            "Unit-quota records: per unit quota, collected, progress, rank, items; rollups by section and campaign (secretariat)",
            Caller,
            None,
            NoBody,
            200,
            J(schema::<Records>),
        ),
        op(
            Get,
            "/records/units/{unit_id}",
            "One unit's quota record",
            Caller,
            None,
            NoBody,
            200,
            J(schema::<UnitRecord>),
        ),
        op(
            Post,
            "/enrollment-codes",
            "Issue a one-time, expiring enrollment code for a unit, with its QR code (secretariat admin)",
            Caller,
            None,
            json(schema::<devices::CodeBody>),
            201,
            J(schema::<devices::IssuedCode>),
        ),
        op(
            Post,
            "/devices/enroll",
            "Exchange an enrollment code for a device id and bearer token",
            Public,
            None,
            json(schema::<EnrollRequest>),
            201,
            J(schema::<EnrollResponse>),
        ),
        op(
            Get,
            "/devices",
            "Enrolled devices; a unit's callers see their own",
            Caller,
            None,
            NoBody,
            200,
            J(schema::<Vec<DeviceRecord>>),
        ),
        op(
            Post,
            "/devices/{device_id}/revoke",
            "Revoke a device; its token stops working (secretariat admin)",
            Caller,
            None,
            NoBody,
            200,
            J(schema::<DeviceRecord>),
        ),
        op(
            Post,
            "/sync/push",
            "Push a batch of the device's outbox (device bearer token; a revoked device may still push)",
            Device,
            None,
            json(schema::<PushRequest>),
            200,
            J(schema::<PushResponse>),
        ),
        op(
            Get,
            "/sync/pull",
            "Changes in the device's scope after a cursor (device bearer token)",
            Device,
            Some(schema::<PullQuery>),
            NoBody,
            200,
            J(schema::<PullResponse>),
        ),
        op(
            Get,
            "/users",
            "Console users (secretariat admin)",
            Caller,
            None,
            NoBody,
            200,
            J(schema::<Vec<User>>),
        ),
        op(
            Post,
            "/users",
            "Add a console user (secretariat admin)",
            Caller,
            None,
            json(schema::<auth::UserBody>),
            201,
            J(schema::<User>),
        ),
        op(
            Get,
            "/audit",
            "Audit log of secretariat actions, newest first (secretariat)",
            Caller,
            Some(schema::<records::AuditQuery>),
            NoBody,
            200,
            J(schema::<Vec<AuditEntry>>),
        ),
        op(
            Get,
            "/dashboard",
            "Everything the console's dashboard shows, in one read (secretariat)",
            Caller,
            None,
            NoBody,
            200,
            J(schema::<console::Dashboard>),
        ),
        op(
            Post,
            "/imports/task-table/preview",
            "Check a unit task table (采集任务分解及链接入口表); writes nothing (secretariat)",
            Caller,
            None,
            File,
            200,
            J(schema::<Preview<TaskRow>>),
        ),
        op(
            Post,
            "/imports/task-table",
            "Create or update the units of a task table, in one transaction (secretariat admin)",
            Caller,
            Some(schema::<import::ApplyQuery>),
            File,
            200,
            J(schema::<import::TasksApplied>),
        ),
        op(
            Post,
            "/imports/collection-counts/preview",
            "Check a daily collection counts sheet (long or wide); writes nothing (secretariat)",
            Caller,
            None,
            File,
            200,
            J(schema::<Preview<CountRow>>),
        ),
        op(
            Post,
            "/imports/collection-counts",
            "Import a daily collection counts sheet, in one transaction (secretariat admin)",
            Caller,
            Some(schema::<import::ApplyQuery>),
            File,
            200,
            J(schema::<import::CountsApplied>),
        ),
        op(
            Get,
            "/exports/bulletin.xlsx",
            "The collection bulletin (采集数据通报): per unit section, quota, collected, progress, rank (secretariat)",
            Caller,
            None,
            NoBody,
            200,
            Reply::File(XLSX),
        ),
        op(
            Get,
            "/exports/handouts.xlsx",
            "The handout ledger (派送台账) (secretariat)",
            Caller,
            None,
            NoBody,
            200,
            Reply::File(XLSX),
        ),
        op(
            Get,
            "/exports/volunteer-hours.xlsx",
            "Volunteer hours per volunteer (志愿服务时长) (secretariat)",
            Caller,
            None,
            NoBody,
            200,
            Reply::File(XLSX),
        ),
        op(
            Get,
            "/exports/plan-assessment.xlsx",
            "Plan assessment: items handed out against questionnaires collected in each plan's window (按采集量考核) (secretariat)",
            Caller,
            None,
            NoBody,
            200,
            Reply::File(XLSX),
        ),
        op(
            Get,
            "/posters",
            "Every unit's A4 poster (name and exclusive link as a QR code) as one printable HTML document, one page per unit (secretariat)",
            Caller,
            None,
            NoBody,
            200,
            Reply::File("text/html"),
        ),
        op(
            Get,
            "/posters/{unit_id}",
            "One unit's A4 poster as SVG (secretariat)",
            Caller,
            None,
            NoBody,
            200,
            Reply::File("image/svg+xml"),
        ),
    ]
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

fn generator() -> SchemaGenerator {
    SchemaSettings::draft2020_12()
        .with(|s| {
            s.definitions_path = SCHEMAS.into();
            s.meta_schema = None;
        })
        .into_generator()
}

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

fn operation(o: &Operation, g: &mut SchemaGenerator, error: &Value) -> Value {
    let mut parameters: Vec<Value> = o
        .path
        .split('/')
        .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            json!({"name": name, "in": "path", "required": true,
                   "schema": {"type": "string", "format": "uuid"}})
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
