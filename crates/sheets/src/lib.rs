//! Fieldpost's spreadsheets and posters: reading the secretariat's Excel and CSV sheets (the
//! unit task table, the daily counts), writing the .xlsx exports it publishes and files, and
//! drawing the QR posters and codes, and the lottery carriers' winner lists (out and back). Pure functions over bytes and records: nothing here
//! stores anything or knows HTTP.
#![deny(missing_docs)]

pub mod export;
pub mod import;
pub mod lottery;
pub mod posters;
pub mod qr;

/// Spreadsheets no writer produces, for the tests of what a crafted upload may hold.
#[cfg(test)]
pub(crate) mod crafted {
    use std::io::Cursor;

    /// `bytes` (an .xlsx) with its first sheet's XML rewritten by `edit`: cell positions no
    /// writer produces, as a crafted file has them.
    pub(crate) fn with_sheet_xml(bytes: &[u8], edit: impl Fn(String) -> String) -> Vec<u8> {
        use std::io::{Read, Write};
        let mut from = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..from.len() {
            let mut file = from.by_index(i).unwrap();
            let name = file.name().unwrap().to_string();
            let mut text = Vec::new();
            file.read_to_end(&mut text).unwrap();
            if name == "xl/worksheets/sheet1.xml" {
                text = edit(String::from_utf8(text).unwrap()).into_bytes();
            }
            out.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            out.write_all(&text).unwrap();
        }
        out.finish().unwrap().into_inner()
    }
}
