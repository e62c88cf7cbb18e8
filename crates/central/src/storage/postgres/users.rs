//! `users`: console accounts.

use chrono::{DateTime, Utc};
use tokio_postgres::Row;

use super::{PgTx, col, col_opt, get};
use crate::storage::{StorageError, StorageResult, UserTable};
use crate::users::{Role, User};

pub(super) const USER_COLUMNS: &str = "id, username, role, unit_id, carrier";

pub(super) fn user_row(r: &Row) -> StorageResult<User> {
    let role: String = get(r, 2)?;
    Ok(User {
        id: col(r, 0)?,
        username: get(r, 1)?,
        role: Role::parse(&role)
            .ok_or_else(|| StorageError::Corrupt(format!("column 2: unknown role {role}")))?,
        unit_id: col_opt(r, 3)?,
        carrier: carrier_col(r, 4)?,
    })
}

impl UserTable for PgTx<'_> {
    fn insert(
        &mut self,
        user: &User,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<()> {
        // A taken username is a refusal the use case answers, so the insert must not abort
        // the transaction.
        self.execute_unique(
            &format!(
                "INSERT INTO users ({USER_COLUMNS}, password_hash, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)"
            ),
            &[
                &user.id.to_string(),
                &user.username,
                &user.role.as_str(),
                &user.unit_id.map(|u| u.to_string()),
                &user.carrier.map(|c| c.code()),
                &password_hash,
                &now,
            ],
        )?;
        Ok(())
    }

    fn all(&mut self) -> StorageResult<Vec<User>> {
        let rows = self.query(
            &format!("SELECT {USER_COLUMNS} FROM users ORDER BY row_order"),
            &[],
        )?;
        rows.iter().map(user_row).collect()
    }

    fn with_password_hash(&mut self, username: &str) -> StorageResult<Option<(User, String)>> {
        let row = self.query_opt(
            &format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = $1"),
            &[&username],
        )?;
        row.map(|r| Ok((user_row(&r)?, get(&r, 5)?))).transpose()
    }
}

/// A carrier code column (NULL: none).
pub(super) fn carrier_col(r: &Row, idx: usize) -> StorageResult<Option<fieldpost_domain::Carrier>> {
    let code: Option<String> = get(r, idx)?;
    code.map(|c| {
        fieldpost_domain::Carrier::from_code(&c)
            .ok_or_else(|| StorageError::Corrupt(format!("column {idx}: unknown carrier {c}")))
    })
    .transpose()
}
