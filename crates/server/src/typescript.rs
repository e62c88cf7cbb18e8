//! The console's TypeScript types, generated with ts-rs from the Rust types the central's
//! routes read and answer with. The files are committed under
//! `ui/src/lib/api/generated/console`; the integration test `typescript` fails when they are
//! stale, and `cargo xtask types` rewrites them.

use std::path::Path;

use fieldpost_central::audit::AuditEntry;
use fieldpost_central::bulletin::{Bulletin, PublishedDay};
use fieldpost_central::campaign::{CampaignRecord, UnitSheetOutcome};
use fieldpost_central::devices::DeviceRecord;
use fieldpost_central::draw::carriers::{ReturnIssue, ReturnReport};
use fieldpost_central::draw::{
    Delivery, Draw, FrozenListView, ListView, Pool, PoolInput, PublicWinners, Win, WinState,
};
use fieldpost_central::links::{UnitLink, UnitLinks};
use fieldpost_central::lottery::{
    DeletionReport, EntrantLine, EntrantList, EntrantsByCarrier, LotteryTermsView, TermsInput,
};
use fieldpost_central::plans::{DeviceShare, PlanView};
use fieldpost_central::push::QuarantinedEvent;
use fieldpost_central::records::{DailyCount, HandoutLine, Records, UnitRecord};
use fieldpost_central::stock::{LedgerEntry, StockBalance};
use fieldpost_central::top_ups::{TopUpRequestLine, TopUpStatus};
use fieldpost_central::users::{Role, User};
use fieldpost_sheets::import::{CountRow, ImportKind, Preview, TaskRow};
use fieldpost_sync::{EnrollRequest, EnrollResponse, ErrorBody, ErrorCode, QuarantineCode};
use ts_rs::{Config, ExportError, TS};

use crate::routes::{
    auth, catalog, console, devices, draw, import, lottery, plans, records, top_ups,
};

/// Writes the TypeScript declaration of every type the console sends or receives into `dir`,
/// one file per type, with the types they reference alongside. 64-bit integers become
/// `number`: none of ours comes near 2^53.
pub fn export_typescript(dir: &Path) -> Result<(), ExportError> {
    let cfg = Config::new().with_out_dir(dir).with_large_int("number");
    // The error body and the codes the console translates.
    ErrorBody::export_all(&cfg)?;
    ErrorCode::export_all(&cfg)?;
    QuarantineCode::export_all(&cfg)?;
    // The central's records as the routes answer them.
    AuditEntry::export_all(&cfg)?;
    fieldpost_central::audit::AuditFilter::export_all(&cfg)?;
    write_audit_action_names(dir)?;
    CampaignRecord::export_all(&cfg)?;
    DailyCount::export_all(&cfg)?;
    Bulletin::export_all(&cfg)?;
    PublishedDay::export_all(&cfg)?;
    DeviceRecord::export_all(&cfg)?;
    DeviceShare::export_all(&cfg)?;
    HandoutLine::export_all(&cfg)?;
    LedgerEntry::export_all(&cfg)?;
    PlanView::export_all(&cfg)?;
    QuarantinedEvent::export_all(&cfg)?;
    Records::export_all(&cfg)?;
    Role::export_all(&cfg)?;
    StockBalance::export_all(&cfg)?;
    TopUpRequestLine::export_all(&cfg)?;
    TopUpStatus::export_all(&cfg)?;
    UnitLink::export_all(&cfg)?;
    UnitLinks::export_all(&cfg)?;
    UnitRecord::export_all(&cfg)?;
    UnitSheetOutcome::export_all(&cfg)?;
    User::export_all(&cfg)?;
    fieldpost_central::users::Account::export_all(&cfg)?;
    // The assessment and the summary meeting's report.
    fieldpost_central::assessment::Assessment::export_all(&cfg)?;
    fieldpost_central::assessment::RulesInput::export_all(&cfg)?;
    fieldpost_central::assessment::ConfirmInput::export_all(&cfg)?;
    fieldpost_central::assessment::Commendation::export_all(&cfg)?;
    fieldpost_central::assessment::SummaryReport::export_all(&cfg)?;
    // The lottery's terms, entrants and deletions.
    LotteryTermsView::export_all(&cfg)?;
    TermsInput::export_all(&cfg)?;
    EntrantLine::export_all(&cfg)?;
    EntrantList::export_all(&cfg)?;
    EntrantsByCarrier::export_all(&cfg)?;
    DeletionReport::export_all(&cfg)?;
    lottery::CloseBody::export_all(&cfg)?;
    lottery::RetentionBody::export_all(&cfg)?;
    // Imports.
    ImportKind::export_all(&cfg)?;
    Preview::<TaskRow>::export_all(&cfg)?;
    TaskRow::export_all(&cfg)?;
    CountRow::export_all(&cfg)?;
    import::ApplyQuery::export_all(&cfg)?;
    import::TasksApplied::export_all(&cfg)?;
    import::CountsApplied::export_all(&cfg)?;
    // The routes' own request and response bodies.
    auth::LoginBody::export_all(&cfg)?;
    auth::Me::export_all(&cfg)?;
    auth::UserBody::export_all(&cfg)?;
    auth::AccountBody::export_all(&cfg)?;
    auth::PasswordBody::export_all(&cfg)?;
    auth::PasswordReset::export_all(&cfg)?;
    catalog::CampaignBody::export_all(&cfg)?;
    catalog::SectionBody::export_all(&cfg)?;
    catalog::UnitsQuery::export_all(&cfg)?;
    catalog::UnitBody::export_all(&cfg)?;
    catalog::ItemBody::export_all(&cfg)?;
    catalog::ItemUpdateBody::export_all(&cfg)?;
    catalog::UnitLinkBody::export_all(&cfg)?;
    catalog::LedgerQuery::export_all(&cfg)?;
    catalog::StockMoveBody::export_all(&cfg)?;
    console::Dashboard::export_all(&cfg)?;
    devices::CodeBody::export_all(&cfg)?;
    devices::IssuedCode::export_all(&cfg)?;
    plans::PlansQuery::export_all(&cfg)?;
    plans::PlanBody::export_all(&cfg)?;
    plans::ApproveBody::export_all(&cfg)?;
    plans::RejectBody::export_all(&cfg)?;
    plans::ItemQuantityBody::export_all(&cfg)?;
    plans::ReleaseBody::export_all(&cfg)?;
    records::Health::export_all(&cfg)?;
    records::CountsQuery::export_all(&cfg)?;
    records::CountsBody::export_all(&cfg)?;
    records::Imported::export_all(&cfg)?;
    records::AuditQuery::export_all(&cfg)?;
    top_ups::ListQuery::export_all(&cfg)?;
    top_ups::FulfilBody::export_all(&cfg)?;
    top_ups::DeclineBody::export_all(&cfg)?;
    // The lottery's draw.
    Delivery::export_all(&cfg)?;
    Draw::export_all(&cfg)?;
    FrozenListView::export_all(&cfg)?;
    ListView::export_all(&cfg)?;
    Pool::export_all(&cfg)?;
    PoolInput::export_all(&cfg)?;
    PublicWinners::export_all(&cfg)?;
    ReturnIssue::export_all(&cfg)?;
    ReturnReport::export_all(&cfg)?;
    Win::export_all(&cfg)?;
    WinState::export_all(&cfg)?;
    draw::DrawBody::export_all(&cfg)?;
    draw::VoidBody::export_all(&cfg)?;
    draw::WinStateBody::export_all(&cfg)?;
    draw::HandoverBody::export_all(&cfg)?;
    // Enrollment, which the console's codes lead to.
    EnrollRequest::export_all(&cfg)?;
    EnrollResponse::export_all(&cfg)?;
    Ok(())
}

/// `AuditActionNames.ts`: the audit actions' names from their one table
/// ([`fieldpost_central::audit::ACTION_NAMES`]), which the audit export also reads, so the
/// console's page and the workbook cannot name an action differently.
fn write_audit_action_names(dir: &Path) -> Result<(), ExportError> {
    let quoted = |s: &str| serde_json::Value::from(s).to_string();
    let mut ts = String::from(
        "// Generated from fieldpost_central::audit::ACTION_NAMES by `cargo xtask types`. \
         Do not edit this file manually.\n\n\
         /** Each audit action's names, by its code: the audit page's and the export's one table. */\n\
         export const AUDIT_ACTION_NAMES: Readonly<Record<string, { readonly \"zh-CN\": string; readonly en: string }>> = {\n",
    );
    for n in fieldpost_central::audit::ACTION_NAMES {
        ts.push_str(&format!(
            "  {}: {{ \"zh-CN\": {}, en: {} }},\n",
            quoted(n.code),
            quoted(n.zh),
            quoted(n.en)
        ));
    }
    ts.push_str("};\n");
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("AuditActionNames.ts"), ts)?;
    Ok(())
}
