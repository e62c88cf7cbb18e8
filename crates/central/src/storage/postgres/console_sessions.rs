//! `console_sessions`: console logins, by the SHA-256 of the session cookie.

use super::PgTx;
use crate::storage::{ConsoleSessionTable, StorageResult};
use crate::users::User;
use chrono::{DateTime, Utc};
use uuid::Uuid;

impl ConsoleSessionTable for PgTx<'_> {
    fn insert(
        &mut self,
        token_hash: &str,
        user: Uuid,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
    fn delete_expired(&mut self, now: DateTime<Utc>) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
    fn delete(&mut self, token_hash: &str) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
    fn user(&mut self, token_hash: &str, now: DateTime<Utc>) -> StorageResult<Option<User>> {
        todo!("PostgreSQL")
    }
}
