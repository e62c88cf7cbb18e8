//! Excel exports and printable posters, for console users (viewers too: reading is not
//! changing). A unit's own account gets its own unit's ledgers, hours and assessment, its own
//! poster, and the collection bulletin, which the secretariat publishes to every unit.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use fieldpost_domain::{UnitId, UnitLinkId};

use crate::auth::{Caller, Secretariat};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiQuery, PathId};
use crate::state::AppState;
use fieldpost_central::audit::AuditFilter;
use fieldpost_central::{bulletin, campaign, links, records};
use fieldpost_sheets::export::{self, Names, XLSX_MIME};
use fieldpost_sheets::posters::{Poster, poster_svg, posters_html};

pub(super) fn xlsx_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(format!("xlsx: {e}"))
}

/// An attachment with an ASCII fallback name and the Chinese name (RFC 6266 / 5987).
pub(super) fn attachment(bytes: Vec<u8>, mime: &str, ascii: &str, chinese: &str) -> Response {
    let encoded: String = chinese
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    (
        [
            (CONTENT_TYPE, mime.to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
            ),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}

/// The bulletin names every unit with its count and rank: it is published to all units (the
/// 通报), so a unit's own account may download it too.
pub(super) async fn bulletin(State(state): State<AppState>, _: Caller) -> ApiResult<Response> {
    let now = state.now();
    let bytes = state
        .call(move |db| export::bulletin(&bulletin::live(db, now)?).map_err(xlsx_error))
        .await?;
    Ok(attachment(
        bytes,
        XLSX_MIME,
        "bulletin.xlsx",
        "采集数据通报.xlsx",
    ))
}

/// 403 for a device: the exports are the console's.
fn console_scope(caller: &Caller) -> ApiResult<Option<UnitId>> {
    match caller {
        Caller::Device(_) => Err(ApiError::Forbidden(
            "the exports are the console's, not a device's".into(),
        )),
        Caller::User(u) => Ok(u.unit_id),
    }
}

pub(super) async fn handouts(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    let scope = console_scope(&caller)?;
    let bytes = state
        .call_many(move |db| {
            let (units, items) = (campaign::units(db, None)?, campaign::items(db)?);
            let names = Names::new(
                &units,
                &items,
                &fieldpost_central::plans::plans(db, scope, None)?,
            );
            let lines = records::handout_lines(db, scope)?;
            export::handout_ledger(&lines, &names).map_err(xlsx_error)
        })
        .await?;
    Ok(attachment(
        bytes,
        XLSX_MIME,
        "handouts.xlsx",
        "派送台账.xlsx",
    ))
}

pub(super) async fn volunteer_hours(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Response> {
    let scope = console_scope(&caller)?;
    let sessions = state
        .call(move |db| fieldpost_central::sessions::sessions(db, scope))
        .await?;
    let bytes = state
        .call_many(move |db| {
            let names = Names::new(&campaign::units(db, None)?, &[], &[]);
            export::volunteer_hours(&sessions, &names).map_err(xlsx_error)
        })
        .await?;
    Ok(attachment(
        bytes,
        XLSX_MIME,
        "volunteer-hours.xlsx",
        "志愿服务时长.xlsx",
    ))
}

pub(super) async fn plan_assessment(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<Response> {
    let scope = console_scope(&caller)?;
    let bytes = state
        .call_many(move |db| {
            let (units, items) = (campaign::units(db, None)?, campaign::items(db)?);
            let plans = fieldpost_central::plans::plans(db, scope, None)?;
            let counts = records::counts(db, scope)?;
            let lines = records::handout_lines(db, scope)?;
            let assessed = export::assess_plans(&plans, &lines, &counts);
            let names = Names::new(&units, &items, &plans);
            export::plan_assessment(&assessed, &items, &names).map_err(xlsx_error)
        })
        .await?;
    Ok(attachment(
        bytes,
        XLSX_MIME,
        "plan-assessment.xlsx",
        "活动考核.xlsx",
    ))
}

/// Most lines one audit-log export holds: the newest that pass the filter.
const AUDIT_EXPORT_LINES: u32 = 100_000;

pub(super) async fn audit_log(
    State(state): State<AppState>,
    _: Secretariat,
    ApiQuery(q): ApiQuery<AuditFilter>,
) -> ApiResult<Response> {
    let (filter, now) = (super::records::audit_filter(q), state.now());
    let bytes = state
        .call(move |db| {
            let entries = fieldpost_central::audit::find(db, &filter, AUDIT_EXPORT_LINES)?;
            export::audit_log(&entries, now).map_err(xlsx_error)
        })
        .await?;
    Ok(attachment(
        bytes,
        XLSX_MIME,
        "audit-log.xlsx",
        "操作日志.xlsx",
    ))
}

fn poster_error(e: fieldpost_sheets::posters::PosterError) -> ApiError {
    ApiError::Internal(format!("poster: {e}"))
}

pub(super) async fn unit_poster(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<UnitId>,
) -> ApiResult<Response> {
    console_scope(&caller)?;
    caller.may_read_unit(id)?;
    let svg = state
        .call(move |db| {
            let (campaign, unit, section) = poster_names(db, id)?;
            poster_svg(&Poster {
                campaign: &campaign,
                unit: &unit.name,
                section: &section,
                link: &unit.survey_link,
            })
            .map_err(poster_error)
        })
        .await?;
    Ok(([(CONTENT_TYPE, "image/svg+xml; charset=utf-8")], svg).into_response())
}

/// What a unit's poster names: the campaign, the unit, and the unit's section.
fn poster_names(
    db: &dyn fieldpost_central::storage::Database,
    id: UnitId,
) -> ApiResult<(String, fieldpost_domain::Unit, String)> {
    let unit = campaign::unit(db, id)?.ok_or(ApiError::NotFound("unit"))?;
    let campaign = campaign::campaign(db)?.ok_or(ApiError::NotFound("campaign"))?;
    let section = campaign::sections(db)?
        .into_iter()
        .find(|x| x.id == unit.section_id)
        .map(|x| x.name)
        .unwrap_or_default();
    Ok((campaign.campaign.name, unit, section))
}

/// A unit's own account prints its extra links' posters as it does its primary one: the
/// console lists them on its posters page, so a secretariat-only route left broken images.
pub(super) async fn link_poster(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<UnitId>,
    PathId(link_id): PathId<UnitLinkId>,
) -> ApiResult<Response> {
    console_scope(&caller)?;
    caller.may_read_unit(id)?;
    let svg = state
        .call(move |db| {
            let (campaign, unit, section) = poster_names(db, id)?;
            let link = links::poster_link(db, id, link_id)?.ok_or(ApiError::NotFound("link"))?;
            poster_svg(&Poster {
                campaign: &campaign,
                unit: &unit.name,
                section: &labelled(&section, &link.label),
                link: &link.url,
            })
            .map_err(poster_error)
        })
        .await?;
    Ok(([(CONTENT_TYPE, "image/svg+xml; charset=utf-8")], svg).into_response())
}

/// The line under a unit's name on an extra link's poster: its section and the link's label,
/// so two posters of one unit are told apart at a glance.
fn labelled(section: &str, label: &str) -> String {
    if section.is_empty() {
        label.to_owned()
    } else {
        format!("{section} · {label}")
    }
}

pub(super) async fn all_posters(
    State(state): State<AppState>,
    _: Secretariat,
) -> ApiResult<Response> {
    let html = state
        .call(|db| {
            let campaign = campaign::campaign(db)?.ok_or(ApiError::NotFound("campaign"))?;
            let sections = campaign::sections(db)?;
            let units = campaign::units(db, None)?;
            let extra = links::all_links(db)?;
            let section_of = |u: &fieldpost_domain::Unit| {
                sections
                    .iter()
                    .find(|x| x.id == u.section_id)
                    .map_or("", |x| x.name.as_str())
            };
            // Each unit's primary poster, then one per extra link, labelled.
            let mut pages: Vec<(&fieldpost_domain::Unit, String, &str)> = Vec::new();
            for u in &units {
                pages.push((u, section_of(u).to_owned(), &u.survey_link));
                for l in extra
                    .iter()
                    .filter(|l| l.unit_id == u.id)
                    .flat_map(|l| &l.extra)
                {
                    pages.push((u, labelled(section_of(u), &l.label), &l.url));
                }
            }
            let posters: Vec<Poster<'_>> = pages
                .iter()
                .map(|(u, section, link)| Poster {
                    campaign: &campaign.campaign.name,
                    unit: &u.name,
                    section,
                    link,
                })
                .collect();
            posters_html(
                &format!("{} 单位二维码海报", campaign.campaign.name),
                &posters,
            )
            .map_err(poster_error)
        })
        .await?;
    if html.is_empty() {
        return Err(ApiError::NotFound("units"));
    }
    Ok(([(CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response())
}
