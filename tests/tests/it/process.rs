//! A central as its own process (`test-central`), on a data directory: its SQLite file, or
//! the PostgreSQL database the test created for it (`testkit::TestDatabase`).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Starts a central serving `dir` on 127.0.0.1:`port` (0: any free port); returns the
/// process and its base URL once it accepts connections.
pub fn start_central(dir: &Path, port: u16) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_test-central"))
        .arg(dir)
        .arg(port.to_string())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening ")
        .expect("the central says where it listens")
        .to_owned();
    (child, url)
}
