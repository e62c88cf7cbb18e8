//! The sync loop: push, then pull, on a timer, on demand, and soon after a write, with
//! exponential backoff and jitter after failures, until cancelled.
//!
//! A write that appends events cues the loop through the store's outbox watch
//! ([`Station::outbox_watch`]), so a handout reaches the central within moments when the
//! network is there, not at the next timer. The loop waits [`SyncConfig::write_debounce`]
//! after the first write it sees, so the rest of a burst of taps goes up in the same sync.
//! While syncs fail, writes do not cut the backoff short: a tablet offline for hours would
//! otherwise knock on the central after every tap, and tablets coming back online together
//! would do so at the same instant.
//!
//! The store stays the single source of truth: the loop holds no state that a crash could
//! lose. It takes the station's lock only for short store operations, never across a network
//! call, so a volunteer's tap is never held up by the network. Being offline is normal: it is
//! shown as such, not as an error, and retried with backoff.
//!
//! Both directions are pipelined, so that the station, the network and the central work at
//! the same time instead of in turn:
//!
//! - [`push_all`] keeps [`PUSH_DEPTH`] batches in flight: the next batch starts after the last
//!   one *sent*, while answers are applied in the order the batches went out. It is safe
//!   because the central stores a device's events only in seq order: a batch that overtakes
//!   its predecessor is refused with `seq_gap` and nothing of it is stored, whereupon the
//!   station sends again from what the central acknowledged. The acknowledged point only moves
//!   on the central's word, so no event is skipped, and the central skips what it holds, so
//!   none is stored twice. The central also queues each device's pushes in the order they
//!   arrive, so such a refusal is rare.
//! - [`pull_all`] fetches page k+1 while it applies page k. It is safe because every page is
//!   still applied alone, in order, in one transaction with its own cursor, and applying a page
//!   twice is harmless.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fieldpost_sync::client::{Client, ClientError};
use fieldpost_sync::{PullQuery, PushResponse};
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;
use ts_rs::TS;

use crate::{Error, Station};

/// How the loop paces itself, and whom it trusts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncConfig {
    /// Time between syncs while all is well.
    pub interval: Duration,
    /// How long after a write the loop waits before it syncs: the writes that follow within
    /// it (a burst of taps) go up in the same sync.
    pub write_debounce: Duration,
    /// First wait after a failure; doubles with each failure in a row.
    pub backoff_base: Duration,
    /// The longest wait after failures.
    pub backoff_max: Duration,
    /// Events per push request.
    pub push_batch: usize,
    /// Changes per pull request.
    pub pull_limit: u32,
    /// Root certificate(s), as PEM, trusted for an `https://` central besides Mozilla's roots:
    /// a secretariat's own CA or a self-signed central. A damaged PEM is reported as the
    /// sync's error, in plain words.
    pub root_certificate_pem: Option<Arc<[u8]>>,
}

impl Default for SyncConfig {
    fn default() -> Self {
        SyncConfig {
            interval: Duration::from_secs(30),
            write_debounce: WRITE_DEBOUNCE,
            backoff_base: Duration::from_secs(2),
            backoff_max: Duration::from_secs(300),
            push_batch: PUSH_BATCH,
            pull_limit: PULL_LIMIT,
            root_certificate_pem: None,
        }
    }
}

/// A volunteer handing out gifts to a group taps several times within a second or two; one
/// sync carries them all, and a lone tap still reaches the central within moments.
pub const WRITE_DEBOUNCE: Duration = Duration::from_millis(1_500);

/// Events per push request. Measured with `cargo xtask bench sync`: past a couple of thousand
/// the per-request overhead is gone and bigger batches only make a lost answer costlier to
/// resend.
pub const PUSH_BATCH: usize = 2_000;
/// Changes per pull page, for the same reason.
pub const PULL_LIMIT: u32 = 5_000;

/// What one sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncReport {
    /// Events the central confirmed.
    pub pushed: u64,
    /// Changes stored.
    pub pulled: u64,
}

/// Why a sync stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The device is not enrolled.
    #[error("this device is not enrolled")]
    NotEnrolled,
    /// The central could not be reached.
    #[error("offline: {0}")]
    Offline(String),
    /// The central refused.
    #[error(transparent)]
    Refused(ClientError),
    /// The local store failed.
    #[error(transparent)]
    Store(#[from] Error),
}

impl SyncError {
    /// Plain words for the status line.
    pub fn plain(&self) -> String {
        match self {
            SyncError::NotEnrolled => "this device is not enrolled".into(),
            SyncError::Offline(_) => "offline".into(),
            SyncError::Refused(ClientError::Unauthorized(_)) => {
                "the central no longer accepts this device; ask the secretariat to enroll it again"
                    .into()
            }
            SyncError::Refused(e) => e.to_string(),
            SyncError::Store(e) => format!("local store: {e}"),
        }
    }
}

/// The loop's live state, for the UI.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LoopState {
    /// A sync is running.
    pub syncing: bool,
    /// The last attempt could not reach the central.
    pub offline: bool,
    /// Failures in a row.
    pub failures: u32,
}

fn lock(station: &Mutex<Station>) -> std::sync::MutexGuard<'_, Station> {
    // A panic while holding the lock cannot leave the store half-written (every write is one
    // transaction), so a poisoned lock is safe to keep using.
    station
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn blocking<T: Send + 'static>(
    station: &Arc<Mutex<Station>>,
    f: impl FnOnce(&mut Station) -> crate::Result<T> + Send + 'static,
) -> Result<T, SyncError> {
    let station = station.clone();
    tokio::task::spawn_blocking(move || f(&mut lock(&station)))
        .await
        .map_err(|e| SyncError::Store(Error::Corrupt(format!("store task failed: {e}"))))?
        .map_err(SyncError::Store)
}

fn classify(e: ClientError) -> SyncError {
    match e {
        ClientError::Offline(m) => SyncError::Offline(m),
        other => SyncError::Refused(other),
    }
}

/// One sync: push the whole outbox in batches, then pull until nothing more waits.
///
/// Every answer that said the central's time tells the store how far the tablet's clock is
/// off ([`Station::record_clock_offset`]), whatever became of the sync.
pub async fn sync_once(
    station: &Arc<Mutex<Station>>,
    client: &Client,
    config: &SyncConfig,
) -> Result<SyncReport, SyncError> {
    let report = sync_steps(station, client, config).await;
    if let Some(offset) = client.clock_offset() {
        blocking(station, move |s| s.record_clock_offset(offset)).await?;
    }
    report
}

async fn sync_steps(
    station: &Arc<Mutex<Station>>,
    client: &Client,
    config: &SyncConfig,
) -> Result<SyncReport, SyncError> {
    let held = blocking(station, |s| s.entrants_awaiting_seal()).await?;
    let mut pushed = push_all(station, client, config.push_batch).await?;
    let pulled = pull_all(station, client, config.pull_limit).await?;
    // Entrants migrated from before numbers were sealed hold the push back until the pull
    // brings the central's lottery key; once it has sealed them, they go in this sync.
    if held > 0 && blocking(station, |s| s.entrants_awaiting_seal()).await? < held {
        pushed += push_all(station, client, config.push_batch).await?;
    }
    Ok(SyncReport { pushed, pulled })
}

/// Push requests in flight at once: batches k+1 and k+2 are on their way while the central
/// stores batch k, so that it parses the next while it stores one and its writer never waits
/// for the station's read, the upload or the parse. Measured with `cargo xtask bench sync`:
/// 2 left the writer idle between batches (push 0.45–0.55× the bare insert), 3 keeps it busy
/// (0.59–0.61×), 4 gains nothing and only piles up work that one lost answer makes the
/// station send again.
pub const PUSH_DEPTH: usize = 3;

/// A push request on its way; dropping it abandons the request (its answer would be ignored
/// anyway, and a copy that still reaches the central is a harmless replay).
struct InFlight {
    first: u64,
    last: u64,
    /// Sent while every earlier event was acknowledged and nothing else was in flight: a gap
    /// on it cannot come from this station's own pipelining, so it means the central lost
    /// events it had confirmed.
    alone: bool,
    task: JoinHandle<Result<PushResponse, ClientError>>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Pushes the outbox in batches of `batch` until it is empty; returns how many events the
/// central newly confirmed.
///
/// Pipelined, [`PUSH_DEPTH`] deep: the next batch is read after the last one *sent* and goes
/// out while the earlier one is still unanswered; answers are applied strictly in the order
/// the batches were sent. Nothing depends on the network keeping that order. If a batch
/// overtakes its predecessor into the central's store, the central refuses it with a gap (it
/// stores nothing out of order), and the station drops whatever else is in flight and starts
/// again from what the central acknowledged, with a batch that goes out alone. A gap on such a
/// lone batch can only mean the central lost events (restored from a backup): the station
/// sends again from where the central says. Every round after a gap therefore either moves
/// the acknowledged point or rewinds it to the central's, so the loop ends; and an event
/// counts as sent only once the central has acknowledged it, so none is skipped.
pub async fn push_all(
    station: &Arc<Mutex<Station>>,
    client: &Client,
    batch: usize,
) -> Result<u64, SyncError> {
    let mut acked = blocking(station, |s| Ok(s.outbox_status()?.acked_through)).await?;
    let mut sent = acked;
    let mut pushed = 0;
    let mut in_flight: VecDeque<InFlight> = VecDeque::with_capacity(PUSH_DEPTH);
    // The batch after the last one sent, read while the others are in flight so that it goes
    // out the moment there is room.
    let mut ready: Option<Vec<(u64, String)>> = None;
    // The oldest batch's answer, applied once the next batch is on its way.
    let mut answered: Option<PushResponse> = None;
    loop {
        while in_flight.len() < PUSH_DEPTH {
            let events = match ready.take() {
                // Checked: `sent` follows the central's answers, which may say anything (a
                // central gone wrong acknowledging u64::MAX panicked here; issue 14). Its
                // answer is refused when applied, below.
                Some(events) if events.first().map(|e| e.0) == sent.checked_add(1) => events,
                _ => read_after(station, sent, batch).await?,
            };
            let (Some(&(first, _)), Some(&(last, _))) = (events.first(), events.last()) else {
                break;
            };
            let alone = in_flight.is_empty() && acked.checked_add(1) == Some(first);
            let texts: Vec<String> = events.into_iter().map(|(_, text)| text).collect();
            let client = client.clone();
            let task = tokio::spawn(async move { client.push_texts(&texts).await });
            in_flight.push_back(InFlight {
                first,
                last,
                alone,
                task,
            });
            sent = last;
        }
        if let Some(response) = answered.take() {
            blocking(station, move |s| s.apply_push_response(&response)).await?;
        }
        if ready.is_none() && !in_flight.is_empty() {
            ready = Some(read_after(station, sent, batch).await?).filter(|e| !e.is_empty());
        }
        let Some(mut oldest) = in_flight.pop_front() else {
            break;
        };
        let answer = (&mut oldest.task).await.map_err(|e| {
            SyncError::Refused(ClientError::Protocol(format!("push task failed: {e}")))
        })?;
        match answer {
            Ok(response) => {
                let through = response.acked_through;
                answered = Some(response);
                pushed += through.saturating_sub(acked);
                acked = acked.max(through);
                if acked < oldest.last {
                    // The central took the batch yet holds less than it: it cannot happen by
                    // the contract, but if it does, whatever is in flight rests on it.
                    in_flight.clear();
                    ready = None;
                    sent = acked;
                } else {
                    // The central may hold more than was sent (answers lost in an earlier
                    // sync): no need to send that again.
                    sent = sent.max(acked);
                }
            }
            Err(ClientError::SeqGap { expected_seq }) if expected_seq < oldest.first => {
                // Every batch behind this one would meet the same gap.
                in_flight.clear();
                ready = None;
                if oldest.alone {
                    // The central lost events it had confirmed (restored from a backup).
                    blocking(station, move |s| s.resend_from(expected_seq)).await?;
                    acked = acked.min(expected_seq.saturating_sub(1));
                }
                // Otherwise it overtook a batch of ours that the central had not stored yet:
                // start again from what it acknowledged, the next batch going out alone.
                sent = acked;
            }
            Err(e) => return Err(classify(e)),
        }
    }
    Ok(pushed)
}

/// Up to `batch` events after `seq`, as stored: the outbox's JSON goes out as it is, with no
/// parse and re-serialize per event.
async fn read_after(
    station: &Arc<Mutex<Station>>,
    seq: u64,
    batch: usize,
) -> Result<Vec<(u64, String)>, SyncError> {
    blocking(station, move |s| s.event_texts_after(seq, batch)).await
}

/// Pulls pages of at most `limit` changes until the central has nothing more; returns how
/// many changes were stored.
///
/// Pipelined: while page k is applied (a blocking store transaction holding the rows and the
/// page's cursor), page k+1 — the changes after page k's cursor — is already being fetched
/// and parsed. Pages are still applied one at a time and in order, each with its own cursor,
/// so a crash or an error at any point leaves the store at the end of some page; and the
/// function never returns while a page is being applied.
pub async fn pull_all(
    station: &Arc<Mutex<Station>>,
    client: &Client,
    limit: u32,
) -> Result<u64, SyncError> {
    let fetch = |after: u64| async move {
        client
            .pull(PullQuery {
                after,
                limit: Some(limit),
            })
            .await
            .map_err(classify)
    };
    let mut after = blocking(station, |s| s.pull_cursor()).await?;
    let mut page = fetch(after).await?;
    let mut pulled = 0;
    loop {
        pulled += page.changes.len() as u64;
        // A page may carry no record (only this device's own changes) yet move the cursor.
        let more = page.more && page.cursor > after;
        after = page.cursor;
        let apply = blocking(station, move |s| s.apply_pull(&page));
        if !more {
            apply.await?;
            break;
        }
        let next = fetch(after);
        tokio::pin!(apply, next);
        page = tokio::select! {
            applied = &mut apply => {
                // A failed apply drops the fetch: its page is never applied.
                applied?;
                next.await?
            }
            fetched = &mut next => {
                // Page k is finished before anything else happens, even if k+1 failed.
                apply.await?;
                fetched?
            }
        };
    }
    Ok(pulled)
}

/// A running sync loop.
#[derive(Debug)]
pub struct SyncHandle {
    now: Arc<Notify>,
    stop: watch::Sender<bool>,
    state: watch::Receiver<LoopState>,
    task: JoinHandle<()>,
}

impl SyncHandle {
    /// Asks for a sync now (the "sync now" button), without waiting for it.
    pub fn sync_now(&self) {
        self.now.notify_one();
    }

    /// The loop's live state.
    pub fn state(&self) -> LoopState {
        self.state.borrow().clone()
    }

    /// A receiver that changes with the loop's state.
    pub fn watch(&self) -> watch::Receiver<LoopState> {
        self.state.clone()
    }

    /// Stops the loop, letting a sync in flight finish its current store operation.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Why the loop syncs next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cue {
    /// The wait between syncs (or the backoff) ran out.
    Timer,
    /// Someone asked for a sync now.
    Asked,
    /// A write committed events, and the debounce after it ran out.
    Wrote,
    /// The loop is to stop.
    Stop,
}

/// What the loop waits on between syncs.
struct Cues {
    asked: Arc<Notify>,
    wrote: watch::Receiver<u64>,
    stop: watch::Receiver<bool>,
}

impl Cues {
    /// Waits for the next reason to sync: `wait` running out, a request for a sync now, or,
    /// only while syncs succeed (`eager`), a write followed by `debounce`. A request for a
    /// sync now ends the debounce at once. Every write committed before this returns counts
    /// as seen: the sync that follows carries it.
    async fn next(&mut self, wait: Duration, eager: bool, debounce: Duration) -> Cue {
        enum Woke {
            Cue(Cue),
            Wrote,
        }
        let woke = tokio::select! {
            _ = tokio::time::sleep(wait) => Woke::Cue(Cue::Timer),
            _ = self.asked.notified() => Woke::Cue(Cue::Asked),
            // The store outlives the loop (the loop holds it), so the watch never closes; if
            // it did, the branch would just stop taking part.
            Ok(()) = self.wrote.changed(), if eager => Woke::Wrote,
            _ = self.stop.changed() => Woke::Cue(Cue::Stop),
        };
        let cue = match woke {
            Woke::Cue(cue) => cue,
            // The debounce runs from the first write, not the last: taps that never pause
            // still go up every `debounce`.
            Woke::Wrote => tokio::select! {
                _ = tokio::time::sleep(debounce) => Cue::Wrote,
                _ = self.asked.notified() => Cue::Asked,
                _ = self.stop.changed() => Cue::Stop,
            },
        };
        self.wrote.borrow_and_update();
        if *self.stop.borrow() {
            return Cue::Stop;
        }
        cue
    }
}

/// Starts the loop on the current tokio runtime.
pub fn spawn(station: Arc<Mutex<Station>>, config: SyncConfig) -> SyncHandle {
    let now = Arc::new(Notify::new());
    let (stop, stopped) = watch::channel(false);
    let (state_tx, state) = watch::channel(LoopState::default());
    let mut cues = Cues {
        asked: now.clone(),
        wrote: lock(&station).outbox_watch(),
        stop: stopped,
    };
    let task = tokio::spawn(async move {
        let mut client: Option<(String, String, Client)> = None;
        let mut failures: u32 = 0;
        loop {
            state_tx.send_modify(|s| s.syncing = true);
            let outcome = run_once(&station, &mut client, &config).await;
            let offline = matches!(outcome, Err(SyncError::Offline(_)));
            let recorded = match &outcome {
                Ok(_) => blocking(&station, |s| s.record_sync_success()).await,
                Err(SyncError::Offline(_)) => Ok(()),
                Err(e) => {
                    let words = e.plain();
                    blocking(&station, move |s| s.record_sync_failure(&words)).await
                }
            };
            failures = if outcome.is_ok() && recorded.is_ok() {
                0
            } else {
                failures.saturating_add(1)
            };
            state_tx.send_replace(LoopState {
                syncing: false,
                offline,
                failures,
            });
            let wait = if failures == 0 {
                config.interval
            } else {
                backoff(config.backoff_base, config.backoff_max, failures)
            };
            if cues.next(wait, failures == 0, config.write_debounce).await == Cue::Stop {
                break;
            }
        }
    });
    SyncHandle {
        now,
        stop,
        state,
        task,
    }
}

/// One sync as the loop runs it, with a client made for the occasion: with the token the
/// store holds now and, if the central refuses it, once with the one before the last rotation
/// (see `docs/decisions/2026-12-01-device-token-rotation.md`).
pub async fn sync_enrolled(
    station: &Arc<Mutex<Station>>,
    config: &SyncConfig,
) -> Result<SyncReport, SyncError> {
    run_once(station, &mut None, config).await
}

async fn run_once(
    station: &Arc<Mutex<Station>>,
    client: &mut Option<(String, String, Client)>,
    config: &SyncConfig,
) -> Result<SyncReport, SyncError> {
    let identity = blocking(station, |s| s.identity())
        .await?
        .ok_or(SyncError::NotEnrolled)?;
    let reuse = matches!(client, Some((url, token, _)) if *url == identity.server_url && *token == identity.token);
    if !reuse {
        let clock = blocking(station, |s| Ok(s.clock())).await?;
        let fresh = connect(&identity.server_url, Some(identity.token.clone()), config)
            .map_err(SyncError::Refused)?
            .with_clock(move || clock.now());
        *client = Some((identity.server_url.clone(), identity.token.clone(), fresh));
    }
    let Some((_, _, c)) = client.as_ref() else {
        return Err(SyncError::NotEnrolled);
    };
    let refused = match sync_once(station, c, config).await {
        Err(SyncError::Refused(ClientError::Unauthorized(why))) => why,
        other => return other,
    };
    // The central does not know the current token. If it was restored from a backup taken
    // before the last rotation, it still knows the one before: try that once.
    let Some(previous) = blocking(station, |s| s.previous_token()).await? else {
        return Err(SyncError::Refused(ClientError::Unauthorized(refused)));
    };
    let clock = blocking(station, |s| Ok(s.clock())).await?;
    let fallback = connect(&identity.server_url, Some(previous), config)
        .map_err(SyncError::Refused)?
        .with_clock(move || clock.now());
    match sync_once(station, &fallback, config).await {
        Ok(report) => {
            let current = identity.token;
            blocking(station, move |s| s.fall_back_to_previous_token(&current)).await?;
            *client = None;
            Ok(report)
        }
        Err(SyncError::Refused(ClientError::Unauthorized(_))) => {
            Err(SyncError::Refused(ClientError::Unauthorized(refused)))
        }
        Err(e) => Err(e),
    }
}

/// A client for the central at `server_url`, trusting what `config` says besides Mozilla's
/// roots. Enrollment uses it too, so that the first call already trusts the secretariat's CA.
pub fn connect(
    server_url: &str,
    token: Option<String>,
    config: &SyncConfig,
) -> Result<Client, ClientError> {
    match &config.root_certificate_pem {
        Some(pem) => Client::with_root_certificate_pem(server_url, token, pem),
        None => Client::new(server_url, token),
    }
}

/// Full-jitter exponential backoff: a random wait between half and all of
/// `base * 2^(failures-1)`, capped at `max`, so that tablets coming back online together do
/// not knock on the central at the same instant.
pub fn backoff(base: Duration, max: Duration, failures: u32) -> Duration {
    let exp = base
        .saturating_mul(1u32 << failures.saturating_sub(1).min(16))
        .min(max);
    let half = exp / 2;
    half + half.mul_f64(rand::random::<f64>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::Instant;

    const DAY: Duration = Duration::from_secs(86_400);
    const DEBOUNCE: Duration = Duration::from_millis(1_500);

    /// The loop's cues over a bare outbox watch, with the senders that work them.
    fn cues() -> (Cues, watch::Sender<u64>, Arc<Notify>, watch::Sender<bool>) {
        let wrote = watch::Sender::new(0);
        let asked = Arc::new(Notify::new());
        let (stop, stopped) = watch::channel(false);
        let cues = Cues {
            asked: asked.clone(),
            wrote: wrote.subscribe(),
            stop: stopped,
        };
        (cues, wrote, asked, stop)
    }

    fn write(outbox: &watch::Sender<u64>) {
        outbox.send_modify(|n| *n += 1);
    }

    // Paused time: tokio's clock jumps to the next timer whenever every task waits, so these
    // tests measure the loop's own clock, exactly, and never the machine's.

    #[tokio::test(start_paused = true)]
    async fn a_burst_of_writes_cues_one_sync_a_debounce_after_the_first() {
        let (mut cues, outbox, _asked, _stop) = cues();
        let start = Instant::now();
        let burst = {
            let outbox = outbox.clone();
            tokio::spawn(async move {
                for _ in 0..5 {
                    write(&outbox);
                    tokio::time::sleep(Duration::from_millis(250)).await;
                }
            })
        };
        assert_eq!(
            cues.next(DAY, true, DEBOUNCE).await,
            Cue::Wrote,
            "a write cues a sync long before the timer"
        );
        assert_eq!(
            start.elapsed(),
            DEBOUNCE,
            "the sync waits the debounce after the first write of the burst, no longer"
        );
        burst.await.unwrap();
        assert_eq!(
            cues.next(DAY, true, DEBOUNCE).await,
            Cue::Timer,
            "the whole burst went with that one sync: nothing else cues another"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_write_during_a_sync_cues_the_next() {
        let (mut cues, outbox, _asked, _stop) = cues();
        write(&outbox);
        assert_eq!(cues.next(DAY, true, DEBOUNCE).await, Cue::Wrote);
        // The sync runs now; a tap lands meanwhile and may miss its push.
        write(&outbox);
        let start = Instant::now();
        assert_eq!(
            cues.next(DAY, true, DEBOUNCE).await,
            Cue::Wrote,
            "a write after the cue is not lost"
        );
        assert_eq!(start.elapsed(), DEBOUNCE);
    }

    #[tokio::test(start_paused = true)]
    async fn sync_now_cuts_the_debounce_short() {
        let (mut cues, outbox, asked, _stop) = cues();
        write(&outbox);
        asked.notify_one();
        let start = Instant::now();
        assert_eq!(cues.next(DAY, true, DEBOUNCE).await, Cue::Asked);
        assert_eq!(start.elapsed(), Duration::ZERO, "sync now does not wait");
        assert_eq!(
            cues.next(DAY, true, DEBOUNCE).await,
            Cue::Timer,
            "the write went with the sync asked for"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn while_syncs_fail_writes_wait_for_the_backoff() {
        let (mut cues, outbox, _asked, _stop) = cues();
        let backoff = Duration::from_secs(40);
        let start = Instant::now();
        write(&outbox);
        assert_eq!(cues.next(backoff, false, DEBOUNCE).await, Cue::Timer);
        assert_eq!(
            start.elapsed(),
            backoff,
            "an offline tablet does not knock on the central after every tap"
        );
        assert_eq!(
            cues.next(DAY, true, DEBOUNCE).await,
            Cue::Timer,
            "the retry carried the write"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn stopping_wins_over_a_pending_write() {
        let (mut cues, outbox, _asked, stop) = cues();
        write(&outbox);
        let waiting = tokio::spawn(async move { cues.next(DAY, true, DEBOUNCE).await });
        tokio::time::sleep(Duration::from_millis(100)).await;
        stop.send_replace(true);
        assert_eq!(
            waiting.await.unwrap(),
            Cue::Stop,
            "shutdown does not wait out the debounce"
        );
    }

    #[test]
    fn backoff_grows_and_caps() {
        let base = Duration::from_secs(2);
        let max = Duration::from_secs(300);
        for failures in 1..30 {
            let wait = backoff(base, max, failures);
            let ceiling = base.saturating_mul(1 << (failures - 1).min(16)).min(max);
            assert!(
                wait <= ceiling,
                "never beyond the exponential ceiling or the cap"
            );
            assert!(wait >= ceiling / 2, "jitter keeps at least half the wait");
        }
        assert!(
            backoff(base, max, 40) <= max,
            "the cap holds for long outages"
        );
    }
}
