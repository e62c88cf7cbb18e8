//! The team leader's plans: draft, file, revise, and the workflow's refusals.

use chrono::Duration;
use fieldpost_domain::PlanContent;
use fieldpost_domain::*;
use fieldpost_station::Error;

use crate::support::*;

fn input(fx: &Fixture) -> PlanContent {
    PlanContent {
        title: "社区网络安全宣传日".into(),
        location: "东山区黄岐山社区".into(),
        starts_at: plan_start() + Duration::days(3),
        ends_at: plan_start() + Duration::days(3) + Duration::hours(4),
        expected_people: 200,
        staff: "王队长 等 3 人".into(),
        requested: vec![ItemQuantity {
            item_id: fx.mask.id,
            quantity: 200,
        }],
    }
}

#[test]
fn draft_file_revise() {
    let mut fx = fixture();
    let draft = fx.station.draft_plan(&input(&fx)).unwrap();
    assert_eq!(draft.status, PlanStatus::Draft);
    assert_eq!(
        draft.unit_id, fx.unit_id,
        "a plan belongs to the device's unit"
    );
    assert_eq!(
        fx.station.outbox_status().unwrap().pending,
        0,
        "a draft stays on the tablet"
    );

    let revised = fx
        .station
        .revise_plan(
            draft.id,
            &PlanContent {
                expected_people: 250,
                ..input(&fx)
            },
        )
        .unwrap();
    assert_eq!((revised.status, revised.revision), (PlanStatus::Draft, 1));
    assert_eq!(
        fx.station.outbox_status().unwrap().pending,
        0,
        "revising a draft is still private"
    );

    let filed = fx.station.file_plan(draft.id).unwrap();
    assert_eq!(filed.status, PlanStatus::Submitted);
    let last = fx.station.events().unwrap().pop().unwrap();
    assert!(
        matches!(&last.payload, EventPayload::PlanFiled { plan } if plan.expected_people == 250),
        "filing sends the revised plan: {last:?}"
    );

    let again = fx
        .station
        .revise_plan(
            draft.id,
            &PlanContent {
                expected_people: 300,
                ..input(&fx)
            },
        )
        .unwrap();
    assert_eq!(
        again.status,
        PlanStatus::Submitted,
        "a revised filed plan goes back for review"
    );
    let last = fx.station.events().unwrap().pop().unwrap();
    assert!(matches!(last.payload, EventPayload::PlanRevised { .. }));
    assert_gap_free(&fx.station);
}

#[test]
fn an_approved_plan_cannot_be_revised_or_refiled() {
    let mut fx = fixture();
    let plan = fx.plan.id;
    let err = fx.station.revise_plan(plan, &input(&fx)).unwrap_err();
    assert!(matches!(err, Error::PlanTransition(_)), "{err:?}");
    let err = fx.station.file_plan(plan).unwrap_err();
    assert!(matches!(err, Error::PlanTransition(_)), "{err:?}");
    assert_eq!(
        fx.station.plan(plan).unwrap().status,
        PlanStatus::Approved,
        "unchanged"
    );
}

#[test]
fn plan_input_is_checked() {
    let mut fx = fixture();
    let bad = PlanContent {
        title: " ".into(),
        ..input(&fx)
    };
    assert!(matches!(
        fx.station.draft_plan(&bad),
        Err(Error::EmptyField { field: "title" })
    ));
    let bad = PlanContent {
        ends_at: input(&fx).starts_at,
        ..input(&fx)
    };
    assert!(matches!(
        fx.station.draft_plan(&bad),
        Err(Error::PlanWindowInverted)
    ));
    let bad = PlanContent {
        requested: vec![ItemQuantity {
            item_id: ItemId::new(),
            quantity: 1,
        }],
        ..input(&fx)
    };
    assert!(matches!(
        fx.station.draft_plan(&bad),
        Err(Error::UnknownItem(_))
    ));
    let line = ItemQuantity {
        item_id: fx.mask.id,
        quantity: 1,
    };
    let bad = PlanContent {
        requested: vec![line, line],
        ..input(&fx)
    };
    assert!(matches!(
        fx.station.draft_plan(&bad),
        Err(Error::InvalidQuantity {
            field: "requested",
            ..
        })
    ));
    let bad = PlanContent {
        requested: vec![ItemQuantity {
            quantity: 0,
            ..line
        }],
        ..input(&fx)
    };
    assert!(matches!(
        fx.station.draft_plan(&bad),
        Err(Error::InvalidQuantity {
            field: "requested",
            ..
        })
    ));
    assert_eq!(
        fx.station.plans().unwrap().len(),
        1,
        "only the fixture's plan exists"
    );
}

/// Issue 13: a plan may not start before the campaign's publicity opens, on the tablet as on
/// the central; the draft is refused with its field, and nothing is written.
#[test]
fn a_plan_before_the_campaigns_publicity_is_refused() {
    let mut fx = fixture();
    let campaign = fx
        .station
        .campaign()
        .unwrap()
        .expect("the fixture's campaign");
    let opens = campaign.publicity_opens();
    let early = PlanContent {
        starts_at: opens - Duration::hours(1),
        ends_at: opens + Duration::hours(3),
        ..input(&fx)
    };
    let before = fx.station.plans().unwrap().len();
    let refused = fx.station.draft_plan(&early).unwrap_err();
    assert!(matches!(refused, Error::PlanBeforeCampaign), "{refused:?}");
    assert_eq!(refused.kind(), "plan_before_campaign");
    assert_eq!(
        fx.station.plans().unwrap().len(),
        before,
        "nothing was kept"
    );
    let first_hour = PlanContent {
        starts_at: opens,
        ..early
    };
    fx.station.draft_plan(&first_hour).unwrap();
}
