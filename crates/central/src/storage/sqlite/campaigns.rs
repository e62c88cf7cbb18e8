//! `campaigns`: the central's one campaign.

use chrono::NaiveDate;
use fieldpost_domain::{Campaign, CampaignId};
use rusqlite::{OptionalExtension, Row, params};

use super::{SqliteTx, col, col_ts, col_u32, ts};
use crate::campaign::CampaignRecord;
use crate::storage::{CampaignTable, StorageResult};

const CAMPAIGN_COLUMNS: &str = "id, name, city, publicity_start, publicity_end, \
     collection_start, collection_end, target, note";

fn date(row: &Row<'_>, idx: usize) -> rusqlite::Result<NaiveDate> {
    col(row, idx)
}

fn campaign_row(row: &Row<'_>) -> rusqlite::Result<CampaignRecord> {
    Ok(CampaignRecord {
        campaign: Campaign {
            id: col(row, 0)?,
            name: row.get(1)?,
            city: row.get(2)?,
            publicity_start: date(row, 3)?,
            publicity_end: date(row, 4)?,
            collection_start: col_ts(row, 5)?,
            collection_end: col_ts(row, 6)?,
            target: col_u32(row, 7)?,
        },
        note: row.get(8)?,
    })
}

impl CampaignTable for SqliteTx<'_> {
    fn current(&mut self) -> StorageResult<Option<CampaignRecord>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns ORDER BY rowid LIMIT 1"),
                [],
                campaign_row,
            )
            .optional()?)
    }

    fn current_id(&mut self) -> StorageResult<Option<CampaignId>> {
        Ok(self
            .conn
            .query_row("SELECT id FROM campaigns ORDER BY rowid LIMIT 1", [], |r| {
                col(r, 0)
            })
            .optional()?)
    }

    fn insert(&mut self, record: &CampaignRecord) -> StorageResult<()> {
        let c = &record.campaign;
        self.conn.execute(
            &format!(
                "INSERT INTO campaigns ({CAMPAIGN_COLUMNS})
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
            ),
            params![
                c.id.to_string(),
                c.name,
                c.city,
                c.publicity_start.to_string(),
                c.publicity_end.to_string(),
                ts(c.collection_start),
                ts(c.collection_end),
                c.target,
                record.note
            ],
        )?;
        Ok(())
    }

    fn update(&mut self, record: &CampaignRecord) -> StorageResult<()> {
        let c = &record.campaign;
        self.conn.execute(
            "UPDATE campaigns SET name = ?2, city = ?3, publicity_start = ?4, publicity_end = ?5,
                 collection_start = ?6, collection_end = ?7, target = ?8, note = ?9
             WHERE id = ?1",
            params![
                c.id.to_string(),
                c.name,
                c.city,
                c.publicity_start.to_string(),
                c.publicity_end.to_string(),
                ts(c.collection_start),
                ts(c.collection_end),
                c.target,
                record.note
            ],
        )?;
        Ok(())
    }
}
