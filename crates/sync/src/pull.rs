//! Pull: a station fetches what changed on the central since its cursor.
//!
//! `GET /api/v1/sync/pull?after=<cursor>&limit=<n>` with the device's bearer token. Every
//! change the central commits to a record in a device's scope is stamped with a
//! `server_seq` that grows with commit order, so a reader that has seen `server_seq = n` has
//! seen every change up to `n`; none can commit later with a smaller number. The reply lists
//! the changes after the cursor in `server_seq` order, at most `limit`, each carrying the
//! record's current state; `more` says whether to ask again at once. A new device pulls from
//! cursor 0 and so starts from a snapshot of its scope.
//!
//! The scope of a device is its unit: the campaign, the sections, the items, its unit record,
//! the unit's plans, its own grants, the unit's handouts (as every device of the unit
//! reported them), the lottery's terms, the quarantine notices for its own events and the secretariat's answers
//! to its own top-up requests (fulfilled with how many, or declined with why; an open
//! request sends nothing). The station stores the records and the new cursor in one local
//! transaction.

use chrono::{DateTime, NaiveDate, Utc};
use fieldpost_domain::{
    ActivityPlan, Campaign, DeviceId, EventId, Grant, Handout, Item, LotteryTerms, Section,
    TopUpAnswer, Unit, UnitId,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The query of `GET /api/v1/sync/pull`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct PullQuery {
    /// The last `server_seq` the station stored; 0 for a new device.
    #[ts(type = "number")]
    pub after: u64,
    /// At most this many changes (the central caps it).
    pub limit: Option<u32>,
}

/// The central's reply to a pull.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, JsonSchema)]
pub struct PullResponse {
    /// Changes after the cursor, in `server_seq` order.
    pub changes: Vec<Change>,
    /// The cursor to store with these changes and send next time.
    #[ts(type = "number")]
    pub cursor: u64,
    /// Whether more changes wait beyond `cursor`.
    pub more: bool,
    /// The device's new bearer token, when the central rotates it (its token is older than
    /// the rotation period): store it (as safely as the old one) and send it from the next
    /// request on. The token this request used keeps working until the central has seen the
    /// new one, so an answer lost on the way costs nothing: the next answer carries the same
    /// token again. Absent otherwise; a client that ignores it keeps its token, which keeps
    /// working.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub rotated_token: Option<String>,
}

/// One change: a record's state as of `server_seq`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, JsonSchema)]
pub struct Change {
    /// Where the change stands in the central's commit order.
    #[ts(type = "number")]
    pub server_seq: u64,
    /// The record as it is now.
    pub record: Record,
}

/// A record in a device's scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    /// The campaign.
    Campaign {
        /// Its state.
        campaign: Campaign,
    },
    /// A section.
    Section {
        /// Its state.
        section: Section,
    },
    /// The device's unit.
    Unit {
        /// Its state.
        unit: Unit,
    },
    /// A giftable item.
    Item {
        /// Its state.
        item: Item,
    },
    /// One of the unit's plans (the central owns it after filing).
    Plan {
        /// Its state.
        plan: ActivityPlan,
    },
    /// One of this device's grants. Grants are immutable: a top-up is another grant, and a
    /// device gives back only through its own release events, so the central never shrinks
    /// a grant that an offline device may already be spending.
    Grant {
        /// Its state.
        grant: Grant,
    },
    /// A handout any device of the unit reported.
    Handout {
        /// The handout.
        handout: Handout,
        /// The device that reported it.
        device_id: DeviceId,
        /// When it was voided, if it was.
        voided_at: Option<DateTime<Utc>>,
    },
    /// One of this device's events that the central quarantined.
    Quarantine {
        /// The event's seq.
        #[ts(type = "number")]
        seq: u64,
        /// The event's id.
        event_id: EventId,
        /// A stable code for the UI's translated text.
        code: String,
        /// The reason in English.
        reason: String,
    },
    /// The lottery's terms: the consent text and version, the key entrants' numbers are
    /// sealed to, whether registration is open (campaign-wide, one record).
    Lottery {
        /// Their state.
        terms: LotteryTerms,
    },
    /// The device's unit's progress as the latest published daily bulletin (采集数据通报)
    /// has it: sent again whenever the secretariat publishes one.
    UnitProgress {
        /// The progress.
        progress: UnitProgress,
    },
    /// The secretariat's answer to one of this device's top-up requests (申请追加). A
    /// fulfilment's grant comes as its own `grant` record, in the same commit.
    TopUpAnswer {
        /// The answer.
        answer: TopUpAnswer,
    },
}

/// A unit's line of the latest published bulletin, as its tablets show it on the home screen.
/// It is the published 通报's, not live: every unit and the secretariat read the same numbers
/// and ranks until the next publication.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, JsonSchema)]
pub struct UnitProgress {
    /// The unit.
    pub unit_id: UnitId,
    /// The bulletin's day (China time).
    pub day: NaiveDate,
    /// When the bulletin was published.
    pub published_at: DateTime<Utc>,
    /// Questionnaires collected (采集量).
    #[ts(type = "number")]
    pub collected: u64,
    /// The unit's quota (采集任务).
    pub quota: u32,
    /// collected / quota in percent, two decimals.
    pub progress_percent: f64,
    /// 1 = highest completion rate; equal rates share a rank.
    pub rank_by_rate: u32,
    /// 1 = most collected; equal counts share a rank.
    pub rank_by_count: u32,
    /// How many units the bulletin ranks.
    pub units: u32,
}
