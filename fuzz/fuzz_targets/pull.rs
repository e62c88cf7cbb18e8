//! The central's pull route (`GET /api/v1/sync/pull?…`): the bytes are the query string, from
//! the tablet holding a grant (bytes a URI cannot hold are percent-encoded).
#![no_main]

use fieldpost_fuzz::{Auth, Central, query};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let central = Central::get();
    let uri = format!("/api/v1/sync/pull?{}", query(data));
    central
        .send(
            "GET",
            &uri,
            Auth::Bearer(&central.tablet.token),
            None,
            Vec::new(),
        )
        .check("pull");
});
