//! The window's TypeScript types: the station's use-case types and the shell's command and
//! event types, exported with ts-rs into `ui/src/lib/api/generated/station`.

use std::path::Path;

use ts_rs::{ExportError, TS};

use crate::commands::UnitQr;
use crate::enroll::EnrollInput;
use crate::error::CommandError;
use crate::state::{AppStatus, SyncView};

/// Writes every type the station window sees into `dir`, one file per type.
pub fn export_typescript(dir: &Path) -> Result<(), ExportError> {
    fieldpost_station::typescript::export_typescript(dir)?;
    let cfg = fieldpost_station::typescript::config(dir);
    // Domain records the commands return as they are.
    fieldpost_domain::ActivityPlan::export_all(&cfg)?;
    fieldpost_domain::StationSession::export_all(&cfg)?;
    fieldpost_domain::TopUpRequest::export_all(&cfg)?;
    CommandError::export_all(&cfg)?;
    EnrollInput::export_all(&cfg)?;
    AppStatus::export_all(&cfg)?;
    SyncView::export_all(&cfg)?;
    UnitQr::export_all(&cfg)?;
    Ok(())
}
