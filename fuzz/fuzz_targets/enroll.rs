//! A tablet's enrollment: the bytes are what the volunteer entered, one field a line — the
//! code (typed, or the code of a scanned enrollment QR text) and the tablet's name — trimmed
//! as the app does and sent by the station's own client (`fieldpost_sync::client::Client`)
//! to the central served on loopback, whose answer the client then reads. `{CODE}` in the
//! code is replaced by a freshly issued code, so the fuzzed name reaches the enrollment itself.
//!
//! Whatever was typed, the client gets an answer it can read: the enrollment, or a refusal
//! with its reason — never a 5xx, never an answer it cannot parse.
#![no_main]

use std::sync::OnceLock;

use fieldpost_fuzz::{CODE_PLACEHOLDER, Central};
use fieldpost_sync::EnrollRequest;
use fieldpost_sync::client::{Client, ClientError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        // The app's fields hold text: other bytes never reach the client.
        return;
    };
    let central = Central::get();
    let (code, device_name) = text.split_once('\n').unwrap_or((text, ""));
    let code = if code.contains(CODE_PLACEHOLDER) {
        code.replace(CODE_PLACEHOLDER, &central.issue_code())
    } else {
        code.to_owned()
    };
    let request = EnrollRequest {
        code: code.trim().to_owned(),
        device_name: device_name.trim().to_owned(),
    };
    // One client, as a tablet has: its connection is kept alive between inputs (a client per
    // input would leave a socket in TIME_WAIT for each).
    static CLIENT: OnceLock<Client> = OnceLock::new();
    let client = CLIENT.get_or_init(|| {
        Client::new(central.url(), None)
            .unwrap_or_else(|e| panic!("the station's client is set up: {e}"))
    });
    let answer = central.block_on(client.enroll(&request));
    central.note(format_args!("enroll {request:?} -> {answer:?}"));
    match answer {
        Ok(enrolled) => assert!(
            enrolled.token.starts_with("fpd_"),
            "an enrollment hands out a device token"
        ),
        Err(ClientError::Unauthorized(_)) => {}
        Err(ClientError::Refused { status, .. }) if status < 500 => {}
        Err(e) => panic!("enrolling with {request:?}: {e}"),
    }
});
