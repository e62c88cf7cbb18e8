//! `campaigns`: the central's one campaign.

use super::PgTx;
use crate::campaign::CampaignRecord;
use crate::storage::{CampaignTable, StorageResult};
use chrono::NaiveDate;
use fieldpost_domain::{Campaign, CampaignId};

impl CampaignTable for PgTx<'_> {
    fn current(&mut self) -> StorageResult<Option<CampaignRecord>> {
        todo!("PostgreSQL")
    }
    fn current_id(&mut self) -> StorageResult<Option<CampaignId>> {
        todo!("PostgreSQL")
    }
    fn insert(&mut self, record: &CampaignRecord) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
    fn update(&mut self, record: &CampaignRecord) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
}
