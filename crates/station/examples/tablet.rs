//! A station tablet without its window: the store and the sync of the app, driven from the
//! command line. The upgrade tests build this example from a released tag (v0.1.0 onwards) to
//! prove that a tablet still running that release syncs with a newer central
//! (`tests/tests/it/upgrade.rs`, `docs/decisions/2026-12-01-upgrade-fixtures.md`).
//!
//! Every command prints one JSON line:
//!
//! - `tablet enroll STORE URL CODE NAME`: enrolls with a one-time code, as the app's first
//!   screen does; `{"device_id", "unit_id"}`.
//! - `tablet sync STORE [URL]`: one sync (push everything, pull until caught up), against
//!   `URL` when given (the central moved) or the enrolled one; `{"pushed", "pulled",
//!   "pending"}`.
//! - `tablet work STORE PLAN PHONE`: a short station session under the approved plan `PLAN`:
//!   one volunteer, a tally of 12 people and 3 questionnaires, one handout of each item the
//!   device still has granted, one lottery entrant with `PHONE` (its carrier as suggested,
//!   the consent given); `{"session_id", "handouts", "entrant"}`.
//! - `tablet events STORE`: the device's events as `[[seq, id], …]` in seq order, and the
//!   outbox's state.
//!
//! The store's device key lives beside the store, in `STORE.keys/device.key`, as the tests'
//! stores keep it (`fieldpost_tests::device_key_path`).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use fieldpost_domain::PlanId;
use fieldpost_station::Station;
use fieldpost_station::handouts::HandoutInput;
use fieldpost_station::identity::DeviceIdentity;
use fieldpost_station::lottery::{EntrantInput, suggested_carrier};
use fieldpost_station::sessions::VolunteerInput;
use fieldpost_station::sync_loop::{SyncConfig, connect, sync_once};
use fieldpost_sync::EnrollRequest;
use serde_json::json;

type Failure = Box<dyn std::error::Error + Send + Sync>;

fn device_key(store: &Path) -> PathBuf {
    let mut dir = store.as_os_str().to_owned();
    dir.push(".keys");
    PathBuf::from(dir).join("device.key")
}

fn open(store: &str) -> Result<Station, Failure> {
    let store = Path::new(store);
    Ok(Station::open(store, device_key(store))?)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Failure> {
    fieldpost_sync::client::install_crypto_provider();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = match args.as_slice() {
        ["enroll", store, url, code, name] => enroll(store, url, code, name).await?,
        ["sync", store] => sync(store, None).await?,
        ["sync", store, url] => sync(store, Some(url)).await?,
        ["work", store, plan, phone] => work(store, plan.parse()?, phone)?,
        ["events", store] => events(store)?,
        _ => return Err(format!("usage: see the top of this file; got {args:?}").into()),
    };
    println!("{out}");
    Ok(())
}

async fn enroll(
    store: &str,
    url: &str,
    code: &str,
    name: &str,
) -> Result<serde_json::Value, Failure> {
    let reply = connect(url, None, &SyncConfig::default())?
        .enroll(&EnrollRequest {
            code: code.to_owned(),
            device_name: name.to_owned(),
        })
        .await?;
    open(store)?.set_identity(&DeviceIdentity {
        device_id: reply.device_id,
        unit_id: reply.unit_id,
        server_url: url.to_owned(),
        token: reply.token,
    })?;
    Ok(json!({"device_id": reply.device_id, "unit_id": reply.unit_id}))
}

async fn sync(store: &str, url: Option<&str>) -> Result<serde_json::Value, Failure> {
    let mut station = open(store)?;
    let identity = station.identity()?.ok_or("the tablet is not enrolled")?;
    let identity = match url {
        Some(url) if url != identity.server_url => {
            let moved = DeviceIdentity {
                server_url: url.to_owned(),
                ..identity
            };
            station.set_identity(&moved)?;
            moved
        }
        _ => identity,
    };
    let config = SyncConfig::default();
    let client = connect(&identity.server_url, Some(identity.token), &config)?;
    let station = Arc::new(Mutex::new(station));
    let report = sync_once(&station, &client, &config).await?;
    let pending = station
        .lock()
        .map_err(|_| "store lock poisoned")?
        .outbox_status()?
        .pending;
    Ok(json!({"pushed": report.pushed, "pulled": report.pulled, "pending": pending}))
}

fn work(store: &str, plan: PlanId, phone: &str) -> Result<serde_json::Value, Failure> {
    let mut station = open(store)?;
    let session = station.open_session(
        plan,
        "升级测试站",
        &[VolunteerInput {
            name: "林小华".into(),
            ivolunteer_id: None,
        }],
    )?;
    station.record_tally(session.id, 12, 3)?;
    let mut handouts = 0;
    for grant in station.remaining_grants(plan)? {
        if grant.available > 0 {
            station.record_handout(&HandoutInput {
                session_id: session.id,
                item_id: grant.item.id,
                quantity: 1,
                over_grant_reason: None,
            })?;
            handouts += 1;
        }
    }
    let terms = station
        .lottery_terms()?
        .ok_or("no lottery terms pulled yet")?;
    let carrier = suggested_carrier(phone).ok_or("not a mobile number")?;
    station.register_entrant(&EntrantInput {
        session_id: session.id,
        phone: phone.to_owned(),
        carrier,
        consent_text_version: Some(terms.consent_version),
    })?;
    station.close_session(session.id)?;
    Ok(json!({"session_id": session.id, "handouts": handouts, "entrant": true}))
}

fn events(store: &str) -> Result<serde_json::Value, Failure> {
    let station = open(store)?;
    let events: Vec<(u64, String)> = station
        .events()?
        .into_iter()
        .map(|e| (e.seq, e.id.to_string()))
        .collect();
    let outbox = station.outbox_status()?;
    Ok(json!({
        "events": events,
        "last_seq": outbox.last_seq,
        "acked_through": outbox.acked_through,
        "pending": outbox.pending,
    }))
}
