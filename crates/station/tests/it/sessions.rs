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
