//! The old store's functions that a push and a pull still call, behind the seam's traits
//! ([`StockLedgerPosting`], [`PlanEventWrites`], [`PulledRecords`]) until the stock, plans,
//! top-ups and catalog aggregates have moved above the seam: then each method here becomes
//! its owner's table method or use case, and this module goes.

use chrono::{DateTime, Utc};
use fieldpost_domain::{ActivityPlan, DeviceId, Grant, PlanId, TopUpRequest, UnitId};
use fieldpost_sync::Record;
use rusqlite::OptionalExtension;

use super::catalog::{ITEM_COLUMNS, item_row};
use super::ledger::{Post, post};
use super::{catalog, col, col_u32, plans, top_ups};
use crate::audit::Actor;
use crate::error::StoreError;
use crate::plans::{DeviceShare, PlanContent};
use crate::storage::sqlite::SqliteTx;
use crate::storage::{
    LedgerPost, LogRow, PlanEventWrites, PulledRecords, StockLedgerPosting, StorageError,
    StorageResult,
};

/// A store error that is a storage failure, or the refusal handed back to the push.
fn refusal(e: StoreError) -> StorageResult<Result<(), StoreError>> {
    match e {
        StoreError::Storage(m) => Err(StorageError::Failed(m)),
        StoreError::Corrupt(m) => Err(StorageError::Corrupt(m)),
        other => Ok(Err(other)),
    }
}

fn storage(e: StoreError) -> StorageError {
    match e {
        StoreError::Corrupt(m) => StorageError::Corrupt(m),
        other => StorageError::Failed(other.to_string()),
    }
}

fn content(plan: &ActivityPlan) -> PlanContent {
    PlanContent {
        title: plan.title.clone(),
        location: plan.location.clone(),
        starts_at: plan.starts_at,
        ends_at: plan.ends_at,
        expected_people: plan.expected_people,
        staff: plan.staff.clone(),
        requested: plan.requested.clone(),
    }
}

impl StockLedgerPosting for SqliteTx<'_> {
    fn post(&mut self, actor: &Actor, now: DateTime<Utc>, p: LedgerPost) -> StorageResult<()> {
        let mut post_row = Post::new(p.item, p.kind, p.quantity);
        post_row.plan = Some(p.plan);
        post_row.device = p.device;
        post_row.handout = p.handout;
        post_row.note = p.note;
        post(self.transaction(), actor, now, post_row).map_err(storage)?;
        Ok(())
    }
}

impl PlanEventWrites for SqliteTx<'_> {
    fn file_plan(
        &mut self,
        actor: &Actor,
        now: DateTime<Utc>,
        plan: &ActivityPlan,
    ) -> StorageResult<Result<(), StoreError>> {
        match plans::file(
            self.transaction(),
            actor,
            now,
            plan.id,
            plan.unit_id,
            content(plan),
        ) {
            Ok(()) => Ok(Ok(())),
            Err(e) => refusal(e),
        }
    }

    fn revise_plan(
        &mut self,
        actor: &Actor,
        now: DateTime<Utc>,
        plan: &ActivityPlan,
    ) -> StorageResult<Result<(), StoreError>> {
        match plans::revise(self.transaction(), actor, now, plan.id, content(plan)) {
            Ok(()) => Ok(Ok(())),
            Err(e) => refusal(e),
        }
    }

    fn release(
        &mut self,
        actor: &Actor,
        now: DateTime<Utc>,
        plan: PlanId,
        share: DeviceShare,
    ) -> StorageResult<()> {
        plans::release(self.transaction(), actor, now, plan, share).map_err(storage)
    }

    fn insert_top_up_request(
        &mut self,
        now: DateTime<Utc>,
        unit: UnitId,
        device: DeviceId,
        request: &TopUpRequest,
    ) -> StorageResult<bool> {
        top_ups::insert(self.transaction(), now, unit, device, request).map_err(storage)
    }
}

impl PulledRecords for SqliteTx<'_> {
    fn record(&mut self, unit: UnitId, row: &LogRow) -> StorageResult<Option<Record>> {
        let c = self.transaction();
        let id = row.entity_id.as_str();
        let parse = || -> StorageResult<UnitId> {
            id.parse().map_err(|_| {
                StorageError::Corrupt(format!("change_log {}: {} id {id:?}", row.seq, row.entity))
            })
        };
        Ok(match row.entity.as_str() {
            "campaign" => Some(Record::Campaign {
                campaign: catalog::campaign(c).map_err(storage)?.campaign,
            }),
            "section" => c
                .prepare_cached("SELECT id, code, name FROM sections WHERE id = ?1")?
                .query_row([id], |r| {
                    Ok(fieldpost_domain::Section {
                        id: col(r, 0)?,
                        code: r.get(1)?,
                        name: r.get(2)?,
                    })
                })
                .optional()?
                .map(|section| Record::Section { section }),
            "item" => c
                .prepare_cached(&format!("SELECT {ITEM_COLUMNS} FROM items WHERE id = ?1"))?
                .query_row([id], item_row)
                .optional()?
                .map(|item| Record::Item { item }),
            "unit" if parse()? == unit => Some(Record::Unit {
                unit: catalog::unit(c, unit).map_err(storage)?,
            }),
            "unit" => None,
            "plan" => {
                let plan_id: PlanId = id.parse().map_err(|_| {
                    StorageError::Corrupt(format!("change_log {}: plan id {id:?}", row.seq))
                })?;
                match plans::load(c, plan_id) {
                    Ok(plan) if plan.unit_id == unit => Some(Record::Plan { plan }),
                    Ok(_) | Err(StoreError::NotFound(_)) => None,
                    Err(e) => return Err(storage(e)),
                }
            }
            "grant" => c
                .prepare_cached(
                    "SELECT id, plan_id, device_id, item_id, quantity FROM stock_ledger
                     WHERE id = ?1 AND kind = 'grant'",
                )?
                .query_row([id], |r| {
                    Ok(Grant {
                        id: col(r, 0)?,
                        plan_id: col(r, 1)?,
                        device_id: col(r, 2)?,
                        item_id: col(r, 3)?,
                        quantity: col_u32(r, 4)?,
                    })
                })
                .optional()?
                .map(|grant| Record::Grant { grant }),
            "top_up" => top_ups::answer(c, id)
                .map_err(storage)?
                .map(|answer| Record::TopUpAnswer { answer }),
            _ => None,
        })
    }
}
