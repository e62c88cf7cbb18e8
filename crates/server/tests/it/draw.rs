//! Issue 12, deliverables 2–5 on the central: prize pools from the prize stock, the entrant
//! list frozen and published with its SHA-256, the draw (the published method, refused while
//! the collection window is open, twice, or on a tampered list), wins delivered in the console,
//! at a station and through the carriers' sheets, carrier accounts confined to their own list,
//! and the public winners list with masked numbers only.

use std::collections::{BTreeSet, HashMap};
use std::io::Cursor;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use calamine::{Reader, open_workbook_auto_from_rs};
use chrono::{DateTime, Duration, Utc};
use fieldpost_central::secrets::sha256_hex;
use fieldpost_domain::lottery::{self, FrozenList, PoolSpec};
use fieldpost_domain::{
    Carrier, Consent, DeviceEvent, EntrantId, EventPayload, LotteryEntrant, LotteryPublicKey,
    MobileNumber,
};
use serde_json::{Value, json};

use crate::support::{Auth, Central, PASSWORD, Tablet, at, expect_error, request};
use crate::sync::{approved_plan, push};

/// Made-up numbers of each carrier (telecom 133/153/180/189, mobile 138/139/150, unicom
/// 130/186, other 170), in the order they register.
const NUMBERS: [&str; 16] = [
    "13300000001",
    "13800000002",
    "13000000003",
    "18900000004",
    "13900000005",
    "18600000006",
    "15300000007",
    "15000000008",
    "13000000009",
    "18000000010",
    "13800000011",
    "18600000012",
    "17000000013",
    "13300000014",
    "13900000015",
    "13000000016",
];

/// An entrant registered `minutes` into the session, its number sealed to `key` as a tablet
/// seals it.
fn entrant(t: &mut Tablet, key: &LotteryPublicKey, phone: &str, minutes: i64) -> DeviceEvent {
    let phone = MobileNumber::parse(phone).unwrap();
    let session = t.session;
    t.event(EventPayload::EntrantRegistered {
        entrant: LotteryEntrant {
            id: EntrantId::new(),
            session_id: session,
            phone_sealed: key.seal(&phone),
            phone_masked: phone.masked(),
            carrier: Carrier::of_number(&phone),
            consent: Consent {
                text_version: fieldpost_central::lottery::DEFAULT_CONSENT_VERSION.into(),
                given_at: at(minutes),
            },
            registered_at: at(minutes),
        },
    })
}

/// A prize item received into stock; returns its id.
async fn prize(c: &Central, admin: &Auth, code: &str, name: &str, quantity: u32) -> String {
    let (status, item) = c
        .call(
            "POST",
            "/api/v1/items",
            admin,
            Some(json!({"code": code, "name": name, "kind": "prize", "unit_label": "份"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{item}");
    let id = item["id"].as_str().unwrap().to_owned();
    let (status, body) = c
        .call(
            "POST",
            "/api/v1/stock/receipts",
            admin,
            Some(json!({"item_id": id, "quantity": quantity})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    id
}

/// A carrier's account, created through the console; returns its session.
async fn carrier_account(c: &Central, admin: &Auth, username: &str, carrier: &str) -> Auth {
    let (status, body) = c
        .call(
            "POST",
            "/api/v1/users",
            admin,
            Some(
                json!({"username": username, "password": PASSWORD, "role": "carrier",
                        "carrier": carrier}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["carrier"], carrier, "the account names its carrier");
    c.login(username).await
}

/// The campaign with its entrants (every number of [`NUMBERS`], from two units' tablets, in
/// that order) and three prize items in stock.
struct Lottery {
    c: Central,
    admin: Auth,
    /// Unit A's tablet, its session still open.
    tablet: Tablet,
    data_pack: String,
    sim_card: String,
    kettle: String,
}

async fn lottery_world() -> Lottery {
    let c = Central::new();
    let admin = c.login("admin").await;
    let key = c.lottery_public_key();
    let mut a = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let mut b = Tablet::enroll(&c, c.unit_b, "乙 1号").await;
    let plan_a = approved_plan(&c, c.unit_a, &[(a.id, 5)]);
    let plan_b = approved_plan(&c, c.unit_b, &[(b.id, 5)]);
    let open_a = a.open_session(plan_a);
    let open_b = b.open_session(plan_b);
    push(&c, &a, &[open_a]).await;
    push(&c, &b, &[open_b]).await;
    for (i, number) in (0i64..).zip(NUMBERS) {
        // Alternate tablets; registration order is the numbers' order.
        let t = if i % 2 == 0 { &mut a } else { &mut b };
        let event = entrant(t, &key, number, 10 + i);
        let r = push(&c, t, &[event]).await;
        assert!(
            r.quarantined.is_empty(),
            "entrant {number} is stored: {r:?}"
        );
    }
    let data_pack = prize(&c, &admin, "telecom_5g", "电信 5G 流量包", 5).await;
    let sim_card = prize(&c, &admin, "unicom_sim", "联通 70G 流量卡", 4).await;
    let kettle = prize(&c, &admin, "telecom_gift", "电信 实物奖品", 2).await;
    Lottery {
        c,
        admin,
        tablet: a,
        data_pack,
        sim_card,
        kettle,
    }
}

impl Lottery {
    /// Moves the clock past the collection window's close (the world's campaign collects for
    /// ten days from t0), and logs the admin in again (a session lasts 12 hours).
    async fn close_window(&mut self) {
        self.c.advance(Duration::days(11));
        self.admin = self.c.login("admin").await;
    }

    async fn pool(&self, body: Value) -> (StatusCode, Value) {
        self.c
            .call("POST", "/api/v1/lottery/pools", &self.admin, Some(body))
            .await
    }

    /// The three pools of the 2021 prize kinds, in draw order.
    async fn pools(&self) -> Vec<Value> {
        let mut pools = Vec::new();
        for body in [
            json!({"name": "电信 5G 流量包", "item_id": self.data_pack, "quantity": 3,
                   "reserves": 1, "carriers": ["telecom"], "delivery": "carrier_credit",
                   "position": 1}),
            json!({"name": "联通 70G 流量卡", "item_id": self.sim_card, "quantity": 4,
                   "reserves": 2, "carriers": ["telecom", "mobile", "unicom", "other"],
                   "delivery": "shipped", "delivered_by": "unicom", "position": 2}),
            json!({"name": "电信 实物奖品", "item_id": self.kettle, "quantity": 2,
                   "reserves": 0, "carriers": ["telecom", "mobile", "unicom", "other"],
                   "delivery": "at_station", "position": 3}),
        ] {
            let (status, pool) = self.pool(body).await;
            assert_eq!(status, StatusCode::CREATED, "{pool}");
            pools.push(pool);
        }
        pools
    }

    async fn freeze(&self) -> Value {
        let (status, body) = self
            .c
            .call("POST", "/api/v1/lottery/list/freeze", &self.admin, None)
            .await;
        assert_eq!(status, StatusCode::OK, "the list freezes: {body}");
        body
    }

    async fn draw(&self, value: &str) -> (StatusCode, Value) {
        self.c
            .call(
                "POST",
                "/api/v1/lottery/draws",
                &self.admin,
                Some(json!({"public_value": value, "value_source": "福彩3D 2022年第223期"})),
            )
            .await
    }

    async fn csv(&self) -> String {
        let (status, headers, bytes) = self
            .c
            .raw(request(
                "GET",
                "/api/v1/lottery/list.csv",
                &self.admin,
                None,
            ))
            .await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/csv"),
            "the list is served as CSV"
        );
        String::from_utf8(bytes.to_vec()).unwrap()
    }

    async fn audit(&self) -> Vec<Value> {
        let (status, body) = self
            .c
            .call("GET", "/api/v1/audit?limit=500", &self.admin, None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body.as_array().unwrap().clone()
    }
}

/// Whether `text` holds a full number of an entrant, or any 11-digit mobile number standing
/// alone (a digest's hex may hold long digit runs; a number is not part of a longer word).
fn has_full_number(text: &str) -> bool {
    if NUMBERS.iter().any(|n| text.contains(n)) {
        return true;
    }
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .any(|word| {
            word.len() == 11 && word.starts_with('1') && word.bytes().all(|b| b.is_ascii_digit())
        })
}

/// Each pool's winners and reserves, by entry number, as a draw answered them.
fn entries_of(draw: &Value) -> Vec<(Vec<u64>, Vec<u64>)> {
    let numbers = |list: &Value| -> Vec<u64> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|e| e["entry"].as_u64().unwrap())
            .collect()
    };
    draw["pools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (numbers(&p["winners"]), numbers(&p["reserves"])))
        .collect()
}

#[tokio::test]
async fn pools_are_checked_against_the_prize_stock_and_held_while_a_draw_stands() {
    let mut l = lottery_world().await;
    let base = json!({"name": "电信 5G 流量包", "item_id": l.data_pack, "quantity": 3,
                      "reserves": 1, "carriers": ["telecom"], "delivery": "carrier_credit",
                      "position": 1});
    let with = |field: &str, value: Value| {
        let mut body = base.clone();
        body[field] = value;
        body
    };
    let over = expect_error(
        l.pool(with("quantity", json!(6))).await,
        StatusCode::CONFLICT,
        "insufficient_stock",
        "5 data packs were received: 6 cannot be pooled",
    );
    assert_eq!(over["error"]["field"], "quantity");
    for (body, field, why) in [
        (
            with("carriers", json!([])),
            "carriers",
            "a pool nobody can win",
        ),
        (with("quantity", json!(0)), "quantity", "a pool of nothing"),
        (with("name", json!("  ")), "name", "a pool without a name"),
        (
            with("carriers", json!(["telecom", "mobile"])),
            "carriers",
            "a telecom data pack cannot be won by a mobile number",
        ),
        (
            with("item_id", json!(l.c.mask)),
            "item_id",
            "masks are a gift, not a prize",
        ),
        (
            json!({"name": "联通卡", "item_id": l.sim_card, "quantity": 1, "reserves": 0,
                   "carriers": ["unicom"], "delivery": "shipped", "position": 2}),
            "delivered_by",
            "a shipped prize names who ships it",
        ),
    ] {
        let refused = expect_error(
            l.pool(body).await,
            StatusCode::BAD_REQUEST,
            "invalid_value",
            why,
        );
        assert_eq!(refused["error"]["field"], field, "{why}");
    }
    let (status, first) = l.pool(base.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    assert_eq!(
        first["delivered_by"], "telecom",
        "a data pack is credited by the pool's one carrier"
    );
    expect_error(
        l.pool(with("quantity", json!(3))).await,
        StatusCode::CONFLICT,
        "insufficient_stock",
        "3 of the 5 are in a pool already: 2 are left",
    );
    let (status, _) = l.pool(with("quantity", json!(2))).await;
    assert_eq!(status, StatusCode::CREATED, "the 2 left can be pooled");
    let path = format!("/api/v1/lottery/pools/{}", first["id"].as_str().unwrap());
    let (status, changed) =
        l.c.call("PUT", &path, &l.admin, Some(with("reserves", json!(3))))
            .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!(changed["reserves"], 3);
    let (_, pools) =
        l.c.call("GET", "/api/v1/lottery/pools", &l.admin, None)
            .await;
    assert_eq!(pools.as_array().unwrap().len(), 2);

    l.close_window().await;
    l.freeze().await;
    let (status, draw) = l.draw("01 02 03").await;
    assert_eq!(status, StatusCode::CREATED, "{draw}");
    expect_error(
        l.c.call("PUT", &path, &l.admin, Some(base.clone())).await,
        StatusCode::CONFLICT,
        "draw_exists",
        "a pool that was drawn does not change while its draw stands",
    );
    expect_error(
        l.pool(with("item_id", json!(l.kettle))).await,
        StatusCode::CONFLICT,
        "draw_exists",
        "no pool is added while a draw stands",
    );
    let audit = l.audit().await;
    assert!(
        audit.iter().any(|a| a["action"] == "lottery.pool.create")
            && audit.iter().any(|a| a["action"] == "lottery.pool.update"),
        "pool changes are audited"
    );
}

/// Issue 12 audit, gap 1: once a pool promises prizes, the stock it draws on cannot fall
/// below the promise through a write-off or a plan's allocation; and stock that fell anyway
/// (by a path the pools cannot see: here a write-off written into the ledger directly, as an
/// older central or a hand edit would leave it) makes the draw refuse, naming the pool.
#[tokio::test]
async fn stock_promised_to_pools_is_kept_and_the_draw_rechecks_it() {
    let mut l = lottery_world().await;
    l.pools().await;
    // 5 data packs received, 3 in the telecom pool: 2 may go, not 3.
    let write_off =
        |quantity: u32| json!({"item_id": l.data_pack, "quantity": quantity, "note": "受潮损坏"});
    let refused = expect_error(
        l.c.call(
            "POST",
            "/api/v1/stock/write-offs",
            &l.admin,
            Some(write_off(3)),
        )
        .await,
        StatusCode::CONFLICT,
        "insufficient_stock",
        "a write-off may not take prizes a pool promises",
    );
    assert_eq!(refused["error"]["field"], "quantity", "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("3 are promised to lottery pools"),
        "the refusal says why: {refused}"
    );
    let plan = approved_plan(&l.c, l.c.unit_a, &[(l.tablet.id, 1)]);
    let allocations = format!("/api/v1/plans/{plan}/allocations");
    let refused = expect_error(
        l.c.call(
            "POST",
            &allocations,
            &l.admin,
            Some(json!({"item_id": l.data_pack, "quantity": 3})),
        )
        .await,
        StatusCode::CONFLICT,
        "insufficient_stock",
        "a plan may not be allocated prizes a pool promises",
    );
    assert_eq!(refused["error"]["field"], "quantity", "{refused}");
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("3 are promised to lottery pools"),
        "{refused}"
    );
    assert_eq!(
        (
            &refused["error"]["requested"],
            &refused["error"]["promised"],
            &refused["error"]["available"]
        ),
        (&json!(3), &json!(3), &json!(2)),
        "the console words the refusal from its facts: {refused}"
    );
    let (status, body) =
        l.c.call(
            "POST",
            "/api/v1/stock/write-offs",
            &l.admin,
            Some(write_off(2)),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the 2 no pool promises may go: {body}"
    );
    expect_error(
        l.c.call(
            "POST",
            &allocations,
            &l.admin,
            Some(json!({"item_id": l.data_pack, "quantity": 1})),
        )
        .await,
        StatusCode::CONFLICT,
        "insufficient_stock",
        "the 3 left are all promised",
    );

    // One of the two kettles disappears from the ledger's count behind the pools' back.
    l.lost_behind_the_ledger(&l.kettle, 1);
    l.close_window().await;
    l.freeze().await;
    let refused = expect_error(
        l.draw("01 02 03").await,
        StatusCode::CONFLICT,
        "pool_over_stock",
        "the draw promises only prizes that exist",
    );
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("电信 实物奖品") && message.contains("only 1"),
        "the refusal names the pool and what is left: {refused}"
    );
    assert_eq!(
        (&refused["error"]["pool"], &refused["error"]["available"]),
        (&json!("电信 实物奖品"), &json!(1)),
        "and carries them as facts for the console's words: {refused}"
    );
    assert!(
        refused["error"]["requested"].as_u64().unwrap() > 1,
        "{refused}"
    );
    let (_, draws) =
        l.c.call("GET", "/api/v1/lottery/draws", &l.admin, None)
            .await;
    assert_eq!(draws, json!([]), "nothing was drawn");
}

#[tokio::test]
async fn the_list_is_frozen_once_after_the_window_and_published_byte_for_byte() {
    let mut l = lottery_world().await;
    let open = expect_error(
        l.c.call("POST", "/api/v1/lottery/list/freeze", &l.admin, None)
            .await,
        StatusCode::CONFLICT,
        "collection_open",
        "entrants may still register while the collection window is open",
    );
    let (_, campaign) = l.c.call("GET", "/api/v1/campaign", &l.admin, None).await;
    assert_eq!(
        open["error"]["closes_at"].as_str().map(parse_instant),
        campaign["collection_end"].as_str().map(parse_instant),
        "the refusal says when the window closes: {open}"
    );
    let (_, none) =
        l.c.call("GET", "/api/v1/lottery/list", &l.admin, None)
            .await;
    assert_eq!(none, Value::Null, "no list before the freeze");
    l.close_window().await;
    let (_, terms) =
        l.c.call("GET", "/api/v1/lottery/terms", &l.admin, None)
            .await;
    assert_eq!(terms["registration_open"], true, "{terms}");
    let cursor =
        l.c.call(
            "GET",
            "/api/v1/sync/pull?after=0&limit=1000",
            &l.tablet.auth,
            None,
        )
        .await
        .1["cursor"]
            .as_u64()
            .unwrap();
    let frozen = l.freeze().await;
    assert_eq!(frozen["entries"], NUMBERS.len());

    // Freezing closed registration: the terms say so, tablets pull it, a late entrant is
    // quarantined.
    let (_, terms) =
        l.c.call("GET", "/api/v1/lottery/terms", &l.admin, None)
            .await;
    assert_eq!(terms["registration_open"], false, "{terms}");
    let (_, pulled) =
        l.c.call(
            "GET",
            &format!("/api/v1/sync/pull?after={cursor}&limit=1000"),
            &l.tablet.auth,
            None,
        )
        .await;
    assert!(
        pulled["changes"]
            .to_string()
            .contains("\"registration_open\":false"),
        "the tablets pull the closed registration: {pulled}"
    );
    let key = l.c.lottery_public_key();
    let late = entrant(&mut l.tablet, &key, "13900000099", 200);
    let r = push(&l.c, &l.tablet, &[late]).await;
    assert_eq!(r.quarantined.len(), 1, "{r:?}");
    assert_eq!(
        r.quarantined[0].code, "lottery_closed",
        "an entrant pushed after the freeze is not entered"
    );
    let (_, entrants) =
        l.c.call("GET", "/api/v1/lottery/entrants", &l.admin, None)
            .await;
    assert_eq!(
        entrants["entrants"][0]["entry"], 1,
        "the console's entrants show their entry numbers: {entrants}"
    );
    let again = expect_error(
        l.c.call("POST", "/api/v1/lottery/list/freeze", &l.admin, None)
            .await,
        StatusCode::CONFLICT,
        "list_frozen",
        "a published list is never frozen again",
    );
    assert_eq!(
        again["error"]["frozen_at"].as_str().map(parse_instant),
        frozen["frozen_at"].as_str().map(parse_instant),
        "the refusal says when the list was frozen: {again}"
    );
    let digest = frozen["digest"].as_str().unwrap();
    let csv = l.csv().await;
    assert_eq!(
        sha256_hex(&csv),
        digest,
        "the published text's SHA-256 is the published digest"
    );
    let list = FrozenList::verify(&csv, digest).expect("the published list verifies");
    let expected: Vec<(u32, String)> = (1u32..)
        .zip(NUMBERS)
        .map(|(entry, n)| (entry, MobileNumber::parse(n).unwrap().masked()))
        .collect();
    let got: Vec<(u32, String)> = list
        .entries()
        .iter()
        .map(|e| (e.entry, e.masked_phone.clone()))
        .collect();
    assert_eq!(got, expected, "entries 1..n in registration order, masked");
    assert!(
        !has_full_number(&csv),
        "the published list holds no full number"
    );
    let (_, json_list) =
        l.c.call("GET", "/api/v1/lottery/list", &l.admin, None)
            .await;
    assert_eq!(json_list["digest"], digest);
    assert_eq!(
        json_list["entries"][2]["carrier"], "unicom",
        "130… is Unicom's"
    );
    let audit = l.audit().await;
    assert!(
        audit
            .iter()
            .any(|a| a["action"] == "lottery.list.freeze" && a["detail"]["digest"] == digest),
        "the freeze is audited with its digest"
    );
}

#[tokio::test]
async fn the_draw_follows_the_published_method_and_stands_until_voided_with_a_reason() {
    let mut l = lottery_world().await;
    expect_error(
        l.draw("01 02 03").await,
        StatusCode::CONFLICT,
        "collection_open",
        "no draw before the collection window closes",
    );
    l.close_window().await;
    expect_error(
        l.draw("01 02 03").await,
        StatusCode::CONFLICT,
        "list_not_frozen",
        "no draw without a published list",
    );
    l.freeze().await;
    expect_error(
        l.draw("01 02 03").await,
        StatusCode::CONFLICT,
        "no_pools",
        "no draw without pools",
    );
    let pools = l.pools().await;
    let value = "体彩大乐透 第22094期 01 07 15 23 30 + 04 11";
    let (status, draw) = l.draw(&format!("  {value} ")).await;
    assert_eq!(status, StatusCode::CREATED, "{draw}");
    assert_eq!(
        draw["public_value"], value,
        "surrounding spaces do not count"
    );

    // Anyone can recompute it from the published text, the value and the pools.
    let csv = l.csv().await;
    let list = FrozenList::parse(&csv).unwrap();
    let specs: Vec<PoolSpec> = pools
        .iter()
        .map(|p| PoolSpec {
            name: p["name"].as_str().unwrap().to_owned(),
            quantity: p["quantity"].as_u64().unwrap() as u32,
            carriers: serde_json::from_value(p["carriers"].clone()).unwrap(),
            reserves: p["reserves"].as_u64().unwrap() as u32,
        })
        .collect();
    let expected: Vec<(Vec<u64>, Vec<u64>)> = lottery::draw(&list, value, &specs)
        .unwrap()
        .into_iter()
        .map(|r| {
            (
                r.winners.into_iter().map(u64::from).collect(),
                r.reserves.into_iter().map(u64::from).collect(),
            )
        })
        .collect();
    let got = entries_of(&draw);
    assert_eq!(got, expected, "the stored draw is the published method's");
    let mut winners = BTreeSet::new();
    for (pool_winners, _) in &got {
        for w in pool_winners {
            assert!(winners.insert(*w), "entry {w} wins once across the pools");
        }
    }
    for w in draw["pools"][0]["winners"].as_array().unwrap() {
        assert_eq!(
            w["carrier"], "telecom",
            "a telecom data pack goes to telecom numbers"
        );
        assert!(w["win_id"].is_string(), "each winner has a win");
    }

    expect_error(
        l.draw(value).await,
        StatusCode::CONFLICT,
        "draw_exists",
        "a second draw is refused while the first stands",
    );
    let void_path = format!(
        "/api/v1/lottery/draws/{}/void",
        draw["id"].as_str().unwrap()
    );
    let refused = expect_error(
        l.c.call("POST", &void_path, &l.admin, Some(json!({"reason": " "})))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "a draw is voided only with a reason",
    );
    assert_eq!(refused["error"]["field"], "reason");
    let (status, voided) =
        l.c.call(
            "POST",
            &void_path,
            &l.admin,
            Some(json!({"reason": "投影仪上的公开值输错了"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{voided}");
    assert_eq!(voided["voided"]["reason"], "投影仪上的公开值输错了");
    expect_error(
        l.c.call(
            "POST",
            &void_path,
            &l.admin,
            Some(json!({"reason": "again"})),
        )
        .await,
        StatusCode::CONFLICT,
        "draw_voided",
        "a voided draw stays voided",
    );
    let (_, standing) =
        l.c.call("GET", "/api/v1/lottery/draw", &l.admin, None)
            .await;
    assert_eq!(standing, Value::Null, "no draw stands after the void");
    let (_, wins) =
        l.c.call("GET", "/api/v1/lottery/wins", &l.admin, None)
            .await;
    assert_eq!(wins, json!([]), "the voided draw's wins are void too");

    let (status, again) = l.draw(value).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "after the void the draw runs again"
    );
    assert_eq!(
        entries_of(&again),
        expected,
        "the same list, value and pools give the same winners"
    );
    let (_, all) =
        l.c.call("GET", "/api/v1/lottery/draws", &l.admin, None)
            .await;
    assert_eq!(all.as_array().unwrap().len(), 2, "the voided draw is kept");
    assert!(all[0]["voided"].is_object() && all[1]["voided"].is_null());

    let audit = l.audit().await;
    let drawn: Vec<&Value> = audit
        .iter()
        .filter(|a| a["action"] == "lottery.draw")
        .collect();
    assert_eq!(drawn.len(), 2, "each draw is audited");
    assert_eq!(drawn[0]["detail"]["public_value"], value);
    assert_eq!(drawn[0]["detail"]["list_digest"], again["list_digest"]);
    assert!(
        audit.iter().any(|a| a["action"] == "lottery.draw.void"
            && a["detail"]["reason"] == "投影仪上的公开值输错了"),
        "the void is audited with its reason"
    );
    assert!(
        !has_full_number(&serde_json::to_string(&audit).unwrap()),
        "no full number in the audit log"
    );
}

#[tokio::test]
async fn a_tampered_stored_list_is_detected_by_its_digest() {
    let mut l = lottery_world().await;
    l.pools().await;
    l.close_window().await;
    l.freeze().await;
    // Someone with the database moves entry 2 from mobile to telecom, to let it win the
    // telecom data packs.
    let changed =
        l.c.database
            .execute(
                "UPDATE lottery_lists SET text = REPLACE(text, '2,138****0002,mobile', \
             '2,138****0002,telecom')",
            )
            .unwrap();
    assert_eq!(changed, 1, "the stored text was changed");
    let refused = expect_error(
        l.draw("01 02 03").await,
        StatusCode::CONFLICT,
        "list_tampered",
        "the stored list no longer has its published digest",
    );
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("SHA-256"),
        "{refused}"
    );
    // Put the text back, and change the entry row behind it instead.
    l.c.database
        .execute(
            "UPDATE lottery_lists SET text = REPLACE(text, '2,138****0002,telecom', \
             '2,138****0002,mobile')",
        )
        .unwrap();
    l.c.database
        .execute("UPDATE lottery_list_entries SET carrier = 'telecom' WHERE entry = 2")
        .unwrap();
    expect_error(
        l.draw("01 02 03").await,
        StatusCode::CONFLICT,
        "list_tampered",
        "the entry rows must agree with the published text",
    );
    let (_, draws) =
        l.c.call("GET", "/api/v1/lottery/draws", &l.admin, None)
            .await;
    assert_eq!(draws, json!([]), "nothing was drawn from a tampered list");
}

/// A returned sheet: the carrier's own columns, with 状态 and 备注 filled in per entry.
fn returned_sheet(rows: &[(Value, &str, &str)]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "中国联通 线下抽奖中奖名单").unwrap();
    for (col, h) in (0u16..).zip([
        "序号",
        "抽奖编号",
        "中奖号码",
        "奖项",
        "发放方式",
        "状态",
        "备注",
    ]) {
        ws.write_string(1, col, h).unwrap();
    }
    for (row, (entry, state, note)) in (2u32..).zip(rows) {
        ws.write_number(row, 0, f64::from(row - 1)).unwrap();
        match entry {
            Value::Number(n) => ws.write_number(row, 1, n.as_f64().unwrap()).unwrap(),
            other => ws.write_string(row, 1, other.as_str().unwrap()).unwrap(),
        };
        ws.write_string(row, 5, *state).unwrap();
        ws.write_string(row, 6, *note).unwrap();
    }
    book.save_to_buffer().unwrap()
}

async fn upload(c: &Central, path: &str, auth: &Auth, bytes: Vec<u8>) -> (StatusCode, Value) {
    let mut req = Request::builder().method("POST").uri(path);
    if let Auth::Cookie(cookie) = auth {
        req = req.header(header::COOKIE, cookie);
    }
    c.send(
        req.header(header::CONTENT_TYPE, rust_xlsx_mime())
            .body(Body::from(bytes))
            .unwrap(),
    )
    .await
}

fn rust_xlsx_mime() -> &'static str {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
}

/// The cells of a workbook's first sheet, as text.
fn cells(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let name = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&name).unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[tokio::test]
async fn wins_are_delivered_in_the_console_at_a_station_and_through_the_carriers_sheets() {
    let mut l = lottery_world().await;
    l.pools().await;
    l.close_window().await;
    l.freeze().await;
    let (status, draw) = l.draw("01 02 03").await;
    assert_eq!(status, StatusCode::CREATED, "{draw}");
    let unicom = carrier_account(&l.c, &l.admin, "liantong", "unicom").await;
    let telecom = carrier_account(&l.c, &l.admin, "dianxin", "telecom").await;
    let viewer = l.c.login("viewer").await;
    let xlsx = "/api/v1/lottery/carriers/unicom/winners.xlsx";

    for (who, auth) in [
        ("telecom's account", &telecom),
        ("an admin", &l.admin),
        ("a viewer", &viewer),
    ] {
        expect_error(
            l.c.call("GET", xlsx, auth, None).await,
            StatusCode::FORBIDDEN,
            "forbidden",
            &format!("{who} may not download Unicom's winners' numbers"),
        );
    }
    let (status, headers, bytes) = l.c.raw(request("GET", xlsx, &unicom, None)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "Unicom's account downloads its own list"
    );
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let sheet = cells(&bytes);
    assert_eq!(
        sheet[1],
        [
            "序号",
            "抽奖编号",
            "中奖号码",
            "奖项",
            "发放方式",
            "状态",
            "备注"
        ]
    );
    let sim_winners: Vec<u64> = draw["pools"][1]["winners"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["entry"].as_u64().unwrap())
        .collect();
    let rows = &sheet[2..];
    assert_eq!(
        rows.len(),
        sim_winners.len(),
        "the SIM cards Unicom ships, whatever the winners' carriers; not the others' prizes"
    );
    for row in rows {
        let entry: u64 = row[1].parse().unwrap();
        assert!(sim_winners.contains(&entry), "entry {entry} won a SIM card");
        let index = usize::try_from(entry - 1).unwrap();
        assert_eq!(row[2], NUMBERS[index], "the full number of entry {entry}");
        assert_eq!(row[5], "待发放");
    }
    let audit = l.audit().await;
    let download = audit
        .iter()
        .find(|a| a["action"] == "lottery.carrier.download")
        .expect("the download is audited");
    assert_eq!(download["actor"], "user:liantong");
    assert_eq!(download["detail"]["winners"], sim_winners.len());
    assert!(!has_full_number(&serde_json::to_string(&audit).unwrap()));

    // The console sets one win's state, records a handover for another.
    let (_, wins) =
        l.c.call("GET", "/api/v1/lottery/wins", &l.admin, None)
            .await;
    let wins = wins.as_array().unwrap().clone();
    assert_eq!(wins.len(), 3 + 4 + 2, "one win per winner");
    assert!(wins.iter().all(|w| w["state"] == "pending"));
    let kettle = wins.iter().find(|w| w["delivery"] == "at_station").unwrap();
    let (status, handed) =
        l.c.call(
            "POST",
            &format!(
                "/api/v1/lottery/wins/{}/handover",
                kettle["id"].as_str().unwrap()
            ),
            &l.admin,
            Some(json!({"station": "进贤门广场", "handed_at": "2022-08-20T02:00:00Z"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{handed}");
    assert_eq!(handed["state"], "delivered");
    assert_eq!(handed["handover"]["station"], "进贤门广场");
    let pack = wins
        .iter()
        .find(|w| w["delivery"] == "carrier_credit")
        .unwrap();
    let sim = wins.iter().find(|w| w["delivery"] == "shipped").unwrap();
    for w in [pack, sim] {
        let refused = expect_error(
            l.c.call(
                "POST",
                &format!(
                    "/api/v1/lottery/wins/{}/handover",
                    w["id"].as_str().unwrap()
                ),
                &l.admin,
                Some(json!({"station": "进贤门广场", "handed_at": "2022-08-20T02:00:00Z"})),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "invalid_value",
            "a data pack or a shipped SIM card is not handed over at a station",
        );
        assert_eq!(refused["error"]["field"], "win_id", "{refused}");
    }
    let audit = l.audit().await;
    let handovers: Vec<&Value> = audit
        .iter()
        .filter(|a| a["action"] == "lottery.win.handover")
        .collect();
    assert_eq!(
        handovers.len(),
        1,
        "the handover is audited, the refused ones are not"
    );
    assert_eq!(handovers[0]["subject"], kettle["id"]);
    assert_eq!(handovers[0]["actor"], "user:admin");
    assert_eq!(handovers[0]["detail"]["station"], "进贤门广场");
    assert_eq!(handovers[0]["detail"]["entry"], kettle["entry"]);
    let (status, set) =
        l.c.call(
            "PUT",
            &format!("/api/v1/lottery/wins/{}", pack["id"].as_str().unwrap()),
            &l.admin,
            Some(json!({"state": "unreachable", "note": "三次未接"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{set}");
    assert_eq!(
        (set["state"].as_str(), set["note"].as_str()),
        (Some("unreachable"), Some("三次未接"))
    );
    let audit = l.audit().await;
    let change = audit
        .iter()
        .find(|a| a["action"] == "lottery.win.state")
        .expect("a win's state change is audited");
    assert_eq!(change["subject"], pack["id"]);
    assert_eq!(change["actor"], "user:admin");
    assert_eq!(
        (
            &change["detail"]["state"],
            &change["detail"]["note"],
            &change["detail"]["entry"]
        ),
        (&json!("unreachable"), &json!("三次未接"), &pack["entry"])
    );
    expect_error(
        l.c.call(
            "PUT",
            &format!("/api/v1/lottery/wins/{}", pack["id"].as_str().unwrap()),
            &viewer,
            Some(json!({"state": "delivered"})),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "viewers do not change wins",
    );

    // Unicom returns its sheet: two good rows, one with a state nobody knows, one naming an
    // entry that won no SIM card.
    let not_sim = (1..=NUMBERS.len() as u64)
        .find(|e| !sim_winners.contains(e))
        .unwrap();
    let returned = returned_sheet(&[
        (json!(sim_winners[0]), "已发放", "已寄出"),
        (json!(sim_winners[1]), "放弃", ""),
        (json!(sim_winners[2]), "寄丢了", ""),
        (json!(not_sim), "已发放", ""),
    ]);
    let returns = "/api/v1/lottery/carriers/unicom/returns";
    expect_error(
        upload(&l.c, returns, &telecom, returned.clone()).await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "telecom returns no Unicom sheet",
    );
    let (status, report) = upload(&l.c, returns, &unicom, returned.clone()).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["updated"], 2, "{report}");
    assert_eq!(report["unchanged"], 0, "{report}");
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{report}");
    assert_eq!(
        (errors[0]["row"].as_u64(), errors[0]["field"].as_str()),
        (Some(5), Some("state"))
    );
    assert_eq!(
        (errors[1]["row"].as_u64(), errors[1]["field"].as_str()),
        (Some(6), Some("entry"))
    );
    assert_eq!(
        (&errors[0]["code"], &errors[1]["code"]),
        (&json!("state_invalid"), &json!("no_such_win")),
        "each bad row has its code, for the console's own words: {report}"
    );
    let (status, again) = upload(&l.c, returns, &l.admin, returned).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the secretariat may apply a returned sheet too"
    );
    assert_eq!(
        (again["updated"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(2))
    );
    let (_, wins) =
        l.c.call("GET", "/api/v1/lottery/wins", &l.admin, None)
            .await;
    let state_of: HashMap<u64, (String, Value)> = wins
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["entry"].as_u64().unwrap(),
                (w["state"].as_str().unwrap().to_owned(), w["note"].clone()),
            )
        })
        .collect();
    assert_eq!(
        state_of[&sim_winners[0]],
        ("delivered".into(), json!("已寄出"))
    );
    assert_eq!(state_of[&sim_winners[1]].0, "declined");
    assert_eq!(
        state_of[&sim_winners[2]].0, "pending",
        "the bad row changed nothing"
    );
    expect_error(
        upload(&l.c, returns, &unicom, b"not a spreadsheet".to_vec()).await,
        StatusCode::BAD_REQUEST,
        "unreadable_file",
        "a file that is no spreadsheet is named as such",
    );
    assert!(
        l.audit()
            .await
            .iter()
            .any(|a| a["action"] == "lottery.carrier.returns"),
        "a returned sheet is audited"
    );

    // Once the key is gone, nobody opens a number.
    l.c.state.lottery_key().delete().unwrap();
    expect_error(
        l.c.call("GET", xlsx, &unicom, None).await,
        StatusCode::CONFLICT,
        "numbers_deleted",
        "the full numbers can no longer be opened",
    );
}

/// Promotes the reserve for a given-up win; the status and the answer.
async fn promote(l: &Lottery, win: &Value) -> (StatusCode, Value) {
    l.c.call(
        "POST",
        &format!(
            "/api/v1/lottery/wins/{}/promote",
            win["id"].as_str().unwrap()
        ),
        &l.admin,
        None,
    )
    .await
}

async fn set_state(l: &Lottery, win: &Value, state: &str) {
    let (status, body) =
        l.c.call(
            "PUT",
            &format!("/api/v1/lottery/wins/{}", win["id"].as_str().unwrap()),
            &l.admin,
            Some(json!({"state": state})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

/// Issue 12 audit, gap 2: a prize given up passes to the pool's next-ranked reserve, once;
/// the promoted reserve is on the wins, the public winners list and the carrier's list, and
/// the promotion is audited naming both entries.
#[tokio::test]
async fn a_given_up_prize_passes_to_the_next_reserve_once() {
    let mut l = lottery_world().await;
    l.pools().await;
    l.close_window().await;
    l.freeze().await;
    let (status, draw) = l.draw("01 02 03").await;
    assert_eq!(status, StatusCode::CREATED, "{draw}");
    let sim = &draw["pools"][1];
    let (_, wins) =
        l.c.call("GET", "/api/v1/lottery/wins", &l.admin, None)
            .await;
    let wins = wins.as_array().unwrap().clone();
    let sim_win = wins
        .iter()
        .find(|w| w["pool_id"] == sim["pool_id"])
        .unwrap()
        .clone();
    expect_error(
        promote(&l, &sim_win).await,
        StatusCode::CONFLICT,
        "invalid_transition",
        "a prize still pending is not given up",
    );
    set_state(&l, &sim_win, "declined").await;
    // The next reserve is the first by rank who holds no prize of this draw.
    let holders: BTreeSet<u64> = wins.iter().map(|w| w["entry"].as_u64().unwrap()).collect();
    let next = sim["reserves"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| !holders.contains(&r["entry"].as_u64().unwrap()))
        .expect("a SIM reserve holds no prize")
        .clone();
    let (status, promoted) = promote(&l, &sim_win).await;
    assert_eq!(status, StatusCode::CREATED, "{promoted}");
    assert_eq!(
        promoted["entry"], next["entry"],
        "the next-ranked free reserve"
    );
    assert_eq!(promoted["state"], "pending");
    assert_eq!(promoted["pool_id"], sim["pool_id"]);
    assert_eq!(promoted["replaces"], sim_win["id"]);
    let again = expect_error(
        promote(&l, &sim_win).await,
        StatusCode::CONFLICT,
        "duplicate",
        "a given-up prize passes on once",
    );
    assert_eq!(again["error"]["field"], "win_id");

    let (_, wins) =
        l.c.call("GET", "/api/v1/lottery/wins", &l.admin, None)
            .await;
    let wins = wins.as_array().unwrap();
    assert_eq!(wins.len(), 3 + 4 + 2 + 1, "the promoted reserve has a win");
    let released = wins.iter().find(|w| w["id"] == sim_win["id"]).unwrap();
    assert_eq!(released["replaced_by"], promoted["id"]);
    let (_, standing) =
        l.c.call("GET", "/api/v1/lottery/draw", &l.admin, None)
            .await;
    let reserve = standing["pools"][1]["reserves"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["entry"] == next["entry"])
        .unwrap();
    assert_eq!(
        reserve["win_id"], promoted["id"],
        "the draw shows the reserve's win"
    );

    let (_, public) =
        l.c.call("GET", "/api/v1/lottery/winners/public", &Auth::None, None)
            .await;
    let listed = public["pools"][1]["entries"].as_array().unwrap();
    assert_eq!(listed.len(), 4 + 1, "{public}");
    assert_eq!(
        listed[4]["entry"], next["entry"],
        "the promoted reserve follows the winners"
    );
    assert_eq!(listed[4]["reserve_rank"], next["rank"]);
    assert!(
        listed[0].get("reserve_rank").is_none(),
        "a winner has no reserve rank"
    );
    assert!(!has_full_number(&public.to_string()));

    let unicom = carrier_account(&l.c, &l.admin, "liantong", "unicom").await;
    let (status, _, bytes) =
        l.c.raw(request(
            "GET",
            "/api/v1/lottery/carriers/unicom/winners.xlsx",
            &unicom,
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    let sheet = cells(&bytes);
    let entry = next["entry"].as_u64().unwrap();
    let row = sheet[2..]
        .iter()
        .find(|r| r[1] == entry.to_string())
        .expect("Unicom's list has the promoted reserve");
    assert_eq!(row[2], NUMBERS[usize::try_from(entry - 1).unwrap()]);
    assert_eq!(row[5], "待发放");

    let audit = l.audit().await;
    let promotion = audit
        .iter()
        .find(|a| a["action"] == "lottery.win.promote")
        .expect("the promotion is audited");
    assert_eq!(promotion["subject"], promoted["id"], "{promotion}");
    assert_eq!(promotion["detail"]["given_up_entry"], sim_win["entry"]);
    assert_eq!(promotion["detail"]["promoted_entry"], next["entry"]);
    assert_eq!(promotion["actor"], "user:admin");
    assert_eq!(
        audit
            .iter()
            .filter(|a| a["action"] == "lottery.win.promote")
            .count(),
        1,
        "the refused second promotion left no trace"
    );
}

/// Issue 12 audit, gap 2: one prize per phone number — a reserve who holds another pool's
/// prize is passed over, and when only such reserves remain the prize stays unassigned.
#[tokio::test]
async fn a_reserve_who_holds_a_prize_is_passed_over() {
    let mut l = lottery_world().await;
    // Five telecom numbers registered: one wins the data pack, the other four are its
    // reserves, and two of those four win the telecom-only kettles drawn after it.
    for body in [
        json!({"name": "电信 5G 流量包", "item_id": l.data_pack, "quantity": 1,
               "reserves": 4, "carriers": ["telecom"], "delivery": "carrier_credit",
               "position": 1}),
        json!({"name": "电信 实物奖品", "item_id": l.kettle, "quantity": 2,
               "reserves": 0, "carriers": ["telecom"], "delivery": "at_station",
               "position": 2}),
    ] {
        let (status, pool) = l.pool(body).await;
        assert_eq!(status, StatusCode::CREATED, "{pool}");
    }
    l.close_window().await;
    l.freeze().await;
    let (status, draw) = l.draw("01 02 03").await;
    assert_eq!(status, StatusCode::CREATED, "{draw}");
    let drawn = entries_of(&draw);
    let (reserves, kettles) = (&drawn[0].1, &drawn[1].0);
    assert_eq!(reserves.len(), 4, "{draw}");
    assert_eq!(
        reserves.iter().filter(|r| kettles.contains(r)).count(),
        2,
        "two reserves hold kettles: {draw}"
    );
    let free: Vec<u64> = reserves
        .iter()
        .copied()
        .filter(|r| !kettles.contains(r))
        .collect();
    let (_, wins) =
        l.c.call("GET", "/api/v1/lottery/wins", &l.admin, None)
            .await;
    let mut given_up = wins
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["delivery"] == "carrier_credit")
        .unwrap()
        .clone();
    for expected in &free {
        set_state(&l, &given_up, "unreachable").await;
        let (status, promoted) = promote(&l, &given_up).await;
        assert_eq!(status, StatusCode::CREATED, "{promoted}");
        assert_eq!(
            promoted["entry"].as_u64(),
            Some(*expected),
            "the next reserve without a prize, kettle holders passed over"
        );
        given_up = promoted;
    }
    set_state(&l, &given_up, "declined").await;
    let refused = expect_error(
        promote(&l, &given_up).await,
        StatusCode::CONFLICT,
        "no_reserve_left",
        "the reserves left hold kettles: one prize per phone number",
    );
    assert!(
        refused["error"]["pool"]
            .as_str()
            .is_some_and(|p| p.contains("电信 5G 流量包")),
        "the refusal names the pool as a fact: {refused}"
    );
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("电信 5G 流量包"),
        "{refused}"
    );
}

#[tokio::test]
async fn a_carrier_account_sees_nothing_else_of_the_console() {
    let c = Central::new();
    let admin = c.login("admin").await;
    for (body, field, why) in [
        (
            json!({"role": "carrier"}),
            "carrier",
            "a carrier account names its carrier",
        ),
        (
            json!({"role": "carrier", "carrier": "other"}),
            "carrier",
            "only the three carriers",
        ),
        (
            json!({"role": "viewer", "carrier": "mobile"}),
            "carrier",
            "only carrier accounts have one",
        ),
        (
            json!({"role": "carrier", "carrier": "mobile", "unit_id": c.unit_a}),
            "unit_id",
            "a carrier account belongs to no unit",
        ),
    ] {
        let mut body = body;
        body["username"] = json!("yidong");
        body["password"] = json!(PASSWORD);
        let refused = expect_error(
            c.call("POST", "/api/v1/users", &admin, Some(body)).await,
            StatusCode::BAD_REQUEST,
            "invalid_value",
            why,
        );
        assert_eq!(refused["error"]["field"], field, "{why}");
    }
    let mobile = carrier_account(&c, &admin, "yidong", "mobile").await;
    let (status, me) = c.call("GET", "/api/v1/auth/me", &mobile, None).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["user"]["role"], "carrier");
    for path in [
        "/api/v1/campaign",
        "/api/v1/units",
        "/api/v1/dashboard",
        "/api/v1/audit",
        "/api/v1/users",
        "/api/v1/lottery/pools",
        "/api/v1/lottery/list",
        "/api/v1/lottery/wins",
        "/api/v1/lottery/draw",
        "/api/v1/exports/bulletin.xlsx",
    ] {
        expect_error(
            c.call("GET", path, &mobile, None).await,
            StatusCode::FORBIDDEN,
            "forbidden",
            &format!("a carrier account may not GET {path}"),
        );
    }
    expect_error(
        c.call("POST", "/api/v1/lottery/list/freeze", &mobile, None)
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "a carrier account changes nothing of the lottery",
    );
    expect_error(
        c.call(
            "GET",
            "/api/v1/lottery/carriers/unicom/winners.xlsx",
            &mobile,
            None,
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "Mobile's account is denied Unicom's list",
    );
    let (status, _, _) = c
        .raw(request(
            "GET",
            "/api/v1/lottery/carriers/mobile/winners.xlsx",
            &mobile,
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "its own (empty before a draw) list");
    expect_error(
        c.call(
            "GET",
            "/api/v1/lottery/carriers/other/winners.xlsx",
            &mobile,
            None,
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "other is no carrier that delivers prizes",
    );
    let (status, _) = c.call("POST", "/api/v1/auth/logout", &mobile, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "a carrier account logs out");
}

#[tokio::test]
async fn the_public_winners_list_has_masked_numbers_only() {
    let mut l = lottery_world().await;
    let (status, none) =
        l.c.call("GET", "/api/v1/lottery/winners/public", &Auth::None, None)
            .await;
    assert_eq!(
        (status, none),
        (StatusCode::OK, Value::Null),
        "nothing before a draw"
    );
    l.pools().await;
    l.close_window().await;
    let frozen = l.freeze().await;
    let (_, draw) = l.draw("01 02 03").await;
    let (status, public) =
        l.c.call("GET", "/api/v1/lottery/winners/public", &Auth::None, None)
            .await;
    assert_eq!(status, StatusCode::OK, "no login needed: {public}");
    assert_eq!(public["digest"], frozen["digest"]);
    assert_eq!(public["public_value"], "01 02 03");
    let text = public.to_string();
    assert!(!has_full_number(&text), "no full number: {text}");
    assert_eq!(
        public.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["digest", "pools", "public_value"],
        "nothing else"
    );
    let first = &public["pools"][0];
    assert_eq!(first["name"], "电信 5G 流量包");
    assert_eq!(
        first["entries"][0]["entry"], draw["pools"][0]["winners"][0]["entry"],
        "the winners in rank order"
    );
    assert!(
        first["entries"][0]["masked_phone"]
            .as_str()
            .unwrap()
            .contains("****")
    );
    assert_eq!(
        first["entries"][0].as_object().unwrap().len(),
        2,
        "entry and masked number only"
    );
}

impl Lottery {
    /// Each item's stock balances, by item id.
    async fn stock(&self) -> HashMap<String, Value> {
        let (status, body) = self.c.call("GET", "/api/v1/stock", &self.admin, None).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body.as_array()
            .unwrap()
            .iter()
            .map(|b| (b["item"]["id"].as_str().unwrap().to_owned(), b.clone()))
            .collect()
    }

    /// What the store room holds of `item`.
    async fn on_hand(&self, item: &str) -> u64 {
        self.stock().await[item]["on_hand"].as_u64().unwrap()
    }

    /// The summary's books of each item, by item id.
    async fn books(&self) -> HashMap<String, Value> {
        let (status, body) = self
            .c
            .call("GET", "/api/v1/summary", &self.admin, None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["gifts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| (g["item"]["id"].as_str().unwrap().to_owned(), g.clone()))
            .collect()
    }

    /// The ledger's prize movements (kind, win), oldest first.
    async fn prize_movements(&self) -> Vec<(String, String)> {
        let (status, body) = self
            .c
            .call("GET", "/api/v1/stock/ledger?limit=1000", &self.admin, None)
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body.as_array()
            .unwrap()
            .iter()
            .filter(|e| e["win_id"].is_string())
            .map(|e| {
                (
                    e["kind"].as_str().unwrap().to_owned(),
                    e["win_id"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    /// Writes `quantity` of `item` off straight into the ledger, past the rules (as an older
    /// central's write-off, or a hand edit, would have left the stock).
    fn lost_behind_the_ledger(&self, item: &str, quantity: u32) {
        let changed = self
            .c
            .database
            .execute(&format!(
                "INSERT INTO stock_ledger (id, item_id, kind, quantity, note, actor, created_at) \
                 VALUES ('{}', '{item}', 'write_off', {quantity}, '丢失', 'admin', \
                 '2022-08-20T00:00:00Z')",
                uuid::Uuid::now_v7(),
            ))
            .unwrap();
        assert_eq!(changed, 1, "one write-off row");
    }

    async fn write_off(&self, item: &str, quantity: u32) -> (StatusCode, Value) {
        self.c
            .call(
                "POST",
                "/api/v1/stock/write-offs",
                &self.admin,
                Some(json!({"item_id": item, "quantity": quantity, "note": "受潮损坏"})),
            )
            .await
    }

    async fn put_state(&self, win: &Value, state: &str) -> (StatusCode, Value) {
        self.c
            .call(
                "PUT",
                &format!("/api/v1/lottery/wins/{}", win["id"].as_str().unwrap()),
                &self.admin,
                Some(json!({"state": state})),
            )
            .await
    }

    async fn handover(&self, win: &Value) -> (StatusCode, Value) {
        self.c
            .call(
                "POST",
                &format!(
                    "/api/v1/lottery/wins/{}/handover",
                    win["id"].as_str().unwrap()
                ),
                &self.admin,
                Some(json!({"station": "进贤门广场", "handed_at": "2022-08-20T02:00:00Z"})),
            )
            .await
    }

    /// The standing draw's wins.
    async fn wins(&self) -> Vec<Value> {
        let (status, wins) = self
            .c
            .call("GET", "/api/v1/lottery/wins", &self.admin, None)
            .await;
        assert_eq!(status, StatusCode::OK, "{wins}");
        wins.as_array().unwrap().clone()
    }
}

/// Issue 12 × issue 13 ("every gift accounted for"): a win set to 已发放 — in the console, by
/// a carrier's returned sheet, by a handover at a station — takes its prize out of the stock
/// in the same transaction, once however often it is said; the summary's books count it as
/// delivered to a winner, not lost; the pools' promise falls with it, so what a write-off may
/// take is what it was; and a delivery the stock cannot cover is refused.
#[tokio::test]
async fn a_delivered_prize_leaves_the_stock_once_and_the_books_balance() {
    let mut l = lottery_world().await;
    l.pools().await;
    l.close_window().await;
    l.freeze().await;
    let (status, draw) = l.draw("01 02 03").await;
    assert_eq!(status, StatusCode::CREATED, "{draw}");
    let unicom = carrier_account(&l.c, &l.admin, "liantong", "unicom").await;
    let before = l.stock().await;
    let on_hand_before = |item: &str| before[item]["on_hand"].as_u64().unwrap();
    assert_eq!(
        [&l.data_pack, &l.sim_card, &l.kettle].map(|i| on_hand_before(i)),
        [5, 4, 2],
        "the draw itself moves no stock"
    );
    let wins = l.wins().await;
    let of = |delivery: &str| -> Vec<Value> {
        wins.iter()
            .filter(|w| w["delivery"] == delivery)
            .cloned()
            .collect()
    };
    let (packs, sims, kettles) = (of("carrier_credit"), of("shipped"), of("at_station"));

    // Three ways: the console, a handover at a station, Unicom's returned sheet.
    let (status, body) = l.put_state(&packs[0], "delivered").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = l.handover(&kettles[0]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let returned = returned_sheet(&[(sims[0]["entry"].clone(), "已发放", "已寄出")]);
    let returns = "/api/v1/lottery/carriers/unicom/returns";
    let (status, report) = upload(&l.c, returns, &unicom, returned.clone()).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["updated"], 1, "{report}");
    let delivered_ids = BTreeSet::from(
        [&packs[0], &kettles[0], &sims[0]].map(|w| w["id"].as_str().unwrap().to_owned()),
    );
    let movements = l.prize_movements().await;
    assert_eq!(
        movements
            .iter()
            .map(|(_, w)| w.clone())
            .collect::<BTreeSet<_>>(),
        delivered_ids,
        "one movement per delivered win, naming it: {movements:?}"
    );
    assert!(movements.iter().all(|(k, _)| k == "prize_delivered"));

    // Said again: the same sheet, the same state, a handover after the state — nothing moves.
    let (status, again) = upload(&l.c, returns, &unicom, returned).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(
        (again["updated"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(1)),
        "{again}"
    );
    let (status, body) = l.put_state(&packs[0], "delivered").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = l.put_state(&kettles[0], "delivered").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = l.handover(&kettles[0]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        l.prize_movements().await.len(),
        3,
        "a win's prize leaves the stock once, however often its delivery is said"
    );
    let after = l.stock().await;
    let dropped: u64 = [&l.data_pack, &l.sim_card, &l.kettle]
        .iter()
        .map(|i| on_hand_before(i) - after[i.as_str()]["on_hand"].as_u64().unwrap())
        .sum();
    assert_eq!(dropped, 3, "three prizes delivered, three fewer on hand");
    for item in [&l.data_pack, &l.sim_card, &l.kettle] {
        assert_eq!(
            after[item.as_str()]["delivered_to_winners"],
            1,
            "{}",
            after[item.as_str()]
        );
    }

    // The summary's books: delivered to winners, not lost; every prize accounted for.
    let books = l.books().await;
    let mut delivered = 0;
    for item in [&l.data_pack, &l.sim_card, &l.kettle] {
        let g = &books[item.as_str()];
        let n = |k: &str| g[k].as_u64().unwrap();
        delivered += n("delivered_to_winners");
        assert_eq!(n("written_off"), 0, "no prize written off by hand: {g}");
        assert_eq!(
            n("received"),
            n("handed_out")
                + n("written_off")
                + n("delivered_to_winners")
                + n("with_plans")
                + n("on_hand"),
            "every prize accounted for: {g}"
        );
        assert_eq!(g["balanced"], true, "{g}");
    }
    assert_eq!(delivered, 3, "the summary counts the three deliveries");

    // The promise fell with the stock: of the 4 data packs left, 2 are still promised (3 in
    // the pool, 1 delivered): 2 may be written off, as before any delivery, and no more.
    let (status, body) = l.write_off(&l.data_pack, 2).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the 2 nobody is promised go: {body}"
    );
    expect_error(
        l.write_off(&l.data_pack, 1).await,
        StatusCode::CONFLICT,
        "insufficient_stock",
        "the 2 left are promised to the pool's undelivered winners",
    );
    expect_error(
        l.write_off(&l.sim_card, 1).await,
        StatusCode::CONFLICT,
        "insufficient_stock",
        "3 SIM cards on hand, 3 still promised",
    );

    // A delivery set back by mistake puts the prize back, and is promised again.
    let (status, body) = l.put_state(&packs[0], "pending").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(l.on_hand(&l.data_pack).await, 3);
    let movements = l.prize_movements().await;
    assert_eq!(
        movements.last(),
        Some(&(
            "prize_delivery_void".to_owned(),
            packs[0]["id"].as_str().unwrap().to_owned()
        )),
        "{movements:?}"
    );
    expect_error(
        l.write_off(&l.data_pack, 1).await,
        StatusCode::CONFLICT,
        "insufficient_stock",
        "the prize back on hand is promised again",
    );
    let (status, body) = l.put_state(&packs[0], "delivered").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(l.on_hand(&l.data_pack).await, 2);
    assert_eq!(
        l.books().await[l.data_pack.as_str()]["delivered_to_winners"],
        1,
        "delivered, set back, delivered again: one prize out"
    );

    // The last kettle goes missing behind the ledger's back (as an older central's write-off
    // would leave it): the second kettle's winner cannot be handed one that is not there.
    l.lost_behind_the_ledger(&l.kettle, 1);
    for (how, answer) in [
        ("a handover", l.handover(&kettles[1]).await),
        ("the console", l.put_state(&kettles[1], "delivered").await),
    ] {
        let refused = expect_error(
            answer,
            StatusCode::CONFLICT,
            "insufficient_stock",
            &format!("{how} delivers no kettle the store room does not hold"),
        );
        assert_eq!(refused["error"]["field"], "state", "{refused}");
    }
    let kettle = l
        .wins()
        .await
        .into_iter()
        .find(|w| w["id"] == kettles[1]["id"])
        .unwrap();
    assert_eq!(
        kettle["state"], "pending",
        "the refused delivery changed nothing"
    );
    // So do the SIM cards, all three left: a returned sheet's delivery of one is a row it
    // reports, not a stock below zero.
    l.lost_behind_the_ledger(&l.sim_card, 3);
    let short = returned_sheet(&[(sims[1]["entry"].clone(), "已发放", "")]);
    let (status, report) = upload(&l.c, returns, &unicom, short).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["updated"], 0, "{report}");
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(
        (
            errors.len(),
            errors[0]["row"].as_u64(),
            errors[0]["field"].as_str()
        ),
        (1, Some(3), Some("state")),
        "the row is reported: {report}"
    );
    assert!(
        errors[0]["reason"]
            .as_str()
            .unwrap()
            .contains("no 联通 70G 流量卡 is on hand"),
        "{report}"
    );
    assert_eq!(
        (&errors[0]["code"], &errors[0]["value"]),
        (&json!("no_prize_on_hand"), &json!("联通 70G 流量卡")),
        "{report}"
    );
    assert_eq!(
        l.prize_movements().await.len(),
        5,
        "3 deliveries, a void, a redelivery"
    );
    let books = l.books().await;
    assert!(
        [&l.data_pack, &l.sim_card, &l.kettle]
            .iter()
            .all(|i| books[i.as_str()]["balanced"] == true),
        "{books:?}"
    );
}

/// Prizes delivered from a draw that is then voided are gone: a new draw re-checks its pools
/// against what is on hand without them (the same count the pools' own check and the
/// write-offs use), so it draws a pool that the stock still covers and refuses, naming it,
/// one it no longer does until the pool shrinks.
#[tokio::test]
async fn the_draw_rechecks_the_stock_after_prizes_are_delivered() {
    let mut l = lottery_world().await;
    let pools = l.pools().await;
    l.close_window().await;
    l.freeze().await;
    let (status, draw) = l.draw("01 02 03").await;
    assert_eq!(status, StatusCode::CREATED, "{draw}");
    let wins = l.wins().await;
    let first = |delivery: &str| wins.iter().find(|w| w["delivery"] == delivery).unwrap();
    for w in [first("carrier_credit"), first("shipped")] {
        let (status, body) = l.put_state(w, "delivered").await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert_eq!(
        (l.on_hand(&l.data_pack).await, l.on_hand(&l.sim_card).await),
        (4, 3)
    );
    let (status, body) =
        l.c.call(
            "POST",
            &format!(
                "/api/v1/lottery/draws/{}/void",
                draw["id"].as_str().unwrap()
            ),
            &l.admin,
            Some(json!({"reason": "公证员未到场"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        l.on_hand(&l.sim_card).await,
        3,
        "voiding the draw does not bring a delivered prize back"
    );
    // The data packs (4 on hand, 3 in the pool) pass; the SIM cards (3 on hand, 4) do not.
    let refused = expect_error(
        l.draw("04 05 06").await,
        StatusCode::CONFLICT,
        "pool_over_stock",
        "a new draw promises only prizes still on hand",
    );
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("联通 70G 流量卡") && message.contains("only 3"),
        "the refusal names the SIM pool, not the data packs': {refused}"
    );
    let sim_pool = &pools[1];
    let path = format!("/api/v1/lottery/pools/{}", sim_pool["id"].as_str().unwrap());
    let mut body = sim_pool.clone();
    body.as_object_mut().unwrap().remove("id");
    body["quantity"] = json!(4);
    expect_error(
        l.c.call("PUT", &path, &l.admin, Some(body.clone())).await,
        StatusCode::CONFLICT,
        "insufficient_stock",
        "the pool's own check counts the same stock",
    );
    body["quantity"] = json!(3);
    let (status, updated) = l.c.call("PUT", &path, &l.admin, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    let (status, redrawn) = l.draw("04 05 06").await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "the stock covers every pool now: {redrawn}"
    );
    let (status, body) = l.write_off(&l.data_pack, 1).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "4 data packs on hand, 3 promised by the new draw: {body}"
    );
    expect_error(
        l.write_off(&l.data_pack, 1).await,
        StatusCode::CONFLICT,
        "insufficient_stock",
        "the new draw's 3 are promised",
    );
}

/// Migration 0016 on a central that delivered prizes before it: each win already 已发放 gets
/// its prize's movement, dated when it was delivered, so the books are right from the
/// upgrade on; and the use cases agree with what it posted (the state said again moves
/// nothing). The database is put back to its shape before 0016 through the side door: the
/// prize rows gone, on PostgreSQL the ledger's `win_id` too (SQLite's rebuild copies no such
/// column), the migration unrecorded; opening it again migrates.
#[tokio::test]
async fn wins_delivered_before_the_upgrade_get_their_movement() {
    let mut l = lottery_world().await;
    l.pools().await;
    l.close_window().await;
    l.freeze().await;
    let (status, draw) = l.draw("01 02 03").await;
    assert_eq!(status, StatusCode::CREATED, "{draw}");
    let wins = l.wins().await;
    let pack = wins
        .iter()
        .find(|w| w["delivery"] == "carrier_credit")
        .unwrap();
    let kettle = wins.iter().find(|w| w["delivery"] == "at_station").unwrap();
    let (status, body) = l.put_state(pack, "delivered").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    l.c.advance(Duration::hours(2));
    let (status, body) = l.handover(kettle).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let side = &l.c.database;
    side.execute("DELETE FROM stock_ledger WHERE win_id IS NOT NULL")
        .unwrap();
    if fieldpost_central::testkit::TestDatabase::is_postgres() {
        side.execute("ALTER TABLE stock_ledger DROP COLUMN win_id")
            .unwrap();
    }
    side.execute("DELETE FROM schema_migrations WHERE version = 16")
        .unwrap();
    assert_eq!(
        (l.on_hand(&l.data_pack).await, l.on_hand(&l.kettle).await),
        (5, 2),
        "before 0016 a delivered prize stayed on hand"
    );

    let upgraded = fieldpost_central::testkit::TestDatabase::open(l.c.dir.path()).unwrap();
    let db = upgraded.db.as_ref();
    let stock: HashMap<String, (u64, u64)> = fieldpost_central::stock::stock(db)
        .unwrap()
        .into_iter()
        .map(|b| (b.item.id.to_string(), (b.on_hand, b.delivered_to_winners)))
        .collect();
    assert_eq!(
        (stock[&l.data_pack], stock[&l.kettle], stock[&l.sim_card]),
        ((4, 1), (1, 1), (4, 0)),
        "each delivered win's prize has left the stock, and only those"
    );
    let rows = upgraded
        .rows(
            "SELECT id, win_id, kind, actor FROM stock_ledger WHERE win_id IS NOT NULL \
             ORDER BY seq",
        )
        .unwrap();
    let id = |w: &Value| Some(w["id"].as_str().unwrap().to_owned());
    assert_eq!(
        rows,
        [pack, kettle].map(|w| vec![
            id(w),
            id(w),
            Some("prize_delivered".to_owned()),
            Some("system:migration".to_owned())
        ]),
        "one movement per win, in delivery order, the win's id its own"
    );
    let actor = fieldpost_central::audit::Actor::System("test");
    for w in [pack, kettle] {
        let win_id = w["id"].as_str().unwrap().parse().unwrap();
        fieldpost_central::draw::wins::set_state(
            db,
            &actor,
            l.c.now(),
            win_id,
            fieldpost_central::draw::WinState::Delivered,
            None,
        )
        .unwrap();
    }
    assert_eq!(
        upgraded
            .int("SELECT COUNT(*) FROM stock_ledger WHERE win_id IS NOT NULL")
            .unwrap(),
        2,
        "the use cases count the migration's movements: setting the state again moves nothing"
    );
}

/// Every route of the draw once, with a request it accepts, on `c` (for the OpenAPI test's
/// walk over the whole table): an entrant, a pool, the freeze, a draw and its wins, a carrier's
/// list out and back, the public list, a void. Moves the clock past the collection window, so
/// returns the admin's new session.
pub(crate) async fn walk_every_route(c: &Central) -> Auth {
    async fn ok(c: &Central, method: &str, path: &str, auth: &Auth, body: Option<Value>) -> Value {
        let (status, body) = c.call(method, &format!("/api/v1{path}"), auth, body).await;
        assert!(
            status.is_success(),
            "{method} {path} must succeed: {status} {body}"
        );
        body
    }
    let admin = c.login("admin").await;
    let key = c.lottery_public_key();
    let mut t = Tablet::enroll(c, c.unit_b, "乙 抽奖").await;
    let plan = approved_plan(c, c.unit_b, &[(t.id, 1)]);
    let open = t.open_session(plan);
    let first = entrant(&mut t, &key, NUMBERS[2], 10);
    let second = entrant(&mut t, &key, NUMBERS[5], 11);
    let third = entrant(&mut t, &key, NUMBERS[8], 12);
    push(c, &t, &[open, first, second, third]).await;
    let item = prize(c, &admin, "walk_sim", "联通流量卡", 3).await;
    let kettle = prize(c, &admin, "walk_gift", "实物奖品", 1).await;
    // Two reserves: the kettle drawn after the SIM card takes at most one of them, so the
    // other can be promoted.
    let gift = json!({"name": "实物奖品", "item_id": kettle, "quantity": 1, "reserves": 0,
                      "carriers": ["unicom"], "delivery": "at_station", "position": 2});
    ok(c, "POST", "/lottery/pools", &admin, Some(gift)).await;
    let body = json!({"name": "联通 70G 流量卡", "item_id": item, "quantity": 1, "reserves": 2,
                      "carriers": ["unicom"], "delivery": "shipped", "delivered_by": "unicom",
                      "position": 1});
    let pool = ok(c, "POST", "/lottery/pools", &admin, Some(body.clone())).await;
    let pool_id = pool["id"].as_str().unwrap().to_owned();
    ok(
        c,
        "PUT",
        &format!("/lottery/pools/{pool_id}"),
        &admin,
        Some(body),
    )
    .await;
    ok(c, "GET", "/lottery/pools", &admin, None).await;
    c.advance(Duration::days(11));
    let admin = c.login("admin").await;
    ok(c, "POST", "/lottery/list/freeze", &admin, None).await;
    ok(c, "GET", "/lottery/list", &admin, None).await;
    let (status, _, _) = c
        .raw(request("GET", "/api/v1/lottery/list.csv", &admin, None))
        .await;
    assert_eq!(status, StatusCode::OK);
    let value = json!({"public_value": "01 02 03", "value_source": "福彩3D 2022年第223期"});
    let draw = ok(c, "POST", "/lottery/draws", &admin, Some(value)).await;
    ok(c, "GET", "/lottery/draw", &admin, None).await;
    ok(c, "GET", "/lottery/draws", &admin, None).await;
    let wins = ok(c, "GET", "/lottery/wins", &admin, None).await;
    let of = |delivery: &str| {
        wins.as_array()
            .unwrap()
            .iter()
            .find(|w| w["delivery"] == delivery)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (win, gift_win) = (of("shipped"), of("at_station"));
    ok(
        c,
        "PUT",
        &format!("/lottery/wins/{win}"),
        &admin,
        Some(json!({"state": "pending", "note": "已短信通知"})),
    )
    .await;
    ok(
        c,
        "POST",
        &format!("/lottery/wins/{gift_win}/handover"),
        &admin,
        Some(json!({"station": "进贤门广场", "handed_at": "2022-08-20T02:00:00Z"})),
    )
    .await;
    ok(
        c,
        "PUT",
        &format!("/lottery/wins/{win}"),
        &admin,
        Some(json!({"state": "declined"})),
    )
    .await;
    ok(
        c,
        "POST",
        &format!("/lottery/wins/{win}/promote"),
        &admin,
        None,
    )
    .await;
    let unicom = carrier_account(c, &admin, "walk_unicom", "unicom").await;
    let (status, _, bytes) = c
        .raw(request(
            "GET",
            "/api/v1/lottery/carriers/unicom/winners.xlsx",
            &unicom,
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, report) = upload(
        c,
        "/api/v1/lottery/carriers/unicom/returns",
        &unicom,
        bytes.to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    ok(c, "GET", "/lottery/winners/public", &Auth::None, None).await;
    ok(
        c,
        "POST",
        &format!("/lottery/draws/{}/void", draw["id"].as_str().unwrap()),
        &admin,
        Some(json!({"reason": "演示"})),
    )
    .await;
    admin
}

/// A wire timestamp as an instant (the central may write `Z` or `+00:00`).
fn parse_instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}
