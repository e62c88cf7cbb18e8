//! `units`: the campaign's units, as other aggregates look them up.

use fieldpost_domain::UnitId;
use rusqlite::OptionalExtension;

use super::SqliteTx;
use crate::storage::{StorageResult, UnitTable};

impl UnitTable for SqliteTx<'_> {
    fn exists(&mut self, id: UnitId) -> StorageResult<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM units WHERE id = ?1")?
            .query_row([id.to_string()], |_| Ok(()))
            .optional()?
            .is_some())
    }
}
