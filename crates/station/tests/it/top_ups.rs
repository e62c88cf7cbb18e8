//! Requests for a top-up (申请追加), issue #4 point 3: they go up as events, refusals name
//! their field and write nothing.

use fieldpost_domain::*;
use fieldpost_station::handouts::TopUpInput;
use fieldpost_station::reference::ReferenceData;
use fieldpost_station::{Error, Station};

use crate::support::*;

fn ask(fx: &Fixture, quantity: u32, note: Option<&str>) -> TopUpInput {
    TopUpInput {
        plan_id: fx.plan.id,
        item_id: fx.mask.id,
        quantity,
        note: note.map(str::to_owned),
    }
}

fn outbox_len(station: &Station) -> usize {
    station.events().unwrap().len()
}

#[test]
fn a_request_is_one_event_and_changes_no_grant() {
    let mut fx = fixture();
    let _session = fx.open_session();
    let before = fx.station.remaining_grants(fx.plan.id).unwrap();
    let request = fx
        .station
        .request_top_up(&ask(&fx, 20, Some("  下午人多，口罩快发完了  ")))
        .unwrap();
    assert_eq!(request.quantity, 20);
    assert_eq!(
        request.note.as_deref(),
        Some("下午人多，口罩快发完了"),
        "the note is stored trimmed"
    );
    let events = fx.station.events().unwrap();
    let last = events.last().unwrap();
    assert_eq!(
        last.payload,
        EventPayload::TopUpRequested {
            request: request.clone()
        },
        "the request is the outbox's newest event"
    );
    assert_eq!(
        last.recorded_at, request.requested_at,
        "one clock reading for the event and the request"
    );
    assert_gap_free(&fx.station);
    assert_eq!(
        fx.station.remaining_grants(fx.plan.id).unwrap(),
        before,
        "a request is not a grant: what may be handed out is unchanged until the central grants"
    );
    assert_eq!(
        fx.station.top_up_requests(fx.plan.id).unwrap(),
        vec![request],
        "the device lists what it asked for"
    );
}

#[test]
fn a_blank_note_is_none_and_requests_list_newest_first() {
    let mut fx = fixture();
    let first = fx
        .station
        .request_top_up(&ask(&fx, 5, Some("   ")))
        .unwrap();
    assert_eq!(first.note, None, "a blank note is no note");
    let mut kit = ask(&fx, 3, None);
    kit.item_id = fx.kit.id;
    let second = fx.station.request_top_up(&kit).unwrap();
    assert_eq!(
        fx.station.top_up_requests(fx.plan.id).unwrap(),
        vec![second, first],
        "newest first; an item the device holds no grant of may be asked for too"
    );
    assert!(
        fx.station
            .top_up_requests(PlanId::new())
            .unwrap()
            .is_empty(),
        "another plan's list is empty"
    );
    assert_gap_free(&fx.station);
}

#[test]
fn a_request_survives_a_restart() {
    let mut fx = fixture();
    let request = fx.station.request_top_up(&ask(&fx, 7, None)).unwrap();
    let fx = fx.reopen();
    assert_eq!(
        fx.station.top_up_requests(fx.plan.id).unwrap(),
        vec![request],
        "the request was committed before the use case returned"
    );
    assert_eq!(
        fx.station.outbox_status().unwrap().pending,
        1,
        "and waits in the outbox to be pushed"
    );
}

/// Runs a request that must be refused and checks that the outbox did not move.
fn refused(fx: &mut Fixture, input: &TopUpInput) -> Error {
    let before = outbox_len(&fx.station);
    let err = fx
        .station
        .request_top_up(input)
        .expect_err("the request must be refused");
    assert_eq!(
        outbox_len(&fx.station),
        before,
        "a refused request writes nothing ({err})"
    );
    err
}

#[test]
fn zero_quantity_is_refused_naming_the_field() {
    let mut fx = fixture();
    let input = ask(&fx, 0, None);
    let err = refused(&mut fx, &input);
    assert!(
        matches!(
            err,
            Error::InvalidQuantity {
                field: "quantity",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn a_long_note_is_refused_naming_the_field() {
    let mut fx = fixture();
    let long = "多".repeat(TopUpRequest::NOTE_MAX_CHARS + 1);
    let input = ask(&fx, 1, Some(&long));
    let err = refused(&mut fx, &input);
    assert!(
        matches!(err, Error::TooLong { field: "note", max } if max == TopUpRequest::NOTE_MAX_CHARS),
        "{err:?}"
    );
    let exactly = "多".repeat(TopUpRequest::NOTE_MAX_CHARS);
    fx.station
        .request_top_up(&ask(&fx, 1, Some(&exactly)))
        .expect("the limit counts characters, not bytes");
}

#[test]
fn unknown_plan_or_item_is_refused() {
    let mut fx = fixture();
    let mut input = ask(&fx, 1, None);
    input.plan_id = PlanId::new();
    let err = refused(&mut fx, &input);
    assert!(
        matches!(err, Error::UnknownPlan(id) if id == input.plan_id),
        "{err:?}"
    );
    let mut input = ask(&fx, 1, None);
    input.item_id = ItemId::new();
    let err = refused(&mut fx, &input);
    assert!(
        matches!(err, Error::UnknownItem(id) if id == input.item_id),
        "{err:?}"
    );
}

#[test]
fn a_plan_that_is_not_approved_is_refused() {
    let mut fx = fixture();
    for status in [PlanStatus::Submitted, PlanStatus::Closed] {
        let mut plan = fx.plan.clone();
        plan.status = status;
        fx.station
            .cache_reference(&ReferenceData {
                campaign: None,
                units: vec![],
                items: vec![],
                plans: vec![plan],
                grants: vec![],
            })
            .unwrap();
        let input = ask(&fx, 1, None);
        let err = refused(&mut fx, &input);
        assert!(
            matches!(err, Error::PlanNotApproved { status: s, .. } if s == status),
            "a {status} plan has no allocation to top up from: {err:?}"
        );
    }
}

#[test]
fn an_unenrolled_station_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut station = Station::open(dir.path().join("s.sqlite")).unwrap();
    let err = station
        .request_top_up(&TopUpInput {
            plan_id: PlanId::new(),
            item_id: ItemId::new(),
            quantity: 1,
            note: None,
        })
        .unwrap_err();
    assert!(matches!(err, Error::NotEnrolled), "{err:?}");
    assert!(station.events().unwrap().is_empty(), "nothing written");
}
