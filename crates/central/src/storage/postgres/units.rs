//! `units`: the campaign's units, with their quotas and exclusive survey links.

use super::PgTx;
use crate::storage::{StorageResult, UnitTable};
use fieldpost_domain::{SectionId, Unit, UnitId};

impl UnitTable for PgTx<'_> {
    fn exists(&mut self, id: UnitId) -> StorageResult<bool> {
        todo!("PostgreSQL")
    }
    fn all(&mut self, section: Option<SectionId>) -> StorageResult<Vec<Unit>> {
        todo!("PostgreSQL")
    }
    fn get(&mut self, id: UnitId) -> StorageResult<Option<Unit>> {
        todo!("PostgreSQL")
    }
    fn insert(&mut self, u: &Unit) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
    fn update(&mut self, u: &Unit) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
}
