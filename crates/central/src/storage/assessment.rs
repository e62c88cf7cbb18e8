//! The assessment's thresholds and the confirmed commendations (migration 0012).

use chrono::{DateTime, Utc};
use fieldpost_domain::{CampaignId, ItemId};

use super::StorageResult;
use crate::assessment::{AssessmentRules, Commendation};

/// `assessment_rules` and `commendations`, and the one sum of the stock ledger they need.
pub trait AssessmentTable {
    /// The campaign's thresholds, if the secretariat ever set them.
    fn rules(&mut self, campaign: CampaignId) -> StorageResult<Option<AssessmentRules>>;
    /// Stores the campaign's thresholds (`updated_at`/`updated_by` must be set).
    fn put_rules(&mut self, campaign: CampaignId, rules: &AssessmentRules) -> StorageResult<()>;
    /// The confirmed commendations, by award then position.
    fn commendations(&mut self, campaign: CampaignId) -> StorageResult<Vec<Commendation>>;
    /// Replaces the confirmed commendations with `list`.
    fn replace_commendations(
        &mut self,
        campaign: CampaignId,
        list: &[Commendation],
        at: DateTime<Utc>,
        by: &str,
    ) -> StorageResult<()>;
    /// Per item, the unspent allocations returned to the store room (ledger kind `return`).
    fn returned_by_item(&mut self) -> StorageResult<Vec<(ItemId, u64)>>;
}
