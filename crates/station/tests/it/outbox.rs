//! The outbox: every write appends exactly one event per fact, gap-free, in one transaction.

use fieldpost_domain::EventPayload;
use fieldpost_station::handouts::HandoutInput;

use crate::support::*;

#[test]
fn each_write_appends_its_events_in_order() {
    let mut fx = fixture();
    let session = fx.open_session();
    let h = fx
        .station
        .record_handout(&HandoutInput {
            session_id: session,
            item_id: fx.mask.id,
            quantity: 1,
            over_grant_reason: None,
        })
        .unwrap();
    fx.station.void_handout(h.id, "误触").unwrap();
    let receipt = fx
        .station
        .register_entrant(&fx.entrant(session, "+86 139-0000-1111"))
        .unwrap();
    assert_eq!(
        receipt.phone_masked, "139****1111",
        "the screen shows the number masked"
    );
    fx.station.close_session(session).unwrap();
    let kinds: Vec<_> = fx
        .station
        .events()
        .unwrap()
        .iter()
        .map(|e| e.payload.kind())
        .collect();
    assert_eq!(
        kinds,
        [
            "session_opened",
            "volunteer_checked_in",
            "handout_recorded",
            "handout_voided",
            "entrant_registered",
            "volunteer_checked_out",
            "session_closed"
        ],
        "one event per fact, in the order they happened"
    );
    assert!(
        fx.station
            .events()
            .unwrap()
            .iter()
            .all(|e| e.device_id == fx.device_id)
    );
    assert_gap_free(&fx.station);
}

#[test]
fn acknowledgements_only_move_forward() {
    let mut fx = fixture();
    let session = fx.open_session();
    fx.station.record_tally(session, 1, 0).unwrap();
    let status = fx.station.outbox_status().unwrap();
    assert_eq!(
        (status.last_seq, status.pending),
        (3, 3),
        "opened, checked in, tallied"
    );
    fx.station.mark_acked_through(2).unwrap();
    fx.station.mark_acked_through(1).unwrap();
    let status = fx.station.outbox_status().unwrap();
    assert_eq!(
        (status.acked_through, status.pending),
        (2, 1),
        "an older ack does not move back"
    );
    let pending = fx.station.pending_events(10).unwrap();
    assert_eq!(
        pending.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [3],
        "only seq 3 is pending"
    );
    assert!(
        fx.station.mark_acked_through(4).is_err(),
        "cannot ack what was never recorded"
    );
}

#[test]
fn the_event_carries_the_number_sealed_for_the_central_only() {
    let mut fx = fixture();
    let session = fx.open_session();
    fx.station
        .register_entrant(&fx.entrant(session, "13812341234"))
        .unwrap();
    let event = fx.station.events().unwrap().pop().unwrap();
    let json = serde_json::to_string(&event).unwrap();
    assert!(
        !json.contains("13812341234") && !format!("{event:?}").contains("13812341234"),
        "neither the stored event nor its Debug output holds the full number: {json}"
    );
    let EventPayload::EntrantRegistered { entrant } = event.payload else {
        panic!("an entrant event");
    };
    assert_eq!(entrant.phone_masked, "138****1234");
    assert_eq!(
        fx.lottery
            .open(&entrant.phone_sealed)
            .map(|n| n.expose().to_owned()),
        Ok("13812341234".to_owned()),
        "the central's key opens the sealed number: nothing is lost on the way"
    );
}
