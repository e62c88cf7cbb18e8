//! The console's login (`POST /api/v1/auth/login`): the bytes are the JSON body. The fuzz
//! central's users (admin, viewer, leader_a) have cheap password hashes; an unknown name still
//! costs a full argon2 verification, as in production, which bounds this target's speed.
#![no_main]

use fieldpost_fuzz::{Auth, Central};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let central = Central::get();
    central
        .send(
            "POST",
            "/api/v1/auth/login",
            Auth::None,
            Some("application/json"),
            data.to_vec(),
        )
        .check("login");
});
