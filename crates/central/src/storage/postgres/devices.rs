//! `devices`: enrolled tablets, with the hash of their bearer token.

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, UnitId};
use tokio_postgres::Row;

use super::{PgTx, col, get};
use crate::devices::{DeviceAuth, DeviceRecord};
use crate::storage::devices::{DeviceStanding, TokenKind};
use crate::storage::{DeviceTable, StorageResult};

const DEVICE_COLUMNS: &str = "id, unit_id, name, enrolled_at, revoked_at, token_issued_at";

fn device_row(r: &Row) -> StorageResult<DeviceRecord> {
    Ok(DeviceRecord {
        id: col(r, 0)?,
        unit_id: col(r, 1)?,
        name: get(r, 2)?,
        enrolled_at: get(r, 3)?,
        revoked_at: get(r, 4)?,
        token_issued_at: get(r, 5)?,
    })
}

impl DeviceTable for PgTx<'_> {
    fn insert(&mut self, d: &DeviceRecord, token_hash: &str) -> StorageResult<()> {
        self.execute(
            &format!(
                "INSERT INTO devices ({DEVICE_COLUMNS}, token_hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)"
            ),
            &[
                &d.id.to_string(),
                &d.unit_id.to_string(),
                &d.name,
                &d.enrolled_at,
                &d.revoked_at,
                &d.token_issued_at,
                &token_hash,
            ],
        )?;
        Ok(())
    }

    fn get(&mut self, id: DeviceId) -> StorageResult<Option<DeviceRecord>> {
        let row = self.query_opt(
            &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE id = $1"),
            &[&id.to_string()],
        )?;
        row.as_ref().map(device_row).transpose()
    }

    fn by_token(&mut self, token_hash: &str) -> StorageResult<Option<(DeviceAuth, TokenKind)>> {
        let row = self.query_opt(
            "SELECT id, unit_id, revoked_at IS NOT NULL, token_issued_at, token_hash = $1
             FROM devices WHERE token_hash = $1 OR next_token_hash = $1",
            &[&token_hash],
        )?;
        row.map(|r| {
            let current: bool = get(&r, 4)?;
            Ok((
                DeviceAuth {
                    id: col(&r, 0)?,
                    unit_id: col(&r, 1)?,
                    revoked: get(&r, 2)?,
                    token_issued_at: get(&r, 3)?,
                },
                if current {
                    TokenKind::Current
                } else {
                    TokenKind::Successor
                },
            ))
        })
        .transpose()
    }

    fn take_successor(&mut self, id: DeviceId, next_hash: &str) -> StorageResult<bool> {
        let n = self.execute(
            "UPDATE devices SET token_hash = next_token_hash,
                 token_issued_at = next_token_offered_at, next_token_hash = NULL,
                 next_token_salt = NULL, next_token_offered_at = NULL
             WHERE id = $1 AND next_token_hash = $2",
            &[&id.to_string(), &next_hash],
        )?;
        Ok(n > 0)
    }

    fn successor_salt(
        &mut self,
        id: DeviceId,
        current_hash: &str,
    ) -> StorageResult<Option<String>> {
        let row = self.query_opt(
            "SELECT next_token_salt FROM devices WHERE id = $1 AND token_hash = $2",
            &[&id.to_string(), &current_hash],
        )?;
        Ok(row
            .map(|r| get::<Option<String>>(&r, 0))
            .transpose()?
            .flatten())
    }

    fn offer_successor(
        &mut self,
        id: DeviceId,
        current_hash: &str,
        salt: &str,
        next_hash: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<()> {
        self.execute(
            "UPDATE devices SET next_token_hash = $3, next_token_salt = $4,
                 next_token_offered_at = $5
             WHERE id = $1 AND token_hash = $2 AND next_token_hash IS NULL",
            &[&id.to_string(), &current_hash, &next_hash, &salt, &now],
        )?;
        Ok(())
    }

    fn all(&mut self, unit: Option<UnitId>) -> StorageResult<Vec<DeviceRecord>> {
        let rows = self.query(
            &format!(
                "SELECT {DEVICE_COLUMNS} FROM devices WHERE $1::text IS NULL OR unit_id = $1
                 ORDER BY row_order"
            ),
            &[&unit.map(|u| u.to_string())],
        )?;
        rows.iter().map(device_row).collect()
    }

    fn revoke(&mut self, id: DeviceId, now: DateTime<Utc>) -> StorageResult<bool> {
        let n = self.execute(
            "UPDATE devices SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1",
            &[&id.to_string(), &now],
        )?;
        Ok(n > 0)
    }

    fn standing(&mut self, id: DeviceId) -> StorageResult<Option<DeviceStanding>> {
        let row = self.query_opt(
            "SELECT unit_id, revoked_at IS NOT NULL FROM devices WHERE id = $1",
            &[&id.to_string()],
        )?;
        row.map(|r| {
            Ok(DeviceStanding {
                unit: col(&r, 0)?,
                revoked: get(&r, 1)?,
            })
        })
        .transpose()
    }

    fn active_of_unit(&mut self, unit: UnitId) -> StorageResult<Vec<DeviceId>> {
        let rows = self.query(
            "SELECT id FROM devices WHERE unit_id = $1 AND revoked_at IS NULL
             ORDER BY enrolled_at, row_order",
            &[&unit.to_string()],
        )?;
        rows.iter().map(|r| col(r, 0)).collect()
    }

    fn heard_from(&mut self, id: DeviceId, at: DateTime<Utc>) -> StorageResult<()> {
        self.execute(
            "UPDATE devices SET last_contact_at = $2
             WHERE id = $1 AND (last_contact_at IS NULL OR last_contact_at < $2)",
            &[&id.to_string(), &at],
        )?;
        Ok(())
    }

    fn unit_and_campaign(&mut self, id: DeviceId) -> StorageResult<Option<(UnitId, String)>> {
        let row = self.query_opt(
            "SELECT d.unit_id, u.campaign_id FROM devices d JOIN units u ON u.id = d.unit_id
             WHERE d.id = $1",
            &[&id.to_string()],
        )?;
        row.map(|r| Ok((col(&r, 0)?, get(&r, 1)?))).transpose()
    }
}
