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
