//! A tablet whose clock is wrong — hours off, or set back between two taps — loses, doubles
//! and mixes up nothing: order on the tablet is the outbox's seq, never a time.

use chrono::Duration;
use fieldpost_station::handouts::HandoutInput;

use crate::support::{fixture, plan_start};

#[test]
fn undo_cancels_the_last_tap_even_after_the_clock_was_set_back() {
    let mut fx = fixture();
    let session = fx.open_session();
    let tap = |fx: &mut crate::support::Fixture, quantity| {
        fx.station
            .record_handout(&HandoutInput {
                session_id: session,
                item_id: fx.mask.id,
                quantity,
                over_grant_reason: None,
            })
            .unwrap()
    };
    let first = tap(&mut fx, 1);
    // The clock jumps hours ahead, then back before the first tap (a tablet restarted with
    // a wrong date, then corrected by hand).
    fx.clock.set(plan_start() + Duration::hours(5));
    let ahead = tap(&mut fx, 2);
    fx.clock.set(plan_start() + Duration::minutes(10));
    let behind = tap(&mut fx, 1);
    assert!(
        behind.id < first.id && first.id < ahead.id,
        "the ids follow the clock, so their order is not the taps' order"
    );

    assert_eq!(
        fx.station.last_handout(session).unwrap(),
        Some(behind.clone())
    );
    fx.station.void_handout(behind.id, "撤销").unwrap();
    assert_eq!(
        fx.station.last_handout(session).unwrap(),
        Some(ahead.clone())
    );
    fx.station.void_handout(ahead.id, "撤销").unwrap();
    assert_eq!(
        fx.station.last_handout(session).unwrap(),
        Some(first.clone())
    );

    // Nothing lost or doubled: every tap and void is one event, in the order done.
    let kinds: Vec<String> = fx
        .station
        .events()
        .unwrap()
        .iter()
        .map(|e| e.payload.kind().to_owned())
        .collect();
    let tail = &kinds[kinds.len() - 5..];
    assert_eq!(
        tail,
        [
            "handout_recorded",
            "handout_recorded",
            "handout_recorded",
            "handout_voided",
            "handout_voided"
        ]
    );
    let seqs: Vec<u64> = fx.station.events().unwrap().iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
    // And the order holds across a restart (the seq is stored with the handout).
    let fx = fx.reopen();
    assert_eq!(fx.station.last_handout(session).unwrap(), Some(first));
}

#[test]
fn a_session_closed_with_the_clock_set_back_ends_no_earlier_than_it_opened() {
    let mut fx = fixture();
    fx.clock.set(plan_start() + Duration::hours(2));
    let session = fx.open_session();
    fx.station.record_tally(session, 7, 2).unwrap();
    fx.clock.set(plan_start() + Duration::minutes(5));
    let closed = fx.station.close_session(session).unwrap();
    assert_eq!(closed.people_reached, 7);
    let (opened, closed_at) = (closed.session.opened_at, closed.session.closed_at.unwrap());
    assert!(closed_at >= opened, "{opened} .. {closed_at}");
}
