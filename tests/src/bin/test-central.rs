//! A central as its own process, for the test that SIGKILLs it mid-batch: serves the data
//! directory given as the first argument on 127.0.0.1 (the port is the second argument, or
//! any free one) and prints `listening http://ADDR` once it accepts connections.

use std::io::Write;
use std::sync::Arc;

use fieldpost_central::testkit::TestDatabase;
use fieldpost_server::{AppState, service};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: test-central DATA_DIR [PORT]"))?;
    let port: u16 = args.next().map(|p| p.parse()).transpose()?.unwrap_or(0);
    // The data directory's database: SQLite, or the PostgreSQL database the test created
    // for it (see testkit::TestDatabase).
    let database = TestDatabase::open(dir.as_ref())?;
    let store = Arc::clone(&database.db);
    // As the server's start: the lottery key checked against the database, made when the
    // seeded terms have none.
    database.prepare_lottery(chrono::Utc::now())?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening http://{}", listener.local_addr()?)?;
    out.flush()?;
    drop(out);
    let state = AppState::new(store, Arc::clone(&database.lottery_key));
    axum::serve(listener, service(state)).await?;
    Ok(())
}
