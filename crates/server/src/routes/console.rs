//! The secretariat console: its dashboard in one read, and the console's own files (the built
//! `ui/dist-console`) served at `/`.

use schemars::JsonSchema;
use std::collections::{BTreeMap, HashMap};
use ts_rs::TS;

use axum::Json;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use fieldpost_domain::{Item, ItemId};
use serde::Serialize;
use tower::ServiceExt;
use tower_http::services::ServeDir;

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use fieldpost_central::devices::DeviceRecord;
use fieldpost_central::push::QuarantinedEvent;
use fieldpost_central::records::{self, HandoutLine, Records};
use fieldpost_domain::UnitId;

/// Exceptions listed on the dashboard, at most this many of each kind.
const EXCEPTIONS_SHOWN: u32 = 200;

/// Questionnaires collected on one day, all units.
#[derive(Debug, Serialize, TS, JsonSchema)]
pub(crate) struct DayTotal {
    day: NaiveDate,
    count: u64,
}

/// One item's flow.
#[derive(Debug, Serialize, TS, JsonSchema)]
pub(crate) struct ItemLine {
    item: Item,
    received: u64,
    on_hand: u64,
    /// Allocated to plans, net of returns.
    allocated: u64,
    /// Handed out, net of voids, exceptions included.
    handed_out: u64,
}

/// A device with its unit's name, when it last pushed and when it was last heard from.
#[derive(Debug, Serialize, TS, JsonSchema)]
pub(crate) struct DeviceLine {
    #[serde(flatten)]
    device: DeviceRecord,
    unit_name: String,
    /// When the central received the device's newest stored event.
    last_push_at: Option<DateTime<Utc>>,
    /// The later of its last push and its last authenticated push or pull (a quiet station
    /// still pulls): recorded in the database at most once a minute per device
    /// ([`AppState::heard_from`]), and fresher from this instance's own memory.
    last_contact_at: Option<DateTime<Utc>>,
    last_seq: u64,
}

/// What the secretariat reviews.
#[derive(Debug, Serialize, TS, JsonSchema)]
pub(crate) struct Exceptions {
    over_grant: Vec<HandoutLine>,
    quarantined: Vec<QuarantinedEvent>,
}

/// Everything the dashboard shows, read in one request. For a unit's own account
/// (`unit_scope` set) it is that unit's: its daily counts, its gifts (allocated and handed out;
/// the secretariat's stock is not shown, so `received` and `on_hand` are 0), its exceptions,
/// devices and plans waiting; of other units only what the bulletin publishes
/// ([`Records::seen_by`]).
#[derive(Debug, Serialize, TS, JsonSchema)]
pub(crate) struct Dashboard {
    now: DateTime<Utc>,
    /// The unit this dashboard is confined to; `None`: the whole campaign (the secretariat).
    unit_scope: Option<UnitId>,
    records: Records,
    daily: Vec<DayTotal>,
    items: Vec<ItemLine>,
    exceptions: Exceptions,
    devices: Vec<DeviceLine>,
    plans_submitted: u32,
}

pub(super) async fn dashboard(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Json<Dashboard>> {
    let now = state.now();
    let contacts = state.last_contacts();
    let scope = caller.unit_scope();
    if let Caller::Device(_) = caller {
        return Err(ApiError::Forbidden(
            "the dashboard is the console's; a device pulls its unit's records".into(),
        ));
    }
    let dashboard = state
        .call_many(move |db| {
            let all = records::records(db)?;
            let mut daily: BTreeMap<NaiveDate, u64> = BTreeMap::new();
            for c in records::counts(db, scope)? {
                *daily.entry(c.day).or_default() += u64::from(c.count);
            }
            let mut handed: HashMap<ItemId, u64> = HashMap::new();
            let mut allocated: HashMap<ItemId, u64> = HashMap::new();
            for f in all
                .units
                .iter()
                .filter(|u| scope.is_none_or(|own| u.unit.id == own))
                .flat_map(|u| &u.items)
            {
                *handed.entry(f.item_id).or_default() += f.handed_out;
                *allocated.entry(f.item_id).or_default() += f.allocated;
            }
            let items = fieldpost_central::stock::stock(db)?
                .into_iter()
                .map(|b| match scope {
                    None => ItemLine {
                        handed_out: handed.get(&b.item.id).copied().unwrap_or(0),
                        item: b.item,
                        received: b.received,
                        on_hand: b.on_hand,
                        allocated: b.allocated,
                    },
                    Some(_) => ItemLine {
                        handed_out: handed.get(&b.item.id).copied().unwrap_or(0),
                        allocated: allocated.get(&b.item.id).copied().unwrap_or(0),
                        item: b.item,
                        received: 0,
                        on_hand: 0,
                    },
                })
                .collect();
            let records = match scope {
                Some(own) => all.seen_by(own),
                None => all,
            };
            let names: HashMap<_, _> = records
                .units
                .iter()
                .map(|u| (u.unit.id, u.unit.name.clone()))
                .collect();
            let activity: HashMap<_, _> = records::device_activity(db)?
                .into_iter()
                .map(|a| (a.device_id, a))
                .collect();
            let devices = fieldpost_central::devices::devices(db, scope)?
                .into_iter()
                .map(|d| {
                    let a = activity.get(&d.id);
                    let last_push_at = a.and_then(|a| a.last_push_at);
                    DeviceLine {
                        unit_name: names.get(&d.unit_id).cloned().unwrap_or_default(),
                        last_push_at,
                        // `None` is less than any time, so this is the later of the two.
                        last_contact_at: contacts
                            .get(&d.id)
                            .copied()
                            .max(a.and_then(|a| a.last_contact_at))
                            .max(last_push_at),
                        last_seq: a.map_or(0, |a| a.last_seq),
                        device: d,
                    }
                })
                .collect();
            let plans_submitted = u32::try_from(
                fieldpost_central::plans::plans(
                    db,
                    scope,
                    Some(fieldpost_domain::PlanStatus::Submitted),
                )?
                .len(),
            )
            .unwrap_or(u32::MAX);
            let over_grant = records::over_grant_handouts(db, scope, EXCEPTIONS_SHOWN)?;
            let quarantined =
                fieldpost_central::push::quarantined_events(db, scope, EXCEPTIONS_SHOWN)?;
            Ok(Dashboard {
                now,
                unit_scope: scope,
                daily: daily
                    .into_iter()
                    .map(|(day, count)| DayTotal { day, count })
                    .collect(),
                items,
                exceptions: Exceptions {
                    over_grant,
                    quarantined,
                },
                devices,
                plans_submitted,
                records,
            })
        })
        .await?;
    Ok(Json(dashboard))
}

/// Shown at `/` when the console has not been built.
const NOT_BUILT: &str = "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
<title>Fieldpost</title></head><body style=\"font:18px sans-serif;margin:3em\">\
<h1>控制台尚未构建 · The console has not been built</h1>\
<p>在仓库根目录运行 / From the repository root run:</p>\
<pre>cd ui &amp;&amp; npm ci &amp;&amp; npm run build:console</pre>\
<p>然后重启服务器（或使用 <code>cargo xtask demo</code>）。Then restart the server \
(or use <code>cargo xtask demo</code>, which builds it). The API is at \
<a href=\"/api/v1/openapi.json\">/api/v1</a>.</p></body></html>";

/// Everything outside `/api/v1`: the console's files, `/` being its page. Paths under `/api/`
/// keep the API's JSON 404.
pub(super) async fn static_files(State(state): State<AppState>, req: Request) -> Response {
    let path = req.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        return super::not_found().await.into_response();
    }
    let Some(dir) = state.config().console_dir.clone() else {
        return not_built();
    };
    let (mut parts, body) = req.into_parts();
    if parts.uri.path() == "/" || parts.uri.path() == "/index.html" {
        match Uri::try_from("/console.html") {
            Ok(uri) => parts.uri = uri,
            Err(_) => return not_built(),
        }
    }
    let req = Request::from_parts(parts, body);
    match ServeDir::new(&dir).oneshot(req).await {
        Ok(res) if res.status() == StatusCode::NOT_FOUND => {
            if dir.join("console.html").exists() {
                ApiError::NotFound("file").into_response()
            } else {
                not_built()
            }
        }
        Ok(res) => res.map(Body::new),
        Err(e) => ApiError::Internal(format!("serving {}: {e}", dir.display())).into_response(),
    }
}

fn not_built() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(CONTENT_TYPE, "text/html; charset=utf-8")],
        NOT_BUILT,
    )
        .into_response()
}
