//! Issue #2: a handout the station confirmed survives the process being killed mid-loop.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use fieldpost_domain::{EventPayload, HandoutId};
use fieldpost_station::Station;

#[test]
fn sigkill_mid_loop_loses_no_confirmed_handout_and_leaves_no_gap() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("station.sqlite");
    let mut child = Command::new(env!("CARGO_BIN_EXE_handout-loop"))
        .arg(&db)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert_eq!(
        lines.next().unwrap().unwrap(),
        "ready",
        "the child set up its station"
    );
    let mut confirmed = Vec::new();
    for line in lines.by_ref().take(300) {
        confirmed.push(line.unwrap().parse::<HandoutId>().unwrap());
    }
    // SIGKILL (Child::kill on Unix): no destructor, no clean close of the database.
    child.kill().unwrap();
    child.wait().unwrap();
    // The child may have confirmed a few more between our last read and the kill.
    for line in lines.map_while(Result::ok) {
        confirmed.push(line.parse().unwrap());
    }
    assert!(
        confirmed.len() >= 300,
        "the loop ran long enough to be killed mid-flight"
    );

    let station = Station::open(&db, fieldpost_tests::device_key_path(&db)).unwrap();
    let events = station.events().unwrap();
    let stored: HashSet<HandoutId> = events
        .iter()
        .filter_map(|e| match &e.payload {
            EventPayload::HandoutRecorded { handout } => Some(handout.id),
            _ => None,
        })
        .collect();
    for id in &confirmed {
        assert!(
            stored.contains(id),
            "confirmed handout {id} must survive the kill"
        );
    }
    assert!(
        stored.len() <= confirmed.len() + 1,
        "at most the one in flight at the kill may exist unconfirmed ({} stored, {} confirmed)",
        stored.len(),
        confirmed.len()
    );
    for (i, e) in events.iter().enumerate() {
        assert_eq!(
            e.seq,
            i as u64 + 1,
            "outbox seqs stay 1, 2, 3 … without gaps after the kill"
        );
    }
    let session = station
        .open_session_id()
        .unwrap()
        .expect("the session is still open");
    let summary = station.session_summary(session).unwrap();
    assert_eq!(
        summary.handouts[0].quantity,
        stored.len() as u64,
        "the session's tally agrees with the handout events"
    );
    let grants = station.remaining_grants(summary.session.plan_id).unwrap();
    assert_eq!(
        grants[0].position.handed_out,
        stored.len() as u64,
        "the escrow counter committed with each handout, never apart from it"
    );
}
