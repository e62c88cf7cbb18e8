//! `items`, as a push reads them (to fold into the catalog aggregate's table).

use fieldpost_domain::ItemId;
use rusqlite::OptionalExtension;

use super::SqliteTx;
use crate::storage::{ItemLookup, StorageResult};

impl ItemLookup for SqliteTx<'_> {
    fn exists(&mut self, id: ItemId) -> StorageResult<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM items WHERE id = ?1")?
            .query_row([id.to_string()], |_| Ok(()))
            .optional()?
            .is_some())
    }
}
