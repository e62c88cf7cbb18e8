//! The station app's TypeScript types for the use cases' inputs and outputs, generated with
//! ts-rs. The Tauri shell exports these together with its own command types into
//! `ui/src/lib/api/generated/station`; its test fails when the committed files are stale.

use std::path::Path;

use ts_rs::{Config, ExportError, TS};

use crate::handouts::{HandoutInput, ItemGrant, TopUpInput, TopUpRequestView};
use crate::lottery::{EntrantInput, EntrantReceipt, LotteryTermsView};
use crate::session_view::SessionView;
use crate::sessions::{SessionSummary, VolunteerInput};
use crate::sync::SyncStatus;
use crate::sync_loop::{LoopState, SyncReport};

/// The ts-rs configuration the station's types are exported with: one file per type in
/// `dir`, 64-bit integers as `number` (none of ours comes near 2^53).
pub fn config(dir: &Path) -> Config {
    Config::new().with_out_dir(dir).with_large_int("number")
}

/// Writes the TypeScript declaration of every input and output type of the station's use
/// cases into `dir`, with the domain types they reference alongside.
pub fn export_typescript(dir: &Path) -> Result<(), ExportError> {
    let cfg = config(dir);
    VolunteerInput::export_all(&cfg)?;
    SessionSummary::export_all(&cfg)?;
    SessionView::export_all(&cfg)?;
    HandoutInput::export_all(&cfg)?;
    ItemGrant::export_all(&cfg)?;
    TopUpInput::export_all(&cfg)?;
    TopUpRequestView::export_all(&cfg)?;
    EntrantInput::export_all(&cfg)?;
    EntrantReceipt::export_all(&cfg)?;
    LotteryTermsView::export_all(&cfg)?;
    SyncStatus::export_all(&cfg)?;
    fieldpost_sync::UnitProgress::export_all(&cfg)?;
    LoopState::export_all(&cfg)?;
    SyncReport::export_all(&cfg)?;
    Ok(())
}
