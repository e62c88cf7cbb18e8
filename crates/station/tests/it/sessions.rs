//! Sessions: opening, volunteers, tallies, closing with a summary.

use chrono::Duration;
use fieldpost_domain::*;
use fieldpost_station::sessions::VolunteerInput;

use crate::support::*;

#[test]
fn a_whole_session() {
    let mut fx = fixture();
    let session = fx.open_session();
    let late = fx
        .station
        .check_in(
            session,
            &VolunteerInput {
                name: "陈晓".into(),
                ivolunteer_id: None,
            },
        )
        .unwrap();
    fx.station.record_tally(session, 12, 4).unwrap();
    fx.station.record_tally(session, -1, 0).unwrap();
    fx.clock.set(fx.plan.starts_at + Duration::hours(2));
    fx.station.check_out(late.id).unwrap();
    let summary = fx.station.close_session(session).unwrap();
    assert_eq!(summary.people_reached, 11, "12 then a correction of -1");
    assert_eq!(summary.questionnaires_assisted, 4);
    assert_eq!(
        summary.volunteers.len(),
        2,
        "the opener and the late arrival"
    );
    assert!(
        summary
            .volunteers
            .iter()
            .all(|v| v.checked_out_at.is_some()),
        "closing checks out everyone still in"
    );
    assert_eq!(
        summary.session.closed_at,
        Some(fx.plan.starts_at + Duration::hours(2))
    );
    assert_eq!(
        fx.station.open_session_id().unwrap(),
        None,
        "no session open after closing"
    );
    assert_gap_free(&fx.station);
}

#[test]
fn closing_late_is_recorded_at_the_plans_end() {
    let mut fx = fixture();
    let session = fx.open_session();
    fx.clock.set(fx.plan.ends_at + Duration::hours(3));
    let summary = fx.station.close_session(session).unwrap();
    assert_eq!(
        summary.session.closed_at,
        Some(fx.plan.ends_at),
        "a forgotten session closes at the window's end, not outside it"
    );
}

/// The central refuses a check-out before its check-in (`checked_out_before_in`): a shift
/// that would end before it began ends when it began instead.
#[test]
fn no_shift_ends_before_it_began() {
    let mut fx = fixture();
    let session = fx.open_session();
    let volunteer = |name: &str| VolunteerInput {
        name: name.into(),
        ivolunteer_id: None,
    };
    // The tablet's clock is set back between a check-in and its check-out.
    let at = fx.plan.starts_at + Duration::hours(2);
    fx.clock.set(at);
    let early = fx.station.check_in(session, &volunteer("陈晓")).unwrap();
    fx.clock.set(at - Duration::minutes(10));
    fx.station.check_out(early.id).unwrap();
    // A volunteer arrives after the plan's end; the session closes at the plan's end.
    let after_end = fx.plan.ends_at + Duration::minutes(30);
    fx.clock.set(after_end);
    let late = fx.station.check_in(session, &volunteer("黄敏")).unwrap();
    let summary = fx.station.close_session(session).unwrap();
    assert_eq!(summary.session.closed_at, Some(fx.plan.ends_at));
    let out = |id: CheckInId| {
        summary
            .volunteers
            .iter()
            .find(|v| v.check_in.id == id)
            .unwrap()
            .checked_out_at
    };
    assert_eq!(out(early.id), Some(at), "checked out when they checked in");
    assert_eq!(
        out(late.id),
        Some(after_end),
        "checked out when they checked in, not at the plan's end before it"
    );
    for event in fx.station.events().unwrap() {
        if let EventPayload::VolunteerCheckedOut {
            check_in_id,
            checked_out_at,
        } = event.payload
        {
            assert_eq!(
                Some(checked_out_at),
                out(check_in_id),
                "the event says what the tablet stored"
            );
        }
    }
    assert_gap_free(&fx.station);
}

#[test]
fn todays_plans_are_approved_plans_of_the_china_day() {
    let mut fx = fixture();
    let mut tomorrow = fx.plan.clone();
    tomorrow.id = PlanId::new();
    tomorrow.starts_at += Duration::days(1);
    tomorrow.ends_at += Duration::days(1);
    let mut rejected = fx.plan.clone();
    rejected.id = PlanId::new();
    rejected.status = PlanStatus::Rejected;
    fx.station
        .cache_reference(&fieldpost_station::reference::ReferenceData {
            plans: vec![tomorrow, rejected],
            ..Default::default()
        })
        .unwrap();
    // 23:30 China time on 5 August: the next morning's plan is not "today" yet.
    fx.clock
        .set(fx.plan.starts_at - Duration::hours(9) - Duration::minutes(30));
    let ids: Vec<_> = fx
        .station
        .todays_plans()
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    assert!(
        ids.is_empty(),
        "at 23:30 the day before, nothing is today's: {ids:?}"
    );
    fx.clock.set(fx.plan.starts_at);
    let ids: Vec<_> = fx
        .station
        .todays_plans()
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(ids, vec![fx.plan.id], "only the approved plan of that day");
}

#[test]
fn everything_survives_a_reopen() {
    let mut fx = fixture();
    let session = fx.open_session();
    fx.station.record_tally(session, 5, 2).unwrap();
    let before = fx.station.session_summary(session).unwrap();
    let fx = fx.reopen();
    assert_eq!(
        fx.station.session_summary(session).unwrap(),
        before,
        "the file holds it all"
    );
    assert_eq!(
        fx.station.open_session_id().unwrap(),
        Some(session),
        "still open after restart"
    );
}
