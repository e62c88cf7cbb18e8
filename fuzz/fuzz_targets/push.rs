//! The central's push route (`POST /api/v1/sync/push`): the bytes are the JSON body as a
//! tablet POSTs it, from a newly enrolled tablet whose id replaces the seeds' placeholder.
#![no_main]

use fieldpost_fuzz::{Auth, Central};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let central = Central::get();
    let tablet = central.new_tablet();
    let body = central.with_ids(data, &tablet.device_id.to_string());
    central
        .send(
            "POST",
            "/api/v1/sync/push",
            Auth::Bearer(&tablet.token),
            Some("application/json"),
            body,
        )
        .check("push");
});
