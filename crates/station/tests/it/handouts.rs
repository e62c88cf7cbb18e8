//! Handouts against the device's grant: the escrow, exceptions, voids and undo.

use fieldpost_domain::*;
use fieldpost_station::Error;
use fieldpost_station::handouts::HandoutInput;

use crate::support::*;

fn tap(fx: &Fixture, session_id: SessionId, quantity: u32) -> HandoutInput {
    HandoutInput {
        session_id,
        item_id: fx.mask.id,
        quantity,
        over_grant_reason: None,
    }
}

fn available(fx: &Fixture) -> u64 {
    let grants = fx.station.remaining_grants(fx.plan.id).unwrap();
    grants
        .iter()
        .find(|g| g.item.id == fx.mask.id)
        .map_or(0, |g| g.available)
}

#[test]
fn handouts_draw_down_the_grant_until_it_refuses() {
    let mut fx = fixture();
    let session = fx.open_session();
    assert_eq!(available(&fx), 5, "the fixture grants 5 masks");
    for left in (0..5).rev() {
        fx.station.record_handout(&tap(&fx, session, 1)).unwrap();
        assert_eq!(available(&fx), left, "each tap takes one from the grant");
    }
    let err = fx
        .station
        .record_handout(&tap(&fx, session, 1))
        .unwrap_err();
    assert!(
        matches!(err, Error::OverGrant { available: 0, .. }),
        "the 6th tap: {err:?}"
    );
}

#[test]
fn over_grant_with_a_reason_is_kept_and_flagged() {
    let mut fx = fixture();
    let session = fx.open_session();
    let input = HandoutInput {
        over_grant_reason: Some("箱内实际多出 2 只".into()),
        ..tap(&fx, session, 7)
    };
    let h = fx.station.record_handout(&input).unwrap();
    assert_eq!(
        h.over_grant_reason.as_deref(),
        Some("箱内实际多出 2 只"),
        "the reason is kept"
    );
    let summary = fx.station.session_summary(session).unwrap();
    assert_eq!(
        summary.handouts[0].quantity, 7,
        "the exception counts as handed out"
    );
    assert_eq!(
        summary.handouts[0].exceptions, 1,
        "and is flagged as an exception"
    );
    assert_eq!(available(&fx), 0, "nothing remains; no underflow");
    let event = fx.station.events().unwrap().pop().unwrap();
    assert!(
        matches!(event.payload, EventPayload::HandoutRecorded { handout } if handout.over_grant_reason.is_some()),
        "the exception travels to the central with its reason"
    );
}

#[test]
fn a_reason_within_the_grant_does_not_flag() {
    let mut fx = fixture();
    let session = fx.open_session();
    let input = HandoutInput {
        over_grant_reason: Some("以防万一".into()),
        ..tap(&fx, session, 2)
    };
    let h = fx.station.record_handout(&input).unwrap();
    assert_eq!(
        h.over_grant_reason, None,
        "within the grant there is no exception to flag"
    );
}

#[test]
fn an_item_without_a_grant_needs_a_reason() {
    let mut fx = fixture();
    let session = fx.open_session();
    let kit = HandoutInput {
        item_id: fx.kit.id,
        ..tap(&fx, session, 1)
    };
    let err = fx.station.record_handout(&kit).unwrap_err();
    assert!(
        matches!(err, Error::OverGrant { available: 0, .. }),
        "no kits granted: {err:?}"
    );
}

#[test]
fn void_returns_the_quantity_and_undo_takes_the_last_tap() {
    let mut fx = fixture();
    let session = fx.open_session();
    let first = fx.station.record_handout(&tap(&fx, session, 1)).unwrap();
    let second = fx.station.record_handout(&tap(&fx, session, 3)).unwrap();
    assert_eq!(available(&fx), 1);
    assert_eq!(
        fx.station.last_handout(session).unwrap().map(|h| h.id),
        Some(second.id),
        "undo cancels the latest tap"
    );
    fx.station.void_handout(second.id, "撤销").unwrap();
    assert_eq!(available(&fx), 4, "the void gives the 3 back");
    assert_eq!(
        fx.station.last_handout(session).unwrap().map(|h| h.id),
        Some(first.id),
        "after an undo, the next undo takes the tap before"
    );
    let summary = fx.station.session_summary(session).unwrap();
    assert_eq!(
        summary.handouts[0].quantity, 1,
        "voids are deducted from the summary"
    );
    assert_eq!(
        summary.handouts[0].voided, 1,
        "and counted as voided, not deleted"
    );
}

#[test]
fn releases_reduce_what_remains() {
    let mut fx = fixture();
    let position = fx.station.release_grant(fx.plan.id, fx.mask.id, 2).unwrap();
    assert_eq!(
        position,
        EscrowPosition {
            granted: 5,
            released: 2,
            handed_out: 0
        }
    );
    let session = fx.open_session();
    let err = fx
        .station
        .record_handout(&tap(&fx, session, 4))
        .unwrap_err();
    assert!(
        matches!(err, Error::OverGrant { available: 3, .. }),
        "released masks are gone: {err:?}"
    );
}

#[test]
fn a_bigger_grant_from_the_central_raises_what_remains() {
    let mut fx = fixture();
    let session = fx.open_session();
    fx.station.record_handout(&tap(&fx, session, 5)).unwrap();
    let top_up = Grant {
        id: GrantId::new(),
        plan_id: fx.plan.id,
        device_id: fx.device_id,
        item_id: fx.mask.id,
        quantity: 10,
    };
    let other_device = Grant {
        id: GrantId::new(),
        device_id: DeviceId::new(),
        ..top_up.clone()
    };
    fx.station
        .cache_reference(&fieldpost_station::reference::ReferenceData {
            grants: vec![top_up, other_device],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        available(&fx),
        10,
        "5 + 10 granted, 5 handed out; another device's grant is not ours"
    );
}

#[test]
fn escrow_counters_match_the_rows_they_summarize() {
    let mut fx = fixture();
    let session = fx.open_session();
    let a = fx.station.record_handout(&tap(&fx, session, 2)).unwrap();
    fx.station.record_handout(&tap(&fx, session, 1)).unwrap();
    fx.station.void_handout(a.id, "误触").unwrap();
    fx.station.release_grant(fx.plan.id, fx.mask.id, 1).unwrap();
    let fx = fx.reopen();
    let grants = fx.station.remaining_grants(fx.plan.id).unwrap();
    assert_eq!(
        grants[0].position,
        EscrowPosition {
            granted: 5,
            released: 1,
            handed_out: 1
        },
        "after a reopen the counters still equal grants, releases and unvoided handouts"
    );
}
