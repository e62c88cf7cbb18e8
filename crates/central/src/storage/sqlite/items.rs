//! `items`: what the campaign hands out, as other aggregates look it up.

use fieldpost_domain::{Item, ItemId, ItemKind};
use rusqlite::{OptionalExtension, Row};

use super::{SqliteTx, col};
use crate::storage::{ItemTable, StorageResult};

pub(super) const ITEM_COLUMNS: &str = "id, code, name, kind, unit_label, donor";

pub(super) fn item_row(r: &Row<'_>) -> rusqlite::Result<Item> {
    let kind: String = r.get(3)?;
    Ok(Item {
        id: col(r, 0)?,
        code: r.get(1)?,
        name: r.get(2)?,
        kind: match kind.as_str() {
            "prize" => ItemKind::Prize,
            _ => ItemKind::Gift,
        },
        unit_label: r.get(4)?,
        donor: r.get(5)?,
    })
}

impl ItemTable for SqliteTx<'_> {
    fn exists(&mut self, id: ItemId) -> StorageResult<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM items WHERE id = ?1")?
            .query_row([id.to_string()], |_| Ok(()))
            .optional()?
            .is_some())
    }
}
