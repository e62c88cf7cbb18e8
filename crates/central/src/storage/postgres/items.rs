//! `items`: what the campaign hands out.

use super::PgTx;
use crate::storage::{ItemTable, StorageResult};
use fieldpost_domain::{CampaignId, Item, ItemId, ItemKind};

impl ItemTable for PgTx<'_> {
    fn exists(&mut self, id: ItemId) -> StorageResult<bool> {
        todo!("PostgreSQL")
    }
    fn get(&mut self, id: ItemId) -> StorageResult<Option<Item>> {
        todo!("PostgreSQL")
    }
    fn all(&mut self) -> StorageResult<Vec<Item>> {
        todo!("PostgreSQL")
    }
    fn insert(&mut self, campaign: CampaignId, i: &Item) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
}
