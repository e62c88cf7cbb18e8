//! The campaign, sections, units, items and stock.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use fieldpost_domain::{
    Campaign, CampaignId, Item, ItemId, ItemKind, Section, SectionId, Unit, UnitId, UnitLinkId,
};
use schemars::JsonSchema;
use serde::Deserialize;
use ts_rs::TS;

use crate::auth::{Caller, Secretariat, SecretariatAdmin};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, PathId};
use crate::state::AppState;
use fieldpost_central::campaign::{self, CampaignRecord};
use fieldpost_central::links::{self, UnitLink, UnitLinks};
use fieldpost_central::stock::{self, LedgerEntry, StockBalance};

pub(super) async fn get_campaign(
    State(state): State<AppState>,
    _caller: Caller,
) -> ApiResult<Json<CampaignRecord>> {
    state
        .call(campaign::campaign)
        .await?
        .map(Json)
        .ok_or(ApiError::NotFound("campaign"))
}

#[derive(Debug, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CampaignBody {
    name: String,
    city: String,
    publicity_start: NaiveDate,
    publicity_end: NaiveDate,
    collection_start: DateTime<Utc>,
    collection_end: DateTime<Utc>,
    target: u32,
    #[serde(default)]
    note: Option<String>,
}

pub(super) async fn put_campaign(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    ApiJson(b): ApiJson<CampaignBody>,
) -> ApiResult<Json<CampaignRecord>> {
    let record = CampaignRecord {
        campaign: Campaign {
            id: CampaignId::new(),
            name: b.name,
            city: b.city,
            publicity_start: b.publicity_start,
            publicity_end: b.publicity_end,
            collection_start: b.collection_start,
            collection_end: b.collection_end,
            target: b.target,
        },
        note: b.note,
    };
    let (actor, now) = (admin.actor(), state.now());
    Ok(Json(
        state
            .call(move |db| campaign::put_campaign(db, &actor, now, &record))
            .await?,
    ))
}

pub(super) async fn sections(
    State(state): State<AppState>,
    _caller: Caller,
) -> ApiResult<Json<Vec<Section>>> {
    Ok(Json(state.call(campaign::sections).await?))
}

#[derive(Debug, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SectionBody {
    code: String,
    name: String,
}

pub(super) async fn create_section(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    ApiJson(b): ApiJson<SectionBody>,
) -> ApiResult<(StatusCode, Json<Section>)> {
    let section = Section {
        id: SectionId::new(),
        code: b.code,
        name: b.name,
    };
    let (actor, now) = (admin.actor(), state.now());
    let section = state
        .call(move |db| campaign::create_section(db, &actor, now, &section))
        .await?;
    Ok((StatusCode::CREATED, Json(section)))
}

#[derive(Debug, Deserialize, TS, JsonSchema)]
pub(crate) struct UnitsQuery {
    #[serde(default)]
    section_id: Option<SectionId>,
}

pub(super) async fn units(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<UnitsQuery>,
) -> ApiResult<Json<Vec<Unit>>> {
    let mut units = state
        .call(move |db| campaign::units(db, q.section_id))
        .await?;
    // A unit's own callers see their unit only.
    if let Some(own) = caller.unit_scope() {
        units.retain(|u| u.id == own);
    }
    Ok(Json(units))
}

pub(super) async fn unit(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<UnitId>,
) -> ApiResult<Json<Unit>> {
    let unit = state
        .call(move |db| campaign::unit(db, id))
        .await?
        .ok_or(ApiError::NotFound("unit"))?;
    caller.may_read_unit(unit.id)?;
    Ok(Json(unit))
}

#[derive(Debug, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UnitBody {
    section_id: SectionId,
    name: String,
    quota: u32,
    survey_link: String,
    #[serde(default)]
    contact: Option<String>,
}

fn unit_from(id: UnitId, b: UnitBody) -> Unit {
    Unit {
        id,
        // The store sets the current campaign.
        campaign_id: CampaignId(uuid::Uuid::nil()),
        section_id: b.section_id,
        name: b.name,
        quota: b.quota,
        survey_link: b.survey_link,
        contact: b.contact,
    }
}

pub(super) async fn create_unit(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    ApiJson(b): ApiJson<UnitBody>,
) -> ApiResult<(StatusCode, Json<Unit>)> {
    let unit = unit_from(UnitId::new(), b);
    let (actor, now) = (admin.actor(), state.now());
    let unit = state
        .call(move |db| campaign::create_unit(db, &actor, now, &unit))
        .await?;
    Ok((StatusCode::CREATED, Json(unit)))
}

pub(super) async fn update_unit(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    PathId(id): PathId<UnitId>,
    ApiJson(b): ApiJson<UnitBody>,
) -> ApiResult<Json<Unit>> {
    let unit = unit_from(id, b);
    let (actor, now) = (admin.actor(), state.now());
    Ok(Json(
        state
            .call(move |db| campaign::update_unit(db, &actor, now, &unit))
            .await?,
    ))
}

pub(super) async fn items(
    State(state): State<AppState>,
    _caller: Caller,
) -> ApiResult<Json<Vec<Item>>> {
    Ok(Json(state.call(campaign::items).await?))
}

#[derive(Debug, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ItemBody {
    code: String,
    name: String,
    kind: ItemKind,
    unit_label: String,
    #[serde(default)]
    donor: Option<String>,
}

pub(super) async fn create_item(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    ApiJson(b): ApiJson<ItemBody>,
) -> ApiResult<(StatusCode, Json<Item>)> {
    let item = Item {
        id: ItemId::new(),
        code: b.code,
        name: b.name,
        kind: b.kind,
        unit_label: b.unit_label,
        donor: b.donor,
    };
    let (actor, now) = (admin.actor(), state.now());
    let item = state
        .call(move |db| campaign::create_item(db, &actor, now, &item))
        .await?;
    Ok((StatusCode::CREATED, Json(item)))
}

#[derive(Debug, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ItemUpdateBody {
    name: String,
    unit_label: String,
    #[serde(default)]
    donor: Option<String>,
}

pub(super) async fn update_item(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    PathId(id): PathId<ItemId>,
    ApiJson(b): ApiJson<ItemUpdateBody>,
) -> ApiResult<Json<Item>> {
    let item = Item {
        id,
        // Kept from the stored item: the use case changes name, label and donor only.
        code: String::new(),
        name: b.name,
        kind: ItemKind::Gift,
        unit_label: b.unit_label,
        donor: b.donor,
    };
    let (actor, now) = (admin.actor(), state.now());
    Ok(Json(
        state
            .call(move |db| campaign::update_item(db, &actor, now, &item))
            .await?,
    ))
}

pub(super) async fn unit_links(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<UnitId>,
) -> ApiResult<Json<UnitLinks>> {
    caller.may_read_unit(id)?;
    state
        .call(move |db| links::links(db, id))
        .await?
        .map(Json)
        .ok_or(ApiError::NotFound("unit"))
}

#[derive(Debug, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UnitLinkBody {
    label: String,
    url: String,
}

pub(super) async fn add_unit_link(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    PathId(id): PathId<UnitId>,
    ApiJson(b): ApiJson<UnitLinkBody>,
) -> ApiResult<(StatusCode, Json<UnitLink>)> {
    let (actor, now) = (admin.actor(), state.now());
    let link = state
        .call(move |db| links::add_link(db, &actor, now, id, &b.label, &b.url))
        .await?;
    Ok((StatusCode::CREATED, Json(link)))
}

pub(super) async fn remove_unit_link(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    PathId(unit): PathId<UnitId>,
    PathId(link): PathId<UnitLinkId>,
) -> ApiResult<Json<UnitLink>> {
    let (actor, now) = (admin.actor(), state.now());
    Ok(Json(
        state
            .call(move |db| links::remove_link(db, &actor, now, unit, link))
            .await?,
    ))
}

pub(super) async fn stock(
    State(state): State<AppState>,
    _: Secretariat,
) -> ApiResult<Json<Vec<StockBalance>>> {
    Ok(Json(state.call(stock::stock).await?))
}

#[derive(Debug, Deserialize, TS, JsonSchema)]
pub(crate) struct LedgerQuery {
    #[serde(default)]
    item_id: Option<ItemId>,
    #[serde(default)]
    after: i64,
    #[serde(default)]
    limit: Option<u32>,
}

pub(super) async fn ledger(
    State(state): State<AppState>,
    _: Secretariat,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> ApiResult<Json<Vec<LedgerEntry>>> {
    let limit = q.limit.unwrap_or(500).clamp(1, 5000);
    Ok(Json(
        state
            .call(move |db| stock::ledger(db, q.item_id, q.after, limit))
            .await?,
    ))
}

#[derive(Debug, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct StockMoveBody {
    item_id: ItemId,
    quantity: u32,
    #[serde(default)]
    note: Option<String>,
}

pub(super) async fn receive(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    ApiJson(b): ApiJson<StockMoveBody>,
) -> ApiResult<(StatusCode, Json<LedgerEntry>)> {
    let (actor, now) = (admin.actor(), state.now());
    let entry = state
        .call(move |db| stock::receive(db, &actor, now, b.item_id, b.quantity, b.note.as_deref()))
        .await?;
    Ok((StatusCode::CREATED, Json(entry)))
}

pub(super) async fn write_off(
    State(state): State<AppState>,
    admin: SecretariatAdmin,
    ApiJson(b): ApiJson<StockMoveBody>,
) -> ApiResult<(StatusCode, Json<LedgerEntry>)> {
    let (actor, now) = (admin.actor(), state.now());
    let entry = state
        .call(move |db| stock::write_off(db, &actor, now, b.item_id, b.quantity, b.note.as_deref()))
        .await?;
    Ok((StatusCode::CREATED, Json(entry)))
}
