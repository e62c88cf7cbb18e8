//! Issue 11: the load bench's driver (`cargo xtask bench load`) in small — 20 tablets for 5 s,
//! tapping and syncing fast, with a fifth of their pushes duplicated and a fifth of the
//! replies lost — and the central still holds every handout exactly once.

use std::time::Duration;

use fieldpost_tests::load::{LoadConfig, run};

#[test]
fn twenty_tablets_with_duplicates_and_lost_replies_lose_and_double_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = LoadConfig {
        devices_per_unit: 5,
        tap_every: (Duration::from_millis(200), Duration::from_millis(600)),
        debounce: Duration::from_millis(150),
        backoff: Duration::from_millis(200),
        duplicate_rate: 0.2,
        lost_reply_rate: 0.2,
        ..LoadConfig::bench(20, Duration::from_secs(5), dir.path().to_owned())
    };
    let report = run(config).unwrap();
    let details = report.details().join("\n");
    assert_eq!(
        (report.errors, report.lost, report.doubled),
        (0, 0, 0),
        "{details}"
    );
    assert!(
        report.handouts > 100,
        "enough taps to mean something: {details}"
    );
    assert!(
        report.duplicates > 0 && report.lost_replies > 0,
        "both faults happened: {details}"
    );
    assert!(report.syncs > 0 && report.pulled > 0, "{details}");
    assert_eq!(report.lines().len(), 9, "the bench's lines");
}
