//! `users`: console accounts.

use super::PgTx;
use crate::storage::{StorageResult, UserTable};
use crate::users::{Role, User};
use chrono::{DateTime, Utc};

impl UserTable for PgTx<'_> {
    fn insert(
        &mut self,
        user: &User,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
    fn all(&mut self) -> StorageResult<Vec<User>> {
        todo!("PostgreSQL")
    }
    fn with_password_hash(&mut self, username: &str) -> StorageResult<Option<(User, String)>> {
        todo!("PostgreSQL")
    }
}
