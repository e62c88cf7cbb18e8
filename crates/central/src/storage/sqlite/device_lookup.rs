//! `devices`, as plans and grants look them up, and as a push reads them (to fold into the
//! devices aggregate's table).

use fieldpost_domain::{DeviceId, UnitId};
use rusqlite::OptionalExtension;

use super::{SqliteTx, col};
use crate::storage::StorageResult;
use crate::storage::plans::{self, DeviceStanding};

impl plans::DeviceLookup for SqliteTx<'_> {
    fn standing(&mut self, id: DeviceId) -> StorageResult<Option<DeviceStanding>> {
        Ok(self
            .conn
            .prepare_cached("SELECT unit_id, revoked_at FROM devices WHERE id = ?1")?
            .query_row([id.to_string()], |r| {
                Ok(DeviceStanding {
                    unit: col(r, 0)?,
                    revoked: r.get::<_, Option<String>>(1)?.is_some(),
                })
            })
            .optional()?)
    }

    fn active_of_unit(&mut self, unit: UnitId) -> StorageResult<Vec<DeviceId>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM devices WHERE unit_id = ?1 AND revoked_at IS NULL
             ORDER BY enrolled_at, rowid",
        )?;
        let rows = stmt.query_map([unit.to_string()], |r| col(r, 0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl crate::storage::DeviceLookup for SqliteTx<'_> {
    fn unit_and_campaign(&mut self, device: DeviceId) -> StorageResult<Option<(UnitId, String)>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT d.unit_id, u.campaign_id FROM devices d JOIN units u ON u.id = d.unit_id
                 WHERE d.id = ?1",
            )?
            .query_row([device.to_string()], |r| Ok((col(r, 0)?, r.get(1)?)))
            .optional()?)
    }

    fn revoked(&mut self, device: DeviceId) -> StorageResult<bool> {
        let revoked: Option<Option<String>> = self
            .conn
            .prepare_cached("SELECT revoked_at FROM devices WHERE id = ?1")?
            .query_row([device.to_string()], |r| r.get(0))
            .optional()?;
        Ok(matches!(revoked, Some(Some(_))))
    }
}
