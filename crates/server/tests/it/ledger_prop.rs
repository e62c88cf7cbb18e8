//! Property: random receipts, write-offs, allocations, returns, grants, releases, handouts,
//! voids and closes never make a balance negative nor let sum(grants) exceed an allocation,
//! and a refused operation changes nothing. Handouts and voids arrive as a station's pushed
//! events through the push use case, the one writer of handouts.

use chrono::{DateTime, TimeZone, Utc};
use fieldpost_central::audit::Actor;
use fieldpost_central::enrollment;
use fieldpost_central::plans::{Approval, DeviceShare, PlanContent};
use fieldpost_central::secrets::{enrollment_code_hash, sha256_hex};
use fieldpost_central::testkit::{self, Direct, TestDatabase};
use fieldpost_domain::{
    DeviceId, EventPayload, Handout, HandoutId, HandoutVoid, ItemId, PlanId, SessionId,
};
use proptest::prelude::*;

use crate::support::push_events;

#[derive(Debug, Clone)]
enum Op {
    Receive {
        item: usize,
        q: u32,
    },
    WriteOff {
        item: usize,
        q: u32,
    },
    Allocate {
        plan: usize,
        item: usize,
        q: u32,
    },
    Return {
        plan: usize,
        item: usize,
        q: u32,
    },
    Grant {
        plan: usize,
        device: usize,
        item: usize,
        q: u32,
    },
    Release {
        plan: usize,
        device: usize,
        item: usize,
        q: u32,
    },
    Handout {
        plan: usize,
        device: usize,
        item: usize,
        q: u32,
    },
    Void {
        index: usize,
    },
    Close {
        plan: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let (p, d, i) = (0..2usize, 0..3usize, 0..2usize);
    // Weighted so that runs reach deep states (stock allocated, granted, handed out) before
    // a close ends a plan.
    prop_oneof![
        3 => (i.clone(), 1..40u32).prop_map(|(item, q)| Op::Receive { item, q }),
        1 => (i.clone(), 1..30u32).prop_map(|(item, q)| Op::WriteOff { item, q }),
        4 => (p.clone(), i.clone(), 1..40u32)
            .prop_map(|(plan, item, q)| Op::Allocate { plan, item, q }),
        1 => (p.clone(), i.clone(), 1..20u32)
            .prop_map(|(plan, item, q)| Op::Return { plan, item, q }),
        4 => (p.clone(), d.clone(), i.clone(), 1..25u32)
            .prop_map(|(plan, device, item, q)| Op::Grant { plan, device, item, q }),
        2 => (p.clone(), d.clone(), i.clone(), 1..15u32)
            .prop_map(|(plan, device, item, q)| Op::Release { plan, device, item, q }),
        4 => (p.clone(), d, i, 1..15u32)
            .prop_map(|(plan, device, item, q)| Op::Handout { plan, device, item, q }),
        2 => (0..8usize).prop_map(|index| Op::Void { index }),
        1 => p.prop_map(|plan| Op::Close { plan }),
    ]
}

struct World {
    store: TestDatabase,
    _dir: tempfile::TempDir,
    items: Vec<ItemId>,
    plans: Vec<PlanId>,
    devices: Vec<DeviceId>,
    handouts: Vec<(DeviceId, HandoutId)>,
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2022, 8, 5, 1, 0, 0).unwrap()
}

fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::open(dir.path()).unwrap();
    let store = database.db.as_ref();
    let a = Actor::System("prop");
    let t = now();
    // The one test world, with one unit and two items (stock is received below, per case).
    let (mut b, section) = testkit::world(t);
    let unit = b.unit(section, "u", 1, "l");
    let items: Vec<ItemId> = (0..2)
        .map(|k| b.gift(&format!("i{k}"), &format!("i{k}"), "份"))
        .collect();
    b.apply(store, t).unwrap();
    let devices: Vec<DeviceId> = (0..3)
        .map(|k| {
            let code = enrollment::issue(store, &a, unit, t, chrono::Duration::hours(1))
                .unwrap()
                .code;
            enrollment::enroll(
                store,
                t,
                &enrollment_code_hash(&code),
                &format!("d{k}"),
                &sha256_hex(&code),
            )
            .unwrap()
            .id
        })
        .collect();
    for item in &items {
        store.receive(&a, t, *item, 60, None).unwrap();
    }
    let plans: Vec<PlanId> = (0..2)
        .map(|_| {
            let id = PlanId::new();
            store
                .file_plan(
                    &a,
                    t,
                    id,
                    unit,
                    PlanContent {
                        title: "p".into(),
                        location: "l".into(),
                        starts_at: t,
                        ends_at: t + chrono::Duration::days(1),
                        expected_people: 1,
                        staff: String::new(),
                        requested: vec![],
                    },
                )
                .unwrap();
            store.approve_plan(&a, t, id, Approval::default()).unwrap();
            id
        })
        .collect();
    World {
        store: database,
        _dir: dir,
        items,
        plans,
        devices,
        handouts: Vec::new(),
    }
}

/// Integer columns of `sql`'s rows (NULL as 0), in SQL both databases speak.
fn ints(db: &TestDatabase, sql: &str) -> Vec<Vec<i64>> {
    db.rows(sql)
        .unwrap()
        .into_iter()
        .map(|r| {
            r.into_iter()
                .map(|v| v.map_or(0, |v| v.parse().unwrap()))
                .collect()
        })
        .collect()
}

/// The invariants, straight from the ledger with SQL of the test's own.
fn check(db: &TestDatabase) -> Result<(), TestCaseError> {
    let min_on_hand = db
        .int(
            "SELECT CAST(COALESCE(MIN(b), 0) AS BIGINT) FROM (SELECT SUM(CASE kind
                 WHEN 'receipt' THEN quantity
                 WHEN 'return' THEN quantity WHEN 'write_off' THEN -quantity
                 WHEN 'allocation' THEN -quantity ELSE 0 END) AS b
             FROM stock_ledger GROUP BY item_id) AS per_item",
        )
        .unwrap();
    prop_assert!(
        min_on_hand >= 0,
        "stock on hand went negative: {}",
        min_on_hand
    );
    let rows = ints(
        db,
        "SELECT CAST(SUM(CASE kind WHEN 'allocation' THEN quantity
                 WHEN 'return' THEN -quantity ELSE 0 END) AS BIGINT),
             CAST(SUM(CASE kind WHEN 'grant' THEN quantity
                 WHEN 'release' THEN -quantity ELSE 0 END) AS BIGINT)
         FROM stock_ledger WHERE plan_id IS NOT NULL GROUP BY plan_id, item_id",
    );
    for row in rows {
        let (allocated, granted) = (row[0], row[1]);
        prop_assert!(allocated >= 0, "allocation {} < 0", allocated);
        prop_assert!(granted >= 0, "grants {} < 0", granted);
        prop_assert!(
            granted <= allocated,
            "sum(grants) {} exceeds the allocation {}",
            granted,
            allocated
        );
    }
    let min_device = db
        .int(
            "SELECT CAST(COALESCE(MIN(b), 0) AS BIGINT) FROM (SELECT SUM(CASE kind
                 WHEN 'grant' THEN quantity
                 WHEN 'handout_void' THEN quantity ELSE -quantity END) AS b
             FROM stock_ledger WHERE device_id IS NOT NULL
             GROUP BY plan_id, device_id, item_id) AS per_device",
        )
        .unwrap();
    prop_assert!(
        min_device >= 0,
        "a device drew more than its grants: {}",
        min_device
    );
    // The plan totals (migration 0004) are what the handouts sum to.
    let drift = db
        .rows(
            "SELECT t.plan_id, t.item_id, t.handed_out, t.unbacked,
                 COALESCE(h.handed_out, 0), COALESCE(h.unbacked, 0)
             FROM plan_handout_totals t LEFT JOIN (
                 SELECT plan_id, item_id, SUM(quantity) AS handed_out,
                     SUM(quantity - backed) AS unbacked
                 FROM handouts WHERE voided_at IS NULL GROUP BY plan_id, item_id) h
               ON h.plan_id = t.plan_id AND h.item_id = t.item_id
             WHERE t.handed_out <> COALESCE(h.handed_out, 0)
                OR t.unbacked <> COALESCE(h.unbacked, 0)
             UNION ALL
             SELECT plan_id, item_id, 0, 0, SUM(quantity), SUM(quantity - backed)
             FROM handouts h WHERE voided_at IS NULL AND NOT EXISTS (
                 SELECT 1 FROM plan_handout_totals t
                 WHERE t.plan_id = h.plan_id AND t.item_id = h.item_id)
             GROUP BY plan_id, item_id",
        )
        .unwrap();
    prop_assert!(
        drift.is_empty(),
        "plan totals (plan, item, handed out, unbacked) differ from the handouts' sums \
         (last two): {:?}",
        drift
    );
    Ok(())
}

fn ledger_rows(db: &TestDatabase) -> i64 {
    db.int("SELECT COUNT(*) FROM stock_ledger").unwrap()
}

/// A stored handout's quantity and backed part.
fn handout_row(db: &TestDatabase, id: HandoutId) -> (u32, u32) {
    let row = &ints(
        db,
        &format!("SELECT quantity, backed FROM handouts WHERE id = '{id}'"),
    )[0];
    (row[0].try_into().unwrap(), row[1].try_into().unwrap())
}

/// How an operation failed: refused by a rule (it must post nothing), or broken.
#[derive(Debug)]
enum Failure {
    Refused(String),
    Broken(String),
}

impl From<fieldpost_central::plans::PlanError> for Failure {
    fn from(e: fieldpost_central::plans::PlanError) -> Failure {
        match e {
            fieldpost_central::plans::PlanError::Storage(e) => Failure::Broken(e.to_string()),
            e => Failure::Refused(e.to_string()),
        }
    }
}

impl From<fieldpost_central::stock::StockError> for Failure {
    fn from(e: fieldpost_central::stock::StockError) -> Failure {
        match e {
            fieldpost_central::stock::StockError::Storage(e) => Failure::Broken(e.to_string()),
            e => Failure::Refused(e.to_string()),
        }
    }
}

fn apply(w: &mut World, op: &Op) -> Result<(), Failure> {
    let (a, t, db) = (Actor::System("prop"), now(), &w.store);
    let s = db.db.as_ref();
    let share = |device: usize, item: usize, q| DeviceShare {
        device_id: w.devices[device],
        item_id: w.items[item],
        quantity: q,
    };
    match *op {
        Op::Receive { item, q } => s
            .receive(&a, t, w.items[item], q, None)
            .map(drop)
            .map_err(Failure::from),
        Op::WriteOff { item, q } => s
            .write_off(&a, t, w.items[item], q, Some("damaged".into()))
            .map(drop)
            .map_err(Failure::from),
        Op::Allocate { plan, item, q } => s
            .allocate(&a, t, w.plans[plan], w.items[item], q)
            .map(drop)
            .map_err(Failure::from),
        Op::Return { plan, item, q } => s
            .return_allocation(&a, t, w.plans[plan], w.items[item], q)
            .map(drop)
            .map_err(Failure::from),
        Op::Grant {
            plan,
            device,
            item,
            q,
        } => s
            .grant(&a, t, w.plans[plan], share(device, item, q))
            .map(drop)
            .map_err(Failure::from),
        Op::Release {
            plan,
            device,
            item,
            q,
        } => s
            .release(&a, t, w.plans[plan], share(device, item, q))
            .map(drop)
            .map_err(Failure::from),
        Op::Handout {
            plan,
            device,
            item,
            q,
        } => {
            let h = Handout {
                id: HandoutId::new(),
                session_id: SessionId::new(),
                plan_id: w.plans[plan],
                item_id: w.items[item],
                quantity: q,
                handed_out_at: t,
                over_grant_reason: None,
            };
            // Through the push use case, as a station's batch arrives: the only writer of
            // handouts.
            let before = ledger_rows(db);
            let out = push_events(
                s,
                t,
                w.devices[device],
                vec![EventPayload::HandoutRecorded { handout: h.clone() }],
            );
            if let Some(q) = out.quarantined.first() {
                assert_eq!(
                    ledger_rows(db),
                    before,
                    "a quarantined handout posts nothing: {q:?}"
                );
                return Ok(());
            }
            let (quantity, backed) = handout_row(db, h.id);
            assert_eq!(quantity, q, "a handout is stored whole");
            assert!(
                backed <= q,
                "a handout is split, never shrunk: {backed} of {q} backed"
            );
            w.handouts.push((w.devices[device], h.id));
            Ok(())
        }
        Op::Void { index } => match w.handouts.get(index) {
            Some((device, id)) => {
                let before = ledger_rows(db);
                let out = push_events(
                    s,
                    t,
                    *device,
                    vec![EventPayload::HandoutVoided {
                        void: HandoutVoid {
                            handout_id: *id,
                            reason: "r".into(),
                            voided_at: t,
                        },
                    }],
                );
                assert!(
                    out.quarantined.is_empty(),
                    "a device voids its own handout: {out:?}"
                );
                assert!(
                    ledger_rows(db) >= before,
                    "a void adds movements, never removes"
                );
                Ok(())
            }
            None => Ok(()),
        },
        Op::Close { plan } => s
            .close_plan(&a, t, w.plans[plan])
            .map(drop)
            .map_err(Failure::from),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn balances_never_go_negative_and_grants_stay_within_allocations(
        ops in proptest::collection::vec(op(), 1..80)
    ) {
        let mut w = world();
        for op in &ops {
            let before = ledger_rows(&w.store);
            match apply(&mut w, op) {
                Ok(()) => {}
                Err(Failure::Refused(why)) => {
                    prop_assert_eq!(ledger_rows(&w.store), before,
                        "a refused {:?} ({}) must post nothing", op, why);


                }
                Err(Failure::Broken(other)) => {
                    prop_assert!(false, "{:?} failed unexpectedly: {}", op, other)
                }
            }
            check(&w.store)?;
        }
    }
}
