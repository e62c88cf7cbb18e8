//! `cargo xtask bench load [--backend sqlite|postgres] [--devices N] [--seconds S] [--per-unit K]`:
//! N simulated tablets (default 1,000, K = 10 to a unit) tapping handouts and syncing against
//! one real central on loopback for S seconds (default 60), with duplicated batches and lost
//! replies, then a check that the central holds every handout exactly once. The driver and
//! what it does are described in `fieldpost_tests::load`.
//!
//! Prints `devices=`, `syncs_per_s=`, `push_p50_ms=`, `push_p99_ms=`, `pull_p99_ms=`,
//! `errors=`, `lost=`, `doubled=` and `target_push_p99_ms=100`; the details go to standard
//! error. Exits non-zero on any error, lost or doubled handout. The latency target is reported,
//! not asserted: the machine is shared.
//!
//! Latencies go into HDR histograms in a plain tokio driver rather than a goose load test: see
//! `fieldpost_tests::load` for why.

use std::time::Duration;

use anyhow::{Context, bail};
use fieldpost_tests::load::{LoadConfig, run};

const USAGE: &str =
    "usage: bench-load [--backend sqlite|postgres] [--devices N] [--seconds S] [--per-unit K]";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut devices = 1_000usize;
    let mut seconds = 60u64;
    let mut per_unit = 10usize;
    let mut backend = "sqlite".to_owned();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .with_context(|| format!("{flag} needs a value\n{USAGE}"))
        };
        match flag.as_str() {
            "--backend" => backend = value()?.clone(),
            "--devices" => devices = value()?.parse().context("--devices")?,
            "--seconds" => seconds = value()?.parse().context("--seconds")?,
            "--per-unit" => per_unit = value()?.parse().context("--per-unit")?,
            _ => bail!("unknown argument {flag}\n{USAGE}"),
        }
    }
    // The central's database follows FIELDPOST_TEST_POSTGRES (testkit::TestDatabase), which
    // `cargo xtask bench load --backend postgres` sets to a throwaway cluster of its own.
    let on_postgres = fieldpost_central::testkit::TestDatabase::is_postgres();
    match backend.as_str() {
        "sqlite" if on_postgres => {
            bail!("--backend sqlite, but FIELDPOST_TEST_POSTGRES is set: unset it")
        }
        "postgres" if !on_postgres => bail!(
            "--backend postgres needs FIELDPOST_TEST_POSTGRES (a cluster's connection string); \
             `cargo xtask bench load --backend postgres` starts one"
        ),
        "sqlite" | "postgres" => {}
        other => bail!("unknown backend {other}: sqlite or postgres\n{USAGE}"),
    }
    if devices == 0 || per_unit == 0 {
        bail!("--devices and --per-unit are at least 1\n{USAGE}");
    }
    let dir = fieldpost_tests::bench_dir()?;
    let mut config =
        LoadConfig::bench(devices, Duration::from_secs(seconds), dir.path().to_owned());
    config.devices_per_unit = per_unit;
    eprintln!(
        "bench load: {devices} tablets ({per_unit} to a unit) on the {backend} central for {seconds} s …"
    );
    println!("backend={backend}");
    let report = run(config)?;
    for line in report.details() {
        eprintln!("bench load: {line}");
    }
    for line in report.lines() {
        println!("{line}");
    }
    if !report.passed() {
        bail!(
            "bench load failed: errors={} lost={} doubled={}",
            report.errors,
            report.lost,
            report.doubled
        );
    }
    Ok(())
}
