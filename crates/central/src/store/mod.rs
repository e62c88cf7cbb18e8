//! The central's storage, behind one narrow interface.
//!
//! Handlers call [`Store`] and nothing else; [`sqlite::SqliteStore`] is the embedded default.
//! A PostgreSQL backend implements the same trait. The methods are blocking (SQLite is; a
//! PostgreSQL backend may use a blocking client too): the HTTP layer runs them on tokio's
//! blocking pool. Every method that changes something runs in one transaction that also checks
//! the quantities it changes, writes the audit log and stamps the change log.

pub mod sqlite;

use crate::push::QuarantinedEvent;
use crate::records::HandoutLine;

use fieldpost_domain::UnitId;

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

    // --- sync -----------------------------------------------------------------------------

    // --- console users --------------------------------------------------------------------

    // --- the console ------------------------------------------------------------------------

    /// Every handout, all or one unit's, in the order handed out.
    fn handout_lines(&self, unit: Option<UnitId>) -> StoreResult<Vec<HandoutLine>>;
    /// Handouts beyond their device's grant, not voided, newest first.
    fn over_grant_handouts(&self, limit: u32) -> StoreResult<Vec<HandoutLine>>;
    /// Quarantined device events, newest first.
    fn quarantined_events(&self, limit: u32) -> StoreResult<Vec<QuarantinedEvent>>;
}
