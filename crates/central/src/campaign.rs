//! The campaign and what it is made of: its windows and target, its sections and units (with their quotas and exclusive links, as the unit task table sets them) and the items it hands out.

use fieldpost_domain::Campaign;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The campaign with the secretariat's note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct CampaignRecord {
    /// The campaign.
    #[serde(flatten)]
    pub campaign: Campaign,
    /// Free text, e.g. that the quotas are illustrative.
    pub note: Option<String>,
}

/// One unit of an imported task table (采集任务分解及链接入口表), checked already.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct UnitSheetRow {
    /// The unit's name: an existing unit of that name is updated, otherwise one is created.
    pub name: String,
    /// The section's name: created when the campaign has none of that name; `None` keeps an
    /// existing unit's section (a new unit needs one).
    pub section: Option<String>,
    /// 采集任务.
    pub quota: u32,
    /// 专属链接.
    pub survey_link: String,
    /// 联系人; `None` keeps an existing unit's contact.
    pub contact: Option<String>,
}

/// What applying a task table did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct UnitSheetOutcome {
    /// Units created.
    pub created: u32,
    /// Units changed.
    pub updated: u32,
    /// Units already as the sheet says.
    pub unchanged: u32,
    /// Sections created for names the campaign did not have.
    pub sections_created: u32,
}
