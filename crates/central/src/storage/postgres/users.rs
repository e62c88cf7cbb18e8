//! `users`: console accounts.

use chrono::{DateTime, Utc};
use tokio_postgres::Row;

use uuid::Uuid;

use super::{PgTx, col, col_opt, get};
use crate::storage::{StorageError, StorageResult, UserTable};
use crate::users::{Account, Role, User};

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
            &format!(
                "SELECT {USER_COLUMNS}, password_hash FROM users
                 WHERE username = $1 AND disabled_at IS NULL"
            ),
            &[&username],
        )?;
        row.map(|r| Ok((user_row(&r)?, get(&r, 5)?))).transpose()
    }

    fn accounts(&mut self) -> StorageResult<Vec<Account>> {
        let rows = self.query(
            &format!("SELECT {USER_COLUMNS}, disabled_at FROM users ORDER BY row_order"),
            &[],
        )?;
        rows.iter().map(account_row).collect()
    }

    fn account(&mut self, id: Uuid) -> StorageResult<Option<Account>> {
        let row = self.query_opt(
            &format!("SELECT {USER_COLUMNS}, disabled_at FROM users WHERE id = $1"),
            &[&id.to_string()],
        )?;
        row.as_ref().map(account_row).transpose()
    }

    fn update(&mut self, user: &User) -> StorageResult<()> {
        self.execute(
            "UPDATE users SET role = $2, unit_id = $3, carrier = $4 WHERE id = $1",
            &[
                &user.id.to_string(),
                &user.role.as_str(),
                &user.unit_id.map(|u| u.to_string()),
                &user.carrier.map(|c| c.code()),
            ],
        )?;
        Ok(())
    }

    fn set_disabled(&mut self, id: Uuid, at: Option<DateTime<Utc>>) -> StorageResult<()> {
        self.execute(
            "UPDATE users SET disabled_at = $2 WHERE id = $1",
            &[&id.to_string(), &at],
        )?;
        Ok(())
    }

    fn set_password_hash(&mut self, id: Uuid, password_hash: &str) -> StorageResult<()> {
        self.execute(
            "UPDATE users SET password_hash = $2 WHERE id = $1",
            &[&id.to_string(), &password_hash],
        )?;
        Ok(())
    }

    fn active_secretariat_admins(&mut self) -> StorageResult<u32> {
        let row = self.query_one(
            "SELECT count(*) FROM users
             WHERE role = 'admin' AND unit_id IS NULL AND disabled_at IS NULL",
            &[],
        )?;
        let n: i64 = get(&row, 0)?;
        u32::try_from(n).map_err(|e| StorageError::Corrupt(format!("admin count: {e}")))
    }
}

fn account_row(r: &Row) -> StorageResult<Account> {
    Ok(Account {
        user: user_row(r)?,
        disabled_at: get(r, 5)?,
    })
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
