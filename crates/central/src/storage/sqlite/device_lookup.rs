//! `devices`, as plans and grants look them up.

use fieldpost_domain::{DeviceId, UnitId};
use rusqlite::OptionalExtension;

use super::{SqliteTx, col};
use crate::storage::StorageResult;
use crate::storage::plans::{DeviceLookup, DeviceStanding};

impl DeviceLookup for SqliteTx<'_> {
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
