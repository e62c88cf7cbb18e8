//! `users`: console accounts.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::{SqliteTx, col, col_opt, ts};
use crate::storage::{StorageResult, UserTable};
use crate::users::{Role, User};

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
                &format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = ?1"),
                [username],
                |r| Ok((user_row(r)?, r.get(5)?)),
            )
            .optional()?)
    }
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
