//! Turns: requests that share a key (one device's pushes) reach the store in the order they
//! arrived, while what comes before the store — receiving and parsing their events — runs at
//! once.
//!
//! A station pipelines its push: it sends batch k+1 while batch k is still in flight. The
//! central receives and parses both concurrently, which is the point (one core parses k+1
//! while the other stores k); but if k+1 reached the store first, the store would refuse it
//! with `seq_gap` and the station would have to send it again. So each push takes a [`Ticket`]
//! of its device as soon as it is authenticated, before its body is read, and
//! [`Ticket::turn`] waits until every earlier ticket of that device is finished. A ticket
//! finishes when it is dropped: after its store call, or early, when its request fails or is
//! abandoned, so a failed request never holds up the ones behind it. Different keys never
//! wait on each other.
//!
//! A ticket taken before the body is in must not let a stalled upload (a tablet that lost its
//! network half-way; the central has no read timeout) hold up its device for good: a ticket
//! that has waited for its turn longer than the queue's patience stops waiting and passes every
//! ticket ahead of it, which from then on hold up nobody. The patience is far longer than a
//! batch takes to store, so it only ever runs out on such a stall.
//!
//! The order is only ever a matter of speed: the store refuses a gap whatever the order, so a
//! push that still overtakes another costs a resend, never an event.

use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::watch;

/// How long a push waits for the pushes of its device ahead of it before passing them.
pub(crate) const PATIENCE: Duration = Duration::from_secs(10);

/// Queues of tickets, one per key.
#[derive(Debug)]
pub(crate) struct Turns<K> {
    inner: Mutex<Inner<K>>,
    patience: Duration,
}

#[derive(Debug)]
struct Inner<K> {
    lanes: HashMap<K, Lane>,
    /// Numbers the lanes, so that a ticket outliving its lane (one that was passed) cannot
    /// touch a later lane of the same key.
    lanes_opened: u64,
}

/// One key's queue. Tickets are numbered from 0 in the order they were taken; `low` is the
/// ticket whose turn it is.
#[derive(Debug)]
struct Lane {
    id: u64,
    /// The number the next ticket gets.
    next: u64,
    /// Every ticket below it is finished (or was passed).
    low: u64,
    /// Tickets above `low` finished out of order (a request that failed while waiting).
    finished: BTreeSet<u64>,
    /// Announces `low` to the waiting tickets.
    low_tx: watch::Sender<u64>,
}

/// A place in a key's queue. Dropping it finishes it, whether or not its turn came.
#[derive(Debug)]
pub(crate) struct Ticket<K: Hash + Eq + Clone> {
    turns: Arc<Turns<K>>,
    key: K,
    lane: u64,
    number: u64,
    low: watch::Receiver<u64>,
}

impl<K: Hash + Eq + Clone> Turns<K> {
    /// No queues yet; a ticket waits at most `patience` for those ahead of it.
    pub(crate) fn new(patience: Duration) -> Arc<Turns<K>> {
        Arc::new(Turns {
            inner: Mutex::new(Inner {
                lanes: HashMap::new(),
                lanes_opened: 0,
            }),
            patience,
        })
    }

    fn inner(&self) -> MutexGuard<'_, Inner<K>> {
        // Every critical section leaves the lanes consistent before anything can panic, so a
        // poisoned lock is safe to keep using.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The next ticket of `key`.
    pub(crate) fn ticket(self: &Arc<Self>, key: K) -> Ticket<K> {
        let mut inner = self.inner();
        let Inner {
            lanes,
            lanes_opened,
        } = &mut *inner;
        let lane = lanes.entry(key.clone()).or_insert_with(|| {
            *lanes_opened += 1;
            Lane {
                id: *lanes_opened,
                next: 0,
                low: 0,
                finished: BTreeSet::new(),
                low_tx: watch::channel(0).0,
            }
        });
        let number = lane.next;
        lane.next += 1;
        Ticket {
            turns: Arc::clone(self),
            key,
            lane: lane.id,
            number,
            low: lane.low_tx.subscribe(),
        }
    }

    /// Runs `f` on the ticket's lane, if the lane is still there.
    fn on_lane(&self, ticket: &Ticket<K>, f: impl FnOnce(&mut Lane)) {
        let mut inner = self.inner();
        let Some(lane) = inner.lanes.get_mut(&ticket.key) else {
            return;
        };
        if lane.id != ticket.lane {
            return;
        }
        f(lane);
        if lane.low == lane.next {
            // No ticket of this lane is left waiting or working: forget it. The next ticket
            // of the key opens a new lane.
            inner.lanes.remove(&ticket.key);
        }
    }

    fn finish(&self, ticket: &Ticket<K>) {
        let number = ticket.number;
        self.on_lane(ticket, |lane| {
            if number < lane.low {
                // Passed already.
                return;
            }
            lane.finished.insert(number);
            lane.advance();
        });
    }

    fn pass_those_ahead(&self, ticket: &Ticket<K>) {
        let number = ticket.number;
        self.on_lane(ticket, |lane| {
            if lane.low < number {
                lane.finished.retain(|&n| n > number);
                lane.low = number;
                lane.advance();
            }
        });
    }

    #[cfg(test)]
    fn lane_count(&self) -> usize {
        self.inner().lanes.len()
    }
}

impl Lane {
    fn advance(&mut self) {
        while self.finished.remove(&self.low) {
            self.low += 1;
        }
        self.low_tx.send_replace(self.low);
    }
}

impl<K: Hash + Eq + Clone> Ticket<K> {
    /// Waits until every earlier ticket of the same key is finished, or the queue's patience
    /// runs out (see the module docs).
    pub(crate) async fn turn(&mut self) {
        let number = self.number;
        let patience = self.turns.patience;
        // The sender lives in the lane, which lives as long as this ticket is unfinished, so
        // the channel cannot close while we wait; were it to, going ahead is still safe.
        let out_of_patience =
            tokio::time::timeout(patience, self.low.wait_for(|&low| low >= number))
                .await
                .is_err();
        if out_of_patience {
            self.turns.pass_those_ahead(self);
        }
    }
}

impl<K: Hash + Eq + Clone> Drop for Ticket<K> {
    fn drop(&mut self) {
        self.turns.finish(self);
    }
}

#[cfg(test)]
mod tests {
    use std::future::Future;
    use std::task::{Context, Poll, Waker};

    use super::*;

    fn turns() -> Arc<Turns<&'static str>> {
        Turns::new(PATIENCE)
    }

    /// Whether `ticket`'s turn has come, without waiting for it (the waiting arms a timer: call
    /// it within a runtime).
    fn has_turn(ticket: &mut Ticket<&'static str>) -> bool {
        let mut turn = std::pin::pin!(ticket.turn());
        matches!(
            turn.as_mut().poll(&mut Context::from_waker(Waker::noop())),
            Poll::Ready(())
        )
    }

    #[tokio::test]
    async fn tickets_of_a_key_take_turns_in_the_order_they_were_taken() {
        let turns = turns();
        let mut first = turns.ticket("device-a");
        let mut second = turns.ticket("device-a");
        let mut third = turns.ticket("device-a");
        assert!(has_turn(&mut first), "the first ticket goes at once");
        assert!(!has_turn(&mut second), "the second waits for the first");
        assert!(!has_turn(&mut third), "the third waits for both");
        drop(first);
        assert!(
            has_turn(&mut second),
            "the second goes once the first is done"
        );
        assert!(
            !has_turn(&mut third),
            "the third still waits for the second"
        );
        drop(second);
        assert!(has_turn(&mut third), "the third goes last");
    }

    #[tokio::test]
    async fn a_dropped_waiting_ticket_releases_its_place_but_not_the_holders() {
        let turns = turns();
        let mut holder = turns.ticket("device-a");
        let waiting = turns.ticket("device-a");
        let mut behind = turns.ticket("device-a");
        assert!(has_turn(&mut holder), "the holder has its turn");
        // A request that failed (or whose client went away) while it waited for its turn.
        drop(waiting);
        assert!(
            !has_turn(&mut behind),
            "a dropped ticket must not let the one behind it overtake the holder"
        );
        drop(holder);
        assert!(
            has_turn(&mut behind),
            "once the holder is done, the dropped ticket holds nobody up"
        );
    }

    #[tokio::test]
    async fn a_dropped_holder_releases_its_turn() {
        let turns = turns();
        let mut holder = turns.ticket("device-a");
        let mut next = turns.ticket("device-a");
        assert!(has_turn(&mut holder), "the holder has its turn");
        // A request that failed with its turn: dropped, never finished normally.
        drop(holder);
        assert!(
            has_turn(&mut next),
            "a failed holder must not block the device"
        );
    }

    #[tokio::test]
    async fn different_keys_never_wait_on_each_other() {
        let turns = turns();
        let _a = turns.ticket("device-a");
        let _a2 = turns.ticket("device-a");
        let mut b = turns.ticket("device-b");
        assert!(
            has_turn(&mut b),
            "another device's pushes are not held up by device a's"
        );
    }

    #[tokio::test]
    async fn an_idle_key_is_forgotten_and_starts_afresh() {
        let turns = turns();
        let first = turns.ticket("device-a");
        let second = turns.ticket("device-a");
        drop(second);
        assert_eq!(
            turns.lane_count(),
            1,
            "a ticket is still out: the lane stays"
        );
        drop(first);
        assert_eq!(
            turns.lane_count(),
            0,
            "no ticket left: the lane is forgotten"
        );
        let mut fresh = turns.ticket("device-a");
        assert!(
            has_turn(&mut fresh),
            "a new ticket of an idle key goes at once"
        );
    }

    #[tokio::test]
    async fn a_waiting_ticket_wakes_when_the_holder_finishes() {
        let turns = turns();
        let holder = turns.ticket("device-a");
        let mut next = turns.ticket("device-a");
        let waiter = tokio::spawn(async move {
            next.turn().await;
        });
        tokio::task::yield_now().await;
        assert!(
            !waiter.is_finished(),
            "the waiter waits while the holder works"
        );
        drop(holder);
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("the waiter is woken, not left asleep")
            .expect("the waiter does not panic");
    }

    #[tokio::test]
    async fn a_stalled_holder_is_passed_once_patience_runs_out_and_holds_up_nobody_after() {
        let turns = Turns::new(Duration::from_millis(20));
        // An upload that stalls half-way: its ticket is never dropped while the test runs.
        let stalled = turns.ticket("device-a");
        let mut first = turns.ticket("device-a");
        let mut second = turns.ticket("device-a");
        tokio::time::timeout(Duration::from_secs(5), first.turn())
            .await
            .expect("a stalled holder is passed after the patience, not waited for forever");
        assert!(
            !has_turn(&mut second),
            "passing the stalled ticket does not let the next one overtake the first"
        );
        drop(first);
        assert!(
            has_turn(&mut second),
            "the second does not wait for the stalled ticket again"
        );
        drop(second);
        assert_eq!(
            turns.lane_count(),
            0,
            "with only the passed ticket left, the lane is forgotten"
        );
        let mut fresh = turns.ticket("device-a");
        drop(stalled);
        assert!(
            has_turn(&mut fresh),
            "the stalled ticket, finishing late, cannot disturb the key's new lane"
        );
        let mut behind_fresh = turns.ticket("device-a");
        assert!(
            !has_turn(&mut behind_fresh),
            "nor mark a ticket of the new lane as finished"
        );
    }
}
