//! A fault-injecting HTTP proxy between stations and the central, on loopback.
//!
//! Each request draws its fate from a seeded random generator, so a failing run can be
//! replayed from its seed:
//!
//! - **pass**: forwarded, answer returned;
//! - **drop request**: never forwarded; the station gets a 502 (as from a dead link);
//! - **drop response**: forwarded and applied by the central, but the station gets a 502 —
//!   the case that makes a station resend what the central already has;
//! - **duplicate**: forwarded twice; the station gets the second answer;
//! - **hold**: forwarded now, and a copy kept to be replayed later, before some future
//!   request, so that an old batch reaches the central after newer ones (reordering).
//!
//! Independently of its fate, a request may also be **delayed** a few milliseconds before it
//! is forwarded, so that a request sent after it (a pipelined push's next batch) can reach the
//! central first.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::sync::oneshot;

/// How often each fault strikes, in percent of requests (the rest pass).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Faults {
    /// Requests dropped before the central.
    pub drop_request: u32,
    /// Answers dropped after the central applied the request.
    pub drop_response: u32,
    /// Requests sent twice.
    pub duplicate: u32,
    /// Requests also replayed later, out of order.
    pub hold: u32,
    /// Requests held back 1–20 ms before they are forwarded, whatever their fate.
    pub delay: u32,
}

impl Faults {
    /// No faults.
    pub const NONE: Faults = Faults {
        drop_request: 0,
        drop_response: 0,
        duplicate: 0,
        hold: 0,
        delay: 0,
    };
    /// A bad street-corner network.
    pub const ROUGH: Faults = Faults {
        drop_request: 15,
        drop_response: 15,
        duplicate: 10,
        hold: 10,
        delay: 0,
    };
    /// Requests overtaking each other on their way, and nothing lost.
    pub const OVERTAKING: Faults = Faults {
        delay: 50,
        ..Faults::NONE
    };
    /// A bad street-corner network whose requests also overtake each other.
    pub const ROUGH_AND_OVERTAKING: Faults = Faults {
        delay: 30,
        ..Faults::ROUGH
    };
}

#[derive(Debug, Clone)]
struct Captured {
    method: Method,
    path_and_query: String,
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Debug)]
struct Inner {
    upstream: String,
    http: reqwest::Client,
    rng: Mutex<StdRng>,
    faults: Mutex<Faults>,
    held: Mutex<Vec<Captured>>,
    offline: AtomicBool,
    counts: [AtomicU64; 5],
    in_flight: AtomicU64,
    most_in_flight: AtomicU64,
    conflicts: AtomicU64,
}

/// What the proxy did, for a test's own sanity checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FaultCounts {
    /// Requests passed.
    pub passed: u64,
    /// Requests dropped.
    pub dropped_requests: u64,
    /// Answers dropped.
    pub dropped_responses: u64,
    /// Requests duplicated.
    pub duplicated: u64,
    /// Stale requests replayed.
    pub replayed: u64,
    /// The most requests the proxy was handling at once (2 or more: a client pipelined).
    pub most_in_flight: u64,
    /// Answers with status 409 (conflicts and seq gaps) passed back to a station.
    pub conflicts: u64,
}

/// A running proxy.
#[derive(Debug)]
pub struct FaultProxy {
    inner: Arc<Inner>,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
}

impl FaultProxy {
    /// Starts a proxy to `upstream` (e.g. `http://127.0.0.1:PORT`) whose faults follow `seed`.
    pub async fn start(upstream: &str, seed: u64, faults: Faults) -> anyhow::Result<FaultProxy> {
        let inner = Arc::new(Inner {
            upstream: upstream.trim_end_matches('/').to_owned(),
            http: {
                // reqwest is built without a default TLS provider (see the function).
                fieldpost_sync::client::install_crypto_provider();
                reqwest::Client::new()
            },
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
            faults: Mutex::new(faults),
            held: Mutex::new(Vec::new()),
            offline: AtomicBool::new(false),
            counts: Default::default(),
            in_flight: AtomicU64::new(0),
            most_in_flight: AtomicU64::new(0),
            conflicts: AtomicU64::new(0),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = oneshot::channel::<()>();
        let router = axum::Router::new()
            .fallback(handle)
            .with_state(inner.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(FaultProxy {
            inner,
            addr,
            shutdown: Some(tx),
        })
    }

    /// The proxy's base URL, which stations use as the central's.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Changes the faults from now on.
    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.inner.faults) = faults;
    }

    /// Cuts (or restores) the link entirely: every request gets a 502.
    pub fn set_offline(&self, offline: bool) {
        self.inner.offline.store(offline, Ordering::SeqCst);
    }

    /// Replays every held request now, oldest first, and forgets them.
    pub async fn flush_held(&self) {
        let held = std::mem::take(&mut *lock(&self.inner.held));
        for c in held {
            let _ = forward(&self.inner, &c).await;
            self.inner.counts[4].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// What the proxy has done so far.
    pub fn counts(&self) -> FaultCounts {
        let c = |i: usize| self.inner.counts[i].load(Ordering::Relaxed);
        FaultCounts {
            passed: c(0),
            dropped_requests: c(1),
            dropped_responses: c(2),
            duplicated: c(3),
            replayed: c(4),
            most_in_flight: self.inner.most_in_flight.load(Ordering::Relaxed),
            conflicts: self.inner.conflicts.load(Ordering::Relaxed),
        }
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

enum Fate {
    Pass,
    DropRequest,
    DropResponse,
    Duplicate,
    Hold,
}

fn bad_gateway() -> Response {
    (StatusCode::BAD_GATEWAY, "fault proxy: link down").into_response()
}

async fn handle(State(inner): State<Arc<Inner>>, request: Request) -> Response {
    let now = inner.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    inner.most_in_flight.fetch_max(now, Ordering::SeqCst);
    let response = handle_one(&inner, request).await;
    inner.in_flight.fetch_sub(1, Ordering::SeqCst);
    if response.status() == StatusCode::CONFLICT {
        inner.conflicts.fetch_add(1, Ordering::Relaxed);
    }
    response
}

async fn handle_one(inner: &Arc<Inner>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 256 * 1024 * 1024).await else {
        return bad_gateway();
    };
    let captured = Captured {
        method: parts.method,
        path_and_query: parts
            .uri
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        headers: parts.headers,
        body,
    };
    if inner.offline.load(Ordering::SeqCst) {
        inner.counts[1].fetch_add(1, Ordering::Relaxed);
        return bad_gateway();
    }
    let (fate, replay, delay) = {
        let faults = *lock(&inner.faults);
        let mut rng = lock(&inner.rng);
        // Drawn only when delays are on, so that the other faults of a seed stay as they were.
        let delay = (faults.delay > 0 && rng.random_range(0..100) < faults.delay)
            .then(|| std::time::Duration::from_millis(rng.random_range(1..=20)));
        let roll: u32 = rng.random_range(0..100);
        let mut edge = faults.drop_request;
        let fate = if roll < edge {
            Fate::DropRequest
        } else if roll < {
            edge += faults.drop_response;
            edge
        } {
            Fate::DropResponse
        } else if roll < {
            edge += faults.duplicate;
            edge
        } {
            Fate::Duplicate
        } else if roll < edge + faults.hold {
            Fate::Hold
        } else {
            Fate::Pass
        };
        // Now and then, a held request goes first: an old batch arrives late.
        let mut held = lock(&inner.held);
        let replay = (!held.is_empty() && rng.random_range(0..4) == 0).then(|| held.remove(0));
        (fate, replay, delay)
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    if let Some(old) = replay {
        let _ = forward(inner, &old).await;
        inner.counts[4].fetch_add(1, Ordering::Relaxed);
    }
    match fate {
        Fate::DropRequest => {
            inner.counts[1].fetch_add(1, Ordering::Relaxed);
            bad_gateway()
        }
        Fate::DropResponse => {
            let _ = forward(inner, &captured).await;
            inner.counts[2].fetch_add(1, Ordering::Relaxed);
            bad_gateway()
        }
        Fate::Duplicate => {
            let _ = forward(inner, &captured).await;
            inner.counts[3].fetch_add(1, Ordering::Relaxed);
            forward(inner, &captured).await
        }
        Fate::Hold => {
            lock(&inner.held).push(captured.clone());
            inner.counts[0].fetch_add(1, Ordering::Relaxed);
            forward(inner, &captured).await
        }
        Fate::Pass => {
            inner.counts[0].fetch_add(1, Ordering::Relaxed);
            forward(inner, &captured).await
        }
    }
}

async fn forward(inner: &Inner, c: &Captured) -> Response {
    let url = format!("{}{}", inner.upstream, c.path_and_query);
    let mut request = inner
        .http
        .request(c.method.clone(), url)
        .body(c.body.clone());
    for name in [header::AUTHORIZATION, header::CONTENT_TYPE, header::COOKIE] {
        if let Some(v) = c.headers.get(&name) {
            request = request.header(name, v);
        }
    }
    let Ok(answer) = request.send().await else {
        return bad_gateway();
    };
    let status = answer.status();
    let content_type = answer.headers().get(header::CONTENT_TYPE).cloned();
    let Ok(bytes) = answer.bytes().await else {
        return bad_gateway();
    };
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    if let Some(ct) = content_type {
        response.headers_mut().insert(header::CONTENT_TYPE, ct);
    }
    response
}
