//! The last guard before the tablet records an event: the rule the central applies to every
//! pushed event (the domain's [`decide`]), over the facts this tablet holds.
//!
//! The use cases check what they are asked first, and name the field or record at fault
//! better than a quarantine code does. This guard is behind them: whatever they let through
//! (a case they did not think of, a check a later change drops), the tablet still never records
//! an event that the central would quarantine by what the tablet knows. What only the central
//! can know (a phone number entered on another tablet, an id stored there already) is not
//! checked here.
//!
//! [`outbox::append`](crate::outbox::append) calls [`check`] for every event, before the write
//! changes the rows the rule reads. The facts are therefore the store as it stood before the
//! event, as the central's are when it applies the event after the device's earlier ones.

use chrono::{DateTime, Utc};
use fieldpost_domain::quarantine::{
    CheckInFacts, Facts, HandoutFacts, Needs, PlanFacts, QuarantineCode, SessionFacts, decide,
};
use fieldpost_domain::{
    CheckInId, DeviceId, EventPayload, HandoutId, PlanContent, PlanId, PlanStatus, SessionId,
};
use rusqlite::{Connection, OptionalExtension};

use crate::handouts::escrow_position;
use crate::reference::item_exists;
use crate::{Error, Result, row, time};

/// Refuses `payload` of `device` with [`Error::WouldBeQuarantined`] when the central would
/// quarantine it by the facts in `conn`. A handout beyond the grant, or a session the central
/// would flag, is not refused: the central keeps those and flags them.
pub(crate) fn check(conn: &Connection, device: DeviceId, payload: &EventPayload) -> Result<()> {
    // A plan's content is the plan rules' to judge, on both sides (`decide` judges only whose
    // plan it is). The use cases check it at drafting and revising; a draft kept from before
    // a rule changed is caught here, when it is filed.
    if let EventPayload::PlanFiled { plan } | EventPayload::PlanRevised { plan } = payload
        && let Err(e) = PlanContent::from(plan).checked()
    {
        return Err(Error::WouldBeQuarantined {
            code: QuarantineCode::InvalidPlan,
            reason: format!("{}: {}", e.field(), e.reason()),
        });
    }
    let facts = facts(conn, device, &Needs::of(payload))?;
    match decide(payload, &facts) {
        Ok(_) => Ok(()),
        Err(q) => Err(Error::WouldBeQuarantined {
            code: q.code,
            reason: q.reason,
        }),
    }
}

/// The facts `needs` names, as this tablet holds them: a few point lookups by primary key
/// (and the grant position, a sum over the plan's handful of sessions).
pub(crate) fn facts(conn: &Connection, device: DeviceId, needs: &Needs) -> Result<Facts> {
    let unit: String = conn
        .prepare_cached("SELECT unit_id FROM device_identity WHERE singleton = 1")?
        .query_row([], |r| r.get(0))
        .optional()?
        .ok_or(Error::NotEnrolled)?;
    let mut facts = Facts::of_device(device, row::id(&unit)?);
    if let Some(id) = needs.plan {
        facts.plan = plan(conn, id)?;
    }
    if let Some(id) = needs.item {
        facts.item_known = item_exists(conn, id)?;
    }
    if let Some(id) = needs.session {
        facts.session = session(conn, id)?;
    }
    if let Some(id) = needs.check_in {
        facts.check_in = check_in(conn, id)?;
    }
    if let Some(id) = needs.handout {
        facts.handout = handout(conn, device, id)?;
    }
    if let Some((plan, item)) = needs.available {
        // The position the handout and release checks use, signed: an over-grant handout
        // leaves less than nothing.
        let p = escrow_position(conn, plan, item)?;
        let signed = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        facts.available = signed(p.granted)
            .saturating_sub(signed(p.released))
            .saturating_sub(signed(p.handed_out));
    }
    Ok(facts)
}

/// The plan as the central knows it. A draft is the tablet's alone: the central has not
/// heard of it, so for the rule it is no plan.
fn plan(conn: &Connection, id: PlanId) -> Result<Option<PlanFacts>> {
    let found = conn
        .prepare_cached("SELECT unit_id, status, starts_at, ends_at FROM plan WHERE id = ?1")?
        .query_row([id.to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .optional()?;
    let Some((unit, status, starts_at, ends_at)) = found else {
        return Ok(None);
    };
    let status = PlanStatus::parse(&status)
        .ok_or_else(|| Error::Corrupt(format!("plan status {status:?}")))?;
    if status == PlanStatus::Draft {
        return Ok(None);
    }
    Ok(Some(PlanFacts {
        unit: row::id(&unit)?,
        status,
        starts_at: time::from_text(&starts_at)?,
        ends_at: time::from_text(&ends_at)?,
    }))
}

fn session(conn: &Connection, id: SessionId) -> Result<Option<SessionFacts>> {
    conn.prepare_cached("SELECT device_id, opened_at, closed_at FROM session WHERE id = ?1")?
        .query_row([id.to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })
        .optional()?
        .map(|(device, opened_at, closed_at)| {
            Ok(SessionFacts {
                device: row::id(&device)?,
                opened_at: time::from_text(&opened_at)?,
                closed_at: optional_time(closed_at.as_deref())?,
            })
        })
        .transpose()
}

fn check_in(conn: &Connection, id: CheckInId) -> Result<Option<CheckInFacts>> {
    conn.prepare_cached(
        "SELECT s.device_id, c.checked_in_at, c.checked_out_at
         FROM check_in c JOIN session s ON s.id = c.session_id WHERE c.id = ?1",
    )?
    .query_row([id.to_string()], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
        ))
    })
    .optional()?
    .map(|(device, checked_in_at, checked_out_at)| {
        Ok(CheckInFacts {
            device: row::id(&device)?,
            checked_in_at: time::from_text(&checked_in_at)?,
            checked_out_at: optional_time(checked_out_at.as_deref())?,
        })
    })
    .transpose()
}

/// This device's handout (`handout`), or another device's as the central relayed it
/// (`unit_handout`).
fn handout(conn: &Connection, device: DeviceId, id: HandoutId) -> Result<Option<HandoutFacts>> {
    let own: Option<bool> = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM handout_void WHERE handout_id = h.id)
             FROM handout h WHERE h.id = ?1",
        )?
        .query_row([id.to_string()], |r| r.get(0))
        .optional()?;
    if let Some(voided) = own {
        return Ok(Some(HandoutFacts { device, voided }));
    }
    conn.prepare_cached("SELECT device_id, voided_at IS NOT NULL FROM unit_handout WHERE id = ?1")?
        .query_row([id.to_string()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, bool>(1)?))
        })
        .optional()?
        .map(|(device, voided)| {
            Ok(HandoutFacts {
                device: row::id(&device)?,
                voided,
            })
        })
        .transpose()
}

fn optional_time(text: Option<&str>) -> Result<Option<DateTime<Utc>>> {
    text.map(time::from_text).transpose()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::{Duration, TimeZone};
    use fieldpost_domain::{
        ActivityPlan, DeviceEvent, Grant, GrantId, Handout, HandoutVoid, Item, ItemId, ItemKind,
        ItemQuantity, StationSession, TopUpRequest, TopUpRequestId, UnitId,
    };

    use super::*;
    use crate::handouts::{HandoutInput, TopUpInput};
    use crate::identity::DeviceIdentity;
    use crate::reference::ReferenceData;
    use crate::sessions::VolunteerInput;
    use crate::{Clock, Station, outbox};

    struct FixedClock(DateTime<Utc>);

    impl Clock for FixedClock {
        fn now(&self) -> DateTime<Utc> {
            self.0
        }
    }

    struct Fixture {
        station: Station,
        _dir: tempfile::TempDir,
        device: DeviceId,
        unit: UnitId,
        plan: ActivityPlan,
        mask: Item,
    }

    fn start() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2022, 8, 6, 1, 0, 0).unwrap()
    }

    fn plan_of(unit: UnitId, mask: ItemId) -> ActivityPlan {
        ActivityPlan {
            id: PlanId::new(),
            unit_id: unit,
            title: "侨联步行街宣传站".into(),
            location: "榕城区步行街".into(),
            starts_at: start(),
            ends_at: start() + Duration::hours(8),
            expected_people: 300,
            staff: "林小华 等 4 人".into(),
            requested: vec![ItemQuantity {
                item_id: mask,
                quantity: 10,
            }],
            status: PlanStatus::Approved,
            allocation: vec![ItemQuantity {
                item_id: mask,
                quantity: 10,
            }],
            reject_reason: None,
            revision: 1,
        }
    }

    /// An enrolled station inside an approved plan's window, granted 5 masks under it.
    fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(FixedClock(start() + Duration::minutes(30)));
        let mut station = Station::open_with_clock(
            dir.path().join("s.sqlite"),
            dir.path().join("keys/device.key"),
            clock,
        )
        .unwrap();
        let (device, unit) = (DeviceId::new(), UnitId::new());
        station
            .set_identity(&DeviceIdentity {
                device_id: device,
                unit_id: unit,
                server_url: "http://127.0.0.1:9".into(),
                token: "t".into(),
            })
            .unwrap();
        let mask = Item {
            id: ItemId::new(),
            code: "mask".into(),
            name: "医疗专用口罩".into(),
            kind: ItemKind::Gift,
            unit_label: "只".into(),
            donor: None,
        };
        let plan = plan_of(unit, mask.id);
        station
            .cache_reference(&ReferenceData {
                items: vec![mask.clone()],
                plans: vec![plan.clone()],
                grants: vec![grant(&plan, device, mask.id, 5)],
                ..ReferenceData::default()
            })
            .unwrap();
        Fixture {
            station,
            _dir: dir,
            device,
            unit,
            plan,
            mask,
        }
    }

    fn grant(plan: &ActivityPlan, device: DeviceId, item: ItemId, quantity: u32) -> Grant {
        Grant {
            id: GrantId::new(),
            plan_id: plan.id,
            device_id: device,
            item_id: item,
            quantity,
        }
    }

    impl Fixture {
        fn open_session(&mut self) -> SessionId {
            self.station
                .open_session(
                    self.plan.id,
                    "进贤门广场",
                    &[VolunteerInput {
                        name: "林小华".into(),
                        ivolunteer_id: None,
                    }],
                )
                .unwrap()
                .id
        }

        /// The append path as a use case calls it, bypassing the use cases' own checks:
        /// committed when the event is taken, dropped (rolled back) when it is refused.
        fn append(&mut self, payload: EventPayload) -> Result<DeviceEvent> {
            let tx = self.station.conn.transaction()?;
            let event = outbox::append(&tx, self.device, start(), payload)?;
            tx.commit()?;
            Ok(event)
        }

        fn count(&self, table: &str) -> i64 {
            self.station
                .conn
                .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
                .unwrap()
        }

        /// The events' count and the last seq, which are equal in a gap-free outbox.
        fn outbox(&self) -> (i64, u64) {
            (
                self.count("events"),
                self.station.outbox_status().unwrap().last_seq,
            )
        }

        fn handout(&self, session: SessionId, plan: PlanId) -> Handout {
            Handout {
                id: HandoutId::new(),
                session_id: session,
                plan_id: plan,
                item_id: self.mask.id,
                quantity: 1,
                handed_out_at: start(),
                over_grant_reason: None,
            }
        }
    }

    fn refused(result: Result<impl std::fmt::Debug>) -> QuarantineCode {
        match result {
            Err(Error::WouldBeQuarantined { code, .. }) => code,
            other => panic!("expected would_be_quarantined, got {other:?}"),
        }
    }

    /// A refused append writes nothing and takes no seq: the next event gets the next one.
    fn assert_nothing_stored(fx: &mut Fixture, before: (i64, u64)) {
        assert_eq!(fx.outbox(), before, "no event stored, no seq taken");
        let session = fx.station.open_session_id().unwrap();
        let next = fx
            .append(EventPayload::TallyRecorded {
                tally: fieldpost_domain::Tally {
                    session_id: session.unwrap(),
                    people_reached: 1,
                    questionnaires_assisted: 0,
                },
            })
            .unwrap();
        assert_eq!(next.seq, before.1 + 1, "the refused event's seq is reused");
    }

    #[test]
    fn a_handout_under_a_plan_the_central_does_not_know_is_refused() {
        let mut fx = fixture();
        let session = fx.open_session();
        let before = fx.outbox();
        let stray = fx.handout(session, PlanId::new());
        assert_eq!(
            refused(fx.append(EventPayload::HandoutRecorded { handout: stray })),
            QuarantineCode::UnknownPlan
        );
        let mut unknown_item = fx.handout(session, fx.plan.id);
        unknown_item.item_id = ItemId::new();
        assert_eq!(
            refused(fx.append(EventPayload::HandoutRecorded {
                handout: unknown_item
            })),
            QuarantineCode::UnknownItem
        );
        assert_nothing_stored(&mut fx, before);
    }

    #[test]
    fn a_draft_is_no_plan_to_the_central() {
        let mut fx = fixture();
        let draft = fx
            .station
            .draft_plan(&PlanContent::from(&plan_of(fx.unit, fx.mask.id)))
            .unwrap();
        let before = fx.outbox();
        let request = TopUpRequest {
            id: TopUpRequestId::new(),
            plan_id: draft.id,
            item_id: fx.mask.id,
            quantity: 3,
            note: None,
            requested_at: start(),
        };
        assert_eq!(
            refused(fx.append(EventPayload::TopUpRequested { request })),
            QuarantineCode::UnknownPlan,
            "the central has not heard of a draft"
        );
        assert_eq!(fx.outbox(), before);
        fx.station.file_plan(draft.id).unwrap();
        assert_eq!(
            fx.outbox().1,
            before.1 + 1,
            "filed: the central hears of it"
        );
    }

    #[test]
    fn a_void_of_another_devices_handout_is_refused() {
        let mut fx = fixture();
        let session = fx.open_session();
        let theirs = fx.handout(session, fx.plan.id);
        fx.station
            .conn
            .execute(
                "INSERT INTO unit_handout (id, device_id, session_id, plan_id, item_id, quantity,
                    handed_out_at) VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6)",
                rusqlite::params![
                    theirs.id.to_string(),
                    DeviceId::new().to_string(),
                    SessionId::new().to_string(),
                    fx.plan.id.to_string(),
                    fx.mask.id.to_string(),
                    time::to_text(start()),
                ],
            )
            .unwrap();
        let before = fx.outbox();
        let void = |handout_id| EventPayload::HandoutVoided {
            void: HandoutVoid {
                handout_id,
                reason: "误触".into(),
                voided_at: start(),
            },
        };
        assert_eq!(
            refused(fx.append(void(theirs.id))),
            QuarantineCode::HandoutOfOtherDevice
        );
        assert_eq!(
            refused(fx.append(void(HandoutId::new()))),
            QuarantineCode::UnknownHandout
        );
        assert_nothing_stored(&mut fx, before);
        // The store's own refusal comes first through the use case, with its own words.
        assert!(matches!(
            fx.station.void_handout(theirs.id, "误触"),
            Err(Error::UnknownHandout(_))
        ));
    }

    #[test]
    fn a_check_out_before_its_check_in_is_refused() {
        let mut fx = fixture();
        let session = fx.open_session();
        let summary = fx.station.session_summary(session).unwrap();
        let check_in = summary.volunteers[0].check_in.clone();
        let before = fx.outbox();
        let out = |check_in_id, at| EventPayload::VolunteerCheckedOut {
            check_in_id,
            checked_out_at: at,
        };
        assert_eq!(
            refused(fx.append(out(
                check_in.id,
                check_in.checked_in_at - Duration::minutes(1)
            ))),
            QuarantineCode::CheckedOutBeforeIn
        );
        assert_eq!(
            refused(fx.append(out(CheckInId::new(), check_in.checked_in_at))),
            QuarantineCode::UnknownCheckIn
        );
        assert_eq!(
            fx.count("check_in WHERE checked_out_at IS NOT NULL"),
            0,
            "nobody checked out"
        );
        assert_nothing_stored(&mut fx, before);
    }

    #[test]
    fn sessions_are_judged_by_the_store_before_the_write() {
        let mut fx = fixture();
        let session = fx.open_session();
        let summary = fx.station.session_summary(session).unwrap();
        let before = fx.outbox();
        assert_eq!(
            refused(fx.append(EventPayload::SessionOpened {
                session: summary.session.clone()
            })),
            QuarantineCode::DuplicateSession
        );
        let theirs = StationSession {
            id: SessionId::new(),
            device_id: DeviceId::new(),
            ..summary.session.clone()
        };
        assert_eq!(
            refused(fx.append(EventPayload::SessionOpened { session: theirs })),
            QuarantineCode::SessionOfOtherDevice
        );
        assert_eq!(
            refused(fx.append(EventPayload::SessionClosed {
                session_id: session,
                closed_at: summary.session.opened_at - Duration::minutes(1),
            })),
            QuarantineCode::ClosedBeforeOpened
        );
        assert_eq!(
            refused(fx.append(EventPayload::SessionClosed {
                session_id: SessionId::new(),
                closed_at: start(),
            })),
            QuarantineCode::UnknownSession
        );
        assert_nothing_stored(&mut fx, before);
        // Through the use cases the events pass the rule: judged before their own rows.
        fx.station.close_session(session).unwrap();
    }

    #[test]
    fn a_release_is_judged_by_the_grant_before_it() {
        let mut fx = fixture();
        let before = fx.outbox();
        let (plan_id, item_id) = (fx.plan.id, fx.mask.id);
        let release = |quantity| EventPayload::GrantReleased {
            plan_id,
            item_id,
            quantity,
        };
        assert_eq!(
            refused(fx.append(release(6))),
            QuarantineCode::ReleaseExceedsGrant,
            "5 granted"
        );
        assert_eq!(fx.outbox(), before);
        assert_eq!(
            fx.station
                .release_grant(fx.plan.id, fx.mask.id, 5)
                .unwrap()
                .granted,
            5,
            "the whole grant may go back: the rule reads the grant before the release"
        );
        assert_eq!(
            refused(fx.append(release(1))),
            QuarantineCode::ReleaseExceedsGrant,
            "nothing left"
        );
    }

    /// The use cases' checks let these through; the rule does not.
    #[test]
    fn a_plan_of_another_unit_takes_no_session_release_or_top_up() {
        let mut fx = fixture();
        let theirs = plan_of(UnitId::new(), fx.mask.id);
        fx.station
            .cache_reference(&ReferenceData {
                plans: vec![theirs.clone()],
                grants: vec![grant(&theirs, fx.device, fx.mask.id, 3)],
                ..ReferenceData::default()
            })
            .unwrap();
        let before = fx.outbox();
        assert_eq!(
            refused(fx.station.open_session(theirs.id, "进贤门广场", &[])),
            QuarantineCode::PlanOfOtherUnit
        );
        assert_eq!(fx.count("session"), 0, "no session row");
        assert_eq!(
            refused(fx.station.release_grant(theirs.id, fx.mask.id, 1)),
            QuarantineCode::PlanOfOtherUnit
        );
        assert_eq!(fx.count("grant_release"), 0, "no release row");
        assert_eq!(
            refused(fx.station.request_top_up(&TopUpInput {
                plan_id: theirs.id,
                item_id: fx.mask.id,
                quantity: 1,
                note: None,
            })),
            QuarantineCode::PlanOfOtherUnit
        );
        assert_eq!(fx.outbox(), before, "no event, no seq taken");
    }

    #[test]
    fn a_handout_beyond_the_grant_with_a_reason_is_kept() {
        let mut fx = fixture();
        let session = fx.open_session();
        let handout = fx
            .station
            .record_handout(&HandoutInput {
                session_id: session,
                item_id: fx.mask.id,
                quantity: 7,
                over_grant_reason: Some("箱里多了两只".into()),
            })
            .unwrap();
        assert_eq!(
            handout.quantity, 7,
            "the central flags it; the tablet keeps it"
        );
        fx.station.void_handout(handout.id, "误触").unwrap();
    }

    #[test]
    fn a_plan_whose_content_breaks_the_rules_is_not_filed() {
        let mut fx = fixture();
        let mut plan = plan_of(fx.unit, fx.mask.id);
        plan.status = PlanStatus::Submitted;
        plan.title = "  ".into();
        let before = fx.outbox();
        assert_eq!(
            refused(fx.append(EventPayload::PlanFiled { plan: plan.clone() })),
            QuarantineCode::InvalidPlan
        );
        plan.title = "侨联步行街宣传站".into();
        plan.unit_id = UnitId::new();
        assert_eq!(
            refused(fx.append(EventPayload::PlanFiled { plan })),
            QuarantineCode::PlanOfOtherUnit
        );
        assert_eq!(fx.outbox(), before);
    }

    #[test]
    fn the_refusal_has_a_stable_kind_and_names_the_code() {
        let e = Error::WouldBeQuarantined {
            code: QuarantineCode::UnknownPlan,
            reason: "the central knows no plan x".into(),
        };
        assert_eq!(e.kind(), "would_be_quarantined");
        assert!(e.to_string().contains("unknown_plan"), "{e}");
    }
}
