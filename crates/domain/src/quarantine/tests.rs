use chrono::{Duration, TimeZone};

use super::*;
use crate::{Handout, HandoutId, SessionId};

fn t(h: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2022, 8, 3, 9, 0, 0).unwrap() + Duration::hours(h)
}

fn facts() -> Facts {
    let mut f = Facts::of_device(DeviceId::new(), UnitId::new());
    f.plan = Some(PlanFacts {
        unit: f.unit,
        status: PlanStatus::Approved,
        starts_at: t(0),
        ends_at: t(8),
    });
    f.item_known = true;
    f
}

fn handout(quantity: u32) -> EventPayload {
    EventPayload::HandoutRecorded {
        handout: Handout {
            id: HandoutId::new(),
            session_id: SessionId::new(),
            plan_id: PlanId::new(),
            item_id: ItemId::new(),
            quantity,
            handed_out_at: t(1),
            over_grant_reason: None,
        },
    }
}

fn code(r: Result<Accepted, Quarantine>) -> QuarantineCode {
    r.expect_err("the event must be quarantined").code
}

#[test]
fn codes_serialize_as_their_stored_names() {
    for c in QuarantineCode::ALL {
        assert_eq!(
            serde_json::to_value(c).unwrap(),
            serde_json::Value::String(c.as_str().into()),
            "the wire name and the stored name of {c:?} must be one string"
        );
    }
}

#[test]
fn a_handout_is_backed_by_what_remains_of_the_grant() {
    let mut f = facts();
    f.available = 3;
    assert_eq!(
        decide(&handout(5), &f),
        Ok(Accepted::Handout { backed: 3 }),
        "the grant covers 3 of 5; the other 2 are kept and flagged, not refused"
    );
    f.available = -2;
    assert_eq!(
        decide(&handout(1), &f),
        Ok(Accepted::Handout { backed: 0 }),
        "an overdrawn grant backs nothing, and the handout is still applied"
    );
}

#[test]
fn a_handout_needs_a_quantity_a_known_plan_of_the_unit_and_a_known_item() {
    let f = facts();
    assert_eq!(
        code(decide(&handout(0), &f)),
        QuarantineCode::InvalidQuantity
    );
    let mut unknown = f;
    unknown.plan = None;
    assert_eq!(
        code(decide(&handout(1), &unknown)),
        QuarantineCode::UnknownPlan
    );
    let mut other = f;
    other.unit = UnitId::new();
    assert_eq!(
        code(decide(&handout(1), &other)),
        QuarantineCode::PlanOfOtherUnit,
        "a device hands out only under its own unit's plans"
    );
    let mut no_item = f;
    no_item.item_known = false;
    assert_eq!(
        code(decide(&handout(1), &no_item)),
        QuarantineCode::UnknownItem
    );
}

#[test]
fn a_session_on_a_plan_closed_since_is_applied_with_an_exception() {
    let mut f = facts();
    let session = StationSession {
        id: SessionId::new(),
        plan_id: PlanId::new(),
        device_id: f.device,
        station: "榕城".into(),
        opened_at: t(1),
        closed_at: None,
    };
    let open = EventPayload::SessionOpened {
        session: session.clone(),
    };
    assert_eq!(decide(&open, &f), Ok(Accepted::Session { exception: None }));
    if let Some(p) = f.plan.as_mut() {
        p.status = PlanStatus::Closed;
    }
    assert_eq!(
        decide(&open, &f),
        Ok(Accepted::Session {
            exception: Some("plan_closed".into())
        }),
        "the session took place: it is kept and flagged"
    );
    f.session = Some(SessionFacts {
        device: f.device,
        opened_at: t(1),
        closed_at: None,
    });
    assert_eq!(code(decide(&open, &f)), QuarantineCode::DuplicateSession);
    let theirs = EventPayload::SessionOpened {
        session: StationSession {
            device_id: DeviceId::new(),
            ..session
        },
    };
    assert_eq!(
        code(decide(&theirs, &f)),
        QuarantineCode::SessionOfOtherDevice
    );
}

#[test]
fn closing_twice_at_the_same_time_is_a_replay_and_otherwise_a_bad_transition() {
    let mut f = facts();
    let id = SessionId::new();
    let close = |at| EventPayload::SessionClosed {
        session_id: id,
        closed_at: at,
    };
    assert_eq!(
        code(decide(&close(t(2)), &f)),
        QuarantineCode::UnknownSession
    );
    f.session = Some(SessionFacts {
        device: f.device,
        opened_at: t(1),
        closed_at: None,
    });
    assert_eq!(decide(&close(t(2)), &f), Ok(Accepted::Apply));
    assert_eq!(
        code(decide(&close(t(0)), &f)),
        QuarantineCode::ClosedBeforeOpened
    );
    f.session = Some(SessionFacts {
        device: f.device,
        opened_at: t(1),
        closed_at: Some(t(2)),
    });
    assert_eq!(decide(&close(t(2)), &f), Ok(Accepted::AlreadyApplied));
    assert_eq!(
        code(decide(&close(t(3)), &f)),
        QuarantineCode::InvalidTransition
    );
}

#[test]
fn a_release_cannot_exceed_the_grant() {
    let mut f = facts();
    f.available = 4;
    let release = |quantity| EventPayload::GrantReleased {
        plan_id: PlanId::new(),
        item_id: ItemId::new(),
        quantity,
    };
    assert_eq!(decide(&release(4), &f), Ok(Accepted::Apply));
    let refused = decide(&release(5), &f).expect_err("5 is more than the 4 granted");
    assert_eq!(refused.code, QuarantineCode::ReleaseExceedsGrant);
    assert_eq!(
        refused.reason, "cannot release 5: only 4 remain in this device's grant",
        "the reason is what the station shows"
    );
    assert_eq!(
        code(decide(&release(0), &f)),
        QuarantineCode::InvalidQuantity
    );
}

#[test]
fn a_void_of_another_devices_handout_is_refused_and_a_second_void_is_a_replay() {
    let mut f = facts();
    let void = EventPayload::HandoutVoided {
        void: HandoutVoid {
            handout_id: HandoutId::new(),
            reason: "录错".into(),
            voided_at: t(2),
        },
    };
    assert_eq!(code(decide(&void, &f)), QuarantineCode::UnknownHandout);
    f.handout = Some(HandoutFacts {
        device: DeviceId::new(),
        voided: false,
    });
    assert_eq!(
        code(decide(&void, &f)),
        QuarantineCode::HandoutOfOtherDevice
    );
    f.handout = Some(HandoutFacts {
        device: f.device,
        voided: true,
    });
    assert_eq!(decide(&void, &f), Ok(Accepted::AlreadyApplied));
}

#[test]
fn needs_name_what_the_decision_reads() {
    let h = handout(1);
    let EventPayload::HandoutRecorded { handout: inner } = &h else {
        unreachable!("built as a handout above")
    };
    let needs = Needs::of(&h);
    assert_eq!(needs.plan, Some(inner.plan_id));
    assert_eq!(needs.item, Some(inner.item_id));
    assert_eq!(
        needs.available,
        Some((inner.plan_id, inner.item_id)),
        "a handout's backing is read from the device's grant"
    );
    assert_eq!(
        needs.session, None,
        "the central does not check a handout's session"
    );
}
