//! The HTTP error body every `/api/v1` endpoint returns with a 4xx or 5xx status, and the
//! stable codes it carries.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// `{"error": {"code", "message", "field"}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// The details of an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct ErrorDetail {
    /// A stable machine-readable code, e.g. `invalid_value`, `insufficient_stock`.
    pub code: ErrorCode,
    /// A human-readable explanation (English; the UI translates by `code`).
    pub message: String,
    /// The request field at fault, as a path like `allocation[0].quantity`, when one is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub field: Option<String>,
    /// With code `seq_gap` on a push: the next seq the central expects from the device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub expected_seq: Option<u64>,
    /// With code `login_throttled`: when the login may be tried again (also in the
    /// `Retry-After` header, in seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "string")]
    pub retry_at: Option<chrono::DateTime<chrono::Utc>>,
    /// With code `sheet_too_large` (rows) or `sheet_too_wide` (columns): the limit the uploaded
    /// sheet went past, so a client says it in its own language rather than quoting `message`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub limit: Option<u64>,
    /// The facts a refusal rests on (numbers, names, times), beside the English `message`, so
    /// that a client tells them in its own language.
    #[serde(flatten)]
    #[ts(flatten)]
    pub facts: ErrorFacts,
}

/// The facts of a refusal, each present only with the codes that name it: a client words the
/// refusal from these and never has to quote the English `message`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct ErrorFacts {
    /// What was asked for: a quantity to allocate, write off, grant, release or return, or a
    /// prize pool's size (`insufficient_stock`, `grant_exceeds_allocation`, `exceeds_grant`,
    /// `exceeds_ungranted_allocation`, `pool_over_stock`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub requested: Option<u64>,
    /// What there is for it: on hand, left of a grant or an allocation, free of the lottery's
    /// pools (the same codes as `requested`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub available: Option<u64>,
    /// With `insufficient_stock`: the prizes on hand that lottery pools hold back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub promised: Option<u64>,
    /// With `plan_not_approved`: the plan's status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub plan_status: Option<fieldpost_domain::PlanStatus>,
    /// With `collection_open`: when the collection window closes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "string")]
    pub closes_at: Option<chrono::DateTime<chrono::Utc>>,
    /// With `list_frozen`: when the entrant list was frozen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "string")]
    pub frozen_at: Option<chrono::DateTime<chrono::Utc>>,
    /// With `pool_over_stock` and `no_reserve_left`: the prize pool's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub pool: Option<String>,
    /// With `insufficient_stock` on a win set to delivered: the prize item's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub item: Option<String>,
    /// With `insufficient_stock` on a win set to delivered: the winner's entry number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub entry: Option<u32>,
}

/// Why the central refused a request: the `code` of every error body, one stable snake_case
/// string per reason, which clients match on (the station's sync loop on `seq_gap` and
/// `event_conflict`, the console's translated messages on all of them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    // 400: the request itself.
    /// A value is not acceptable; `field` names it.
    InvalidValue,
    /// The body could not be read.
    UnreadableBody,
    /// The body is not the JSON the route takes.
    MalformedJson,
    /// The query string is not what the route takes.
    InvalidQuery,
    /// An uploaded spreadsheet could not be read.
    UnreadableFile,
    /// An import has bad rows and was not asked to skip them.
    ImportHasErrors,
    /// An uploaded sheet has more rows than any real sheet of its kind, or a cell below
    /// Excel's last row (`limit` says the rows allowed).
    SheetTooLarge,
    /// An uploaded sheet has a filled cell further right than any real sheet of its kind
    /// (`limit` says the columns allowed).
    SheetTooWide,
    // 401: the credential.
    /// No credential was sent.
    Unauthenticated,
    /// Wrong username or password.
    InvalidLogin,
    /// An unknown or malformed device token.
    InvalidCredential,
    /// The console session is unknown or has expired.
    InvalidSession,
    /// The enrollment code is unknown.
    InvalidEnrollmentCode,
    /// The enrollment code has expired.
    EnrollmentCodeExpired,
    // 403, 404, 405, 413, 415, 429, 500.
    /// Outside the caller's unit or role.
    Forbidden,
    /// A change made with a console session's cookie came from another site (its
    /// `Sec-Fetch-Site` or `Origin` says so): refused as a cross-site request forgery.
    CrossSiteRequest,
    /// Too many failed logins for this name or from this address: `retry_at` says when to try
    /// again; the password was not checked.
    LoginThrottled,
    /// No such record or route.
    NotFound,
    /// The route does not take this method.
    MethodNotAllowed,
    /// The body exceeds the limit.
    PayloadTooLarge,
    /// The body is not JSON.
    UnsupportedMediaType,
    /// The central failed; the details went to its log.
    Internal,
    // 409: the request contradicts the stored state.
    /// A push skipped seqs; `expected_seq` says where to resume.
    SeqGap,
    /// A pushed seq or id is stored with other content.
    EventConflict,
    /// A handout id is stored with other content.
    HandoutConflict,
    /// Another record already has this value in a unique field; `field` names it.
    Duplicate,
    /// The enrollment code was used already.
    EnrollmentCodeUsed,
    /// The device has been revoked.
    DeviceRevoked,
    /// Only a revoked device's grant can be released by the secretariat.
    DeviceNotRevoked,
    /// The plan's workflow does not allow this step from its status.
    InvalidTransition,
    /// The plan is not approved.
    PlanNotApproved,
    /// Not enough stock on hand.
    InsufficientStock,
    /// More than the plan's allocation would be granted.
    GrantExceedsAllocation,
    /// More than the device's grant would be handed out or released.
    ExceedsGrant,
    /// More than the plan's allocation not yet granted would be used.
    ExceedsUngrantedAllocation,
    /// The top-up request was answered already.
    TopUpNotOpen,
    /// No campaign has been set up yet.
    NoCampaign,
    /// The campaign's collection window is still open (the lottery's list and draw wait for
    /// its close).
    CollectionOpen,
    /// The lottery's entrant list is frozen already.
    ListFrozen,
    /// The lottery's entrant list is not frozen yet.
    ListNotFrozen,
    /// No lottery entrant has registered.
    NoEntrants,
    /// No prize pool is defined.
    NoPools,
    /// A lottery draw stands: void it first.
    DrawExists,
    /// The lottery draw (or the win's draw) was voided.
    DrawVoided,
    /// The stored entrant list is not the published one (its digest differs).
    ListTampered,
    /// A prize pool claims more prizes than its item's stock holds (after the pools drawn
    /// before it): the draw is refused, naming the pool.
    PoolOverStock,
    /// A given-up prize has no reserve left to take it.
    NoReserveLeft,
    /// The full numbers can no longer be opened (the lottery key or the sealed numbers were
    /// deleted).
    NumbersDeleted,
    /// The lottery closed: its numbers were deleted, nothing about it changes any more.
    LotteryClosed,
    /// The lottery has no terms yet (save the consent text first).
    NoLotteryTerms,
    /// The change would leave no enabled secretariat admin.
    LastAdmin,
}

impl ErrorCode {
    /// The code as it is on the wire, e.g. `insufficient_stock`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidValue => "invalid_value",
            ErrorCode::UnreadableBody => "unreadable_body",
            ErrorCode::MalformedJson => "malformed_json",
            ErrorCode::InvalidQuery => "invalid_query",
            ErrorCode::UnreadableFile => "unreadable_file",
            ErrorCode::ImportHasErrors => "import_has_errors",
            ErrorCode::SheetTooLarge => "sheet_too_large",
            ErrorCode::SheetTooWide => "sheet_too_wide",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::InvalidLogin => "invalid_login",
            ErrorCode::InvalidCredential => "invalid_credential",
            ErrorCode::InvalidSession => "invalid_session",
            ErrorCode::InvalidEnrollmentCode => "invalid_enrollment_code",
            ErrorCode::EnrollmentCodeExpired => "enrollment_code_expired",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::CrossSiteRequest => "cross_site_request",
            ErrorCode::LoginThrottled => "login_throttled",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::Internal => "internal",
            ErrorCode::SeqGap => "seq_gap",
            ErrorCode::EventConflict => "event_conflict",
            ErrorCode::HandoutConflict => "handout_conflict",
            ErrorCode::Duplicate => "duplicate",
            ErrorCode::EnrollmentCodeUsed => "enrollment_code_used",
            ErrorCode::DeviceRevoked => "device_revoked",
            ErrorCode::DeviceNotRevoked => "device_not_revoked",
            ErrorCode::InvalidTransition => "invalid_transition",
            ErrorCode::PlanNotApproved => "plan_not_approved",
            ErrorCode::InsufficientStock => "insufficient_stock",
            ErrorCode::GrantExceedsAllocation => "grant_exceeds_allocation",
            ErrorCode::ExceedsGrant => "exceeds_grant",
            ErrorCode::ExceedsUngrantedAllocation => "exceeds_ungranted_allocation",
            ErrorCode::TopUpNotOpen => "top_up_not_open",
            ErrorCode::NoCampaign => "no_campaign",
            ErrorCode::CollectionOpen => "collection_open",
            ErrorCode::ListFrozen => "list_frozen",
            ErrorCode::ListNotFrozen => "list_not_frozen",
            ErrorCode::NoEntrants => "no_entrants",
            ErrorCode::NoPools => "no_pools",
            ErrorCode::DrawExists => "draw_exists",
            ErrorCode::DrawVoided => "draw_voided",
            ErrorCode::ListTampered => "list_tampered",
            ErrorCode::PoolOverStock => "pool_over_stock",
            ErrorCode::NoReserveLeft => "no_reserve_left",
            ErrorCode::NumbersDeleted => "numbers_deleted",
            ErrorCode::LotteryClosed => "lottery_closed",
            ErrorCode::NoLotteryTerms => "no_lottery_terms",
            ErrorCode::LastAdmin => "last_admin",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_str_is_the_wire_spelling() {
        // Every variant once: serde's rename_all and as_str must agree, or logs and matches
        // would name a code the wire never carries.
        let all = [
            ErrorCode::InvalidValue,
            ErrorCode::UnreadableBody,
            ErrorCode::MalformedJson,
            ErrorCode::InvalidQuery,
            ErrorCode::UnreadableFile,
            ErrorCode::ImportHasErrors,
            ErrorCode::SheetTooLarge,
            ErrorCode::SheetTooWide,
            ErrorCode::Unauthenticated,
            ErrorCode::InvalidLogin,
            ErrorCode::InvalidCredential,
            ErrorCode::InvalidSession,
            ErrorCode::InvalidEnrollmentCode,
            ErrorCode::EnrollmentCodeExpired,
            ErrorCode::Forbidden,
            ErrorCode::CrossSiteRequest,
            ErrorCode::LoginThrottled,
            ErrorCode::NotFound,
            ErrorCode::MethodNotAllowed,
            ErrorCode::PayloadTooLarge,
            ErrorCode::UnsupportedMediaType,
            ErrorCode::Internal,
            ErrorCode::SeqGap,
            ErrorCode::EventConflict,
            ErrorCode::HandoutConflict,
            ErrorCode::Duplicate,
            ErrorCode::EnrollmentCodeUsed,
            ErrorCode::DeviceRevoked,
            ErrorCode::DeviceNotRevoked,
            ErrorCode::InvalidTransition,
            ErrorCode::PlanNotApproved,
            ErrorCode::InsufficientStock,
            ErrorCode::GrantExceedsAllocation,
            ErrorCode::ExceedsGrant,
            ErrorCode::ExceedsUngrantedAllocation,
            ErrorCode::TopUpNotOpen,
            ErrorCode::NoCampaign,
            ErrorCode::CollectionOpen,
            ErrorCode::ListFrozen,
            ErrorCode::ListNotFrozen,
            ErrorCode::NoEntrants,
            ErrorCode::NoPools,
            ErrorCode::DrawExists,
            ErrorCode::DrawVoided,
            ErrorCode::ListTampered,
            ErrorCode::PoolOverStock,
            ErrorCode::NoReserveLeft,
            ErrorCode::NumbersDeleted,
            ErrorCode::LotteryClosed,
            ErrorCode::NoLotteryTerms,
            ErrorCode::LastAdmin,
        ];
        for code in all {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::Value::String(code.as_str().to_owned()),
                "{code:?} is spelt the same by serde and as_str"
            );
        }
    }
}
