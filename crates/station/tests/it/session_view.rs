//! The session screen's writes answer with what the screen shows (issue #10): one call per
//! tap, and the answer is the store's state right after the write.

use fieldpost_domain::*;
use fieldpost_station::Error;
use fieldpost_station::handouts::HandoutInput;
use fieldpost_station::session_view::SessionView;
use fieldpost_station::sessions::VolunteerInput;

use crate::support::*;

fn tap(fx: &Fixture, session_id: SessionId, quantity: u32) -> HandoutInput {
    HandoutInput {
        session_id,
        item_id: fx.mask.id,
        quantity,
        over_grant_reason: None,
    }
}

fn masks_left(view: &SessionView, fx: &Fixture) -> u64 {
    view.grants
        .iter()
        .find(|g| g.item.id == fx.mask.id)
        .map_or(0, |g| g.available)
}

fn masks_handed_out(view: &SessionView, fx: &Fixture) -> u64 {
    view.summary
        .handouts
        .iter()
        .find(|h| h.item_id == fx.mask.id)
        .map_or(0, |h| h.quantity)
}

#[test]
fn a_handout_answers_with_the_smaller_grant_and_itself_ready_for_undo() {
    let mut fx = fixture();
    let session = fx.open_session();
    let before = fx.station.session_view(session).unwrap();
    assert_eq!(masks_left(&before, &fx), 5, "the fixture grants 5 masks");
    assert_eq!(before.last_handout, None, "nothing to undo yet");

    let after = fx
        .station
        .record_handout_and_view(&tap(&fx, session, 2))
        .unwrap();
    assert_eq!(
        masks_left(&after, &fx),
        3,
        "what remains drops by the quantity handed out"
    );
    assert_eq!(masks_handed_out(&after, &fx), 2, "the session counts them");
    let last = after
        .last_handout
        .clone()
        .expect("the tap is there to undo");
    assert_eq!(
        (last.item_id, last.quantity, last.session_id),
        (fx.mask.id, 2, session),
        "undo would cancel the handout just recorded"
    );
    assert_eq!(
        fx.station
            .events()
            .unwrap()
            .last()
            .map(|e| e.payload.kind()),
        Some("handout_recorded"),
        "the answer comes after the write committed its event"
    );
    assert_eq!(
        after,
        fx.station.session_view(session).unwrap(),
        "the answer is exactly what a fresh read shows: the screen needs no other call"
    );
}

#[test]
fn an_undo_answers_with_the_grant_back_and_the_tap_before_next_in_line() {
    let mut fx = fixture();
    let session = fx.open_session();
    let first = fx
        .station
        .record_handout_and_view(&tap(&fx, session, 1))
        .unwrap()
        .last_handout
        .unwrap();
    let second = fx
        .station
        .record_handout_and_view(&tap(&fx, session, 3))
        .unwrap()
        .last_handout
        .unwrap();
    assert_ne!(first.id, second.id);

    let after = fx.station.void_handout_and_view(second.id, "撤销").unwrap();
    assert_eq!(
        masks_left(&after, &fx),
        4,
        "the 3 undone return to the grant"
    );
    assert_eq!(
        after.last_handout.map(|h| h.id),
        Some(first.id),
        "the next undo would take the tap before"
    );
    assert_eq!(after.summary.handouts[0].voided, 1, "the void is counted");

    let after = fx.station.void_handout_and_view(first.id, "撤销").unwrap();
    assert_eq!(
        after.last_handout, None,
        "with every tap undone there is nothing left to undo"
    );
    assert_eq!(masks_left(&after, &fx), 5, "the whole grant is back");
}

#[test]
fn a_refused_write_answers_with_the_refusal_and_changes_nothing() {
    let mut fx = fixture();
    let session = fx.open_session();
    let before = fx.station.session_view(session).unwrap();
    let err = fx
        .station
        .record_handout_and_view(&tap(&fx, session, 6))
        .unwrap_err();
    assert!(
        matches!(err, Error::OverGrant { available: 5, .. }),
        "the refusal says what remains: {err:?}"
    );
    assert_eq!(
        fx.station.session_view(session).unwrap(),
        before,
        "a refused tap leaves the screen as it was"
    );
}

#[test]
fn tallies_and_volunteers_answer_with_the_session_as_shown() {
    let mut fx = fixture();
    let session = fx.open_session();
    fx.station
        .record_handout_and_view(&tap(&fx, session, 1))
        .unwrap();
    let view = fx.station.record_tally_and_view(session, 3, 1).unwrap();
    assert_eq!(
        (
            view.summary.people_reached,
            view.summary.questionnaires_assisted
        ),
        (3, 1),
        "the counters as they now stand"
    );
    assert_eq!(
        masks_left(&view, &fx),
        4,
        "the grants come along, so the screen keeps them current"
    );
    assert!(
        view.last_handout.is_some(),
        "a tally does not take the undo away"
    );

    let view = fx
        .station
        .check_in_and_view(
            session,
            &VolunteerInput {
                name: "陈晓".into(),
                ivolunteer_id: None,
            },
        )
        .unwrap();
    let names: Vec<&str> = view
        .summary
        .volunteers
        .iter()
        .map(|v| v.check_in.volunteer_name.as_str())
        .collect();
    assert_eq!(
        names,
        ["林小华", "陈晓"],
        "the new volunteer is listed after the opener"
    );

    let late = view.summary.volunteers[1].check_in.id;
    let view = fx.station.check_out_and_view(late).unwrap();
    assert!(
        view.summary.volunteers[1].checked_out_at.is_some(),
        "the volunteer shows as checked out"
    );
    assert!(
        view.summary.volunteers[0].checked_out_at.is_none(),
        "the others stay"
    );
    assert_gap_free(&fx.station);
}

#[test]
fn a_view_of_an_unknown_session_is_refused_by_name() {
    let fx = fixture();
    let unknown = SessionId::new();
    let err = fx.station.session_view(unknown).unwrap_err();
    assert!(
        matches!(err, Error::UnknownSession(id) if id == unknown),
        "{err:?}"
    );
}
