//! Issue 12 across the real central: a tablet learns the lottery's terms and key by pull,
//! registers entrants with the carrier they confirmed, and the central opens the sealed
//! numbers; a copy of the tablet's store, taken before and after that sync, holds neither a
//! registered number nor the device token, and the acknowledged events keep no seal.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use fieldpost_central::plans::DeviceShare;
use fieldpost_domain::*;
use fieldpost_station::lottery::EntrantInput;
use fieldpost_station::sync_loop::{SyncConfig, sync_once};
use fieldpost_sync::client::Client;
use fieldpost_tests::central::{TestCentral, approved_plan, enroll_station};

const MOVED: &str = "13812345678";
const STAYED: &str = "13398765432";

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    text.encode_utf16()
        .flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        })
        .collect()
}

/// The store's files as a copy of its directory takes them (WAL included), searched byte by
/// byte for each secret as ASCII and UTF-16; `shown` must be found (the search works).
fn assert_copy_reveals_none(store: &Path, shown: &str, secrets: &[&str], when: &str) {
    let copies: Vec<Vec<u8>> = ["", "-wal", "-shm"]
        .iter()
        .map(|s| PathBuf::from(format!("{}{s}", store.display())))
        .filter(|p| p.exists())
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    assert!(
        copies.iter().any(|c| contains(c, shown.as_bytes())),
        "{when}: the copy holds what the tablet shows ({shown})"
    );
    for bytes in &copies {
        for secret in secrets {
            for needle in [
                secret.as_bytes().to_vec(),
                utf16(secret, false),
                utf16(secret, true),
            ] {
                assert!(
                    !contains(bytes, &needle),
                    "{when}: the copy holds {secret:?}"
                );
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entrants_reach_the_central_sealed_and_leave_no_number_or_token_on_the_tablet() {
    let dir = tempfile::tempdir().unwrap();
    let central = TestCentral::start(&dir.path().join("central"))
        .await
        .unwrap();
    let world = central.seed(1_000, 10).unwrap();
    let store = dir.path().join("tablet.sqlite");
    let station = enroll_station(
        central.store.as_ref(),
        &central.url(),
        world.unit_id,
        &store,
        "侨联 1号平板",
    )
    .await
    .unwrap();
    let identity = station.identity().unwrap().unwrap();
    let token = identity.token.clone();
    approved_plan(
        central.store.as_ref(),
        world.unit_id,
        &[ItemQuantity {
            item_id: world.mask,
            quantity: 10,
        }],
        &[DeviceShare {
            device_id: identity.device_id,
            item_id: world.mask,
            quantity: 10,
        }],
    )
    .unwrap();
    let station = Arc::new(Mutex::new(station));
    let client = Client::new(&central.url(), Some(token.clone())).unwrap();
    let config = SyncConfig::default();
    sync_once(&station, &client, &config).await.unwrap();

    let (plan, terms) = {
        let s = station.lock().unwrap();
        let plan = s
            .todays_plans()
            .unwrap()
            .pop()
            .expect("the plan came by pull");
        let terms = s
            .lottery_terms()
            .unwrap()
            .expect("the central's terms came by pull");
        (plan, terms)
    };
    assert!(terms.registration_open, "the seeded lottery takes entrants");
    {
        let mut s = station.lock().unwrap();
        let session = s.open_session(plan.id, "进贤门广场", &[]).unwrap().id;
        // 138 is 移动's range; this entrant moved to 联通 (携号转网) and says so.
        let receipt = s
            .register_entrant(&EntrantInput {
                session_id: session,
                phone: MOVED.into(),
                carrier: Carrier::Unicom,
                consent_text_version: Some(terms.consent_version.clone()),
            })
            .unwrap();
        assert_eq!(receipt.carrier, Carrier::Unicom);
        s.register_entrant(&EntrantInput {
            session_id: session,
            phone: STAYED.into(),
            carrier: fieldpost_station::lottery::suggested_carrier(STAYED).unwrap(),
            consent_text_version: Some(terms.consent_version.clone()),
        })
        .unwrap();
    }
    let secrets = [MOVED, STAYED, token.as_str()];
    assert_copy_reveals_none(&store, "138****5678", &secrets, "before the sync");

    let report = sync_once(&station, &client, &config).await.unwrap();
    assert!(report.pushed >= 2, "the entrants went up: {report:?}");
    let status = station.lock().unwrap().sync_status().unwrap();
    assert_eq!(status.pending, 0, "everything acknowledged");
    assert!(
        status.quarantined.is_empty(),
        "the central opened both seals: {:?}",
        status.quarantined
    );
    let list = fieldpost_central::lottery::entrants(central.store.as_ref()).unwrap();
    let mut on_central: Vec<(String, Carrier)> = list
        .entrants
        .iter()
        .map(|e| (e.phone_masked.clone(), e.carrier))
        .collect();
    on_central.sort();
    assert_eq!(
        on_central,
        [
            ("133****5432".to_owned(), Carrier::Telecom),
            ("138****5678".to_owned(), Carrier::Unicom),
        ],
        "the central masked what it opened, and kept the carrier the entrant confirmed"
    );

    let events = station.lock().unwrap().events().unwrap();
    let seals: Vec<&str> = events
        .iter()
        .filter_map(|e| match &e.payload {
            EventPayload::EntrantRegistered { entrant } => Some(entrant.phone_sealed.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        seals,
        ["", ""],
        "acknowledged entrant events keep no sealed number"
    );
    assert_copy_reveals_none(&store, "138****5678", &secrets, "after the sync");
    // A later sync sends nothing again and finds nothing wrong.
    let again = sync_once(&station, &client, &config).await.unwrap();
    assert_eq!(again.pushed, 0);
    central.stop().await;
}
