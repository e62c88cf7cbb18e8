//! `units`: the campaign's units, with their quotas and exclusive survey links.

use fieldpost_domain::{SectionId, Unit, UnitId};
use tokio_postgres::Row;

use super::{PgTx, col, col_u32, get};
use crate::storage::{StorageError, StorageResult, UnitTable};

const UNIT_COLUMNS: &str = "id, campaign_id, section_id, name, quota, survey_link, contact";

fn unit_row(r: &Row) -> StorageResult<Unit> {
    Ok(Unit {
        id: col(r, 0)?,
        campaign_id: col(r, 1)?,
        section_id: col(r, 2)?,
        name: get(r, 3)?,
        quota: col_u32(r, 4)?,
        survey_link: get(r, 5)?,
        contact: get(r, 6)?,
    })
}

impl UnitTable for PgTx<'_> {
    fn exists(&mut self, id: UnitId) -> StorageResult<bool> {
        Ok(self
            .query_opt("SELECT 1 FROM units WHERE id = $1", &[&id.to_string()])?
            .is_some())
    }

    fn all(&mut self, section: Option<SectionId>) -> StorageResult<Vec<Unit>> {
        let rows = self.query(
            &format!(
                "SELECT {UNIT_COLUMNS} FROM units WHERE $1::text IS NULL OR section_id = $1
                 ORDER BY row_order"
            ),
            &[&section.map(|s| s.to_string())],
        )?;
        rows.iter().map(unit_row).collect()
    }

    fn get(&mut self, id: UnitId) -> StorageResult<Option<Unit>> {
        let row = self.query_opt(
            &format!("SELECT {UNIT_COLUMNS} FROM units WHERE id = $1"),
            &[&id.to_string()],
        )?;
        row.as_ref().map(unit_row).transpose()
    }

    fn insert(&mut self, u: &Unit) -> StorageResult<()> {
        let inserted = self.execute_unique(
            &format!("INSERT INTO units ({UNIT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"),
            &[
                &u.id.to_string(),
                &u.campaign_id.to_string(),
                &u.section_id.to_string(),
                &u.name,
                &i64::from(u.quota),
                &u.survey_link,
                &u.contact,
            ],
        );
        self.sqlite_clash(inserted, u, false)
    }

    fn update(&mut self, u: &Unit) -> StorageResult<()> {
        let updated = self.execute_unique(
            "UPDATE units SET section_id = $2, name = $3, quota = $4, survey_link = $5,
                 contact = $6
             WHERE id = $1",
            &[
                &u.id.to_string(),
                &u.section_id.to_string(),
                &u.name,
                &i64::from(u.quota),
                &u.survey_link,
                &u.contact,
            ],
        );
        self.sqlite_clash(updated, u, true)
    }
}

impl PgTx<'_> {
    /// Names the field SQLite would have named for a unit refused as a duplicate. SQLite
    /// checks the unique constraints last declared first (name, then survey link, then id),
    /// PostgreSQL in the order they were created (id, survey link, name): a unit whose name
    /// and survey link both clash is refused for its name on both.
    fn sqlite_clash(
        &mut self,
        written: StorageResult<u64>,
        u: &Unit,
        update: bool,
    ) -> StorageResult<()> {
        let field = match written {
            Err(StorageError::Duplicate { field }) if field != "name" => field,
            other => return other.map(|_| ()),
        };
        // An update keeps the unit's id and campaign, and never clashes with itself.
        let id = if update {
            u.id.to_string()
        } else {
            String::new()
        };
        let row = self.query_one(
            "SELECT
                 EXISTS (SELECT 1 FROM units o
                         WHERE o.id <> $1 AND o.name = $2 AND o.campaign_id =
                             COALESCE((SELECT campaign_id FROM units WHERE id = $1), $3)),
                 EXISTS (SELECT 1 FROM units WHERE id <> $1 AND survey_link = $4)",
            &[&id, &u.name, &u.campaign_id.to_string(), &u.survey_link],
        )?;
        let field = if get::<bool>(&row, 0)? {
            "name"
        } else if get::<bool>(&row, 1)? {
            "survey_link"
        } else {
            field
        };
        Err(StorageError::Duplicate { field })
    }
}
