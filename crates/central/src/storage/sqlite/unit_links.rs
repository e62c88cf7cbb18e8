//! `unit_links`: the units' extra survey links, beside each unit's primary `survey_link`.

use fieldpost_domain::{UnitId, UnitLinkId};
use rusqlite::{OptionalExtension, Row, params};

use super::{SqliteTx, col, col_ts, ts};
use crate::links::UnitLink;
use crate::storage::{StorageResult, UnitLinkTable};

const LINK_COLUMNS: &str = "id, unit_id, label, url, created_at";

fn link_row(r: &Row<'_>) -> rusqlite::Result<UnitLink> {
    Ok(UnitLink {
        id: col(r, 0)?,
        unit_id: col(r, 1)?,
        label: r.get(2)?,
        url: r.get(3)?,
        created_at: col_ts(r, 4)?,
    })
}

impl UnitLinkTable for SqliteTx<'_> {
    fn of_unit(&mut self, unit: UnitId) -> StorageResult<Vec<UnitLink>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {LINK_COLUMNS} FROM unit_links WHERE unit_id = ?1 ORDER BY rowid"
        ))?;
        let rows = stmt.query_map([unit.to_string()], link_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn get(&mut self, id: UnitLinkId) -> StorageResult<Option<UnitLink>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {LINK_COLUMNS} FROM unit_links WHERE id = ?1"),
                [id.to_string()],
                link_row,
            )
            .optional()?)
    }

    fn insert(&mut self, l: &UnitLink) -> StorageResult<()> {
        self.conn.execute(
            &format!("INSERT INTO unit_links ({LINK_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5)"),
            params![
                l.id.to_string(),
                l.unit_id.to_string(),
                l.label,
                l.url,
                ts(l.created_at)
            ],
        )?;
        Ok(())
    }

    fn delete(&mut self, id: UnitLinkId) -> StorageResult<()> {
        self.conn
            .execute("DELETE FROM unit_links WHERE id = ?1", [id.to_string()])?;
        Ok(())
    }

    fn owner_of(&mut self, url: &str, except: Option<UnitId>) -> StorageResult<Option<UnitId>> {
        let owner: Option<String> = self
            .conn
            .query_row(
                "SELECT id FROM units WHERE survey_link = ?1 AND id IS NOT ?2
                 UNION ALL
                 SELECT unit_id FROM unit_links WHERE url = ?1 AND unit_id IS NOT ?2
                 LIMIT 1",
                params![url, except.map(|u| u.to_string())],
                |r| r.get(0),
            )
            .optional()?;
        owner
            .map(|s| {
                s.parse()
                    .map_err(|e| crate::storage::StorageError::Corrupt(format!("unit id: {e}")))
            })
            .transpose()
    }
}
