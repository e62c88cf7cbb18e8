//! `login_throttles`: failed console logins per name and per address.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{SqliteTx, col_ts, col_ts_opt, col_u32, ts};
use crate::logins::ThrottleRow;
use crate::storage::{LoginThrottleTable, StorageResult};

impl LoginThrottleTable for SqliteTx<'_> {
    fn sweep(&mut self, now: DateTime<Utc>) -> StorageResult<u64> {
        let n = self
            .conn
            .prepare_cached("DELETE FROM login_throttles WHERE expires_at <= ?1")?
            .execute([ts(now)])?;
        Ok(n as u64)
    }

    fn get(&mut self, scope: &str, key: &str) -> StorageResult<Option<ThrottleRow>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT failures, blocked_until, expires_at FROM login_throttles
                 WHERE scope = ?1 AND key = ?2",
            )?
            .query_row(params![scope, key], |r| {
                Ok(ThrottleRow {
                    failures: col_u32(r, 0)?,
                    blocked_until: col_ts_opt(r, 1)?,
                    expires_at: col_ts(r, 2)?,
                })
            })
            .optional()?)
    }

    fn put(&mut self, scope: &str, key: &str, row: &ThrottleRow) -> StorageResult<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO login_throttles (scope, key, failures, blocked_until, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (scope, key) DO UPDATE SET
                     failures = excluded.failures,
                     blocked_until = excluded.blocked_until,
                     expires_at = excluded.expires_at",
            )?
            .execute(params![
                scope,
                key,
                row.failures,
                row.blocked_until.map(ts),
                ts(row.expires_at)
            ])?;
        Ok(())
    }

    fn delete(&mut self, scope: &str, key: &str) -> StorageResult<()> {
        self.conn
            .prepare_cached("DELETE FROM login_throttles WHERE scope = ?1 AND key = ?2")?
            .execute(params![scope, key])?;
        Ok(())
    }
}
