//! The daily collection counts import: the bytes are the uploaded file, `.xlsx`, `.xls` or CSV (the server
//! tells them apart by their first bytes, `fieldpost_sheets::import::read_table`). Each is
//! previewed as the secretariat admin, and a file the preview reads is then imported with
//! `skip_bad_rows=true`, which writes its good rows.
#![no_main]

use fieldpost_fuzz::{Auth, Central};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let central = Central::get();
    let admin = Auth::Cookie(&central.admin_cookie);
    let preview = central.send(
        "POST",
        "/api/v1/imports/collection-counts/preview",
        admin,
        Some("application/octet-stream"),
        data.to_vec(),
    );
    preview.check("collection-counts preview");
    if preview.status.is_success() {
        central
            .send(
                "POST",
                "/api/v1/imports/collection-counts?skip_bad_rows=true",
                admin,
                Some("application/octet-stream"),
                data.to_vec(),
            )
            .check("collection-counts import");
    }
});
