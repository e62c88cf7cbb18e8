//! The demo seed: from the source document, idempotent, and served by the binary.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use chrono::{TimeZone, Utc};
use fieldpost_central::demo::{self, ITEMS, TARGET, UNITS};
use fieldpost_central::testkit::{Backend, Direct, TestDatabase};
use fieldpost_central::{campaign, records};
use fieldpost_domain::PlanStatus;

#[test]
fn illustrative_quotas_sum_exactly_to_the_target() {
    let total: u32 = UNITS
        .iter()
        .flat_map(|(_, _, us)| us.iter().map(|(_, q)| q))
        .sum();
    assert_eq!(total, TARGET, "the quotas split the 50,000 target exactly");
    let codes: Vec<&str> = UNITS.iter().map(|(c, _, _)| *c).collect();
    for needed in [
        "qiao",
        "volunteer",
        "township",
        "carrier",
        "media",
        "school",
        "hospital",
        "bank",
    ] {
        assert!(
            codes.contains(&needed),
            "the document's {needed} section is seeded"
        );
    }
    let stock: Vec<(&str, u32)> = ITEMS.iter().map(|(c, _, _, _, _, q)| (*c, *q)).collect();
    assert!(stock.contains(&("mask", 10_000)), "10,000 donated masks");
    assert!(
        stock.contains(&("telecom_prize", 80)),
        "Telecom's 80 physical prizes"
    );
    for prize in ["telecom_5g", "mobile_pack", "unicom_card"] {
        assert!(
            stock.contains(&(prize, 1_000)),
            "{prize}: 1,000 as the document lists"
        );
    }
}

#[test]
fn a_seed_refused_anywhere_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let now = Utc.with_ymd_and_hms(2022, 8, 7, 0, 0, 0).unwrap();
    let database = TestDatabase::open(dir.path()).unwrap();
    let store = database.db.as_ref();
    let mut seed = demo::seed("hash".into());
    // The last part of a seed to be written: a user confined to a unit that does not exist.
    let mut user = seed.users[0].clone();
    user.user.id = uuid::Uuid::now_v7();
    user.user.username = "stray".into();
    user.user.unit_id = Some(fieldpost_domain::UnitId::new());
    seed.users.push(user);
    let refused = fieldpost_central::seed::apply_seed(store, now, &seed);
    assert!(
        matches!(
            refused,
            Err(fieldpost_central::seed::SeedError::User(
                fieldpost_central::users::CreateUserError::NoSuchUnit
            ))
        ),
        "the user's unknown unit refuses the seed: {refused:?}"
    );
    assert!(
        !fieldpost_central::seed::seeded(store, demo::SEED_NAME).unwrap(),
        "a refused seed is not marked applied, so the next start tries again"
    );
    assert_eq!(
        campaign::campaign(store).unwrap(),
        None,
        "a seed is one transaction: the campaign written before the refusal is rolled back"
    );
    assert!(
        campaign::units(store, None).unwrap().is_empty(),
        "and so are its units"
    );
}

#[test]
fn seeding_twice_seeds_once_and_keeps_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let now = Utc.with_ymd_and_hms(2022, 8, 7, 0, 0, 0).unwrap();
    let database = TestDatabase::open(dir.path()).unwrap();
    let store = database.db.as_ref();
    let first = demo::start(store, dir.path(), now).unwrap();
    assert!(first.seeded, "the first start seeds");
    let password = first.password.clone().expect("a generated password");
    let records = records::records(store).unwrap();
    assert_eq!(
        records.totals.quota,
        u64::from(TARGET),
        "the seeded quotas sum to the target"
    );
    assert!(records.totals.collected > 0, "the demo shows some progress");
    assert_eq!(
        records.campaign.campaign.collection_start,
        Utc.with_ymd_and_hms(2022, 8, 3, 1, 0, 0).unwrap(),
        "collection opens 2022-08-03 09:00 China time"
    );
    assert_eq!(
        records.campaign.campaign.collection_end,
        Utc.with_ymd_and_hms(2022, 8, 12, 16, 0, 0).unwrap(),
        "and closes 08-12 24:00 China time"
    );
    let plans = store.plans(None, None).unwrap();
    // A restart: the same data directory opened again (the same PostgreSQL database).
    let again = TestDatabase::open(dir.path()).unwrap();
    let store = again.db.as_ref();
    let second = demo::start(store, dir.path(), now).unwrap();
    assert!(!second.seeded, "a restart seeds nothing");
    assert_eq!(
        second.password.as_deref(),
        Some(password.as_str()),
        "the same login works"
    );
    assert_eq!(
        store.plans(None, None).unwrap(),
        plans,
        "plans are neither lost nor doubled"
    );
    assert_eq!(
        campaign::units(store, None).unwrap().len(),
        records.units.len(),
        "units are not doubled"
    );
    let stock = store.stock().unwrap();
    assert_eq!(stock[0].received, 10_000, "masks were received once");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&second.password_file)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "the password file is private to its owner"
        );
    }
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary in demo mode on the tests' database (`--database` when it is
/// PostgreSQL, else the data directory's SQLite file) and reads its start-up lines up to the
/// admin login.
fn start(dir: &std::path::Path, database: &TestDatabase) -> (Server, Vec<String>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_fieldpost-server"));
    cmd.args(["--demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(dir);
    if let Backend::Postgres(url) = &database.backend {
        cmd.args(["--database", url]);
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        let done = line.starts_with("admin login:");
        lines.push(line);
        if done {
            break;
        }
    }
    (server, lines)
}

fn line<'a>(lines: &'a [String], prefix: &str) -> &'a str {
    lines
        .iter()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no {prefix:?} line in {lines:?}"))
        .trim()
}

#[tokio::test]
async fn the_binary_prints_the_api_and_the_login_and_serves_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::open(dir.path()).unwrap();
    let (server, lines) = start(dir.path(), &database);
    let api = line(&lines, "api:").to_owned();
    assert!(api.starts_with("http://127.0.0.1:"), "loopback only: {api}");
    let login = line(&lines, "admin login:").to_owned();
    let (user, password) = login.split_once(" / ").expect("user / password");
    let client = {
        fieldpost_sync::client::install_crypto_provider();
        reqwest::Client::new()
    };
    let res = client
        .post(format!("{api}/auth/login"))
        .json(&serde_json::json!({"username": user, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the printed login works");
    let cookie = res.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let records: serde_json::Value = client
        .get(format!("{api}/records"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        records["totals"]["target"], 50_000,
        "the Jieyang 2022 target"
    );
    assert_eq!(
        records["totals"]["quota"], 50_000,
        "quotas sum to the target"
    );
    drop(server);

    let (_server, again) = start(dir.path(), &database);
    assert!(
        again.iter().any(|l| l.contains("already seeded")),
        "a restart says it seeded nothing: {again:?}"
    );
    assert_eq!(
        line(&again, "admin login:"),
        login,
        "and prints the same login"
    );
}

/// The station app opened against the demo needs a plan it can open a session under today,
/// whatever the day: each start adds one for the demo unit if none covers now, and only once.
#[test]
fn every_start_has_an_approved_plan_for_today_and_adds_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let database = TestDatabase::open(dir.path()).unwrap();
    let store = database.db.as_ref();
    for now in [
        Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 11, 28, 5, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2026, 11, 29, 13, 30, 0).unwrap(),
    ] {
        demo::start(store, dir.path(), now).unwrap();
        let unit = campaign::units(store, None)
            .unwrap()
            .into_iter()
            .find(|u| u.name == demo::TODAY_UNIT)
            .unwrap();
        let today: Vec<_> = store
            .plans(Some(unit.id), Some(PlanStatus::Approved))
            .unwrap()
            .into_iter()
            .filter(|p| p.starts_at <= now && now < p.ends_at)
            .collect();
        assert_eq!(today.len(), 1, "exactly one approved plan covers {now}");
        assert!(
            !today[0].allocation.is_empty(),
            "with gifts allocated, for the tablet's grant"
        );
    }
    let added = store
        .plans(None, None)
        .unwrap()
        .into_iter()
        .filter(|p| p.title.starts_with("演示"))
        .count();
    assert_eq!(
        added, 2,
        "two days, two plans: the second start of a day added none"
    );
}

/// A PostgreSQL database that is not there, or a connection string that is not one, stops the
/// server at start with a line saying so, before it listens.
#[test]
fn an_unreachable_or_malformed_database_is_named_at_start() {
    let dir = tempfile::tempdir().unwrap();
    for (url, why) in [
        (
            "host=/nonexistent/fieldpost dbname=fieldpost",
            "cannot connect to PostgreSQL",
        ),
        (
            "postgres://fieldpost@:bad:port/x",
            "not a PostgreSQL connection string",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_fieldpost-server"))
            .args(["--listen", "127.0.0.1:0", "--database", url, "--data-dir"])
            .arg(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{url}: the server does not start");
        assert!(
            stderr.contains("opening the PostgreSQL database") && stderr.contains(why),
            "{url}: says {why:?}: {stderr}"
        );
        assert!(
            !String::from_utf8_lossy(&out.stdout).contains("api:"),
            "{url}: nothing is served"
        );
    }
}
