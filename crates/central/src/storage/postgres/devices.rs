//! `devices`: enrolled tablets, with the hash of their bearer token.

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, UnitId};
use tokio_postgres::Row;

use super::{PgTx, col, get};
use crate::devices::{DeviceAuth, DeviceRecord};
use crate::storage::devices::DeviceStanding;
use crate::storage::{DeviceTable, StorageResult};

const DEVICE_COLUMNS: &str = "id, unit_id, name, enrolled_at, revoked_at";

fn device_row(r: &Row) -> StorageResult<DeviceRecord> {
    Ok(DeviceRecord {
        id: col(r, 0)?,
        unit_id: col(r, 1)?,
        name: get(r, 2)?,
        enrolled_at: get(r, 3)?,
        revoked_at: get(r, 4)?,
    })
}

impl DeviceTable for PgTx<'_> {
    fn insert(&mut self, d: &DeviceRecord, token_hash: &str) -> StorageResult<()> {
        self.execute(
            &format!(
                "INSERT INTO devices ({DEVICE_COLUMNS}, token_hash)
                 VALUES ($1, $2, $3, $4, $5, $6)"
            ),
            &[
                &d.id.to_string(),
                &d.unit_id.to_string(),
                &d.name,
                &d.enrolled_at,
                &d.revoked_at,
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

    fn by_token(&mut self, token_hash: &str) -> StorageResult<Option<DeviceAuth>> {
        let row = self.query_opt(
            "SELECT id, unit_id, revoked_at IS NOT NULL FROM devices WHERE token_hash = $1",
            &[&token_hash],
        )?;
        row.map(|r| {
            Ok(DeviceAuth {
                id: col(&r, 0)?,
                unit_id: col(&r, 1)?,
                revoked: get(&r, 2)?,
            })
        })
        .transpose()
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
