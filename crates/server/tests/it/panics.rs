//! Issue 14: a panic while serving a request (a bug, never a client's doing) answers that
//! request a logged 500 with the standard error body, and the central goes on serving the
//! next ones: on either database, however often it happens.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use fieldpost_central::storage::{Access, Database, Outcome, StorageResult, Tx};
use fieldpost_central::testkit::Direct;
use fieldpost_server::AppState;

use crate::support::{Central, Tablet, expect_error};
use crate::sync::{approved_plan, push, push_raw};

/// The test's real database, with a fault of a bug's kind: when armed, every write
/// transaction does its work and then panics, before the commit.
#[derive(Debug)]
struct PanicsMidWrite {
    db: Arc<dyn Database>,
    armed: AtomicBool,
}

impl Database for PanicsMidWrite {
    fn transaction(
        &self,
        access: Access,
        work: &mut dyn FnMut(&mut dyn Tx) -> StorageResult<Outcome>,
    ) -> StorageResult<()> {
        if access == Access::Write && self.armed.load(Ordering::SeqCst) {
            return self.db.transaction(access, &mut |tx| {
                work(tx)?;
                panic!("injected: a use case's bug, mid-transaction");
            });
        }
        self.db.transaction(access, work)
    }
}

/// What the handlers log, as text.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Log {
    /// Collects this thread's log lines while the guard lives (a `#[tokio::test]` runs the
    /// router on the test's thread).
    fn capture(&self) -> tracing::subscriber::DefaultGuard {
        let log = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || log.clone())
            .finish();
        tracing::subscriber::set_default(subscriber)
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn a_panic_inside_a_use_case_is_a_500_for_that_request_and_the_next_ones_are_served() {
    let mut c = Central::new();
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let plan = approved_plan(&c, c.unit_a, &[(t.id, 10)]);
    let faulty = Arc::new(PanicsMidWrite {
        db: Arc::clone(&c.store),
        armed: AtomicBool::new(true),
    });
    c.state =
        AppState::new(faulty.clone(), Arc::clone(&c.database.lottery_key)).with_clock(c.clock());
    let batch = vec![t.open_session(plan), t.handout(plan, c.mask, 2).1];
    let log = Log::default();
    let guard = log.capture();
    // More times than the PostgreSQL pool has connections (16 in tests): a connection lost
    // with each panic would leave none for the requests after.
    for attempt in 0..20 {
        let body = expect_error(
            push_raw(&c, &t.auth, &batch).await,
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "a use case that panics fails its request",
        );
        assert_eq!(
            body["error"]["message"], "internal server error",
            "attempt {attempt}: the panic's words stay in the log"
        );
    }
    drop(guard);
    assert!(
        log.text().contains("injected: a use case's bug"),
        "the panic's message is logged: {}",
        log.text()
    );
    let stored = c.store.plan(plan).unwrap();
    assert!(
        stored.items.iter().all(|i| i.handed_out == 0),
        "the panicking transaction was rolled back: nothing of the batch is stored"
    );

    faulty.armed.store(false, Ordering::SeqCst);
    let reply = push(&c, &t, &batch).await;
    assert_eq!(
        reply.acked_through, 2,
        "the same batch applies once the bug is gone: the writer, its lock and the device's \
         queue all survived the panics"
    );
}

#[tokio::test]
async fn a_panic_in_a_handler_is_a_logged_500_not_a_dropped_connection() {
    let mut c = Central::new();
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let plan = approved_plan(&c, c.unit_a, &[(t.id, 10)]);
    // The clock is read on the handler's own task (not the blocking pool): a clock that
    // panics stands for any bug there.
    let armed = Arc::new(AtomicBool::new(true));
    let (clock, flag) = (c.clock(), Arc::clone(&armed));
    c.state = c.state.clone().with_clock(Arc::new(move || {
        assert!(!flag.load(Ordering::SeqCst), "injected: a handler's bug");
        clock()
    }));
    let batch = vec![t.open_session(plan), t.handout(plan, c.mask, 2).1];
    let log = Log::default();
    let guard = log.capture();
    let body = expect_error(
        push_raw(&c, &t.auth, &batch).await,
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "a handler that panics answers, with the standard body",
    );
    drop(guard);
    assert_eq!(body["error"]["message"], "internal server error");
    let text = log.text();
    assert!(
        text.contains("ERROR") && text.contains("injected: a handler's bug"),
        "the panic is logged as an error with its message: {text}"
    );

    armed.store(false, Ordering::SeqCst);
    let reply = push(&c, &t, &batch).await;
    assert_eq!(
        reply.acked_through, 2,
        "the next request is served as usual"
    );
}
