//! A real central for the station app's end-to-end test (issue #5), driven over stdin/stdout
//! by `ui/e2e/station.e2e.mjs`.
//!
//! It serves a fresh data directory (the first argument, or a temporary one) on loopback,
//! seeds a campaign, a unit with masks and kits in stock, files a plan for the unit whose
//! window covers now, issues an enrollment code and prints one JSON line:
//! `{"url", "code", "unit_id", "plan_id", "mask", "kit"}`. Then it answers one JSON line per
//! command read from stdin:
//!
//! - `approve MASKS KITS`: approves the plan with that allocation, split evenly among the
//!   unit's enrolled devices (so that the app's grant is known to the test);
//! - `record`: the unit's quota record (采集任务 vs 采集量, items allocated and handed out per
//!   plan), its sessions and its lottery entrant count;
//! - `decline REASON…`: declines every open top-up request of the unit with that reason, as
//!   the secretariat does from the console, and says how many it declined;
//! - `requests`: the unit's top-up requests as the central lists them (the lines of
//!   `GET /api/v1/top-up-requests`; the test no longer has the tablet's token to ask it
//!   over HTTP, since the tablet keeps it encrypted);
//! - `entrants`: the lottery's entrants as the console lists them (masked, with carrier);
//! - `publish COUNT`: imports COUNT questionnaires for the unit on the collection's first day
//!   and publishes today's bulletin (采集数据通报), as the secretariat does from the console;
//!   answers the bulletin;
//! - `quit` (or the end of stdin): stops.

use std::io::{BufRead, Write};
use std::sync::Arc;

use anyhow::{Context, bail};
use chrono::{Duration, Utc};
use fieldpost_central::audit::Actor;
use fieldpost_central::enrollment;
use fieldpost_central::plans::{Approval, DeviceShare};
use fieldpost_central::storage::Database;
use fieldpost_central::testkit::Direct;
use fieldpost_central::top_ups::TopUpStatus;
use fieldpost_domain::{ItemId, ItemQuantity, PlanId, UnitId};
use fieldpost_tests::central::{TestCentral, filed_plan};
use serde_json::json;

fn actor() -> Actor {
    Actor::System("e2e-central")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let temp = tempfile::tempdir()?;
    let dir = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| temp.path().to_owned());
    let central = TestCentral::start(&dir).await?;
    let store = central.store.clone();
    // The world with its lottery ready: the app registers entrants sealed to its key.
    let world = central.seed(1_000, 200)?;
    let plan_id = filed_plan(store.as_ref(), world.unit_id, &[])?;
    let code = enrollment::issue(
        store.as_ref(),
        &actor(),
        world.unit_id,
        Utc::now(),
        Duration::hours(2),
    )?;
    say(&json!({
        "url": central.url(),
        "code": code.code,
        "unit_id": world.unit_id,
        "plan_id": plan_id,
        "mask": world.mask,
        "kit": world.kit,
    }))?;

    let (lines_tx, mut lines) = tokio::sync::mpsc::channel::<String>(8);
    // stdin is blocking; read it on its own thread so the central keeps serving.
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if lines_tx.blocking_send(line).is_err() {
                break;
            }
        }
    });
    while let Some(line) = lines.recv().await {
        let words: Vec<&str> = line.split_whitespace().collect();
        let reply = match words.as_slice() {
            ["approve", masks, kits] => {
                let store = store.clone();
                let (masks, kits) = (masks.parse()?, kits.parse()?);
                let (unit, mask, kit) = (world.unit_id, world.mask, world.kit);
                tokio::task::spawn_blocking(move || {
                    approve(store.as_ref(), unit, plan_id, &[(mask, masks), (kit, kits)])
                })
                .await?
            }
            ["record"] => record(&store, world.unit_id),
            ["requests"] => {
                fieldpost_central::top_ups::requests(store.as_ref(), Some(world.unit_id), None)
                    .map(|r| json!({"requests": r}))
                    .map_err(anyhow::Error::from)
            }
            ["entrants"] => fieldpost_central::lottery::entrants(store.as_ref())
                .map(|e| json!({"entrants": e}))
                .map_err(anyhow::Error::from),
            ["decline", reason @ ..] if !reason.is_empty() => {
                decline(store.as_ref(), world.unit_id, &reason.join(" "))
            }
            ["publish", count] => publish(store.as_ref(), world.unit_id, count.parse()?),
            ["quit"] => break,
            _ => Ok(json!({"error": format!("unknown command: {line}")})),
        };
        say(&reply.unwrap_or_else(|e| json!({"error": format!("{e:#}")})))?;
    }
    central.stop().await;
    Ok(())
}

fn say(value: &serde_json::Value) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{value}")?;
    out.flush()?;
    Ok(())
}

/// Approves `plan` allocating `lines`, each item split evenly among the unit's active
/// devices (the first ones take the remainder).
fn approve(
    store: &dyn Database,
    unit: UnitId,
    plan: PlanId,
    lines: &[(ItemId, u32)],
) -> anyhow::Result<serde_json::Value> {
    let devices: Vec<_> = fieldpost_central::devices::devices(store, Some(unit))?
        .into_iter()
        .filter(|d| d.revoked_at.is_none())
        .collect();
    if devices.is_empty() {
        bail!("no device of the unit is enrolled yet");
    }
    let n = u32::try_from(devices.len()).context("device count")?;
    let mut shares = Vec::new();
    for &(item_id, quantity) in lines {
        for (i, device) in (0..n).zip(&devices) {
            let share = quantity / n + u32::from(i < quantity % n);
            if share > 0 {
                shares.push(DeviceShare {
                    device_id: device.id,
                    item_id,
                    quantity: share,
                });
            }
        }
    }
    let allocation: Vec<ItemQuantity> = lines
        .iter()
        .map(|&(item_id, quantity)| ItemQuantity { item_id, quantity })
        .collect();
    store.approve_plan(
        &actor(),
        Utc::now(),
        plan,
        Approval {
            allocation,
            grants: Some(shares.clone()),
        },
    )?;
    Ok(json!({"approved": plan, "shares": shares}))
}

/// Declines the unit's open top-up requests with `reason`.
fn decline(store: &dyn Database, unit: UnitId, reason: &str) -> anyhow::Result<serde_json::Value> {
    let open = store.top_up_requests(Some(unit), Some(TopUpStatus::Open))?;
    for request in &open {
        store.decline_top_up(&actor(), Utc::now(), request.id, reason.to_owned())?;
    }
    Ok(json!({"declined": open.len()}))
}

/// Imports `count` for `unit` on the collection's first day and publishes today's bulletin.
fn publish(store: &dyn Database, unit: UnitId, count: u32) -> anyhow::Result<serde_json::Value> {
    let campaign = fieldpost_central::campaign::campaign(store)?.context("no campaign")?;
    let (first, _) = fieldpost_central::records::collection_days(&campaign.campaign);
    fieldpost_central::records::import_counts(
        store,
        &actor(),
        Utc::now(),
        &[fieldpost_central::records::DailyCount {
            unit_id: unit,
            day: first,
            count,
        }],
    )?;
    let bulletin = fieldpost_central::bulletin::publish(store, &actor(), Utc::now())?;
    Ok(json!({ "bulletin": bulletin }))
}

fn record(store: &Arc<dyn Database>, unit: UnitId) -> anyhow::Result<serde_json::Value> {
    let records = fieldpost_central::records::records(store.as_ref())?;
    let record = records
        .units
        .into_iter()
        .find(|r| r.unit.id == unit)
        .context("the unit has no record")?;
    Ok(json!({
        "record": record,
        "sessions": fieldpost_central::sessions::sessions(&**store, Some(unit))?,
        "entrants": fieldpost_central::sessions::entrant_count(&**store, unit)?,
    }))
}
