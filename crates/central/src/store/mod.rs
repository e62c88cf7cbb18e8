//! The central's storage, behind one narrow interface.
//!
//! Handlers call [`Store`] and nothing else; [`sqlite::SqliteStore`] is the embedded default.
//! A PostgreSQL backend implements the same trait. The methods are blocking (SQLite is; a
//! PostgreSQL backend may use a blocking client too): the HTTP layer runs them on tokio's
//! blocking pool. Every method that changes something runs in one transaction that also checks
//! the quantities it changes, writes the audit log and stamps the change log.

pub mod sqlite;

use crate::audit::Actor;
use crate::plans::HandoutOutcome;
use crate::push::{PushedEvent, QuarantinedEvent};
use crate::records::{HandoutLine, SessionRecord};

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, Handout, HandoutVoid, UnitId};
use fieldpost_sync::{PullResponse, PushResponse};

use crate::error::StoreError;

/// Result of a store operation.
pub type StoreResult<T> = std::result::Result<T, StoreError>;

/// The central's storage. See the module docs.
pub trait Store: Send + Sync + 'static {
    /// The same records as the storage seam's database, for the use cases that have moved
    /// above it while the rest of this trait still stands.
    fn database(&self) -> &dyn crate::storage::Database;

    // --- stock ----------------------------------------------------------------------------

    // --- plans ----------------------------------------------------------------------------

    /// Records a device's handout (from a synced event). The part its grant covers posts to
    /// the ledger; the rest is kept and flagged. Replaying the same handout changes nothing.
    fn record_handout(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        device: DeviceId,
        handout: &Handout,
    ) -> StoreResult<HandoutOutcome>;
    /// Cancels a handout, giving its covered part back to the device's grant.
    fn void_handout(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        device: DeviceId,
        void: &HandoutVoid,
    ) -> StoreResult<()>;

    // --- sync -----------------------------------------------------------------------------

    /// Applies a batch of one device's events in one transaction (see `fieldpost_sync::push`):
    /// stored events are skipped, other content under a stored seq or id is a conflict
    /// (`event_conflict`), a skipped seq is [`StoreError::SeqGap`], an event that cannot apply
    /// is stored quarantined. A revoked device's events are applied too (its handouts beyond
    /// its grant are flagged). The caller has checked that the batch is the device's, in
    /// ascending gap-free seq order.
    fn push(
        &self,
        now: DateTime<Utc>,
        device: DeviceId,
        events: &[PushedEvent],
    ) -> StoreResult<PushResponse>;
    /// The changes after `after` in the scope of `device` of `unit`, at most `limit`, in
    /// `server_seq` order (see `fieldpost_sync::pull`).
    fn pull(
        &self,
        device: DeviceId,
        unit: UnitId,
        after: u64,
        limit: u32,
    ) -> StoreResult<PullResponse>;
    /// Station sessions with tallies and volunteer hours, all or one unit's.
    fn sessions(&self, unit: Option<UnitId>) -> StoreResult<Vec<SessionRecord>>;
    /// How many lottery entrants a unit's stations registered.
    fn entrant_count(&self, unit: UnitId) -> StoreResult<u64>;

    // --- console users --------------------------------------------------------------------

    // --- the console ------------------------------------------------------------------------

    /// Every handout, all or one unit's, in the order handed out.
    fn handout_lines(&self, unit: Option<UnitId>) -> StoreResult<Vec<HandoutLine>>;
    /// Handouts beyond their device's grant, not voided, newest first.
    fn over_grant_handouts(&self, limit: u32) -> StoreResult<Vec<HandoutLine>>;
    /// Quarantined device events, newest first.
    fn quarantined_events(&self, limit: u32) -> StoreResult<Vec<QuarantinedEvent>>;
}
