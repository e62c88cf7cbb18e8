//! `units`: the campaign's units, with their quotas and exclusive survey links.

use fieldpost_domain::{SectionId, Unit, UnitId};
use rusqlite::{OptionalExtension, Row, params};

use super::{SqliteTx, col, col_u32};
use crate::storage::{StorageResult, UnitTable};

const UNIT_COLUMNS: &str = "id, campaign_id, section_id, name, quota, survey_link, contact";

fn unit_row(r: &Row<'_>) -> rusqlite::Result<Unit> {
    Ok(Unit {
        id: col(r, 0)?,
        campaign_id: col(r, 1)?,
        section_id: col(r, 2)?,
        name: r.get(3)?,
        quota: col_u32(r, 4)?,
        survey_link: r.get(5)?,
        contact: r.get(6)?,
    })
}

impl UnitTable for SqliteTx<'_> {
    fn exists(&mut self, id: UnitId) -> StorageResult<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM units WHERE id = ?1")?
            .query_row([id.to_string()], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn all(&mut self, section: Option<SectionId>) -> StorageResult<Vec<Unit>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {UNIT_COLUMNS} FROM units WHERE ?1 IS NULL OR section_id = ?1 ORDER BY rowid"
        ))?;
        let rows = stmt.query_map([section.map(|s| s.to_string())], unit_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn get(&mut self, id: UnitId) -> StorageResult<Option<Unit>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {UNIT_COLUMNS} FROM units WHERE id = ?1"),
                [id.to_string()],
                unit_row,
            )
            .optional()?)
    }

    fn insert(&mut self, u: &Unit) -> StorageResult<()> {
        self.conn.execute(
            &format!("INSERT INTO units ({UNIT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
            params![
                u.id.to_string(),
                u.campaign_id.to_string(),
                u.section_id.to_string(),
                u.name,
                u.quota,
                u.survey_link,
                u.contact
            ],
        )?;
        Ok(())
    }

    fn update(&mut self, u: &Unit) -> StorageResult<()> {
        self.conn.execute(
            "UPDATE units SET section_id = ?2, name = ?3, quota = ?4, survey_link = ?5,
                 contact = ?6
             WHERE id = ?1",
            params![
                u.id.to_string(),
                u.section_id.to_string(),
                u.name,
                u.quota,
                u.survey_link,
                u.contact
            ],
        )?;
        Ok(())
    }
}
