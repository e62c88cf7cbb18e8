//! `sections`: the campaign's sections, in display order.

use super::PgTx;
use crate::storage::{SectionTable, StorageResult};
use fieldpost_domain::{CampaignId, Section, SectionId};

impl SectionTable for PgTx<'_> {
    fn all(&mut self) -> StorageResult<Vec<Section>> {
        todo!("PostgreSQL")
    }
    fn get(&mut self, id: SectionId) -> StorageResult<Option<Section>> {
        todo!("PostgreSQL")
    }
    fn exists(&mut self, id: SectionId) -> StorageResult<bool> {
        todo!("PostgreSQL")
    }
    fn insert(&mut self, campaign: CampaignId, s: &Section) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
}
