//! The commands the window invokes. Each is a one-line adapter over a use case of
//! [`fieldpost_station::Station`] (or the shell's enrollment and sync wiring); refusals come
//! back as [`CommandError`]s.
//!
//! Store commands are `async` in Tauri's sense: they run on the runtime's threads, never on
//! the window's main thread, so a durable commit cannot stall rendering.

use fieldpost_domain::Carrier;
use fieldpost_domain::PlanContent;
use fieldpost_domain::{
    ActivityPlan, CheckInId, EscrowPosition, HandoutId, Item, ItemId, PlanId, SessionId,
    StationSession, TopUpRequest,
};
use fieldpost_station::handouts::{HandoutInput, ItemGrant, TopUpInput, TopUpRequestView};
use fieldpost_station::lottery::{EntrantInput, EntrantReceipt, LotteryTermsView};
use fieldpost_station::session_view::SessionView;
use fieldpost_station::sessions::{SessionSummary, VolunteerInput};
use serde::Serialize;
use tauri::{AppHandle, State};
use ts_rs::TS;

use crate::enroll::EnrollInput;
use crate::error::CommandError;
use crate::state::{self, AppState, AppStatus, SyncView};

type Result<T> = std::result::Result<T, CommandError>;

/// The unit's exclusive survey link and its QR code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct UnitQr {
    /// The unit's name.
    pub unit_name: String,
    /// The link the QR code encodes.
    pub link: String,
    /// The QR code, an SVG document.
    pub svg: String,
}

/// Enrollment state, the unit and the campaign.
#[tauri::command(async)]
pub fn app_status(state: State<'_, AppState>) -> Result<AppStatus> {
    state.status()
}

/// Enrolls this tablet with a central, syncs once and starts the background sync.
#[tauri::command]
pub async fn enroll(
    app: AppHandle,
    state: State<'_, AppState>,
    input: EnrollInput,
) -> Result<AppStatus> {
    crate::enroll::enroll(&state, input).await?;
    state::start_sync(app);
    state.status()
}

/// Approved plans whose window overlaps today (China time).
#[tauri::command(async)]
pub fn todays_plans(state: State<'_, AppState>) -> Result<Vec<ActivityPlan>> {
    Ok(state.station().todays_plans()?)
}

/// This device's unit's progress as the latest published bulletin has it, once pulled.
#[tauri::command(async)]
pub fn unit_progress(state: State<'_, AppState>) -> Result<Option<fieldpost_sync::UnitProgress>> {
    Ok(state.station().unit_progress()?)
}

/// Every plan on this device.
#[tauri::command(async)]
pub fn plans(state: State<'_, AppState>) -> Result<Vec<ActivityPlan>> {
    Ok(state.station().plans()?)
}

/// One plan.
#[tauri::command(async)]
pub fn plan(state: State<'_, AppState>, plan_id: PlanId) -> Result<ActivityPlan> {
    Ok(state.station().plan(plan_id)?)
}

/// Giftable items.
#[tauri::command(async)]
pub fn items(state: State<'_, AppState>) -> Result<Vec<Item>> {
    Ok(state.station().items()?)
}

/// Saves a new draft plan.
#[tauri::command(async)]
pub fn draft_plan(state: State<'_, AppState>, input: PlanContent) -> Result<ActivityPlan> {
    Ok(state.station().draft_plan(&input)?)
}

/// Files a draft with the secretariat.
#[tauri::command(async)]
pub fn file_plan(state: State<'_, AppState>, plan_id: PlanId) -> Result<ActivityPlan> {
    Ok(state.station().file_plan(plan_id)?)
}

/// Changes what a plan says.
#[tauri::command(async)]
pub fn revise_plan(
    state: State<'_, AppState>,
    plan_id: PlanId,
    input: PlanContent,
) -> Result<ActivityPlan> {
    Ok(state.station().revise_plan(plan_id, &input)?)
}

/// Opens a session under an approved plan with its volunteers checked in.
#[tauri::command(async)]
pub fn open_session(
    state: State<'_, AppState>,
    plan_id: PlanId,
    station: String,
    volunteers: Vec<VolunteerInput>,
) -> Result<StationSession> {
    Ok(state
        .station()
        .open_session(plan_id, &station, &volunteers)?)
}

/// The device's open session, if any.
#[tauri::command(async)]
pub fn open_session_id(state: State<'_, AppState>) -> Result<Option<SessionId>> {
    Ok(state.station().open_session_id()?)
}

/// Checks a volunteer in; returns the session screen's state after.
#[tauri::command(async)]
pub fn check_in(
    state: State<'_, AppState>,
    session_id: SessionId,
    volunteer: VolunteerInput,
) -> Result<SessionView> {
    Ok(state.station().check_in_and_view(session_id, &volunteer)?)
}

/// Checks a volunteer out; returns the session screen's state after.
#[tauri::command(async)]
pub fn check_out(state: State<'_, AppState>, check_in_id: CheckInId) -> Result<SessionView> {
    Ok(state.station().check_out_and_view(check_in_id)?)
}

/// Adds to (or corrects) the session's counters; returns the session screen's state after.
#[tauri::command(async)]
pub fn record_tally(
    state: State<'_, AppState>,
    session_id: SessionId,
    people_reached: i32,
    questionnaires_assisted: i32,
) -> Result<SessionView> {
    Ok(state.station().record_tally_and_view(
        session_id,
        people_reached,
        questionnaires_assisted,
    )?)
}

/// What the session screen shows: the summary, the grants with what remains, the last
/// handout for undo.
#[tauri::command(async)]
pub fn session_view(state: State<'_, AppState>, session_id: SessionId) -> Result<SessionView> {
    Ok(state.station().session_view(session_id)?)
}

/// Closes a session; returns its summary.
#[tauri::command(async)]
pub fn close_session(state: State<'_, AppState>, session_id: SessionId) -> Result<SessionSummary> {
    Ok(state.station().close_session(session_id)?)
}

/// Records a handout against the device's grant; returns the session screen's state after.
#[tauri::command(async)]
pub fn record_handout(state: State<'_, AppState>, input: HandoutInput) -> Result<SessionView> {
    Ok(state.station().record_handout_and_view(&input)?)
}

/// Cancels a handout (undo); returns the session screen's state after.
#[tauri::command(async)]
pub fn void_handout(
    state: State<'_, AppState>,
    handout_id: HandoutId,
    reason: String,
) -> Result<SessionView> {
    Ok(state.station().void_handout_and_view(handout_id, &reason)?)
}

/// The device's remaining grant per item under a plan.
#[tauri::command(async)]
pub fn remaining_grants(state: State<'_, AppState>, plan_id: PlanId) -> Result<Vec<ItemGrant>> {
    Ok(state.station().remaining_grants(plan_id)?)
}

/// Gives unused grant back to the central.
#[tauri::command(async)]
pub fn release_grant(
    state: State<'_, AppState>,
    plan_id: PlanId,
    item_id: ItemId,
    quantity: u32,
) -> Result<EscrowPosition> {
    Ok(state.station().release_grant(plan_id, item_id, quantity)?)
}

/// Asks the secretariat for more of an item under an approved plan (申请追加).
#[tauri::command(async)]
pub fn request_top_up(state: State<'_, AppState>, input: TopUpInput) -> Result<TopUpRequest> {
    Ok(state.station().request_top_up(&input)?)
}

/// The top-up requests this device sent under a plan, newest first, each with the
/// secretariat's answer once the sync has brought it.
#[tauri::command(async)]
pub fn top_up_requests(
    state: State<'_, AppState>,
    plan_id: PlanId,
) -> Result<Vec<TopUpRequestView>> {
    Ok(state.station().top_up_requests(plan_id)?)
}

/// Registers a lottery entrant with the carrier they confirmed; the receipt shows the number
/// masked and the carrier.
#[tauri::command(async)]
pub fn register_entrant(state: State<'_, AppState>, input: EntrantInput) -> Result<EntrantReceipt> {
    Ok(state.station().register_entrant(&input)?)
}

/// The lottery's terms as the central last sent them (consent text and version, whether
/// registration is open); `null` before the first sync that brought them.
#[tauri::command(async)]
pub fn lottery_terms(state: State<'_, AppState>) -> Result<Option<LotteryTermsView>> {
    Ok(state.station().lottery_terms()?)
}

/// The carrier to pre-select for what the volunteer typed (号段), once it parses as a
/// mobile number.
#[tauri::command]
pub fn suggested_carrier(phone: String) -> Option<Carrier> {
    fieldpost_station::lottery::suggested_carrier(&phone)
}

/// The sync line.
#[tauri::command(async)]
pub fn sync_view(state: State<'_, AppState>) -> Result<SyncView> {
    state.sync_view()
}

/// Asks for a sync now (starting the loop if the device is enrolled and it is not running).
#[tauri::command(async)]
pub fn sync_now(app: AppHandle, state: State<'_, AppState>) -> Result<SyncView> {
    if !state.sync_now() && state.is_enrolled()? {
        state::start_sync(app);
    }
    state.sync_view()
}

/// The unit's survey link as a QR code, drawn on the tablet.
#[tauri::command(async)]
pub fn unit_qr(state: State<'_, AppState>) -> Result<UnitQr> {
    let unit = state.station().unit()?.ok_or_else(|| {
        CommandError::new("no_unit", "the unit has not been synced to this tablet yet")
    })?;
    Ok(UnitQr {
        svg: crate::qr::svg(&unit.survey_link)?,
        link: unit.survey_link,
        unit_name: unit.name,
    })
}
