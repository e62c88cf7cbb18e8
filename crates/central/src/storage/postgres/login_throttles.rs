//! `login_throttles`: failed console logins per name and per address.

use chrono::{DateTime, Utc};

use super::{PgTx, col_u32, get};
use crate::logins::ThrottleRow;
use crate::storage::{LoginThrottleTable, StorageResult};

impl LoginThrottleTable for PgTx<'_> {
    fn sweep(&mut self, now: DateTime<Utc>) -> StorageResult<u64> {
        self.execute(
            "DELETE FROM login_throttles WHERE expires_at <= $1",
            &[&now],
        )
    }

    fn get(&mut self, scope: &str, key: &str) -> StorageResult<Option<ThrottleRow>> {
        let row = self.query_opt(
            "SELECT failures::int8, blocked_until, expires_at FROM login_throttles
              WHERE scope = $1 AND key = $2",
            &[&scope, &key],
        )?;
        row.map(|r| {
            Ok(ThrottleRow {
                failures: col_u32(&r, 0)?,
                blocked_until: get::<Option<DateTime<Utc>>>(&r, 1)?,
                expires_at: get::<DateTime<Utc>>(&r, 2)?,
            })
        })
        .transpose()
    }

    fn put(&mut self, scope: &str, key: &str, row: &ThrottleRow) -> StorageResult<()> {
        let failures = i32::try_from(row.failures).unwrap_or(i32::MAX);
        self.execute(
            "INSERT INTO login_throttles (scope, key, failures, blocked_until, expires_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (scope, key) DO UPDATE SET
                 failures = excluded.failures,
                 blocked_until = excluded.blocked_until,
                 expires_at = excluded.expires_at",
            &[&scope, &key, &failures, &row.blocked_until, &row.expires_at],
        )?;
        Ok(())
    }

    fn delete(&mut self, scope: &str, key: &str) -> StorageResult<()> {
        self.execute(
            "DELETE FROM login_throttles WHERE scope = $1 AND key = $2",
            &[&scope, &key],
        )?;
        Ok(())
    }
}
