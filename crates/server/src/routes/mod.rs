//! The `/api/v1` routes. Every route is registered through [`Api::route`], which also records
//! it in a table: the OpenAPI test compares that table with the document.

pub(crate) mod assessment;
pub(crate) mod auth;
pub(crate) mod bulletins;
pub(crate) mod catalog;
pub(crate) mod console;
pub(crate) mod devices;
pub(crate) mod draw;
pub(crate) mod export;
pub(crate) mod import;
pub(crate) mod lottery;
pub(crate) mod plans;
pub(crate) mod records;
pub(crate) mod sync;
pub(crate) mod top_ups;

use axum::Router;
use axum::handler::Handler;
use axum::routing::{MethodFilter, on};

use crate::error::ApiError;
use crate::state::AppState;

/// An HTTP method the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET
    Get,
    /// POST
    Post,
    /// PUT
    Put,
    /// DELETE
    Delete,
}

impl Method {
    fn filter(self) -> MethodFilter {
        match self {
            Method::Get => MethodFilter::GET,
            Method::Post => MethodFilter::POST,
            Method::Put => MethodFilter::PUT,
            Method::Delete => MethodFilter::DELETE,
        }
    }

    /// Lowercase, as OpenAPI names operations.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "get",
            Method::Post => "post",
            Method::Put => "put",
            Method::Delete => "delete",
        }
    }
}

/// The router under construction and the table of what it routes.
pub(crate) struct Api {
    router: Router<AppState>,
    table: Vec<(Method, &'static str)>,
}

impl Api {
    fn route<H, T>(mut self, method: Method, path: &'static str, handler: H) -> Api
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.router = self.router.route(path, on(method.filter(), handler));
        self.table.push((method, path));
        self
    }
}

fn build() -> Api {
    use Method::{Delete, Get, Post, Put};
    Api {
        router: Router::new(),
        table: Vec::new(),
    }
    .route(Get, "/health", records::health)
    .route(Get, "/openapi.json", records::openapi)
    .route(Post, "/auth/login", auth::login)
    .route(Post, "/auth/logout", auth::logout)
    .route(Get, "/auth/me", auth::me)
    .route(Get, "/campaign", catalog::get_campaign)
    .route(Put, "/campaign", catalog::put_campaign)
    .route(Get, "/sections", catalog::sections)
    .route(Post, "/sections", catalog::create_section)
    .route(Get, "/units", catalog::units)
    .route(Post, "/units", catalog::create_unit)
    .route(Get, "/units/{unit_id}", catalog::unit)
    .route(Put, "/units/{unit_id}", catalog::update_unit)
    .route(Get, "/units/{unit_id}/links", catalog::unit_links)
    .route(Post, "/units/{unit_id}/links", catalog::add_unit_link)
    .route(
        Delete,
        "/units/{unit_id}/links/{link_id}",
        catalog::remove_unit_link,
    )
    .route(Get, "/items", catalog::items)
    .route(Post, "/items", catalog::create_item)
    .route(Put, "/items/{item_id}", catalog::update_item)
    .route(Get, "/stock", catalog::stock)
    .route(Get, "/stock/ledger", catalog::ledger)
    .route(Post, "/stock/receipts", catalog::receive)
    .route(Post, "/stock/write-offs", catalog::write_off)
    .route(Get, "/plans", plans::list)
    .route(Post, "/plans", plans::file)
    .route(Get, "/plans/{plan_id}", plans::get)
    .route(Put, "/plans/{plan_id}", plans::revise)
    .route(Post, "/plans/{plan_id}/approve", plans::approve)
    .route(Post, "/plans/{plan_id}/reject", plans::reject)
    .route(Post, "/plans/{plan_id}/close", plans::close)
    .route(Post, "/plans/{plan_id}/allocations", plans::allocate)
    .route(Post, "/plans/{plan_id}/returns", plans::return_allocation)
    .route(Post, "/plans/{plan_id}/grants", plans::grant)
    .route(Post, "/plans/{plan_id}/releases", plans::release)
    .route(Get, "/top-up-requests", top_ups::list)
    .route(
        Post,
        "/top-up-requests/{request_id}/fulfil",
        top_ups::fulfil,
    )
    .route(
        Post,
        "/top-up-requests/{request_id}/decline",
        top_ups::decline,
    )
    .route(Get, "/collection-counts", records::counts)
    .route(Post, "/collection-counts", records::import_counts)
    .route(Get, "/records", records::records)
    .route(Get, "/records/units/{unit_id}", records::unit_record)
    .route(Post, "/enrollment-codes", devices::issue_code)
    .route(Post, "/devices/enroll", devices::enroll)
    .route(Get, "/devices", devices::list)
    .route(Post, "/devices/{device_id}/revoke", devices::revoke)
    .route(Post, "/sync/push", sync::push)
    .route(Get, "/sync/pull", sync::pull)
    .route(Get, "/users", auth::users)
    .route(Post, "/users", auth::create_user)
    .route(Put, "/users/{user_id}", auth::update_user)
    .route(Post, "/users/{user_id}/disable", auth::disable_user)
    .route(Post, "/users/{user_id}/enable", auth::enable_user)
    .route(Post, "/users/{user_id}/password", auth::reset_password)
    .route(Get, "/audit", records::audit)
    .route(Get, "/audit/actions", records::audit_actions)
    .route(Get, "/dashboard", console::dashboard)
    .route(Post, "/imports/task-table/preview", import::preview_tasks)
    .route(Post, "/imports/task-table", import::apply_tasks)
    .route(
        Post,
        "/imports/collection-counts/preview",
        import::preview_count_sheet,
    )
    .route(
        Post,
        "/imports/collection-counts",
        import::apply_count_sheet,
    )
    .route(Get, "/exports/bulletin.xlsx", export::bulletin)
    .route(Get, "/bulletin", bulletins::live)
    .route(Get, "/bulletins", bulletins::days)
    .route(Post, "/bulletins", bulletins::publish)
    .route(Get, "/bulletins/{day}", bulletins::published)
    .route(
        Get,
        "/bulletins/{day}/bulletin.xlsx",
        bulletins::published_xlsx,
    )
    .route(Get, "/exports/audit-log.xlsx", export::audit_log)
    .route(Get, "/exports/handouts.xlsx", export::handouts)
    .route(
        Get,
        "/exports/volunteer-hours.xlsx",
        export::volunteer_hours,
    )
    .route(
        Get,
        "/exports/plan-assessment.xlsx",
        export::plan_assessment,
    )
    .route(Get, "/assessment", assessment::get_assessment)
    .route(Put, "/assessment/rules", assessment::put_rules)
    .route(
        Get,
        "/exports/assessment.xlsx",
        assessment::export_assessment,
    )
    .route(Get, "/summary", assessment::summary)
    .route(
        Put,
        "/summary/commendations",
        assessment::confirm_commendations,
    )
    .route(Get, "/lottery/terms", lottery::terms)
    .route(Put, "/lottery/terms", lottery::put_terms)
    .route(Get, "/lottery/entrants", lottery::entrants)
    .route(Post, "/lottery/close", lottery::close)
    .route(Put, "/lottery/retention", lottery::retention)
    .route(Get, "/lottery/deletions", lottery::deletions)
    .route(Get, "/posters", export::all_posters)
    .route(Get, "/posters/{unit_id}", export::unit_poster)
    .route(
        Get,
        "/posters/{unit_id}/links/{link_id}",
        export::link_poster,
    )
    .route(Get, "/lottery/pools", draw::list_pools)
    .route(Post, "/lottery/pools", draw::create_pool)
    .route(Put, "/lottery/pools/{pool_id}", draw::update_pool)
    .route(Post, "/lottery/list/freeze", draw::freeze)
    .route(Get, "/lottery/list", draw::get_list)
    .route(Get, "/lottery/list.csv", draw::list_csv)
    .route(Post, "/lottery/draws", draw::run_draw)
    .route(Get, "/lottery/draw", draw::standing_draw)
    .route(Get, "/lottery/draws", draw::all_draws)
    .route(Post, "/lottery/draws/{draw_id}/void", draw::void_draw)
    .route(Get, "/lottery/wins", draw::list_wins)
    .route(Put, "/lottery/wins/{win_id}", draw::set_win_state)
    .route(Post, "/lottery/wins/{win_id}/handover", draw::handover)
    .route(Post, "/lottery/wins/{win_id}/promote", draw::promote)
    .route(
        Get,
        "/lottery/carriers/{carrier}/winners.xlsx",
        draw::carrier_winners,
    )
    .route(
        Post,
        "/lottery/carriers/{carrier}/returns",
        draw::carrier_returns,
    )
    .route(Get, "/lottery/winners/public", draw::public_winners)
}

/// Every route, as (method, path under `/api/v1`).
pub fn table() -> Vec<(Method, &'static str)> {
    build().table
}

async fn not_found() -> ApiError {
    ApiError::NotFound("route")
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

/// The API router, without state.
pub(crate) fn router() -> Router<AppState> {
    let api = build()
        .router
        .method_not_allowed_fallback(method_not_allowed);
    // Outside /api/v1: the console's files (paths under /api/ still get the JSON 404).
    Router::new()
        .nest("/api/v1", api)
        .fallback(console::static_files)
}
