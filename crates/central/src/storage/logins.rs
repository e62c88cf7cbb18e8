//! The failed console logins of each login name and client address (migration 0013).

use chrono::{DateTime, Utc};

use super::StorageResult;
use crate::logins::ThrottleRow;

/// `login_throttles`: one row per (scope, key), `scope` being `account` or `address`.
pub trait LoginThrottleTable {
    /// Forgets the rows whose `expires_at` is at or before `now`.
    fn sweep(&mut self, now: DateTime<Utc>) -> StorageResult<u64>;
    /// One key's row.
    fn get(&mut self, scope: &str, key: &str) -> StorageResult<Option<ThrottleRow>>;
    /// Stores one key's row, replacing the one it had.
    fn put(&mut self, scope: &str, key: &str, row: &ThrottleRow) -> StorageResult<()>;
    /// Forgets one key.
    fn delete(&mut self, scope: &str, key: &str) -> StorageResult<()>;
}
