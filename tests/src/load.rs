//! Many tablets against one central: the driver of `cargo xtask bench load` and of its smoke
//! test (`tests/it/load.rs`).
//!
//! One real central on loopback ([`TestCentral`]: the server's own router on a SQLite file),
//! and `devices` simulated tablets, each with its own enrolled device, token and
//! [`Client`], a grant under an approved plan of its unit, and an in-memory outbox of real
//! [`DeviceEvent`]s numbered 1, 2, 3 … without gaps, each kept as the JSON text it was first
//! written as (what the station's outbox stores and sends again, byte for byte). Each tablet
//! runs the station's sync loop on its own jittered timers: it opens a session, taps a
//! handout every few seconds, syncs (pushes its outbox, then pulls after its cursor) a
//! debounce after a write or at its interval, and backs off after a failure. Two faults are
//! injected on purpose:
//!
//! - a *duplicate*: a batch the central has just acknowledged is sent once more;
//! - a *lost reply*: the central applied a push but the tablet throws the answer away, as if
//!   the network had dropped it, backs off, and pushes the same events again (with whatever
//!   it recorded meanwhile).
//!
//! After the traffic stops every tablet pushes what is left, and the central's own records
//! ([`records::handout_lines`], [`plans::plan`]) are checked against what the tablets
//! recorded: every handout exactly once, every plan's total equal to the sum of its taps.
//!
//! Why a tokio driver with HDR histograms rather than goose: goose drives HTTP from its own
//! reqwest client with its own request builders, so it could not send through the station's
//! real [`Client`] (its error classification, its raw-text push) nor keep each simulated
//! tablet's outbox and seqs between requests; and it spends a task and a user state per
//! simulated user on top. Here a tablet is one small tokio task and its latencies go into one
//! shared [`Histogram`], all on one current-thread runtime, so the driver can use at most one
//! core of the machine while the central runs on a runtime of its own.
//!
//! Setup enrolls devices through `fieldpost_central::testkit::enroll` (the enrollment use
//! cases the HTTP route calls, without the HTTP hop), so that a thousand devices are ready in
//! seconds; the HTTP enrollment itself is covered by the other end-to-end tests.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::Utc;
use fieldpost_central::plans::{self, DeviceShare};
use fieldpost_central::records;
use fieldpost_central::testkit;
use fieldpost_domain::*;
use fieldpost_sync::PullQuery;
use fieldpost_sync::client::{Client, ClientError};
use hdrhistogram::Histogram;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::sync::watch;

use crate::central::TestCentral;

/// Events per push request, as the station sends them (`sync_loop::PUSH_BATCH`).
const PUSH_BATCH: usize = 2_000;
/// Changes per pull request, as the station asks (`sync_loop::PULL_LIMIT`).
const PULL_LIMIT: u32 = 5_000;
/// Masks granted to each device: far more than a run taps, so no handout is over the grant.
const GRANT: u32 = 10_000;

/// What to run.
#[derive(Debug, Clone)]
pub struct LoadConfig {
    /// Simulated tablets.
    pub devices: usize,
    /// Tablets per unit (a unit's tablets pull each other's handouts).
    pub devices_per_unit: usize,
    /// How long the traffic runs before the final push.
    pub duration: Duration,
    /// A tablet's time between taps, drawn uniformly from this range for each tap.
    pub tap_every: (Duration, Duration),
    /// How long after a write a tablet syncs (`sync_loop::WRITE_DEBOUNCE`).
    pub debounce: Duration,
    /// Time between syncs without writes (`SyncConfig::interval`).
    pub interval: Duration,
    /// The wait after a failed sync, before jitter (`SyncConfig::backoff_base`).
    pub backoff: Duration,
    /// The share of acknowledged pushes sent once more.
    pub duplicate_rate: f64,
    /// The share of pushes whose reply the tablet throws away.
    pub lost_reply_rate: f64,
    /// Seeds the tablets' random choices.
    pub seed: u64,
    /// Where the central's data directory is made (on the real disk for the bench).
    pub dir: PathBuf,
}

impl LoadConfig {
    /// The bench's workload for `devices` tablets over `duration`, with the central in `dir`:
    /// a tap every 2–6 s, the station's debounce (1.5 s), interval (30 s) and backoff (2 s),
    /// and 5% of pushes duplicated and 5% of replies lost.
    pub fn bench(devices: usize, duration: Duration, dir: PathBuf) -> LoadConfig {
        LoadConfig {
            devices,
            devices_per_unit: 10,
            duration,
            tap_every: (Duration::from_secs(2), Duration::from_secs(6)),
            debounce: Duration::from_millis(1_500),
            interval: Duration::from_secs(30),
            backoff: Duration::from_secs(2),
            duplicate_rate: 0.05,
            lost_reply_rate: 0.05,
            seed: 11,
            dir,
        }
    }
}

/// What a run measured. [`LoadReport::lines`] is what the bench prints.
#[derive(Debug)]
pub struct LoadReport {
    /// Simulated tablets.
    pub devices: usize,
    /// How long the traffic ran, in seconds.
    pub traffic_s: f64,
    /// Syncs completed (a push of everything pending, then pulls until nothing more).
    pub syncs: u64,
    /// Push requests' latencies in µs (duplicates and retries included).
    pub push_us: Histogram<u64>,
    /// Pull requests' latencies in µs.
    pub pull_us: Histogram<u64>,
    /// Failures nothing explains: a refused or failed request, a quarantined event, an
    /// acknowledgement out of line, a plan total that does not add up.
    pub errors: u64,
    /// The first few errors, in words.
    pub error_samples: Vec<String>,
    /// Handouts recorded on the tablets that the central does not hold.
    pub lost: u64,
    /// Handouts the central holds more than once, or holds without a tablet recording them.
    pub doubled: u64,
    /// Handouts the tablets recorded.
    pub handouts: u64,
    /// Events the tablets recorded (handouts and session openings).
    pub events: u64,
    /// Changes the tablets pulled.
    pub pulled: u64,
    /// Acknowledged batches sent once more on purpose.
    pub duplicates: u64,
    /// Replies thrown away on purpose.
    pub lost_replies: u64,
    /// CPU the driver thread (every tablet) used during the traffic, in % of one core.
    pub driver_cpu_pct: f64,
    /// CPU the rest of the process (the central) used during the traffic, in % of one core.
    pub central_cpu_pct: f64,
    /// A bare durable SQLite commit on the central's disk, in µs, measured before the
    /// traffic: the floor of a push, which the central's one writer pays once per push.
    pub disk_commit_us: Histogram<u64>,
}

impl LoadReport {
    /// Syncs per second of traffic.
    pub fn syncs_per_s(&self) -> f64 {
        self.syncs as f64 / self.traffic_s.max(f64::EPSILON)
    }

    /// The `key=value` lines the bench prints.
    pub fn lines(&self) -> Vec<String> {
        let ms = |h: &Histogram<u64>, q: f64| h.value_at_quantile(q) as f64 / 1000.0;
        vec![
            format!("devices={}", self.devices),
            format!("syncs_per_s={:.1}", self.syncs_per_s()),
            format!("push_p50_ms={:.1}", ms(&self.push_us, 0.5)),
            format!("push_p99_ms={:.1}", ms(&self.push_us, 0.99)),
            format!("pull_p99_ms={:.1}", ms(&self.pull_us, 0.99)),
            format!("errors={}", self.errors),
            format!("lost={}", self.lost),
            format!("doubled={}", self.doubled),
            "target_push_p99_ms=100".into(),
        ]
    }

    /// The details behind the lines, for the bench's standard error.
    pub fn details(&self) -> Vec<String> {
        let ms = |h: &Histogram<u64>, q: f64| h.value_at_quantile(q) as f64 / 1000.0;
        let mut out = vec![
            format!(
                "traffic {:.1} s: {} handouts in {} events, {} syncs, {} pushes, {} pulls, {} changes pulled",
                self.traffic_s,
                self.handouts,
                self.events,
                self.syncs,
                self.push_us.len(),
                self.pull_us.len(),
                self.pulled
            ),
            format!(
                "faults injected: {} duplicate batches, {} lost replies",
                self.duplicates, self.lost_replies
            ),
            format!(
                "push ms: p50 {:.1} p90 {:.1} p99 {:.1} p99.9 {:.1} max {:.1}",
                ms(&self.push_us, 0.5),
                ms(&self.push_us, 0.9),
                ms(&self.push_us, 0.99),
                ms(&self.push_us, 0.999),
                self.push_us.max() as f64 / 1000.0
            ),
            format!(
                "pull ms: p50 {:.1} p90 {:.1} p99 {:.1} p99.9 {:.1} max {:.1}",
                ms(&self.pull_us, 0.5),
                ms(&self.pull_us, 0.9),
                ms(&self.pull_us, 0.99),
                ms(&self.pull_us, 0.999),
                self.pull_us.max() as f64 / 1000.0
            ),
            format!(
                "cpu during traffic: driver (all tablets) {:.0}% of a core, central {:.0}%",
                self.driver_cpu_pct, self.central_cpu_pct
            ),
            format!(
                "the disk's bare durable commit (one row, WAL, synchronous=FULL) ms: p50 {:.2} p99 {:.2}",
                ms(&self.disk_commit_us, 0.5),
                ms(&self.disk_commit_us, 0.99)
            ),
        ];
        out.extend(self.error_samples.iter().map(|e| format!("error: {e}")));
        out
    }

    /// Whether the central kept every handout exactly once, without an error.
    pub fn passed(&self) -> bool {
        self.errors == 0 && self.lost == 0 && self.doubled == 0
    }
}

/// Latencies from 1 µs to 10 minutes, to three significant figures.
fn histogram() -> anyhow::Result<Histogram<u64>> {
    Ok(Histogram::new_with_bounds(1, 600_000_000, 3)?)
}

/// What every tablet adds to while the traffic runs. Locked only for a moment, never across
/// an await; the tablets share one thread, so it is never contended.
#[derive(Debug)]
struct Shared {
    push_us: Histogram<u64>,
    pull_us: Histogram<u64>,
    syncs: u64,
    pulled: u64,
    duplicates: u64,
    lost_replies: u64,
    errors: u64,
    error_samples: Vec<String>,
}

impl Shared {
    fn error(&mut self, what: String) {
        self.errors += 1;
        if self.error_samples.len() < 10 {
            self.error_samples.push(what);
        }
    }
}

type SharedStats = Arc<Mutex<Shared>>;

fn with<T>(shared: &SharedStats, f: impl FnOnce(&mut Shared) -> T) -> T {
    f(&mut shared.lock().unwrap_or_else(PoisonError::into_inner))
}

fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX).max(1)
}

/// One simulated tablet.
#[derive(Debug)]
struct Tablet {
    device_id: DeviceId,
    client: Client,
    plan_id: PlanId,
    item_id: ItemId,
    session_id: SessionId,
    /// Event seq `i + 1` as the JSON text it was recorded as.
    outbox: Vec<String>,
    acked_through: usize,
    cursor: u64,
    /// Every handout recorded: id and quantity.
    handouts: Vec<(HandoutId, u32)>,
    rng: StdRng,
}

impl Tablet {
    fn append(&mut self, payload: EventPayload) -> anyhow::Result<()> {
        let event = DeviceEvent {
            id: EventId::new(),
            device_id: self.device_id,
            seq: u64::try_from(self.outbox.len())? + 1,
            recorded_at: Utc::now(),
            payload,
        };
        self.outbox.push(serde_json::to_string(&event)?);
        Ok(())
    }

    /// The first event: a session opened under the plan, as `Station::open_session` records.
    fn open_session(&mut self, station: &str) -> anyhow::Result<()> {
        let session = StationSession {
            id: self.session_id,
            plan_id: self.plan_id,
            device_id: self.device_id,
            station: station.into(),
            opened_at: Utc::now(),
            closed_at: None,
        };
        self.append(EventPayload::SessionOpened { session })
    }

    /// A tap, as `Station::record_handout` records it.
    fn tap(&mut self) -> anyhow::Result<()> {
        let quantity = self.rng.random_range(1..=3);
        let handout = Handout {
            id: HandoutId::new(),
            session_id: self.session_id,
            plan_id: self.plan_id,
            item_id: self.item_id,
            quantity,
            handed_out_at: Utc::now(),
            over_grant_reason: None,
        };
        self.handouts.push((handout.id, quantity));
        self.append(EventPayload::HandoutRecorded { handout })
    }

    /// One push request of `outbox[from..to]`, timed.
    async fn push_range(
        &self,
        from: usize,
        to: usize,
        shared: &SharedStats,
    ) -> Result<fieldpost_sync::PushResponse, ClientError> {
        let started = Instant::now();
        let reply = self.client.push_texts(&self.outbox[from..to]).await;
        let took = micros(started.elapsed());
        with(shared, |s| s.push_us.saturating_record(took));
        reply
    }

    /// Checks the central's answer to `outbox[from..to]` and moves `acked_through` on.
    fn acknowledge(
        &mut self,
        reply: &fieldpost_sync::PushResponse,
        to: usize,
        shared: &SharedStats,
    ) -> Result<(), ()> {
        let acked = usize::try_from(reply.acked_through).unwrap_or(usize::MAX);
        if !reply.quarantined.is_empty() {
            let q = &reply.quarantined[0];
            with(shared, |s| {
                s.error(format!(
                    "device {}: {} event(s) quarantined, first seq {} ({}: {})",
                    self.device_id,
                    reply.quarantined.len(),
                    q.seq,
                    q.code,
                    q.reason
                ))
            });
        }
        if acked != to {
            with(shared, |s| {
                s.error(format!(
                    "device {}: pushed through seq {to}, the central acknowledged {acked}",
                    self.device_id
                ))
            });
            if acked > self.outbox.len() || acked < self.acked_through {
                return Err(());
            }
        }
        self.acked_through = acked;
        Ok(())
    }

    /// Pushes everything pending (with the faults of `faults`), then pulls until nothing more
    /// waits. `Err` means the sync failed and the tablet backs off.
    async fn sync(&mut self, faults: Option<(f64, f64)>, shared: &SharedStats) -> Result<(), ()> {
        while self.acked_through < self.outbox.len() {
            let from = self.acked_through;
            let to = self.outbox.len().min(from + PUSH_BATCH);
            let reply = match self.push_range(from, to, shared).await {
                Ok(reply) => reply,
                Err(e) => {
                    with(shared, |s| {
                        s.error(format!("device {} push: {e}", self.device_id))
                    });
                    return Err(());
                }
            };
            let (duplicate_rate, lost_reply_rate) = faults.unwrap_or((0.0, 0.0));
            if self.rng.random_bool(lost_reply_rate) {
                // Applied on the central, never heard of here: the next sync sends it again.
                with(shared, |s| s.lost_replies += 1);
                return Err(());
            }
            self.acknowledge(&reply, to, shared)?;
            if self.rng.random_bool(duplicate_rate) {
                with(shared, |s| s.duplicates += 1);
                match self.push_range(from, to, shared).await {
                    Ok(again) if again.acked_through == reply.acked_through => {}
                    Ok(again) => with(shared, |s| {
                        s.error(format!(
                            "device {}: a duplicate batch moved acked_through from {} to {}",
                            self.device_id, reply.acked_through, again.acked_through
                        ))
                    }),
                    Err(e) => {
                        with(shared, |s| {
                            s.error(format!("device {} duplicate push: {e}", self.device_id))
                        });
                        return Err(());
                    }
                }
            }
        }
        loop {
            let started = Instant::now();
            let reply = self
                .client
                .pull(PullQuery {
                    after: self.cursor,
                    limit: Some(PULL_LIMIT),
                })
                .await;
            let took = micros(started.elapsed());
            with(shared, |s| s.pull_us.saturating_record(took));
            match reply {
                Ok(page) => {
                    with(shared, |s| s.pulled += page.changes.len() as u64);
                    if page.cursor < self.cursor {
                        with(shared, |s| {
                            s.error(format!(
                                "device {}: the pull cursor went back from {} to {}",
                                self.device_id, self.cursor, page.cursor
                            ))
                        });
                    }
                    self.cursor = self.cursor.max(page.cursor);
                    if !page.more {
                        break;
                    }
                }
                Err(e) => {
                    with(shared, |s| {
                        s.error(format!("device {} pull: {e}", self.device_id))
                    });
                    return Err(());
                }
            }
        }
        with(shared, |s| s.syncs += 1);
        Ok(())
    }
}

fn between(rng: &mut StdRng, (low, high): (Duration, Duration)) -> Duration {
    if high <= low {
        return low;
    }
    rng.random_range(low..high)
}

/// A tablet's day until `stop`: the station's sync loop around its taps.
async fn run_tablet(
    mut t: Tablet,
    config: Arc<LoadConfig>,
    shared: SharedStats,
    mut stop: watch::Receiver<bool>,
) -> Tablet {
    let faults = Some((config.duplicate_rate, config.lost_reply_rate));
    let start = Instant::now();
    // Tablets come online over the first tap interval, not all at once.
    let mut next_tap = start + between(&mut t.rng, (Duration::ZERO, config.tap_every.1));
    let mut sync_due = start + between(&mut t.rng, (Duration::ZERO, config.tap_every.1));
    let mut failures = 0u32;
    loop {
        let wake = next_tap.min(sync_due);
        tokio::select! {
            _ = tokio::time::sleep_until(wake.into()) => {}
            _ = stop.changed() => break,
        }
        if *stop.borrow() {
            break;
        }
        let now = Instant::now();
        if now >= next_tap {
            if let Err(e) = t.tap() {
                with(&shared, |s| s.error(format!("recording a tap: {e}")));
            }
            next_tap = now + between(&mut t.rng, config.tap_every);
            // A write cues a sync a debounce later, unless backing off after failures.
            if failures == 0 {
                sync_due = sync_due.min(now + config.debounce);
            }
        }
        if now >= sync_due {
            match t.sync(faults, &shared).await {
                Ok(()) => {
                    failures = 0;
                    sync_due = Instant::now() + config.interval;
                }
                Err(()) => {
                    failures += 1;
                    // The station's backoff: doubling with each failure in a row.
                    let wait = config.backoff.saturating_mul(1 << (failures.min(6) - 1));
                    let jitter = t.rng.random_range(0.5..1.5);
                    sync_due = Instant::now() + wait.mul_f64(jitter);
                }
            }
        }
    }
    t
}

/// Reads utime + stime of a `/proc/…/stat` file, in seconds (USER_HZ = 100 on Linux).
fn cpu_seconds(stat: &str) -> Option<f64> {
    let text = std::fs::read_to_string(stat).ok()?;
    let rest = &text[text.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Runs the load: builds the central on a runtime of its own, the world, the tablets, drives
/// them on one current-thread runtime for `config.duration`, pushes what is left, and checks
/// the central's records.
pub fn run(config: LoadConfig) -> anyhow::Result<LoadReport> {
    let central_rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("central")
        .build()?;
    let driver_rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let central = central_rt.block_on(TestCentral::start(&config.dir.join("central")))?;
    let outcome = drive(&config, &central, &driver_rt);
    central_rt.block_on(central.stop());
    outcome
}

/// The world: one unit per `devices_per_unit` tablets, each tablet enrolled and granted
/// [`GRANT`] masks under its unit's approved plan.
fn build_world(config: &LoadConfig, central: &TestCentral) -> anyhow::Result<Vec<Tablet>> {
    let store = central.store.as_ref();
    let now = Utc::now();
    let per_unit = config.devices_per_unit.max(1);
    let units = config.devices.div_ceil(per_unit);
    let (mut b, section) = testkit::world(now - chrono::Duration::days(1));
    let unit_ids: Vec<UnitId> = (0..units)
        .map(|u| {
            b.unit(
                section,
                &format!("单位 {}", u + 1),
                2_000,
                &format!("https://s.example/{u}"),
            )
        })
        .collect();
    let mask = b.gift("mask", "医疗专用口罩", "只");
    let stock = u32::try_from(config.devices)?
        .checked_mul(GRANT)
        .context("too many devices for the stock")?;
    b.receive(mask, stock, None);
    b.apply(store, now)?;
    let mut rng = StdRng::seed_from_u64(config.seed);
    let mut tablets = Vec::with_capacity(config.devices);
    for (u, unit) in unit_ids.iter().enumerate() {
        let count = per_unit.min(config.devices - u * per_unit);
        let enrolled = (0..count)
            .map(|i| testkit::enroll(store, now, *unit, &format!("平板 {}-{}", u + 1, i + 1)))
            .collect::<Result<Vec<_>, _>>()?;
        let shares: Vec<DeviceShare> = enrolled
            .iter()
            .map(|d| DeviceShare {
                device_id: d.device_id,
                item_id: mask,
                quantity: GRANT,
            })
            .collect();
        let plan_id = testkit::approved_plan(
            store,
            now,
            *unit,
            now - chrono::Duration::days(1),
            now + chrono::Duration::days(1),
            &shares,
        )?;
        for d in enrolled {
            let mut tablet = Tablet {
                device_id: d.device_id,
                client: Client::new(&central.url(), Some(d.token))?,
                plan_id,
                item_id: mask,
                session_id: SessionId::new(),
                outbox: Vec::new(),
                acked_through: 0,
                cursor: 0,
                handouts: Vec::new(),
                rng: StdRng::seed_from_u64(rng.random()),
            };
            tablet.open_session(&format!("单位 {} 宣传站", u + 1))?;
            tablets.push(tablet);
        }
    }
    Ok(tablets)
}

/// 200 one-row commits with the central's durability settings on the same disk.
fn disk_commit(config: &LoadConfig) -> anyhow::Result<Histogram<u64>> {
    let path = config.dir.join("bare-commit.sqlite");
    let conn = rusqlite::Connection::open(&path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body TEXT)")?;
    let mut h = histogram()?;
    for _ in 0..200 {
        let started = Instant::now();
        conn.execute(
            "INSERT INTO t (body) VALUES (?1)",
            ["a handout's worth of text"],
        )?;
        h.saturating_record(micros(started.elapsed()));
    }
    drop(conn);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    Ok(h)
}

fn drive(
    config: &LoadConfig,
    central: &TestCentral,
    driver_rt: &tokio::runtime::Runtime,
) -> anyhow::Result<LoadReport> {
    let disk_commit_us = disk_commit(config)?;
    let setup = Instant::now();
    let tablets = build_world(config, central)?;
    eprintln!(
        "load: {} tablets enrolled in {} units, granted and set up in {:.1} s",
        tablets.len(),
        config.devices.div_ceil(config.devices_per_unit.max(1)),
        setup.elapsed().as_secs_f64()
    );
    let shared: SharedStats = Arc::new(Mutex::new(Shared {
        push_us: histogram()?,
        pull_us: histogram()?,
        syncs: 0,
        pulled: 0,
        duplicates: 0,
        lost_replies: 0,
        errors: 0,
        error_samples: Vec::new(),
    }));
    let config = Arc::new(config.clone());
    let (tablets, traffic_s, driver_cpu, process_cpu) = driver_rt.block_on(async {
        let (stop_tx, stop_rx) = watch::channel(false);
        let driver_cpu = cpu_seconds("/proc/thread-self/stat");
        let process_cpu = cpu_seconds("/proc/self/stat");
        let started = Instant::now();
        let tasks: Vec<_> = tablets
            .into_iter()
            .map(|t| {
                tokio::spawn(run_tablet(
                    t,
                    Arc::clone(&config),
                    Arc::clone(&shared),
                    stop_rx.clone(),
                ))
            })
            .collect();
        tokio::time::sleep(config.duration).await;
        let _ = stop_tx.send(true);
        let mut tablets = Vec::with_capacity(tasks.len());
        for task in tasks {
            tablets.push(task.await?);
        }
        // Until every sync in flight at the stop has come back.
        let traffic_s = started.elapsed().as_secs_f64();
        let driver_cpu = driver_cpu
            .zip(cpu_seconds("/proc/thread-self/stat"))
            .map(|(a, b)| b - a);
        let process_cpu = process_cpu
            .zip(cpu_seconds("/proc/self/stat"))
            .map(|(a, b)| b - a);
        anyhow::Ok((tablets, traffic_s, driver_cpu, process_cpu))
    })?;
    let stats = with(&shared, |s| {
        (
            s.push_us.clone(),
            s.pull_us.clone(),
            s.syncs,
            s.pulled,
            s.duplicates,
            s.lost_replies,
        )
    });

    // The final push: everything every tablet still holds, without faults.
    let tablets = driver_rt.block_on(async {
        let tasks: Vec<_> = tablets
            .into_iter()
            .map(|mut t| {
                let shared = Arc::clone(&shared);
                tokio::spawn(async move {
                    for _ in 0..3 {
                        if t.acked_through == t.outbox.len() || t.sync(None, &shared).await.is_ok()
                        {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(500)).await;
                    }
                    if t.acked_through < t.outbox.len() {
                        with(&shared, |s| {
                            s.error(format!(
                                "device {}: the final push left {} events unacknowledged",
                                t.device_id,
                                t.outbox.len() - t.acked_through
                            ))
                        });
                    }
                    t
                })
            })
            .collect();
        let mut tablets = Vec::with_capacity(tasks.len());
        for task in tasks {
            tablets.push(task.await?);
        }
        anyhow::Ok(tablets)
    })?;

    let (lost, doubled, totals_errors) = check_central(central, &tablets)?;
    let (errors, error_samples) = with(&shared, |s| {
        for e in totals_errors {
            s.error(e);
        }
        (s.errors, s.error_samples.clone())
    });
    let (push_us, pull_us, syncs, pulled, duplicates, lost_replies) = stats;
    let pct = |cpu: Option<f64>| cpu.map_or(f64::NAN, |c| c * 100.0 / traffic_s);
    Ok(LoadReport {
        devices: tablets.len(),
        traffic_s,
        syncs,
        push_us,
        pull_us,
        errors,
        error_samples,
        lost,
        doubled,
        handouts: tablets.iter().map(|t| t.handouts.len() as u64).sum(),
        events: tablets.iter().map(|t| t.outbox.len() as u64).sum(),
        pulled,
        duplicates,
        lost_replies,
        driver_cpu_pct: pct(driver_cpu),
        central_cpu_pct: pct(process_cpu.zip(driver_cpu).map(|(p, d)| p - d)),
        disk_commit_us,
    })
}

/// Lost and doubled handouts, by the central's handout lines against the tablets' taps, and
/// the plans whose totals do not add up.
fn check_central(
    central: &TestCentral,
    tablets: &[Tablet],
) -> anyhow::Result<(u64, u64, Vec<String>)> {
    let store = central.store.as_ref();
    let mut recorded: HashMap<HandoutId, (DeviceId, u32)> = HashMap::new();
    let mut per_plan: HashMap<PlanId, u64> = HashMap::new();
    for t in tablets {
        for (id, quantity) in &t.handouts {
            recorded.insert(*id, (t.device_id, *quantity));
            *per_plan.entry(t.plan_id).or_default() += u64::from(*quantity);
        }
    }
    let lines = records::handout_lines(store, None)?;
    let mut held: HashMap<HandoutId, u64> = HashMap::new();
    let mut problems = Vec::new();
    let mut doubled = 0u64;
    for line in &lines {
        let n = held.entry(line.id).or_default();
        *n += 1;
        match recorded.get(&line.id) {
            None => doubled += 1,
            Some(_) if *n > 1 => doubled += 1,
            Some((device, quantity)) if (*device, *quantity) != (line.device_id, line.quantity) => {
                problems.push(format!(
                    "handout {}: recorded as {quantity} by {device}, held as {} by {}",
                    line.id, line.quantity, line.device_id
                ));
            }
            Some(_) => {}
        }
    }
    let lost = recorded.keys().filter(|id| !held.contains_key(id)).count() as u64;
    for (plan_id, expected) in &per_plan {
        let view = plans::plan(store, *plan_id)?;
        let total: u64 = view.items.iter().map(|i| i.handed_out).sum();
        if total != *expected {
            problems.push(format!(
                "plan {plan_id}: the tablets handed out {expected}, the plan's total says {total}"
            ));
        }
    }
    Ok((lost, doubled, problems))
}
