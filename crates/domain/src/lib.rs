//! Fieldpost's domain: the survey campaign's types (campaign, section, unit, item, activity
//! plan, station session, handout, lottery entrant, grant, device event) and the rules that
//! govern them, as pure functions with no I/O.
//!
//! Both ends use these rules: the station checks a handout against its escrow before it
//! confirms it, and the central checks the same arithmetic when it allocates and grants. The
//! types derive `serde` (the wire and the event log) and `ts-rs` (the UI's TypeScript types).
//!
//! The glossary lives in `DESIGN.md`; code names follow it (a *plan* is a 现场活动策划方案,
//! a *grant* a per-device share of a plan's allocation, and so on).
#![deny(missing_docs)]

pub mod carrier;
pub mod digest;
pub mod error;
pub mod escrow;
pub mod event;
pub mod ids;
pub mod lottery;
pub mod model;
pub mod phone;
pub mod plan;
pub mod plan_content;
pub mod quarantine;
pub mod sealed;
pub mod session;
pub mod typescript;

pub use carrier::Carrier;
pub use error::{Error, Result};
pub use escrow::{EscrowPosition, EscrowRefusal};
pub use event::{DeviceEvent, EventPayload};
pub use ids::*;
pub use model::*;
pub use phone::{MobileNumber, PhoneError};
pub use plan::{PlanAction, PlanStatus, TransitionError};
pub use plan_content::{PlanContent, PlanContentError};
pub use sealed::{LotteryPublicKey, LotterySecretKey, SealError, SealedPhone};
pub use session::WindowError;
