//! Console login throttling (issue 14): the failed logins of each login name and of each
//! client address, and when each may try again.
//!
//! A login asks [`begin`] first, before any password is checked. A name or address that must
//! wait is refused there ([`Throttled`], with the time to retry), so that even the right
//! password is not checked while it waits. Otherwise the attempt is counted as a failure of
//! both the name and the address *before* the password is checked, in the same transaction
//! that looked at them: requests sent in parallel are each counted, and cannot all slip
//! through before the first failure is written. Then the handler checks the password and
//! reports [`succeeded`] (the name's count is cleared, and the address's count takes this
//! attempt back) or [`failed`] (the failure goes into the audit log, with the lock it started).
//!
//! The counts are rows of the database (`login_throttles`, migration 0013), so every central
//! instance on one database counts the same failures. The name is counted whether an account
//! has it or not, so that the answers never tell which names exist.
//! See `docs/decisions/2026-12-01-login-throttling.md`.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use crate::audit::Actor;
use crate::storage::{self, Database, LoginThrottleTable, StorageError};

/// How one kind of key (a login name, a client address) is throttled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleRule {
    /// Failures that cost no wait.
    pub free_failures: u32,
    /// The wait after the first failure beyond the free ones; it doubles with each further one.
    pub first_delay: Duration,
    /// The longest such wait.
    pub max_delay: Duration,
    /// The failure that locks the key, and every one after it.
    pub lock_after: u32,
    /// How long a lock lasts.
    pub lock_for: Duration,
    /// The failures are forgotten this long after the last one (or when the lock that is
    /// longer ends). Until then, a failure after a lock locks again at once.
    pub forget_after: Duration,
}

impl ThrottleRule {
    /// When a key that has just failed for the `failures`-th time may try again, and whether
    /// that is a lock; `None`: at once.
    pub fn blocked_until(
        &self,
        failures: u32,
        now: DateTime<Utc>,
    ) -> Option<(DateTime<Utc>, bool)> {
        if failures >= self.lock_after {
            return Some((now + self.lock_for, true));
        }
        let beyond = failures.checked_sub(self.free_failures)?.checked_sub(1)?;
        // 2^beyond, saturating long before it matters: max_delay caps it anyway.
        let factor = 1_i32.checked_shl(beyond.min(30)).unwrap_or(i32::MAX);
        let delay = self
            .first_delay
            .checked_mul(factor)
            .unwrap_or(self.max_delay)
            .min(self.max_delay);
        (delay > Duration::zero()).then_some((now + delay, false))
    }
}

/// The throttling of console logins: per login name and per client address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimits {
    /// Per login name (whether an account has it or not).
    pub account: ThrottleRule,
    /// Per client address (IPv4, or an IPv6 /64): one address guessing many names.
    pub address: ThrottleRule,
}

impl Default for LoginLimits {
    /// A name: 3 free failures, then waits of 1, 2, 4 … 32 s, and the 10th failure locks it
    /// for 15 minutes. An address (many people behind one office's NAT): 20 free failures,
    /// then waits doubling up to a minute, and the 100th locks it for 30 minutes.
    fn default() -> Self {
        LoginLimits {
            account: ThrottleRule {
                free_failures: 3,
                first_delay: Duration::seconds(1),
                max_delay: Duration::minutes(1),
                lock_after: 10,
                lock_for: Duration::minutes(15),
                forget_after: Duration::hours(1),
            },
            address: ThrottleRule {
                free_failures: 20,
                first_delay: Duration::seconds(1),
                max_delay: Duration::minutes(1),
                lock_after: 100,
                lock_for: Duration::minutes(30),
                forget_after: Duration::hours(1),
            },
        }
    }
}

/// What is throttled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A login name.
    Account,
    /// A client address.
    Address,
}

impl Scope {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Account => "account",
            Scope::Address => "address",
        }
    }
}

/// One key's stored failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleRow {
    /// Failures counted (an attempt in progress included).
    pub failures: u32,
    /// When the key may try again; `None`: now.
    pub blocked_until: Option<DateTime<Utc>>,
    /// When the row is forgotten.
    pub expires_at: DateTime<Utc>,
}

/// A login refused unchecked: the name or the address must wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Throttled {
    /// When the login may be tried again.
    pub retry_at: DateTime<Utc>,
    /// Which one waits (the name when both do).
    pub scope: Scope,
}

/// One key's count after an attempt was let through.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Counted {
    key: String,
    failures: u32,
    blocked_until: Option<DateTime<Utc>>,
    locked: bool,
}

/// A login attempt let through, counted as a failure until [`succeeded`] says otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    account: Counted,
    address: Option<Counted>,
}

impl Attempt {
    /// When the name or address may try again should this attempt fail; `None`: at once.
    pub fn retry_at(&self) -> Option<DateTime<Utc>> {
        self.account
            .blocked_until
            .into_iter()
            .chain(self.address.as_ref().and_then(|a| a.blocked_until))
            .max()
    }
}

/// Longest part of a typed name that keys its count: a longer name shares its prefix's.
const NAME_KEY: usize = 128;

/// The key of a login name: as typed, trimmed, cut to 128 characters (a longer name shares
/// its prefix's count).
pub fn name_key(username: &str) -> String {
    username.trim().chars().take(NAME_KEY).collect()
}

/// The name's and the address's rows that have not expired at `now`.
fn rows(
    table: &mut dyn LoginThrottleTable,
    name: &str,
    address: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(Option<ThrottleRow>, Option<ThrottleRow>), StorageError> {
    let live = |row: Option<ThrottleRow>| row.filter(|r| r.expires_at > now);
    let account = live(table.get(Scope::Account.as_str(), name)?);
    let address = match address {
        Some(a) => live(table.get(Scope::Address.as_str(), a)?),
        None => None,
    };
    Ok((account, address))
}

/// The latest wait still running among the rows (the name's when both end together).
fn waiting(
    account: Option<&ThrottleRow>,
    address: Option<&ThrottleRow>,
    now: DateTime<Utc>,
) -> Option<Throttled> {
    [(Scope::Account, account), (Scope::Address, address)]
        .into_iter()
        .filter_map(|(scope, row)| Some((row?.blocked_until?, scope)))
        .filter(|(until, _)| *until > now)
        .max_by_key(|(until, scope)| (*until, *scope == Scope::Account))
        .map(|(retry_at, scope)| Throttled { retry_at, scope })
}

/// Checks the name's and the address's counts before a password is checked: refuses while
/// either must wait, and otherwise counts this attempt as a failure of both. Also forgets
/// the rows whose time has passed.
///
/// A refusal is decided in a read, so that a flood of refused attempts writes nothing (every
/// write takes the one writer's turn that the tablets' pushes also wait for); the count is
/// taken in a write that looks again, in case another attempt counted in between.
pub fn begin(
    db: &dyn Database,
    now: DateTime<Utc>,
    limits: &LoginLimits,
    username: &str,
    address: Option<&str>,
) -> Result<Result<Attempt, Throttled>, StorageError> {
    let name = name_key(username);
    let refused = storage::read(db, |tx| {
        let (account, address) = rows(tx.login_throttles(), &name, address, now)?;
        Ok::<_, StorageError>(waiting(account.as_ref(), address.as_ref(), now))
    })?;
    if let Some(refused) = refused {
        return Ok(Err(refused));
    }
    storage::write(db, |tx| {
        let table = tx.login_throttles();
        table.sweep(now)?;
        let (account_row, address_row) = rows(table, &name, address, now)?;
        if let Some(refused) = waiting(account_row.as_ref(), address_row.as_ref(), now) {
            return Ok(Err(refused));
        }
        let (account, row) = decide(&name, account_row, &limits.account, now);
        table.put(Scope::Account.as_str(), &name, &row)?;
        let address = match address {
            Some(a) => {
                let (counted, row) = decide(a, address_row, &limits.address, now);
                table.put(Scope::Address.as_str(), a, &row)?;
                Some(counted)
            }
            None => None,
        };
        Ok(Ok(Attempt { account, address }))
    })
}

/// One key's count after one more failure under `rule`, and the row to store.
fn decide(
    key: &str,
    row: Option<ThrottleRow>,
    rule: &ThrottleRule,
    now: DateTime<Utc>,
) -> (Counted, ThrottleRow) {
    let failures = row.map_or(0, |r| r.failures).saturating_add(1);
    let blocked = rule.blocked_until(failures, now);
    let blocked_until = blocked.map(|(t, _)| t);
    let forget = now + rule.forget_after;
    let stored = ThrottleRow {
        failures,
        blocked_until,
        expires_at: blocked_until.map_or(forget, |t| t.max(forget)),
    };
    let counted = Counted {
        key: key.to_owned(),
        failures,
        blocked_until,
        locked: blocked.is_some_and(|(_, locked)| locked),
    };
    (counted, stored)
}

/// The right password: the name's failures are forgotten, and the address's count takes
/// this attempt back (a success does not clear an address's failures: one account's owner
/// must not be able to wipe the count of the names guessed from the same address).
pub fn succeeded(db: &dyn Database, attempt: &Attempt) -> Result<(), StorageError> {
    storage::write(db, |tx| {
        let table = tx.login_throttles();
        table.delete(Scope::Account.as_str(), &attempt.account.key)?;
        let Some(ours) = &attempt.address else {
            return Ok(());
        };
        let Some(row) = table.get(Scope::Address.as_str(), &ours.key)? else {
            return Ok(());
        };
        let failures = row.failures.saturating_sub(1);
        if failures == 0 {
            return table.delete(Scope::Address.as_str(), &ours.key);
        }
        // The wait this attempt started is lifted; one a later failure started stays.
        let blocked_until = row.blocked_until.filter(|t| Some(*t) != ours.blocked_until);
        table.put(
            Scope::Address.as_str(),
            &ours.key,
            &ThrottleRow {
                failures,
                blocked_until,
                expires_at: row.expires_at,
            },
        )
    })
}

/// Longest login name the audit log keeps of a failed login (a name typed by anyone).
const LOGGED_NAME: usize = 64;

/// A wrong password (or an unknown name, or a disabled account: they read alike here, as
/// they do to the caller): the failure goes into the audit log with the name as typed (cut
/// to a sane length, never the password) and the address, and so does the lock it started.
/// Returns when the name or address may try again, if they must wait.
pub fn failed(
    db: &dyn Database,
    now: DateTime<Utc>,
    username: &str,
    address: Option<&str>,
    attempt: &Attempt,
) -> Result<Option<DateTime<Utc>>, StorageError> {
    let name: String = username.trim().chars().take(LOGGED_NAME).collect();
    let actor = Actor::System("login");
    storage::write(db, |tx| {
        let log = tx.audit_log();
        log.append(
            now,
            &actor,
            "user.login_failed",
            None,
            &json!({"username": name, "address": address}),
        )?;
        let locks = std::iter::once((Scope::Account, &attempt.account))
            .chain(attempt.address.iter().map(|a| (Scope::Address, a)))
            .filter(|(_, c)| c.locked);
        for (scope, counted) in locks {
            log.append(
                now,
                &actor,
                "user.login_locked",
                None,
                &json!({"username": name, "address": address, "scope": scope.as_str(),
                        "failures": counted.failures, "until": counted.blocked_until}),
            )?;
        }
        Ok::<(), StorageError>(())
    })?;
    Ok(attempt.retry_at())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> ThrottleRule {
        LoginLimits::default().account
    }

    #[test]
    fn the_wait_doubles_after_the_free_failures_then_locks() {
        let now = DateTime::<Utc>::UNIX_EPOCH;
        let waits: Vec<Option<(i64, bool)>> = (1..=11)
            .map(|n| {
                rule()
                    .blocked_until(n, now)
                    .map(|(t, locked)| ((t - now).num_seconds(), locked))
            })
            .collect();
        assert_eq!(
            waits,
            vec![
                None,
                None,
                None,
                Some((1, false)),
                Some((2, false)),
                Some((4, false)),
                Some((8, false)),
                Some((16, false)),
                Some((32, false)),
                Some((900, true)),
                Some((900, true)),
            ],
            "3 free failures, then 1, 2, 4 … s, and the 10th and every later one lock for 15 min"
        );
    }

    #[test]
    fn the_wait_is_capped() {
        let now = DateTime::<Utc>::UNIX_EPOCH;
        let address = LoginLimits::default().address;
        let (until, locked) = address.blocked_until(99, now).unwrap();
        assert_eq!(
            (until - now, locked),
            (Duration::minutes(1), false),
            "2^78 s would overflow: the wait stops growing at max_delay"
        );
    }
}
