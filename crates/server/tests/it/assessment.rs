//! Issue 13, deliverables 3 and 4: the assessment by collection volume (按采集量考核) with the
//! secretariat's thresholds, and the summary meeting's report (总结会) with the commendations
//! the secretariat confirms and every gift accounted for.

use std::io::Cursor;

use axum::http::StatusCode;
use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use fieldpost_central::audit::Actor;
use fieldpost_central::records::{self, DailyCount};
use fieldpost_domain::{
    CheckInId, EventPayload, Handout, HandoutId, PlanId, SessionId, StationSession, Tally,
    VolunteerCheckIn,
};
use serde_json::{Value, json};

use crate::support::{Auth, Central, at, expect_error, push_events, request};

/// Files a plan for unit A from `starts` to `ends` (UTC instants) and approves it with 20 masks.
async fn approved_plan(c: &Central, admin: &Auth, starts: &str, ends: &str) -> PlanId {
    let mut body = c.plan_body(c.unit_a);
    body["starts_at"] = json!(starts);
    body["ends_at"] = json!(ends);
    let (status, filed) = c.call("POST", "/api/v1/plans", admin, Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "filed: {filed}");
    let id = filed["plan"]["id"].as_str().unwrap().to_owned();
    let (status, body) = c
        .call(
            "POST",
            &format!("/api/v1/plans/{id}/approve"),
            admin,
            Some(json!({"allocation": [{"item_id": c.mask, "quantity": 20}]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "approved: {body}");
    id.parse().unwrap()
}

/// Unit A: two overlapping plans (8/4–8/6 and 8/5–8/7, China time), a station session under
/// the first with a tally of 30 people and 12 questionnaires, two volunteers (one checked
/// out after 90 minutes), 20 masks handed out; 100 questionnaires a day from 8/4 to 8/8.
/// Unit B: 100 questionnaires on 8/4 and nothing else.
async fn campaign_with_overlapping_plans(c: &Central, admin: &Auth) -> (PlanId, PlanId) {
    let first = approved_plan(c, admin, "2022-08-04T01:00:00Z", "2022-08-06T09:00:00Z").await;
    let second = approved_plan(c, admin, "2022-08-05T01:00:00Z", "2022-08-07T09:00:00Z").await;
    let (device, _) = c.device(c.unit_a, "甲 1").await;
    let session = SessionId::new();
    let (in1, in2) = (CheckInId::new(), CheckInId::new());
    let check_in = |id, name: &str, ivolunteer: Option<&str>| EventPayload::VolunteerCheckedIn {
        check_in: VolunteerCheckIn {
            id,
            session_id: session,
            volunteer_name: name.into(),
            ivolunteer_id: ivolunteer.map(Into::into),
            checked_in_at: at(0),
        },
    };
    let pushed = push_events(
        c.store.as_ref(),
        c.now(),
        device,
        vec![
            EventPayload::SessionOpened {
                session: StationSession {
                    id: session,
                    plan_id: first,
                    device_id: device,
                    station: "进贤门广场".into(),
                    opened_at: at(0),
                    closed_at: None,
                },
            },
            check_in(in1, "王五", Some("ZYZ-001")),
            check_in(in2, "赵六", None),
            EventPayload::VolunteerCheckedOut {
                check_in_id: in1,
                checked_out_at: at(90),
            },
            EventPayload::TallyRecorded {
                tally: Tally {
                    session_id: session,
                    people_reached: 30,
                    questionnaires_assisted: 12,
                },
            },
            EventPayload::HandoutRecorded {
                handout: Handout {
                    id: HandoutId::new(),
                    session_id: session,
                    plan_id: first,
                    item_id: c.mask,
                    quantity: 20,
                    handed_out_at: at(5),
                    over_grant_reason: None,
                },
            },
        ],
    );
    assert!(pushed.quarantined.is_empty(), "all apply: {pushed:?}");
    let day = |d| NaiveDate::from_ymd_opt(2022, 8, d).unwrap();
    let mut counts: Vec<DailyCount> = (4..=8)
        .map(|d| DailyCount {
            unit_id: c.unit_a,
            day: day(d),
            count: 100,
        })
        .collect();
    counts.push(DailyCount {
        unit_id: c.unit_b,
        day: day(4),
        count: 100,
    });
    records::import_counts(c.store.as_ref(), &Actor::System("test"), c.now(), &counts).unwrap();
    (first, second)
}

fn unit<'a>(assessment: &'a Value, name: &str) -> &'a Value {
    assessment["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit_name"] == name)
        .unwrap_or_else(|| panic!("{name} is assessed: {assessment}"))
}

#[tokio::test]
async fn the_assessment_counts_a_day_of_overlapping_plans_once_beside_the_stations_tallies() {
    let c = Central::new();
    let admin = c.login("admin").await;
    campaign_with_overlapping_plans(&c, &admin).await;

    let (status, a) = c.call("GET", "/api/v1/assessment", &admin, None).await;
    assert_eq!(status, StatusCode::OK, "{a}");
    assert_eq!(a["rules"]["pass_percent"], 100, "the defaults until set");
    let ua = unit(&a, "单位甲");
    assert_eq!(ua["collected"], 500, "every imported count");
    assert_eq!(
        ua["plan_days"], 4,
        "8/4 to 8/7: the two plans' shared days once"
    );
    assert_eq!(
        ua["collected_on_plan_days"], 400,
        "issue 13: overlapping plans counted 8/5 and 8/6 twice (600)"
    );
    assert_eq!(ua["handed_out"], 20);
    assert_eq!(ua["questionnaires_per_gift"], 20.0, "400 / 20");
    assert_eq!(
        (&ua["people_reached"], &ua["questionnaires_assisted"]),
        (&json!(30), &json!(12)),
        "the stations' tallies beside the imported counts"
    );
    assert_eq!(ua["passed"], false, "500 of 600 is under 100%");
    assert_eq!(
        ua["shortfalls"],
        json!([{"code": "below_completion", "required_percent": 100, "actual_percent": 83.33}]),
        "the reason says the threshold and what was reached"
    );
    let ub = unit(&a, "单位乙");
    assert_eq!(
        ub["questionnaires_per_gift"],
        Value::Null,
        "no gifts, no ratio"
    );

    // The secretariat sets its thresholds: 80% of the quota, 25 questionnaires per gift.
    let rules = json!({"pass_percent": 80, "min_per_gift_hundredths": 2500,
                       "organizing_awards": 1, "supporting_awards": 2});
    let (status, set) = c
        .call("PUT", "/api/v1/assessment/rules", &admin, Some(rules))
        .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(
        set["updated_by"], "user:admin",
        "who set them is kept: {set}"
    );
    let (_, a) = c.call("GET", "/api/v1/assessment", &admin, None).await;
    let ua = unit(&a, "单位甲");
    assert_eq!(
        ua["shortfalls"],
        json!([{"code": "few_per_gift", "required": 25.0, "actual": 20.0}]),
        "83% passes 80%; 20 per gift does not reach 25"
    );
    let rules = json!({"pass_percent": 80, "min_per_gift_hundredths": 2000,
                       "organizing_awards": 1, "supporting_awards": 2});
    c.call("PUT", "/api/v1/assessment/rules", &admin, Some(rules))
        .await;
    let (_, a) = c.call("GET", "/api/v1/assessment", &admin, None).await;
    assert_eq!(unit(&a, "单位甲")["passed"], true, "20 per gift reaches 20");
    assert_eq!((&a["passed"], &a["failed"]), (&json!(1), &json!(1)));

    // The workbook says the same, in Chinese.
    let (status, _, bytes) = c
        .raw(request(
            "GET",
            "/api/v1/exports/assessment.xlsx",
            &admin,
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let rows: Vec<Vec<Data>> = book
        .worksheet_range("单位考核")
        .unwrap()
        .rows()
        .map(<[Data]>::to_vec)
        .collect();
    let a_row = rows
        .iter()
        .find(|r| r[0] == "单位甲")
        .expect("unit A's row");
    assert_eq!(a_row[10], Data::Float(400.0), "活动日采集量, each day once");
    assert_eq!(a_row[12].to_string(), "达标");
    let b_row = rows
        .iter()
        .find(|r| r[0] == "单位乙")
        .expect("unit B's row");
    assert_eq!(b_row[12].to_string(), "未达标");
    assert!(
        b_row[13].to_string().contains("低于 80%"),
        "the reason in Chinese: {:?}",
        b_row[13]
    );

    let (_, log) = c
        .call("GET", "/api/v1/audit?action=assessment.rules", &admin, None)
        .await;
    assert_eq!(
        log.as_array().unwrap().len(),
        2,
        "each change of thresholds is audited"
    );
}

#[tokio::test]
async fn only_a_secretariat_admin_sets_thresholds_and_a_unit_sees_its_own_assessment() {
    let c = Central::new();
    let admin = c.login("admin").await;
    campaign_with_overlapping_plans(&c, &admin).await;
    let rules = json!({"pass_percent": 80, "min_per_gift_hundredths": 100,
                       "organizing_awards": 1, "supporting_awards": 1});
    for who in ["viewer", "leader_a"] {
        let auth = c.login(who).await;
        expect_error(
            c.call(
                "PUT",
                "/api/v1/assessment/rules",
                &auth,
                Some(rules.clone()),
            )
            .await,
            StatusCode::FORBIDDEN,
            "forbidden",
            "only a secretariat admin sets the thresholds",
        );
    }
    let body = expect_error(
        c.call(
            "PUT",
            "/api/v1/assessment/rules",
            &admin,
            Some(json!({"pass_percent": 5000, "min_per_gift_hundredths": 100,
                        "organizing_awards": 1, "supporting_awards": 1})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "a threshold beyond its range",
    );
    assert_eq!(body["error"]["field"], "pass_percent", "{body}");

    let leader = c.login("leader_a").await;
    let (status, a) = c.call("GET", "/api/v1/assessment", &leader, None).await;
    assert_eq!(status, StatusCode::OK, "{a}");
    let names: Vec<&str> = a["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["unit_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["单位甲"],
        "a unit's account assesses its own unit only"
    );
    expect_error(
        c.call("GET", "/api/v1/summary", &leader, None).await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "the summary report holds the secretariat's stock books",
    );
}

#[tokio::test]
async fn the_summary_proposes_commendations_the_secretariat_confirms_and_accounts_for_every_gift() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let (_, second) = campaign_with_overlapping_plans(&c, &admin).await;
    let rules = json!({"pass_percent": 20, "min_per_gift_hundredths": 100,
                       "organizing_awards": 1, "supporting_awards": 2});
    c.call("PUT", "/api/v1/assessment/rules", &admin, Some(rules))
        .await;
    // Five masks come back from the second plan, two are written off.
    let (status, body) = c
        .call(
            "POST",
            &format!("/api/v1/plans/{second}/returns"),
            &admin,
            Some(json!({"item_id": c.mask, "quantity": 5})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "returned: {body}");
    let (status, body) = c
        .call(
            "POST",
            "/api/v1/stock/write-offs",
            &admin,
            Some(json!({"item_id": c.mask, "quantity": 2, "note": "受潮"})),
        )
        .await;
    assert!(status.is_success(), "written off: {body}");

    let (status, s) = c.call("GET", "/api/v1/summary", &admin, None).await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(s["totals"]["collected"], 600, "500 + 100");
    assert_eq!(s["totals"]["target"], 1000);
    let days = s["days"].as_array().unwrap();
    assert_eq!(days.len(), 5, "8/4 to 8/8");
    assert_eq!(
        (&days[0]["count"], &days[4]["cumulative"]),
        (&json!(200), &json!(600)),
        "the daily curve: both units on 8/4; the running total at the end"
    );
    assert_eq!(s["ranking"][0]["unit_name"], "单位甲", "by count");
    // A: 500/600 = 83%, B: 100/400 = 25%: both pass 20%.
    let proposed: Vec<(String, String)> = s["proposed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["award"].as_str().unwrap().to_owned(),
                l["unit_name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        proposed,
        [
            ("organizing".to_owned(), "单位甲".to_owned()),
            ("supporting".to_owned(), "单位甲".to_owned()),
            ("supporting".to_owned(), "单位乙".to_owned()),
        ],
        "one by completion rate, two by count, of the units that passed"
    );
    assert_eq!(s["confirmed"], json!([]), "nothing confirmed yet");

    let masks = s["gifts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["item"]["code"] == "mask")
        .unwrap();
    let n = |k: &str| masks[k].as_u64().unwrap();
    assert_eq!(n("received"), 100);
    assert_eq!(n("allocated"), 40, "two plans of 20");
    assert_eq!(n("returned"), 5, "five came back from the second plan");
    assert_eq!(n("written_off"), 2);
    assert_eq!(
        n("handed_out") + n("beyond_grants"),
        20,
        "the 20 handed out, within a grant or beyond it: {masks}"
    );
    assert_eq!(
        n("delivered_to_winners"),
        0,
        "a gift is no lottery prize: {masks}"
    );
    assert_eq!(
        n("received"),
        n("handed_out") + n("written_off") + n("with_plans") + n("on_hand"),
        "every mask accounted for: {masks}"
    );
    assert_eq!(masks["balanced"], true);
    assert_eq!(
        s["volunteers"],
        json!({"volunteers": 2, "check_ins": 2, "open_check_ins": 1, "minutes": 90}),
        "one volunteer served 90 minutes, the other is still checked in"
    );

    // The secretariat confirms its own list: B for 优秀组织单位, A for 优秀支持单位.
    for (who, why) in [("viewer", "a viewer"), ("leader_a", "a unit")] {
        let auth = c.login(who).await;
        expect_error(
            c.call(
                "PUT",
                "/api/v1/summary/commendations",
                &auth,
                Some(json!({"commendations": []})),
            )
            .await,
            StatusCode::FORBIDDEN,
            "forbidden",
            &format!("{why} does not confirm commendations"),
        );
    }
    let body = expect_error(
        c.call(
            "PUT",
            "/api/v1/summary/commendations",
            &admin,
            Some(json!({"commendations": [
                {"award": "organizing", "unit_id": c.unit_b},
                {"award": "organizing", "unit_id": c.unit_b},
            ]})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "a unit twice for one honour",
    );
    assert_eq!(body["error"]["field"], "commendations[1].unit_id", "{body}");
    let (status, confirmed) = c
        .call(
            "PUT",
            "/api/v1/summary/commendations",
            &admin,
            Some(json!({"commendations": [
                {"award": "organizing", "unit_id": c.unit_b},
                {"award": "supporting", "unit_id": c.unit_a},
            ]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    let (_, s) = c.call("GET", "/api/v1/summary", &admin, None).await;
    let confirmed: Vec<(&str, &str)> = s["confirmed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["award"].as_str().unwrap(),
                l["unit_name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        confirmed,
        [("organizing", "单位乙"), ("supporting", "单位甲")],
        "the report shows the secretariat's list, not the rule's"
    );
    assert_eq!(s["confirmed_by"], "user:admin");
    let (_, log) = c
        .call(
            "GET",
            "/api/v1/audit?action=commendations.confirm",
            &admin,
            None,
        )
        .await;
    assert_eq!(
        log.as_array().unwrap().len(),
        1,
        "the confirmation is audited"
    );
}
