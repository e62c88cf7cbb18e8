//! `console_sessions`: console logins, by the SHA-256 of the session cookie.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

use super::users::{USER_COLUMNS, user_row};
use super::{SqliteTx, ts};
use crate::storage::{ConsoleSessionTable, StorageResult};
use crate::users::User;

impl ConsoleSessionTable for SqliteTx<'_> {
    fn insert(
        &mut self,
        token_hash: &str,
        user: Uuid,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StorageResult<()> {
        self.conn.execute(
            "INSERT INTO console_sessions (token_hash, user_id, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![token_hash, user.to_string(), ts(now), ts(expires_at)],
        )?;
        Ok(())
    }

    fn delete_expired(&mut self, now: DateTime<Utc>) -> StorageResult<()> {
        self.conn.execute(
            "DELETE FROM console_sessions WHERE expires_at <= ?1",
            [ts(now)],
        )?;
        Ok(())
    }

    fn delete(&mut self, token_hash: &str) -> StorageResult<()> {
        self.conn.execute(
            "DELETE FROM console_sessions WHERE token_hash = ?1",
            [token_hash],
        )?;
        Ok(())
    }

    fn user(&mut self, token_hash: &str, now: DateTime<Utc>) -> StorageResult<Option<User>> {
        let columns = USER_COLUMNS
            .split(", ")
            .map(|c| format!("u.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {columns} FROM console_sessions s JOIN users u ON u.id = s.user_id
                     WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.disabled_at IS NULL"
                ),
                params![token_hash, ts(now)],
                user_row,
            )
            .optional()?)
    }

    fn delete_for_user(&mut self, user: Uuid) -> StorageResult<u64> {
        let n = self.conn.execute(
            "DELETE FROM console_sessions WHERE user_id = ?1",
            [user.to_string()],
        )?;
        Ok(n as u64)
    }
}
