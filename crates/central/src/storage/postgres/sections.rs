//! `sections`: the campaign's sections, in display order.

use fieldpost_domain::{CampaignId, Section, SectionId};
use tokio_postgres::Row;

use super::{PgTx, col, get};
use crate::storage::{SectionTable, StorageResult};

fn section_row(r: &Row) -> StorageResult<Section> {
    Ok(Section {
        id: col(r, 0)?,
        code: get(r, 1)?,
        name: get(r, 2)?,
    })
}

impl SectionTable for PgTx<'_> {
    fn all(&mut self) -> StorageResult<Vec<Section>> {
        let rows = self.query(
            "SELECT id, code, name FROM sections ORDER BY position, row_order",
            &[],
        )?;
        rows.iter().map(section_row).collect()
    }

    fn get(&mut self, id: SectionId) -> StorageResult<Option<Section>> {
        let row = self.query_opt(
            "SELECT id, code, name FROM sections WHERE id = $1",
            &[&id.to_string()],
        )?;
        row.as_ref().map(section_row).transpose()
    }

    fn exists(&mut self, id: SectionId) -> StorageResult<bool> {
        Ok(self
            .query_opt("SELECT 1 FROM sections WHERE id = $1", &[&id.to_string()])?
            .is_some())
    }

    fn insert(&mut self, campaign: CampaignId, s: &Section) -> StorageResult<()> {
        // A code the campaign already has is answered as a duplicate.
        self.execute_unique(
            "INSERT INTO sections (id, campaign_id, code, name, position)
             VALUES ($1, $2, $3, $4, (SELECT COUNT(*) FROM sections))",
            &[&s.id.to_string(), &campaign.to_string(), &s.code, &s.name],
        )?;
        Ok(())
    }
}
