//! `devices`, as a push reads them (to fold into the devices aggregate's table).

use fieldpost_domain::{DeviceId, UnitId};
use rusqlite::OptionalExtension;

use super::{SqliteTx, col};
use crate::storage::{DeviceLookup, StorageResult};

impl DeviceLookup for SqliteTx<'_> {
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
