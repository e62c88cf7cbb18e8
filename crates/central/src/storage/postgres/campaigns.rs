//! `campaigns`: the central's one campaign.

use fieldpost_domain::{Campaign, CampaignId};
use tokio_postgres::Row;

use super::{PgTx, col, col_u32, get};
use crate::campaign::CampaignRecord;
use crate::storage::{CampaignTable, StorageResult};

const CAMPAIGN_COLUMNS: &str = "id, name, city, publicity_start, publicity_end, \
     collection_start, collection_end, target, note";

fn campaign_row(row: &Row) -> StorageResult<CampaignRecord> {
    Ok(CampaignRecord {
        campaign: Campaign {
            id: col(row, 0)?,
            name: get(row, 1)?,
            city: get(row, 2)?,
            publicity_start: get(row, 3)?,
            publicity_end: get(row, 4)?,
            collection_start: get(row, 5)?,
            collection_end: get(row, 6)?,
            target: col_u32(row, 7)?,
        },
        note: get(row, 8)?,
    })
}

impl CampaignTable for PgTx<'_> {
    fn current(&mut self) -> StorageResult<Option<CampaignRecord>> {
        let row = self.query_opt(
            &format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns ORDER BY row_order LIMIT 1"),
            &[],
        )?;
        row.as_ref().map(campaign_row).transpose()
    }

    fn current_id(&mut self) -> StorageResult<Option<CampaignId>> {
        let row = self.query_opt("SELECT id FROM campaigns ORDER BY row_order LIMIT 1", &[])?;
        row.map(|r| col(&r, 0)).transpose()
    }

    fn insert(&mut self, record: &CampaignRecord) -> StorageResult<()> {
        let c = &record.campaign;
        self.execute(
            &format!(
                "INSERT INTO campaigns ({CAMPAIGN_COLUMNS})
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
            ),
            &[
                &c.id.to_string(),
                &c.name,
                &c.city,
                &c.publicity_start,
                &c.publicity_end,
                &c.collection_start,
                &c.collection_end,
                &i64::from(c.target),
                &record.note,
            ],
        )?;
        Ok(())
    }

    fn update(&mut self, record: &CampaignRecord) -> StorageResult<()> {
        let c = &record.campaign;
        self.execute(
            "UPDATE campaigns SET name = $2, city = $3, publicity_start = $4, publicity_end = $5,
                 collection_start = $6, collection_end = $7, target = $8, note = $9
             WHERE id = $1",
            &[
                &c.id.to_string(),
                &c.name,
                &c.city,
                &c.publicity_start,
                &c.publicity_end,
                &c.collection_start,
                &c.collection_end,
                &i64::from(c.target),
                &record.note,
            ],
        )?;
        Ok(())
    }
}
