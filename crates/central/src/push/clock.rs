//! A pushing tablet's clock, as far as the central can tell (issue 14).
//!
//! Every request of a station carries its own clock's time in the `Date` header. The central
//! compares it with its own: a tablet further off than [`CLOCK_TOLERANCE`] has its session and
//! check-in times shifted back by the difference before they meet the plan's window or reach
//! the reports, and an event time in the central's future is never believed (it becomes the
//! receiving time). The events themselves are stored as the tablet sent them — they are its
//! record, and replays compare against them — and the batch is flagged in the audit log
//! (`sync.clock_off`), for the secretariat to look at the tablet.
//!
//! Times from the past are not suspect by themselves: a tablet offline for days pushes
//! days-old events with a right clock. A tablet of a release before this one sends no `Date`
//! header; only its future times are caught.

use chrono::{DateTime, Duration, Utc};
use fieldpost_domain::{DeviceEvent, EventPayload};
use serde_json::json;

/// How far a tablet's clock may be from the central's before its times are corrected
/// ([`fieldpost_sync::CLOCK_TOLERANCE_SECONDS`], which the tablet warns by too).
pub const CLOCK_TOLERANCE: Duration = Duration::seconds(fieldpost_sync::CLOCK_TOLERANCE_SECONDS);

/// The pushing tablet's clock against the central's.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ClockCheck {
    now: DateTime<Utc>,
    /// Tablet minus central, when the request said the tablet's time and it is off by more
    /// than the tolerance.
    off_by: Option<Duration>,
}

impl ClockCheck {
    /// `device_time`: the tablet's clock when it sent the request (its `Date` header).
    pub(crate) fn new(now: DateTime<Utc>, device_time: Option<DateTime<Utc>>) -> ClockCheck {
        let off_by = device_time
            .map(|t| t - now)
            .filter(|d| d.abs() > CLOCK_TOLERANCE);
        ClockCheck { now, off_by }
    }

    /// How far off the tablet's clock is, when it is off.
    #[cfg(test)]
    pub(crate) fn off_by(&self) -> Option<Duration> {
        self.off_by
    }

    /// A time the tablet wrote, as the central takes it: moved back by the tablet's offset,
    /// and never later than now.
    pub(crate) fn trusted(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        let t = match self.off_by {
            Some(d) => t - d,
            None => t,
        };
        t.min(self.now)
    }

    /// Whether `e` has times the central does not take as written.
    pub(crate) fn suspect(&self, e: &DeviceEvent) -> bool {
        self.off_by.is_some() || e.recorded_at > self.now + CLOCK_TOLERANCE
    }

    /// `payload` with its session and check-in times as the central takes them, when `e` is
    /// suspect and the payload has such times; `None` otherwise (the payload as written).
    /// Handouts and entrants keep the tablet's times: their rows are the event's content.
    pub(crate) fn corrected(&self, e: &DeviceEvent) -> Option<EventPayload> {
        if !self.suspect(e) {
            return None;
        }
        Some(match &e.payload {
            EventPayload::SessionOpened { session } => {
                let mut session = session.clone();
                session.opened_at = self.trusted(session.opened_at);
                session.closed_at = session.closed_at.map(|t| self.trusted(t));
                EventPayload::SessionOpened { session }
            }
            EventPayload::SessionClosed {
                session_id,
                closed_at,
            } => EventPayload::SessionClosed {
                session_id: *session_id,
                closed_at: self.trusted(*closed_at),
            },
            EventPayload::VolunteerCheckedIn { check_in } => {
                let mut check_in = check_in.clone();
                check_in.checked_in_at = self.trusted(check_in.checked_in_at);
                EventPayload::VolunteerCheckedIn { check_in }
            }
            EventPayload::VolunteerCheckedOut {
                check_in_id,
                checked_out_at,
            } => EventPayload::VolunteerCheckedOut {
                check_in_id: *check_in_id,
                checked_out_at: self.trusted(*checked_out_at),
            },
            _ => return None,
        })
    }

    /// The audit line's details for a batch with suspect events, `None` when it has none.
    pub(crate) fn flag<'e>(
        &self,
        events: impl Iterator<Item = &'e DeviceEvent>,
    ) -> Option<serde_json::Value> {
        let (mut suspect, mut future, mut seqs, mut latest) = (0u64, 0u64, None, None);
        for e in events {
            if !self.suspect(e) {
                continue;
            }
            suspect += 1;
            if e.recorded_at > self.now + CLOCK_TOLERANCE {
                future += 1;
            }
            let (first, _) = seqs.unwrap_or((e.seq, e.seq));
            seqs = Some((first, e.seq));
            latest = latest.max(Some(e.recorded_at));
        }
        let (first_seq, last_seq) = seqs?;
        Some(json!({
            "off_by_seconds": self.off_by.map(|d| d.num_seconds()),
            "events": suspect,
            "future_events": future,
            "first_seq": first_seq,
            "last_seq": last_seq,
            "latest_recorded_at": latest,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2022, 8, 6, h, m, 0).unwrap()
    }

    #[test]
    fn a_clock_within_the_tolerance_is_taken_as_it_is() {
        let check = ClockCheck::new(at(3, 0), Some(at(3, 4)));
        assert_eq!(check.off_by(), None);
        assert_eq!(check.trusted(at(2, 0)), at(2, 0));
    }

    #[test]
    fn a_clock_hours_off_is_corrected_both_ways_and_never_past_now() {
        let ahead = ClockCheck::new(at(3, 0), Some(at(8, 0)));
        assert_eq!(ahead.off_by(), Some(Duration::hours(5)));
        assert_eq!(ahead.trusted(at(7, 30)), at(2, 30));
        let behind = ClockCheck::new(at(8, 0), Some(at(3, 0)));
        assert_eq!(behind.trusted(at(2, 30)), at(7, 30));
        // Behind, yet a time past the tablet's own now (a clock that jumped): not the future.
        assert_eq!(behind.trusted(at(4, 0)), at(8, 0));
    }

    #[test]
    fn without_the_tablets_time_only_the_future_is_refused() {
        let check = ClockCheck::new(at(3, 0), None);
        assert_eq!(check.trusted(at(1, 0)), at(1, 0));
        assert_eq!(check.trusted(at(9, 0)), at(3, 0));
    }
}
