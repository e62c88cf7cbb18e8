//! `sections`: the campaign's sections, in display order.

use fieldpost_domain::{CampaignId, Section, SectionId};
use rusqlite::{OptionalExtension, params};

use super::{SqliteTx, col};
use crate::storage::{SectionTable, StorageResult};

impl SectionTable for SqliteTx<'_> {
    fn all(&mut self) -> StorageResult<Vec<Section>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, code, name FROM sections ORDER BY position, rowid")?;
        let rows = stmt.query_map([], |r| {
            Ok(Section {
                id: col(r, 0)?,
                code: r.get(1)?,
                name: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
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
