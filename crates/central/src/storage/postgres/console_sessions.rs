//! `console_sessions`: console logins, by the SHA-256 of the session cookie.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::PgTx;
use super::users::{USER_COLUMNS, user_row};
use crate::storage::{ConsoleSessionTable, StorageResult};
use crate::users::User;

impl ConsoleSessionTable for PgTx<'_> {
    fn insert(
        &mut self,
        token_hash: &str,
        user: Uuid,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StorageResult<()> {
        self.execute(
            "INSERT INTO console_sessions (token_hash, user_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4)",
            &[&token_hash, &user.to_string(), &now, &expires_at],
        )?;
        Ok(())
    }

    fn delete_expired(&mut self, now: DateTime<Utc>) -> StorageResult<()> {
        self.execute(
            "DELETE FROM console_sessions WHERE expires_at <= $1",
            &[&now],
        )?;
        Ok(())
    }

    fn delete(&mut self, token_hash: &str) -> StorageResult<()> {
        self.execute(
            "DELETE FROM console_sessions WHERE token_hash = $1",
            &[&token_hash],
        )?;
        Ok(())
    }

    fn user(&mut self, token_hash: &str, now: DateTime<Utc>) -> StorageResult<Option<User>> {
        let columns = USER_COLUMNS
            .split(", ")
            .map(|c| format!("u.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let row = self.query_opt(
            &format!(
                "SELECT {columns} FROM console_sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL"
            ),
            &[&token_hash, &now],
        )?;
        row.as_ref().map(user_row).transpose()
    }

    fn delete_for_user(&mut self, user: Uuid) -> StorageResult<u64> {
        self.execute(
            "DELETE FROM console_sessions WHERE user_id = $1",
            &[&user.to_string()],
        )
    }
}
