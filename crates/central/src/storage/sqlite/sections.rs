//! `sections`: the campaign's sections, in display order.

use fieldpost_domain::{CampaignId, Section, SectionId};
use rusqlite::{OptionalExtension, params};

use super::{SqliteTx, col};
use crate::storage::{SectionTable, StorageResult};

fn section_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Section> {
    Ok(Section {
        id: col(r, 0)?,
        code: r.get(1)?,
        name: r.get(2)?,
    })
}

impl SectionTable for SqliteTx<'_> {
    fn all(&mut self) -> StorageResult<Vec<Section>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, code, name FROM sections ORDER BY position, rowid")?;
        let rows = stmt.query_map([], section_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn get(&mut self, id: SectionId) -> StorageResult<Option<Section>> {
        Ok(self
            .conn
            .prepare_cached("SELECT id, code, name FROM sections WHERE id = ?1")?
            .query_row([id.to_string()], section_row)
            .optional()?)
    }

    fn exists(&mut self, id: SectionId) -> StorageResult<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM sections WHERE id = ?1",
                [id.to_string()],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    fn insert(&mut self, campaign: CampaignId, s: &Section) -> StorageResult<()> {
        self.conn.execute(
            "INSERT INTO sections (id, campaign_id, code, name, position)
             VALUES (?1, ?2, ?3, ?4, (SELECT COUNT(*) FROM sections))",
            params![s.id.to_string(), campaign.to_string(), s.code, s.name],
        )?;
        Ok(())
    }
}
