//! The station's side of the sync contract, on the store: acknowledgements, quarantine
//! notices, pulled pages and the cursor.

use chrono::Duration;
use fieldpost_domain::*;
use fieldpost_station::handouts::HandoutInput;
use fieldpost_sync::{Change, PullResponse, PushResponse, Quarantined, Record, UnitProgress};

use crate::support::*;

fn page(cursor: u64, records: Vec<Record>) -> PullResponse {
    let first = cursor + 1 - records.len() as u64;
    PullResponse {
        changes: records
            .into_iter()
            .enumerate()
            .map(|(i, record)| Change {
                server_seq: first + i as u64,
                record,
            })
            .collect(),
        cursor,
        more: false,
        rotated_token: None,
    }
}

/// A team leader's plan, two days after the fixture's, drafted and filed on the tablet.
fn filed_plan(fx: &mut Fixture) -> ActivityPlan {
    let draft = fx
        .station
        .draft_plan(&fieldpost_domain::PlanContent {
            title: "社区宣传".into(),
            location: "黄岐山社区".into(),
            starts_at: fx.plan.starts_at + Duration::days(2),
            ends_at: fx.plan.ends_at + Duration::days(2),
            expected_people: 100,
            staff: "王队长".into(),
            requested: vec![ItemQuantity {
                item_id: fx.mask.id,
                quantity: 100,
            }],
        })
        .unwrap();
    fx.station.file_plan(draft.id).unwrap();
    draft
}

#[test]
fn a_push_reply_acknowledges_and_lists_quarantined_events() {
    let mut fx = fixture();
    let session = fx.open_session();
    fx.station.record_tally(session, 1, 0).unwrap();
    let events = fx.station.pending_events(100).unwrap();
    assert_eq!(events.len(), 3);
    fx.station
        .apply_push_response(&PushResponse {
            acked_through: 3,
            quarantined: vec![Quarantined {
                seq: 2,
                event_id: events[1].id,
                code: "unknown_session".into(),
                reason: "no such session".into(),
            }],
            rotated_token: None,
        })
        .unwrap();
    let status = fx.station.sync_status().unwrap();
    assert_eq!(status.pending, 0, "everything through 3 is on the central");
    assert_eq!(
        status.quarantined.len(),
        1,
        "the quarantined event is listed for the volunteer"
    );
    assert_eq!(status.quarantined[0].code, "unknown_session");
    assert_eq!(
        fx.station.events().unwrap().len(),
        3,
        "acknowledged events are kept, not deleted"
    );
}

#[test]
fn an_acknowledgement_beyond_the_log_is_refused() {
    let mut fx = fixture();
    fx.open_session();
    let err = fx
        .station
        .apply_push_response(&PushResponse {
            acked_through: 99,
            quarantined: vec![],
            rotated_token: None,
        })
        .unwrap_err();
    assert_eq!(
        err.kind(),
        "corrupt",
        "a central claiming events we never sent is wrong: {err}"
    );
    assert_eq!(
        fx.station.outbox_status().unwrap().acked_through,
        0,
        "nothing moved"
    );
}

#[test]
fn resend_from_rewinds_but_never_forward() {
    let mut fx = fixture();
    let session = fx.open_session();
    fx.station.record_tally(session, 1, 0).unwrap();
    fx.station.mark_acked_through(3).unwrap();
    fx.station.resend_from(2).unwrap();
    assert_eq!(
        fx.station
            .pending_events(10)
            .unwrap()
            .iter()
            .map(|e| e.seq)
            .collect::<Vec<_>>(),
        [2, 3],
        "a central that lost events gets them again from the seq it asks for"
    );
    fx.station.resend_from(3).unwrap();
    assert_eq!(
        fx.station.outbox_status().unwrap().acked_through,
        1,
        "resend never skips ahead"
    );
}

#[test]
fn a_pulled_page_stores_records_and_cursor_together() {
    let mut fx = fixture();
    let mut approved = fx.plan.clone();
    approved.id = PlanId::new();
    approved.title = "新批准的方案".into();
    approved.starts_at += Duration::days(1);
    approved.ends_at += Duration::days(1);
    let grant = Grant {
        id: GrantId::new(),
        plan_id: approved.id,
        device_id: fx.device_id,
        item_id: fx.mask.id,
        quantity: 40,
    };
    let other_device = DeviceId::new();
    let relayed = Handout {
        id: HandoutId::new(),
        session_id: SessionId::new(),
        plan_id: fx.plan.id,
        item_id: fx.mask.id,
        quantity: 3,
        handed_out_at: fx.plan.starts_at,
        over_grant_reason: None,
    };
    // The grant arrives before its plan within the page: the page applies as a whole.
    fx.station
        .apply_pull(&page(
            7,
            vec![
                Record::Grant {
                    grant: grant.clone(),
                },
                Record::Plan {
                    plan: approved.clone(),
                },
                Record::Handout {
                    handout: relayed,
                    device_id: other_device,
                    voided_at: None,
                },
                Record::Grant {
                    grant: Grant {
                        device_id: other_device,
                        id: GrantId::new(),
                        ..grant
                    },
                },
            ],
        ))
        .unwrap();
    assert_eq!(
        fx.station.pull_cursor().unwrap(),
        7,
        "the cursor is stored with the records"
    );
    assert_eq!(fx.station.plan(approved.id).unwrap().title, "新批准的方案");
    let remaining = fx.station.remaining_grants(approved.id).unwrap();
    assert_eq!(
        remaining[0].available, 40,
        "only this device's grant counts"
    );
    let unit = fx.station.unit_handed_out(fx.plan.id).unwrap();
    assert_eq!(
        unit,
        vec![(fx.mask.id, 3)],
        "another device's handout is part of the unit's picture"
    );

    // A late duplicate of an older page changes nothing and cannot move the cursor back.
    fx.station.apply_pull(&page(3, vec![])).unwrap();
    assert_eq!(
        fx.station.pull_cursor().unwrap(),
        7,
        "the cursor only moves forward"
    );
}

#[test]
fn the_central_decides_a_filed_plan() {
    let mut fx = fixture();
    let draft = filed_plan(&mut fx);
    let mut decided = fx.station.plan(draft.id).unwrap();
    decided.status = PlanStatus::Rejected;
    decided.reject_reason = Some("请补充志愿者名单".into());
    fx.station
        .apply_pull(&page(1, vec![Record::Plan { plan: decided }]))
        .unwrap();
    let plan = fx.station.plan(draft.id).unwrap();
    assert_eq!(
        plan.status,
        PlanStatus::Rejected,
        "the central's decision replaces the local copy"
    );
    assert_eq!(plan.reject_reason.as_deref(), Some("请补充志愿者名单"));
}

#[test]
fn own_handouts_relayed_back_are_not_counted_twice() {
    let mut fx = fixture();
    let session = fx.open_session();
    let h = fx
        .station
        .record_handout(&HandoutInput {
            session_id: session,
            item_id: fx.mask.id,
            quantity: 2,
            over_grant_reason: None,
        })
        .unwrap();
    let device_id = fx.device_id;
    fx.station
        .apply_pull(&page(
            1,
            vec![Record::Handout {
                handout: h,
                device_id,
                voided_at: None,
            }],
        ))
        .unwrap();
    assert_eq!(
        fx.station.unit_handed_out(fx.plan.id).unwrap(),
        vec![(fx.mask.id, 2)],
        "this device's own handout comes back from the central but counts once"
    );
}

#[test]
fn sync_success_clears_the_last_error() {
    let mut fx = fixture();
    fx.station
        .record_sync_failure("the central refused the request (500)")
        .unwrap();
    assert!(fx.station.sync_status().unwrap().last_error.is_some());
    fx.station.record_sync_success().unwrap();
    let status = fx.station.sync_status().unwrap();
    assert_eq!(status.last_error, None, "a success clears the error line");
    assert!(status.last_success.is_some(), "and records when");
}

fn progress(unit_id: UnitId, day: u32, collected: u64, rate: u32, count: u32) -> UnitProgress {
    UnitProgress {
        unit_id,
        day: chrono::NaiveDate::from_ymd_opt(2022, 8, day).unwrap(),
        published_at: plan_start(),
        collected,
        quota: 3200,
        progress_percent: (collected as f64 * 10000.0 / 3200.0).round() / 100.0,
        rank_by_rate: rate,
        rank_by_count: count,
        units: 12,
    }
}

#[test]
fn the_units_progress_pulled_is_stored_replaced_and_kept_across_a_restart() {
    // Issue 13, deliverable 2: tablets learn their unit's progress and ranks.
    let mut fx = fixture();
    assert_eq!(
        fx.station.unit_progress().unwrap(),
        None,
        "nothing before a bulletin is published"
    );
    let first = progress(fx.unit_id, 5, 1234, 5, 3);
    fx.station
        .apply_pull(&page(
            1,
            vec![Record::UnitProgress {
                progress: first.clone(),
            }],
        ))
        .unwrap();
    assert_eq!(
        fx.station.unit_progress().unwrap(),
        Some(first),
        "the pulled progress is stored as it came"
    );
    let next = progress(fx.unit_id, 6, 1500, 4, 2);
    fx.station
        .apply_pull(&page(
            2,
            vec![Record::UnitProgress {
                progress: next.clone(),
            }],
        ))
        .unwrap();
    let fx = fx.reopen();
    assert_eq!(
        fx.station.unit_progress().unwrap(),
        Some(next),
        "the next publication replaces it, and it survives a restart"
    );
}

/// Issue 14: a tablet must not panic on what the central sends. A plan pulled at the largest
/// revision there is made revising it compute `revision + 1` past `u32::MAX`.
#[test]
fn revising_a_plan_the_central_sent_at_the_last_revision_is_refused_not_a_panic() {
    let mut fx = fixture();
    let draft = filed_plan(&mut fx);
    let mut decided = fx.station.plan(draft.id).unwrap();
    decided.status = PlanStatus::Rejected;
    decided.revision = u32::MAX;
    fx.station
        .apply_pull(&page(1, vec![Record::Plan { plan: decided }]))
        .unwrap();
    let before = fx.station.outbox_status().unwrap();
    let mut content = fx.station.plan(draft.id).unwrap().content();
    content.expected_people = 120;
    let revised = fx.station.revise_plan(draft.id, &content);
    assert!(
        revised.is_err(),
        "no revision follows the last one: {revised:?}"
    );
    assert_eq!(
        fx.station.outbox_status().unwrap().last_seq,
        before.last_seq,
        "the refused revision appended no event"
    );
    assert_eq!(fx.station.plan(draft.id).unwrap().expected_people, 100);
}
