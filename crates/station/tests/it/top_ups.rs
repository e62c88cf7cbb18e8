//! Requests for a top-up (申请追加), issue #4 point 3: they go up as events, refusals name
//! their field and write nothing; the secretariat's answers come down by pull and are listed
//! beside the requests.

use chrono::Duration;
use fieldpost_domain::*;
use fieldpost_station::handouts::{TopUpInput, TopUpRequestView};
use fieldpost_station::reference::ReferenceData;
use fieldpost_station::{Error, Station};
use fieldpost_sync::{Change, PullResponse, PushResponse, Quarantined, Record};

use crate::support::*;

fn ask(fx: &Fixture, quantity: u32, note: Option<&str>) -> TopUpInput {
    TopUpInput {
        plan_id: fx.plan.id,
        item_id: fx.mask.id,
        quantity,
        note: note.map(str::to_owned),
    }
}

/// The requests listed under `plan`, newest first, all still unanswered.
fn asked(station: &Station, plan: PlanId) -> Vec<TopUpRequest> {
    station
        .top_up_requests(plan)
        .unwrap()
        .into_iter()
        .map(|v| {
            assert_eq!(v.answer, None, "no answer has been pulled");
            v.request
        })
        .collect()
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
        asked(&fx.station, fx.plan.id),
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
        asked(&fx.station, fx.plan.id),
        vec![second, first],
        "newest first; an item the device holds no grant of may be asked for too"
    );
    assert!(
        asked(&fx.station, PlanId::new()).is_empty(),
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
        asked(&fx.station, fx.plan.id),
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
    let mut station = Station::open(
        dir.path().join("s.sqlite"),
        dir.path().join("keys/device.key"),
    )
    .unwrap();
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

fn answer_page(cursor: u64, records: Vec<Record>) -> PullResponse {
    let first = cursor + 1 - records.len() as u64;
    PullResponse {
        changes: records
            .into_iter()
            .zip(first..)
            .map(|(record, server_seq)| Change { server_seq, record })
            .collect(),
        cursor,
        more: false,
        rotated_token: None,
    }
}

fn answered(request: TopUpRequestId, status: TopUpAnswerStatus, minute: i64) -> TopUpAnswer {
    let fulfilled = status == TopUpAnswerStatus::Fulfilled;
    TopUpAnswer {
        request_id: request,
        status,
        granted: fulfilled.then_some(8),
        grant_id: fulfilled.then(GrantId::new),
        reason: (!fulfilled).then(|| "库存不足，请先用完手上的".to_owned()),
        decided_at: plan_start() + Duration::minutes(minute),
    }
}

#[test]
fn pulled_answers_are_listed_beside_their_requests_and_reapplying_changes_nothing() {
    let mut fx = fixture();
    let waiting = fx.station.request_top_up(&ask(&fx, 3, None)).unwrap();
    let declined = fx.station.request_top_up(&ask(&fx, 50, None)).unwrap();
    let fulfilled = fx
        .station
        .request_top_up(&ask(&fx, 10, Some("下午人多")))
        .unwrap();
    let yes = answered(fulfilled.id, TopUpAnswerStatus::Fulfilled, 60);
    let no = answered(declined.id, TopUpAnswerStatus::Declined, 75);
    let grant = Grant {
        id: yes.grant_id.unwrap(),
        plan_id: fx.plan.id,
        device_id: fx.device_id,
        item_id: fx.mask.id,
        quantity: 8,
    };
    let page = answer_page(
        12,
        vec![
            Record::Grant { grant },
            Record::TopUpAnswer {
                answer: yes.clone(),
            },
            Record::TopUpAnswer { answer: no.clone() },
        ],
    );
    fx.station.apply_pull(&page).unwrap();
    let sent = |request: &TopUpRequest, answer: Option<&TopUpAnswer>| TopUpRequestView {
        request: request.clone(),
        // This store never applied a push reply, so its outbox still counts the requests as
        // unsent; `sent` reports the outbox, and the answer shows regardless.
        sent: false,
        quarantine: None,
        answer: answer.cloned(),
    };
    let expected = vec![
        sent(&fulfilled, Some(&yes)),
        sent(&declined, Some(&no)),
        sent(&waiting, None),
    ];
    assert_eq!(
        fx.station.top_up_requests(fx.plan.id).unwrap(),
        expected,
        "each request shows its answer: 8 granted of 10 asked, a decline with its reason, \
         and the third still waiting"
    );
    assert_eq!(
        fx.station
            .remaining_grants(fx.plan.id)
            .unwrap()
            .iter()
            .find(|g| g.item.id == fx.mask.id)
            .map(|g| g.available),
        Some(5 + 8),
        "the fulfilment's grant came in the same page"
    );

    fx.station.apply_pull(&page).unwrap();
    assert_eq!(
        fx.station.top_up_requests(fx.plan.id).unwrap(),
        expected,
        "applying the same page again changes nothing"
    );
    assert_eq!(fx.station.pull_cursor().unwrap(), 12);

    let fx = fx.reopen();
    assert_eq!(
        fx.station.top_up_requests(fx.plan.id).unwrap(),
        expected,
        "the answers were committed with the page"
    );
}

#[test]
fn an_answer_to_a_request_this_device_never_sent_is_kept_out_of_the_list() {
    let mut fx = fixture();
    let mine = fx.station.request_top_up(&ask(&fx, 3, None)).unwrap();
    let stranger = answered(TopUpRequestId::new(), TopUpAnswerStatus::Declined, 60);
    fx.station
        .apply_pull(&answer_page(
            4,
            vec![Record::TopUpAnswer { answer: stranger }],
        ))
        .expect("an answer the device cannot place does not stop the sync");
    assert_eq!(
        fx.station.pull_cursor().unwrap(),
        4,
        "the cursor moves past it"
    );
    assert_eq!(
        asked(&fx.station, fx.plan.id),
        vec![mine],
        "the list is the device's own requests; the stray answer shows nowhere"
    );
}

#[test]
fn a_request_says_whether_it_left_the_tablet_and_whether_the_central_took_it() {
    let mut fx = fixture();
    let first = fx.station.request_top_up(&ask(&fx, 3, None)).unwrap();
    let second = fx.station.request_top_up(&ask(&fx, 4, None)).unwrap();
    let states = |station: &Station| -> Vec<(u32, bool, Option<String>)> {
        station
            .top_up_requests(fx.plan.id)
            .unwrap()
            .into_iter()
            .map(|v| (v.request.quantity, v.sent, v.quarantine.map(|q| q.code)))
            .collect()
    };
    assert_eq!(
        states(&fx.station),
        vec![(4, false, None), (3, false, None)],
        "recorded offline: neither has reached the secretariat yet"
    );

    let events = fx.station.pending_events(100).unwrap();
    let seq_of = |id: TopUpRequestId| {
        events
            .iter()
            .find(|e| matches!(&e.payload, EventPayload::TopUpRequested { request } if request.id == id))
            .map(|e| (e.seq, e.id))
            .unwrap()
    };
    let (first_seq, _) = seq_of(first.id);
    let (second_seq, second_event) = seq_of(second.id);
    fx.station
        .apply_push_response(&PushResponse {
            acked_through: first_seq,
            quarantined: Vec::new(),
            rotated_token: None,
        })
        .unwrap();
    assert_eq!(
        states(&fx.station),
        vec![(4, false, None), (3, true, None)],
        "the central confirmed the first only"
    );

    fx.station
        .apply_push_response(&PushResponse {
            acked_through: second_seq,
            quarantined: vec![Quarantined {
                seq: second_seq,
                event_id: second_event,
                code: "plan_not_approved".into(),
                reason: "the plan is closed".into(),
            }],
            rotated_token: None,
        })
        .unwrap();
    assert_eq!(
        states(&fx.station),
        vec![
            (4, true, Some("plan_not_approved".to_owned())),
            (3, true, None)
        ],
        "a request the central could not take says why, instead of waiting forever"
    );
}
