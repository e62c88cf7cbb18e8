//! Every refusal of issue #2 point 4: a typed error naming the problem, and nothing written.

use chrono::Duration;
use fieldpost_domain::*;
use fieldpost_station::Error;
use fieldpost_station::handouts::HandoutInput;
use fieldpost_station::lottery::EntrantInput;
use fieldpost_station::reference::ReferenceData;

use crate::support::*;

/// Runs `f`, which must fail, and checks that the store did not change.
fn refused<T: std::fmt::Debug>(
    fx: &mut Fixture,
    f: impl FnOnce(&mut Fixture) -> Result<T, Error>,
) -> Error {
    let before = (
        fx.station.outbox_status().unwrap(),
        fx.station.events().unwrap().len(),
    );
    let open = fx.station.open_session_id().unwrap();
    let summary = open.map(|s| fx.station.session_summary(s).unwrap());
    let err = f(fx).expect_err("the use case must refuse");
    let after = (
        fx.station.outbox_status().unwrap(),
        fx.station.events().unwrap().len(),
    );
    assert_eq!(
        before, after,
        "a refusal must not append to the outbox ({err})"
    );
    assert_eq!(
        summary,
        open.map(|s| fx.station.session_summary(s).unwrap()),
        "a refusal must not change the session ({err})"
    );
    err
}

fn tap(fx: &Fixture, session_id: SessionId, quantity: u32) -> HandoutInput {
    HandoutInput {
        session_id,
        item_id: fx.mask.id,
        quantity,
        over_grant_reason: None,
    }
}

#[test]
fn unknown_plan() {
    let mut fx = fixture();
    let missing = PlanId::new();
    let err = refused(&mut fx, |fx| fx.station.open_session(missing, "站点", &[]));
    assert!(
        matches!(err, Error::UnknownPlan(id) if id == missing),
        "got {err:?}"
    );
}

#[test]
fn plan_not_approved() {
    let mut fx = fixture();
    let mut submitted = fx.plan.clone();
    submitted.id = PlanId::new();
    submitted.status = PlanStatus::Submitted;
    fx.station
        .cache_reference(&ReferenceData {
            plans: vec![submitted.clone()],
            ..Default::default()
        })
        .unwrap();
    let err = refused(&mut fx, |fx| {
        fx.station.open_session(submitted.id, "站点", &[])
    });
    assert!(
        matches!(
            err,
            Error::PlanNotApproved {
                status: PlanStatus::Submitted,
                ..
            }
        ),
        "a submitted plan is not approved yet: {err:?}"
    );
    assert_eq!(err.kind(), "plan_not_approved");
}

#[test]
fn session_outside_plan_window() {
    let mut fx = fixture();
    fx.clock.set(fx.plan.starts_at - Duration::minutes(5));
    let plan = fx.plan.id;
    let err = refused(&mut fx, |fx| fx.station.open_session(plan, "站点", &[]));
    assert!(
        matches!(
            err,
            Error::OutsidePlanWindow(WindowError::BeforeStart { .. })
        ),
        "five minutes early is outside the window: {err:?}"
    );
    fx.clock.set(fx.plan.ends_at + Duration::seconds(1));
    let err = refused(&mut fx, |fx| fx.station.open_session(plan, "站点", &[]));
    assert!(
        matches!(err, Error::OutsidePlanWindow(WindowError::AfterEnd { .. })),
        "{err:?}"
    );
}

#[test]
fn second_open_session_on_one_device() {
    let mut fx = fixture();
    let first = fx.open_session();
    let plan = fx.plan.id;
    let err = refused(&mut fx, |fx| {
        fx.station.open_session(plan, "另一个站点", &[])
    });
    assert!(
        matches!(err, Error::SessionAlreadyOpen(id) if id == first),
        "the error must name the session still open: {err:?}"
    );
}

#[test]
fn handout_on_a_closed_session() {
    let mut fx = fixture();
    let session = fx.open_session();
    fx.station.close_session(session).unwrap();
    let input = tap(&fx, session, 1);
    let err = refused(&mut fx, |fx| fx.station.record_handout(&input));
    assert!(
        matches!(err, Error::SessionClosed(id) if id == session),
        "{err:?}"
    );
}

#[test]
fn zero_quantity() {
    let mut fx = fixture();
    let session = fx.open_session();
    let input = tap(&fx, session, 0);
    let err = refused(&mut fx, |fx| fx.station.record_handout(&input));
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
    let err = refused(&mut fx, |fx| fx.station.record_tally(session, 0, 0));
    assert!(
        matches!(err, Error::InvalidQuantity { field: "tally", .. }),
        "{err:?}"
    );
}

#[test]
fn negative_tally_below_zero() {
    let mut fx = fixture();
    let session = fx.open_session();
    fx.station.record_tally(session, 3, 1).unwrap();
    let err = refused(&mut fx, |fx| fx.station.record_tally(session, -4, 0));
    assert!(
        matches!(
            err,
            Error::InvalidQuantity {
                field: "people_reached",
                ..
            }
        ),
        "3 people reached cannot drop by 4: {err:?}"
    );
}

#[test]
fn release_of_nothing_or_more_than_unused() {
    let mut fx = fixture();
    let (plan, mask) = (fx.plan.id, fx.mask.id);
    let err = refused(&mut fx, |fx| fx.station.release_grant(plan, mask, 0));
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
    let err = refused(&mut fx, |fx| fx.station.release_grant(plan, mask, 6));
    assert!(
        matches!(
            err,
            Error::InvalidQuantity {
                field: "quantity",
                ..
            }
        ),
        "only 5 were granted, so 6 cannot be released: {err:?}"
    );
}

#[test]
fn unknown_item() {
    let mut fx = fixture();
    let session = fx.open_session();
    let missing = ItemId::new();
    let input = HandoutInput {
        session_id: session,
        item_id: missing,
        quantity: 1,
        over_grant_reason: None,
    };
    let err = refused(&mut fx, |fx| fx.station.record_handout(&input));
    assert!(
        matches!(err, Error::UnknownItem(id) if id == missing),
        "{err:?}"
    );
}

#[test]
fn phone_without_consent() {
    let mut fx = fixture();
    let session = fx.open_session();
    let input = EntrantInput {
        consent_text_version: None,
        ..fx.entrant(session, "13812341234")
    };
    let err = refused(&mut fx, |fx| fx.station.register_entrant(&input));
    assert!(matches!(err, Error::ConsentRequired), "{err:?}");
    let blank = EntrantInput {
        consent_text_version: Some("  ".into()),
        ..input
    };
    let err = refused(&mut fx, |fx| fx.station.register_entrant(&blank));
    assert!(
        matches!(err, Error::ConsentRequired),
        "blank consent is no consent: {err:?}"
    );
}

#[test]
fn malformed_phone_number() {
    let mut fx = fixture();
    let session = fx.open_session();
    let input = fx.entrant(session, "1381234");
    let err = refused(&mut fx, |fx| fx.station.register_entrant(&input));
    assert!(
        matches!(err, Error::InvalidPhone(PhoneError::WrongLength(7))),
        "{err:?}"
    );
}

/// Issue 12: no registration before the secretariat's terms (consent text, version, key)
/// have reached the tablet: there is no consent to show and no key to seal the number to.
#[test]
fn entrant_before_the_terms_arrived() {
    let mut fx = fixture_without_terms();
    let session = fx.open_session();
    let input = fx.entrant(session, "13812341234");
    let err = refused(&mut fx, |fx| fx.station.register_entrant(&input));
    assert!(matches!(err, Error::LotteryTermsMissing), "{err:?}");
    assert_eq!(err.kind(), "lottery_terms_missing");
    assert_eq!(fx.station.lottery_terms().unwrap(), None);
}

/// Issue 12: the secretariat closed registration (list frozen), or the lottery closed and
/// its key was deleted: the tablet refuses new entrants.
#[test]
fn entrant_after_registration_closed() {
    let mut fx = fixture();
    let session = fx.open_session();
    let input = fx.entrant(session, "13812341234");
    let frozen = LotteryTerms {
        registration_open: false,
        ..fx.terms()
    };
    fx.pull_terms(frozen);
    let err = refused(&mut fx, |fx| fx.station.register_entrant(&input));
    assert!(
        matches!(err, Error::RegistrationClosed),
        "frozen list: {err:?}"
    );
    assert!(
        !fx.station
            .lottery_terms()
            .unwrap()
            .unwrap()
            .registration_open
    );
    let keyless = LotteryTerms {
        public_key: None,
        ..fx.terms()
    };
    fx.pull_terms(keyless);
    let err = refused(&mut fx, |fx| fx.station.register_entrant(&input));
    assert!(
        matches!(err, Error::RegistrationClosed),
        "open, but no key to seal to: {err:?}"
    );
    let view = fx.station.lottery_terms().unwrap().unwrap();
    assert!(
        !view.registration_open && view.key_fingerprint.is_none(),
        "the panel is told registration is closed: {view:?}"
    );
    fx.pull_terms(fx.terms());
    fx.station.register_entrant(&input).unwrap();
}

/// Issue 12: the consent given must be to the wording the tablet shows now; a screen left
/// open across a change of the terms is refused instead of recording the old version.
#[test]
fn entrant_consenting_to_an_old_version() {
    let mut fx = fixture();
    let session = fx.open_session();
    let input = fx.entrant(session, "13812341234");
    let revised = LotteryTerms {
        consent_text: "新版知情同意书".into(),
        consent_version: "2022-v2".into(),
        ..fx.terms()
    };
    fx.pull_terms(revised);
    let err = refused(&mut fx, |fx| fx.station.register_entrant(&input));
    assert!(
        matches!(&err, Error::ConsentVersionStale { given, current } if given == "2022-v1" && current == "2022-v2"),
        "{err:?}"
    );
    let view = fx.station.lottery_terms().unwrap().unwrap();
    assert_eq!(
        (view.consent_text.as_str(), view.consent_version.as_str()),
        ("新版知情同意书", "2022-v2"),
        "the panel shows the new wording"
    );
    let current = EntrantInput {
        consent_text_version: Some("2022-v2".into()),
        ..input
    };
    let receipt = fx.station.register_entrant(&current).unwrap();
    let EventPayload::EntrantRegistered { entrant } =
        fx.station.events().unwrap().pop().unwrap().payload
    else {
        panic!("an entrant event");
    };
    assert_eq!(entrant.id, receipt.id);
    assert_eq!(
        entrant.consent.text_version, "2022-v2",
        "the version agreed to is recorded"
    );
}

#[test]
fn voiding_a_handout_twice() {
    let mut fx = fixture();
    let session = fx.open_session();
    let h = fx.station.record_handout(&tap(&fx, session, 2)).unwrap();
    fx.station.void_handout(h.id, "误触").unwrap();
    let err = refused(&mut fx, |fx| fx.station.void_handout(h.id, "再次撤销"));
    assert!(
        matches!(err, Error::AlreadyVoided(id) if id == h.id),
        "{err:?}"
    );
    let missing = HandoutId::new();
    let err = refused(&mut fx, |fx| fx.station.void_handout(missing, "x"));
    assert!(matches!(err, Error::UnknownHandout(_)), "{err:?}");
}

#[test]
fn over_grant_without_a_reason() {
    let mut fx = fixture();
    let session = fx.open_session();
    let input = tap(&fx, session, 6);
    let err = refused(&mut fx, |fx| fx.station.record_handout(&input));
    assert!(
        matches!(
            err,
            Error::OverGrant {
                requested: 6,
                available: 5,
                ..
            }
        ),
        "6 masks exceed the grant of 5 and the error says what remains: {err:?}"
    );
}

#[test]
fn duplicate_entrant() {
    let mut fx = fixture();
    let session = fx.open_session();
    let input = fx.entrant(session, "13812341234");
    fx.station.register_entrant(&input).unwrap();
    let again = EntrantInput {
        phone: "138 1234 1234".into(),
        ..input
    };
    let err = refused(&mut fx, |fx| fx.station.register_entrant(&again));
    assert!(
        matches!(err, Error::DuplicateEntrant),
        "the same number typed differently: {err:?}"
    );
}

#[test]
fn blank_fields_are_named() {
    let mut fx = fixture();
    let plan = fx.plan.id;
    let err = refused(&mut fx, |fx| fx.station.open_session(plan, "   ", &[]));
    assert!(
        matches!(err, Error::EmptyField { field: "station" }),
        "{err:?}"
    );
    let nameless = fieldpost_station::sessions::VolunteerInput {
        name: " ".into(),
        ivolunteer_id: None,
    };
    let err = refused(&mut fx, |fx| {
        fx.station.open_session(plan, "站点", &[nameless])
    });
    assert!(
        matches!(
            err,
            Error::EmptyField {
                field: "volunteer_name"
            }
        ),
        "a nameless volunteer refuses the whole opening: {err:?}"
    );
    assert_eq!(
        fx.station.open_session_id().unwrap(),
        None,
        "no session was opened"
    );
}

#[test]
fn not_enrolled_device_records_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut station = fieldpost_station::Station::open(
        dir.path().join("s.sqlite"),
        dir.path().join("keys/device.key"),
    )
    .unwrap();
    let err = station
        .open_session(PlanId::new(), "站点", &[])
        .unwrap_err();
    assert!(matches!(err, Error::NotEnrolled), "{err:?}");
    assert_eq!(
        station.outbox_status().unwrap().last_seq,
        0,
        "nothing recorded"
    );
}
