//! Spreadsheet imports: the unit task table and the daily collection counts. The body is the
//! file itself (`.xlsx` or `.csv`, any content type). `…/preview` writes nothing and lists
//! the bad rows (the first 200, and how many in all); a sheet past its row limit is refused
//! while it is read. The import itself checks again and applies in one transaction, refusing a
//! file with bad rows unless `skip_bad_rows=true` says to apply only the good ones.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use fieldpost_sync::ErrorCode;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::auth::{Secretariat, SecretariatAdmin};
use crate::error::{ApiError, ApiResult, conflict};
use crate::extract::ApiQuery;
use crate::state::AppState;
use fieldpost_central::campaign::{self, UnitSheetOutcome, UnitSheetRow};
use fieldpost_central::records::{self, DailyCount};
use fieldpost_sheets::import::{
    CountRow, EXCEL_ROWS, ImportKind, Preview, ReadError, Table, TaskRow, campaign_year,
    hold_to_collection_days, preview_counts, preview_task_table, read_table,
};

/// An uploaded file: the raw body, up to the body limit.
#[derive(Debug)]
pub(super) struct Upload(pub(super) Bytes);

impl FromRequest<AppState> for Upload {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &AppState) -> ApiResult<Self> {
        let limit = state.config().body_limit;
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge(limit)
            } else {
                ApiError::BadRequest {
                    code: ErrorCode::UnreadableBody,
                    message: rejection.body_text(),
                    field: None,
                }
            }
        })?;
        Ok(Upload(bytes))
    }
}

#[derive(Debug, Default, Deserialize, TS, JsonSchema)]
pub(crate) struct ApplyQuery {
    #[serde(default)]
    skip_bad_rows: bool,
}

/// A sheet past a limit says which limit (rows or columns) and the number, so the console's
/// message is true and in its own language; any other failure to read is `unreadable_file`.
fn unreadable(e: ReadError) -> ApiError {
    let limit = |code, limit: u64| ApiError::SheetLimit {
        code,
        message: e.to_string(),
        limit,
    };
    match e {
        ReadError::TooManyRows { limit: rows, .. } => limit(ErrorCode::SheetTooLarge, rows as u64),
        ReadError::RowBeyondExcel { .. } => limit(ErrorCode::SheetTooLarge, u64::from(EXCEL_ROWS)),
        ReadError::TooManyColumns { limit: columns } => {
            limit(ErrorCode::SheetTooWide, columns as u64)
        }
        ReadError::Spreadsheet(_) | ReadError::NotUtf8 | ReadError::Empty => ApiError::BadRequest {
            code: ErrorCode::UnreadableFile,
            message: e.to_string(),
            field: Some("file".into()),
        },
    }
}

/// Reads an uploaded file off the async workers: a sheet at its row limit takes a moment to
/// parse, and the server's other requests (the tablets' syncs) must not wait behind it.
async fn read_upload(file: Bytes, kind: ImportKind) -> ApiResult<Table> {
    tokio::task::spawn_blocking(move || read_table(&file, kind))
        .await
        .map_err(|e| ApiError::Internal(format!("reading the sheet: {e}")))?
        .map_err(unreadable)
}

async fn task_preview(state: &AppState, file: Bytes) -> ApiResult<Preview<TaskRow>> {
    let table = read_upload(file, ImportKind::TaskTable).await?;
    state
        .call(move |db| {
            let units = campaign::units(db, None)?;
            let sections = campaign::sections(db)?;
            Ok::<_, ApiError>(preview_task_table(&table, &units, &sections))
        })
        .await
}

async fn counts_preview(state: &AppState, file: Bytes) -> ApiResult<Preview<CountRow>> {
    let table = read_upload(file, ImportKind::Counts).await?;
    state
        .call(move |db| {
            let units = campaign::units(db, None)?;
            // Without a campaign (or its record unreadable) the year is guessed from the file.
            let campaign = campaign::campaign(db).ok().flatten();
            let year = campaign
                .as_ref()
                .map(|c| campaign_year(c.campaign.collection_start));
            let mut preview = preview_counts(&table, &units, year);
            // Counts are of collection days only (issue 13): others are wrong dates.
            if let Some(c) = &campaign {
                let (first, last) = records::collection_days(&c.campaign);
                hold_to_collection_days(&mut preview, first, last);
            }
            Ok::<_, ApiError>(preview)
        })
        .await
}

fn refuse_bad_rows<T>(p: &Preview<T>, q: &ApplyQuery) -> ApiResult<()> {
    if p.errors.is_empty() || q.skip_bad_rows {
        return Ok(());
    }
    let first = &p.errors[0];
    Err(conflict(
        ErrorCode::ImportHasErrors,
        Some("file"),
        format!(
            "{} problem(s) in the file, nothing imported (first: row {}, {}: {}); fix the \
             file, or apply only the good rows with skip_bad_rows=true",
            p.error_count, first.row, first.field, first.reason
        ),
    ))
}

pub(super) async fn preview_tasks(
    State(state): State<AppState>,
    _: Secretariat,
    Upload(file): Upload,
) -> ApiResult<Json<Preview<TaskRow>>> {
    Ok(Json(task_preview(&state, file).await?))
}

/// What an applied import did.
#[derive(Debug, Serialize, TS, JsonSchema)]
pub(crate) struct TasksApplied {
    preview: Preview<TaskRow>,
    outcome: UnitSheetOutcome,
}

pub(super) async fn apply_tasks(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    ApiQuery(q): ApiQuery<ApplyQuery>,
    Upload(file): Upload,
) -> ApiResult<Json<TasksApplied>> {
    let preview = task_preview(&state, file).await?;
    refuse_bad_rows(&preview, &q)?;
    let rows: Vec<UnitSheetRow> = preview
        .rows
        .iter()
        .map(|r| UnitSheetRow {
            name: r.unit.clone(),
            section: r.section.clone(),
            quota: r.quota,
            survey_link: r.link.clone(),
            contact: r.contact.clone(),
        })
        .collect();
    let (actor, now) = (admin.actor(), state.now());
    let outcome = state
        .call(move |db| campaign::apply_unit_sheet(db, &actor, now, &rows))
        .await?;
    Ok(Json(TasksApplied { preview, outcome }))
}

pub(super) async fn preview_count_sheet(
    State(state): State<AppState>,
    _: Secretariat,
    Upload(file): Upload,
) -> ApiResult<Json<Preview<CountRow>>> {
    Ok(Json(counts_preview(&state, file).await?))
}

/// What an applied counts import did.
#[derive(Debug, Serialize, TS, JsonSchema)]
pub(crate) struct CountsApplied {
    preview: Preview<CountRow>,
    imported: u32,
}

pub(super) async fn apply_count_sheet(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    ApiQuery(q): ApiQuery<ApplyQuery>,
    Upload(file): Upload,
) -> ApiResult<Json<CountsApplied>> {
    let preview = counts_preview(&state, file).await?;
    refuse_bad_rows(&preview, &q)?;
    let counts: Vec<DailyCount> = preview
        .rows
        .iter()
        .map(|r| DailyCount {
            unit_id: r.unit_id,
            day: r.day,
            count: r.count,
        })
        .collect();
    let (actor, now) = (admin.actor(), state.now());
    let imported = state
        .call(move |db| records::import_counts(db, &actor, now, &counts))
        .await?;
    Ok(Json(CountsApplied { preview, imported }))
}
