//! `unit_links`: the units' extra survey links, beside each unit's primary `survey_link`.

use chrono::{DateTime, Utc};
use fieldpost_domain::{UnitId, UnitLinkId};
use tokio_postgres::Row;

use super::{PgTx, col, get};
use crate::links::UnitLink;
use crate::storage::{StorageResult, UnitLinkTable};

const LINK_COLUMNS: &str = "id, unit_id, label, url, created_at";

fn link_row(r: &Row) -> StorageResult<UnitLink> {
    Ok(UnitLink {
        id: col(r, 0)?,
        unit_id: col(r, 1)?,
        label: get(r, 2)?,
        url: get(r, 3)?,
        created_at: get::<DateTime<Utc>>(r, 4)?,
    })
}

impl UnitLinkTable for PgTx<'_> {
    fn of_unit(&mut self, unit: UnitId) -> StorageResult<Vec<UnitLink>> {
        let rows = self.query(
            &format!("SELECT {LINK_COLUMNS} FROM unit_links WHERE unit_id = $1 ORDER BY row_order"),
            &[&unit.to_string()],
        )?;
        rows.iter().map(link_row).collect()
    }

    fn get(&mut self, id: UnitLinkId) -> StorageResult<Option<UnitLink>> {
        let row = self.query_opt(
            &format!("SELECT {LINK_COLUMNS} FROM unit_links WHERE id = $1"),
            &[&id.to_string()],
        )?;
        row.as_ref().map(link_row).transpose()
    }

    fn insert(&mut self, l: &UnitLink) -> StorageResult<()> {
        self.execute_unique(
            &format!("INSERT INTO unit_links ({LINK_COLUMNS}) VALUES ($1, $2, $3, $4, $5)"),
            &[
                &l.id.to_string(),
                &l.unit_id.to_string(),
                &l.label,
                &l.url,
                &l.created_at,
            ],
        )?;
        Ok(())
    }

    fn delete(&mut self, id: UnitLinkId) -> StorageResult<()> {
        self.execute("DELETE FROM unit_links WHERE id = $1", &[&id.to_string()])?;
        Ok(())
    }

    fn owner_of(&mut self, url: &str, except: Option<UnitId>) -> StorageResult<Option<UnitId>> {
        let except = except.map(|u| u.to_string());
        let row = self.query_opt(
            "SELECT id FROM units WHERE survey_link = $1 AND id IS DISTINCT FROM $2::text
             UNION ALL
             SELECT unit_id FROM unit_links WHERE url = $1 AND unit_id IS DISTINCT FROM $2::text
             LIMIT 1",
            &[&url, &except],
        )?;
        row.as_ref().map(|r| col(r, 0)).transpose()
    }
}
