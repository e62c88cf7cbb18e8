//! Typed identifiers. Every id is a UUIDv7: time-ordered, so inserts stay append-like in the
//! B-trees of both stores, and unique across offline devices without coordination.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS, JsonSchema,
        )]
        #[ts(type = "string")]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh, time-ordered id (UUIDv7).
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            /// A fresh id whose time part is `at` (a UUIDv7 on a given clock: the station's,
            /// which tests move). Unique by its random bits, not by its time, which a clock
            /// set back repeats.
            pub fn at(at: chrono::DateTime<chrono::Utc>) -> Self {
                let ts = uuid::Timestamp::from_unix(
                    uuid::NoContext,
                    u64::try_from(at.timestamp()).unwrap_or(0),
                    at.timestamp_subsec_nanos(),
                );
                Self(Uuid::new_v7(ts))
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    )*};
}

id_type!(
    /// A campaign (one year's survey drive in one city).
    CampaignId,
    /// A section (版块) grouping units.
    SectionId,
    /// A unit (单位) that collects questionnaires.
    UnitId,
    /// A giftable item (宣传品 / 奖品).
    ItemId,
    /// An activity plan (现场活动策划方案).
    PlanId,
    /// A station session (站点场次).
    SessionId,
    /// An enrolled device (a tablet).
    DeviceId,
    /// A device event in the outbox; unique across all devices.
    EventId,
    /// One handout (派送) of one item.
    HandoutId,
    /// A volunteer's check-in at a session; the check-out names it.
    CheckInId,
    /// A lottery entrant (线下抽奖登记).
    EntrantId,
    /// A per-device grant (配额) of one item under one plan.
    GrantId,
    /// A device's request for more of an item under a plan (申请追加).
    TopUpRequestId,
    /// A lottery prize pool (奖项).
    PoolId,
    /// A lottery draw (开奖), standing or voided.
    DrawId,
    /// A winner's prize (中奖) and its delivery.
    WinId,
    /// One of a unit's extra survey links (链接入口), beside its primary one.
    UnitLinkId,
);
