//! `users`: console accounts.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use uuid::Uuid;

use super::{SqliteTx, col, col_opt, col_ts_opt, ts};
use crate::storage::{StorageResult, UserTable};
use crate::users::{Account, Role, User};

pub(super) const USER_COLUMNS: &str = "id, username, role, unit_id, carrier";

pub(super) fn user_row(r: &Row<'_>) -> rusqlite::Result<User> {
    let role: String = r.get(2)?;
    Ok(User {
        id: col(r, 0)?,
        username: r.get(1)?,
        role: Role::parse(&role).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                2,
                rusqlite::types::Type::Text,
                format!("unknown role {role}").into(),
            )
        })?,
        unit_id: col_opt(r, 3)?,
        carrier: carrier_col(r, 4)?,
    })
}

impl UserTable for SqliteTx<'_> {
    fn insert(
        &mut self,
        user: &User,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<()> {
        self.conn.execute(
            &format!(
                "INSERT INTO users ({USER_COLUMNS}, password_hash, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
            ),
            params![
                user.id.to_string(),
                user.username,
                user.role.as_str(),
                user.unit_id.map(|u| u.to_string()),
                user.carrier.map(|c| c.code()),
                password_hash,
                ts(now)
            ],
        )?;
        Ok(())
    }

    fn all(&mut self) -> StorageResult<Vec<User>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY rowid"))?;
        let rows = stmt.query_map([], user_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn with_password_hash(&mut self, username: &str) -> StorageResult<Option<(User, String)>> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "SELECT {USER_COLUMNS}, password_hash FROM users
                     WHERE username = ?1 AND disabled_at IS NULL"
                ),
                [username],
                |r| Ok((user_row(r)?, r.get(5)?)),
            )
            .optional()?)
    }

    fn accounts(&mut self) -> StorageResult<Vec<Account>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {USER_COLUMNS}, disabled_at FROM users ORDER BY rowid"
        ))?;
        let rows = stmt.query_map([], account_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn account(&mut self, id: Uuid) -> StorageResult<Option<Account>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {USER_COLUMNS}, disabled_at FROM users WHERE id = ?1"),
                [id.to_string()],
                account_row,
            )
            .optional()?)
    }

    fn update(&mut self, user: &User) -> StorageResult<()> {
        self.conn.execute(
            "UPDATE users SET role = ?2, unit_id = ?3, carrier = ?4 WHERE id = ?1",
            params![
                user.id.to_string(),
                user.role.as_str(),
                user.unit_id.map(|u| u.to_string()),
                user.carrier.map(|c| c.code()),
            ],
        )?;
        Ok(())
    }

    fn set_disabled(&mut self, id: Uuid, at: Option<DateTime<Utc>>) -> StorageResult<()> {
        self.conn.execute(
            "UPDATE users SET disabled_at = ?2 WHERE id = ?1",
            params![id.to_string(), at.map(ts)],
        )?;
        Ok(())
    }

    fn set_password_hash(&mut self, id: Uuid, password_hash: &str) -> StorageResult<()> {
        self.conn.execute(
            "UPDATE users SET password_hash = ?2 WHERE id = ?1",
            params![id.to_string(), password_hash],
        )?;
        Ok(())
    }

    fn active_secretariat_admins(&mut self) -> StorageResult<u32> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM users
             WHERE role = 'admin' AND unit_id IS NULL AND disabled_at IS NULL",
            [],
            |r| r.get(0),
        )?)
    }
}

fn account_row(r: &Row<'_>) -> rusqlite::Result<Account> {
    Ok(Account {
        user: user_row(r)?,
        disabled_at: col_ts_opt(r, 5)?,
    })
}

/// A carrier code column (NULL: none).
pub(super) fn carrier_col(
    r: &Row<'_>,
    idx: usize,
) -> rusqlite::Result<Option<fieldpost_domain::Carrier>> {
    let code: Option<String> = r.get(idx)?;
    code.map(|c| {
        fieldpost_domain::Carrier::from_code(&c).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                idx,
                rusqlite::types::Type::Text,
                format!("unknown carrier {c}").into(),
            )
        })
    })
    .transpose()
}
