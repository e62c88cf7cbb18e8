//! The HTTP boundary of errors: every refusal becomes
//! `{"error": {"code", "message", "field"}}` with the right status.

use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use fieldpost_central::assessment::AssessmentError;
use fieldpost_central::campaign::{
    Blank, CreateItemError, CreateSectionError, PutCampaignError, UnitError, UnitSheetError,
    UpdateItemError,
};
use fieldpost_central::devices::RevokeDeviceError;
use fieldpost_central::draw::carriers::CarrierListError;
use fieldpost_central::draw::list::FreezeError;
use fieldpost_central::draw::pools::PoolError;
use fieldpost_central::draw::run::DrawError;
use fieldpost_central::draw::wins::WinError;
use fieldpost_central::enrollment::{EnrollError, IssueCodeError};
use fieldpost_central::links::LinkError;
use fieldpost_central::lottery::LotteryError;
use fieldpost_central::plans::PlanError;
use fieldpost_central::push::PushError;
use fieldpost_central::records::{ImportCountsError, RecordsError};
use fieldpost_central::stock::StockError;
use fieldpost_central::storage::StorageError;
use fieldpost_central::top_ups::TopUpError;
use fieldpost_central::users::{AccountError, CreateUserError};
use fieldpost_domain::EscrowRefusal;
use fieldpost_sync::{ErrorBody, ErrorCode, ErrorDetail, ErrorFacts};

/// An error answered over HTTP.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: malformed body or invalid value.
    #[error("{message}")]
    BadRequest {
        /// Stable code.
        code: ErrorCode,
        /// Why.
        message: String,
        /// The field at fault.
        field: Option<String>,
    },
    /// 400 `sheet_too_large` / `sheet_too_wide`: an upload past a sheet's row or column limit,
    /// which the body carries as a number for the console's own words.
    #[error("{message}")]
    SheetLimit {
        /// `sheet_too_large` or `sheet_too_wide`.
        code: ErrorCode,
        /// Why, in English.
        message: String,
        /// The rows or columns allowed.
        limit: u64,
    },
    /// 401: no credential, or a bad, expired or revoked one.
    #[error("{message}")]
    Unauthorized {
        /// Stable code.
        code: ErrorCode,
        /// Why.
        message: String,
    },
    /// 403: outside the caller's unit or role.
    #[error("{0}")]
    Forbidden(String),
    /// 403 `cross_site_request`: a change with a console session's cookie from another site.
    #[error("{0}")]
    CrossSite(String),
    /// 429 `login_throttled`: too many failed logins; try again at `retry_at`.
    #[error("{message}")]
    TooManyRequests {
        /// Why.
        message: String,
        /// When to try again.
        retry_at: chrono::DateTime<chrono::Utc>,
        /// The same, as whole seconds from now (at least 1): the `Retry-After` header.
        retry_after: u64,
    },
    /// 404.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 405.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 409: contradicts the stored state.
    #[error("{message}")]
    Conflict {
        /// Stable code.
        code: ErrorCode,
        /// Why, in English.
        message: String,
        /// The field at fault.
        field: Option<String>,
        /// What the refusal rests on, for a client's own words.
        facts: Box<ErrorFacts>,
    },
    /// 409 `seq_gap`: a push skipped seqs.
    #[error("{message}")]
    SeqGap {
        /// The next seq the central expects.
        expected_seq: u64,
        /// Why.
        message: String,
    },
    /// 413: body over the limit.
    #[error("request body exceeds the limit of {0} bytes")]
    PayloadTooLarge(usize),
    /// 415: the body is not JSON.
    #[error("expected Content-Type: application/json")]
    UnsupportedMediaType,
    /// 500: logged, never shown.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result of a handler.
pub type ApiResult<T> = std::result::Result<T, ApiError>;

impl ApiError {
    /// Shorthand for a 400 naming a field.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::BadRequest {
            code: ErrorCode::InvalidValue,
            message: message.into(),
            field: Some(field.into()),
        }
    }

    /// The status this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } | ApiError::SheetLimit { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) | ApiError::CrossSite(_) => StatusCode::FORBIDDEN,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } | ApiError::SeqGap { .. } => StatusCode::CONFLICT,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn detail(&self) -> ErrorDetail {
        let (code, field) = match self {
            ApiError::BadRequest { code, field, .. } => (*code, field.clone()),
            ApiError::SheetLimit { code, .. } => (*code, Some("file".to_owned())),
            ApiError::Unauthorized { code, .. } => (*code, None),
            ApiError::Forbidden(_) => (ErrorCode::Forbidden, None),
            ApiError::CrossSite(_) => (ErrorCode::CrossSiteRequest, None),
            ApiError::TooManyRequests { .. } => (ErrorCode::LoginThrottled, None),
            ApiError::NotFound(_) => (ErrorCode::NotFound, None),
            ApiError::MethodNotAllowed => (ErrorCode::MethodNotAllowed, None),
            ApiError::Conflict { code, field, .. } => (*code, field.clone()),
            ApiError::SeqGap { .. } => (ErrorCode::SeqGap, None),
            ApiError::PayloadTooLarge(_) => (ErrorCode::PayloadTooLarge, None),
            ApiError::UnsupportedMediaType => (ErrorCode::UnsupportedMediaType, None),
            ApiError::Internal(_) => (ErrorCode::Internal, None),
        };
        let message = match self {
            // Internals never leak: the details went to the log.
            ApiError::Internal(_) => "internal server error".to_owned(),
            other => other.to_string(),
        };
        ErrorDetail {
            code,
            message,
            field,
            expected_seq: match self {
                ApiError::SeqGap { expected_seq, .. } => Some(*expected_seq),
                _ => None,
            },
            retry_at: match self {
                ApiError::TooManyRequests { retry_at, .. } => Some(*retry_at),
                _ => None,
            },
            limit: match self {
                ApiError::SheetLimit { limit, .. } => Some(*limit),
                _ => None,
            },
            facts: match self {
                ApiError::Conflict { facts, .. } => (**facts).clone(),
                _ => ErrorFacts::default(),
            },
        }
    }
}

/// 400 `invalid_value` naming `field`, with the use case's own words (`field: why`).
fn invalid_value(field: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::BadRequest {
        code: ErrorCode::InvalidValue,
        message: e.to_string(),
        field: Some(field.to_owned()),
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        match e {
            e @ StorageError::Duplicate { field } => conflict(ErrorCode::Duplicate, Some(field), e),
            StorageError::Failed(m) | StorageError::Corrupt(m) => ApiError::Internal(m),
        }
    }
}

impl From<CreateUserError> for ApiError {
    fn from(e: CreateUserError) -> Self {
        match e {
            e @ CreateUserError::BlankUsername => invalid_value("username", e),
            e @ CreateUserError::NoSuchUnit => invalid_value("unit_id", e),
            e @ (CreateUserError::CarrierMissing | CreateUserError::CarrierNotAllowed) => {
                invalid_value("carrier", e)
            }
            e @ CreateUserError::CarrierWithUnit => invalid_value("unit_id", e),
            e @ CreateUserError::UsernameTaken(_) => {
                conflict(ErrorCode::Duplicate, Some("username"), e)
            }
            CreateUserError::Storage(e) => e.into(),
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        match e {
            AccountError::NoSuchUser => ApiError::NotFound("user"),
            e @ AccountError::NoSuchUnit => invalid_value("unit_id", e),
            e @ (AccountError::CarrierMissing | AccountError::CarrierNotAllowed) => {
                invalid_value("carrier", e)
            }
            e @ AccountError::CarrierWithUnit => invalid_value("unit_id", e),
            e @ AccountError::LastAdmin => conflict(ErrorCode::LastAdmin, Some("user_id"), e),
            AccountError::Storage(e) => e.into(),
        }
    }
}

/// 409 with a code, and the field when there is one.
pub(crate) fn conflict(
    code: ErrorCode,
    field: Option<&str>,
    e: impl std::fmt::Display,
) -> ApiError {
    conflict_with(code, field, e, ErrorFacts::default())
}

/// 409 with a code, the field when there is one, and the facts the refusal rests on.
fn conflict_with(
    code: ErrorCode,
    field: Option<&str>,
    e: impl std::fmt::Display,
    facts: ErrorFacts,
) -> ApiError {
    ApiError::Conflict {
        code,
        message: e.to_string(),
        field: field.map(str::to_owned),
        facts: Box::new(facts),
    }
}

/// What was asked against what there is (a quantity against a stock, grant or allocation);
/// a balance below zero (stock handed out past its receipts) is nothing there.
fn shortfall(requested: impl Into<u64>, available: impl TryInto<u64>) -> ErrorFacts {
    ErrorFacts {
        requested: Some(requested.into()),
        available: Some(available.try_into().unwrap_or(0)),
        ..ErrorFacts::default()
    }
}

/// The facts of an escrow's refusal (a grant or an allocation too small).
fn escrow_facts(refusal: &EscrowRefusal) -> ErrorFacts {
    match refusal {
        EscrowRefusal::Exceeds {
            requested,
            available,
        } => ErrorFacts {
            requested: Some(*requested),
            available: Some(*available),
            ..ErrorFacts::default()
        },
        EscrowRefusal::ZeroQuantity => ErrorFacts::default(),
    }
}

impl From<PlanError> for ApiError {
    fn from(e: PlanError) -> Self {
        match e {
            PlanError::NotFound => ApiError::NotFound("plan"),
            e @ PlanError::NoSuchUnit => invalid_value("unit_id", e),
            PlanError::Content(c) => invalid_value(&c.field(), c),
            PlanError::Invalid { field, reason } => ApiError::BadRequest {
                code: ErrorCode::InvalidValue,
                message: format!("{field}: {reason}"),
                field: Some(field),
            },
            e @ PlanError::Transition(_) => conflict(ErrorCode::InvalidTransition, None, e),
            e @ PlanError::AlreadyFiled => conflict(ErrorCode::Duplicate, Some("id"), e),
            e @ PlanError::NotApproved(status) => conflict_with(
                ErrorCode::PlanNotApproved,
                None,
                e,
                ErrorFacts {
                    plan_status: Some(status),
                    ..ErrorFacts::default()
                },
            ),
            PlanError::InsufficientStock {
                field,
                wanted,
                on_hand,
            } => conflict_with(
                ErrorCode::InsufficientStock,
                Some(&field),
                PlanError::InsufficientStock {
                    field: String::new(),
                    wanted,
                    on_hand,
                },
                shortfall(wanted, on_hand),
            ),
            PlanError::PromisedToPools {
                field,
                wanted,
                promised,
                free,
            } => conflict_with(
                ErrorCode::InsufficientStock,
                Some(&field),
                PlanError::PromisedToPools {
                    field: String::new(),
                    wanted,
                    promised,
                    free,
                },
                ErrorFacts {
                    promised: Some(promised),
                    ..shortfall(wanted, free)
                },
            ),
            PlanError::DeviceRevoked { field } => conflict(
                ErrorCode::DeviceRevoked,
                Some(&field),
                "the device has been revoked",
            ),
            PlanError::GrantExceedsAllocation { field, refusal } => {
                let facts = escrow_facts(&refusal);
                conflict_with(
                    ErrorCode::GrantExceedsAllocation,
                    Some(&field),
                    refusal,
                    facts,
                )
            }
            e @ PlanError::ExceedsUngranted { wanted, ungranted } => conflict_with(
                ErrorCode::ExceedsUngrantedAllocation,
                Some("quantity"),
                e,
                shortfall(wanted, ungranted),
            ),
            PlanError::ExceedsGrant(refusal) => {
                let facts = escrow_facts(&refusal);
                conflict_with(ErrorCode::ExceedsGrant, Some("quantity"), refusal, facts)
            }
            PlanError::Storage(e) => e.into(),
        }
    }
}

/// 409 `collection_open`: the lottery waits for the collection window to close.
fn collection_open(
    closes_at: chrono::DateTime<chrono::Utc>,
    e: impl std::fmt::Display,
) -> ApiError {
    conflict_with(
        ErrorCode::CollectionOpen,
        None,
        e,
        ErrorFacts {
            closes_at: Some(closes_at),
            ..ErrorFacts::default()
        },
    )
}

/// 409 `no_campaign`: a section, unit or item needs the campaign set up first.
fn no_campaign() -> ApiError {
    conflict(ErrorCode::NoCampaign, None, "set up the campaign first")
}

impl From<Blank> for ApiError {
    fn from(e: Blank) -> Self {
        invalid_value(e.0, e)
    }
}

impl From<PutCampaignError> for ApiError {
    fn from(e: PutCampaignError) -> Self {
        match e {
            PutCampaignError::Blank(e) => e.into(),
            e @ PutCampaignError::PublicityEndsBeforeStart => invalid_value("publicity_end", e),
            e @ PutCampaignError::CollectionEndsBeforeStart => invalid_value("collection_end", e),
            e @ PutCampaignError::CollectionBeforePublicity => invalid_value("collection_start", e),
            e @ PutCampaignError::PublicityAfterCollection => invalid_value("publicity_end", e),
            PutCampaignError::Storage(e) => e.into(),
        }
    }
}

impl From<AssessmentError> for ApiError {
    fn from(e: AssessmentError) -> Self {
        match e {
            AssessmentError::NoCampaign => no_campaign(),
            e @ AssessmentError::OutOfRange { field, .. } => invalid_value(field, e),
            e @ (AssessmentError::NoSuchUnit { index } | AssessmentError::Repeated { index }) => {
                invalid_value(&format!("commendations[{index}].unit_id"), e)
            }
            AssessmentError::Storage(e) => e.into(),
        }
    }
}

impl From<CreateSectionError> for ApiError {
    fn from(e: CreateSectionError) -> Self {
        match e {
            CreateSectionError::NoCampaign => no_campaign(),
            CreateSectionError::Blank(e) => e.into(),
            CreateSectionError::Storage(e) => e.into(),
        }
    }
}

impl From<UnitError> for ApiError {
    fn from(e: UnitError) -> Self {
        match e {
            UnitError::NoCampaign => no_campaign(),
            UnitError::NotFound => ApiError::NotFound("unit"),
            UnitError::Blank(e) => e.into(),
            e @ UnitError::NoSuchSection => invalid_value("section_id", e),
            UnitError::Storage(e) => e.into(),
        }
    }
}

impl From<CreateItemError> for ApiError {
    fn from(e: CreateItemError) -> Self {
        match e {
            CreateItemError::NoCampaign => no_campaign(),
            CreateItemError::Blank(e) => e.into(),
            CreateItemError::Storage(e) => e.into(),
        }
    }
}

impl From<UpdateItemError> for ApiError {
    fn from(e: UpdateItemError) -> Self {
        match e {
            UpdateItemError::NotFound => ApiError::NotFound("item"),
            UpdateItemError::Blank(e) => e.into(),
            UpdateItemError::Storage(e) => e.into(),
        }
    }
}

impl From<LinkError> for ApiError {
    fn from(e: LinkError) -> Self {
        match e {
            LinkError::NoSuchUnit => ApiError::NotFound("unit"),
            LinkError::NoSuchLink => ApiError::NotFound("link"),
            LinkError::Blank(e) => e.into(),
            e @ LinkError::NotAWebAddress => invalid_value("url", e),
            LinkError::Storage(e) => e.into(),
        }
    }
}

impl From<UnitSheetError> for ApiError {
    fn from(e: UnitSheetError) -> Self {
        match e {
            UnitSheetError::NoCampaign => no_campaign(),
            e @ UnitSheetError::NewUnitWithoutSection(_) => invalid_value("section", e),
            UnitSheetError::Section(e) => e.into(),
            UnitSheetError::Unit(e) => e.into(),
            UnitSheetError::Storage(e) => e.into(),
        }
    }
}

impl From<IssueCodeError> for ApiError {
    fn from(e: IssueCodeError) -> Self {
        match e {
            IssueCodeError::NoSuchUnit => ApiError::NotFound("unit"),
            IssueCodeError::Storage(e) => e.into(),
        }
    }
}

impl From<EnrollError> for ApiError {
    fn from(e: EnrollError) -> Self {
        match e {
            e @ EnrollError::BlankName => invalid_value("device_name", e),
            e @ EnrollError::UnknownCode => ApiError::Unauthorized {
                code: ErrorCode::InvalidEnrollmentCode,
                message: e.to_string(),
            },
            e @ EnrollError::CodeUsed => conflict(ErrorCode::EnrollmentCodeUsed, Some("code"), e),
            e @ EnrollError::CodeExpired => ApiError::Unauthorized {
                code: ErrorCode::EnrollmentCodeExpired,
                message: e.to_string(),
            },
            EnrollError::Storage(e) => e.into(),
        }
    }
}

impl From<StockError> for ApiError {
    fn from(e: StockError) -> Self {
        match e {
            e @ StockError::ZeroQuantity => invalid_value("quantity", e),
            StockError::NoSuchItem => ApiError::NotFound("item"),
            e @ StockError::ReasonRequired => invalid_value("note", e),
            e @ StockError::InsufficientStock { wanted, on_hand } => conflict_with(
                ErrorCode::InsufficientStock,
                Some("quantity"),
                e,
                shortfall(wanted, on_hand),
            ),
            e @ StockError::PromisedToPools {
                wanted,
                promised,
                free,
                ..
            } => conflict_with(
                ErrorCode::InsufficientStock,
                Some("quantity"),
                e,
                ErrorFacts {
                    promised: Some(promised),
                    ..shortfall(wanted, free)
                },
            ),
            StockError::Storage(e) => e.into(),
        }
    }
}

impl From<RevokeDeviceError> for ApiError {
    fn from(e: RevokeDeviceError) -> Self {
        match e {
            RevokeDeviceError::NotFound => ApiError::NotFound("device"),
            RevokeDeviceError::Storage(e) => e.into(),
        }
    }
}

impl From<TopUpError> for ApiError {
    fn from(e: TopUpError) -> Self {
        match e {
            TopUpError::NotFound => ApiError::NotFound("top-up request"),
            e @ TopUpError::NotOpen(_) => conflict(ErrorCode::TopUpNotOpen, None, e),
            e @ TopUpError::ZeroQuantity => invalid_value("quantity", e),
            e @ TopUpError::NoReason => invalid_value("reason", e),
            TopUpError::Plan(e) => e.into(),
            TopUpError::Storage(e) => e.into(),
        }
    }
}

impl From<ImportCountsError> for ApiError {
    fn from(e: ImportCountsError) -> Self {
        match e {
            e @ ImportCountsError::NoSuchUnit { index } => {
                invalid_value(&format!("counts[{index}].unit_id"), e)
            }
            e @ ImportCountsError::OutsideCollection { index, .. } => {
                invalid_value(&format!("counts[{index}].day"), e)
            }
            ImportCountsError::Storage(e) => e.into(),
        }
    }
}

impl From<RecordsError> for ApiError {
    fn from(e: RecordsError) -> Self {
        match e {
            RecordsError::NoCampaign => ApiError::NotFound("campaign"),
            RecordsError::Storage(e) => e.into(),
        }
    }
}

impl From<PushError> for ApiError {
    fn from(e: PushError) -> Self {
        match e {
            PushError::UnknownDevice => ApiError::NotFound("device"),
            e @ PushError::SeqGap { expected_seq } => ApiError::SeqGap {
                expected_seq,
                message: e.to_string(),
            },
            e @ PushError::SeqTooLarge => invalid_value("seq", e),
            PushError::EventConflict { field, message } => {
                conflict(ErrorCode::EventConflict, Some(&field), message)
            }
            // The operator's to fix (the message names the file); the tablet pushes again.
            e @ PushError::LotteryKey(_) => ApiError::Internal(e.to_string()),
            PushError::Storage(e) => e.into(),
        }
    }
}

impl From<PoolError> for ApiError {
    fn from(e: PoolError) -> Self {
        match e {
            PoolError::NoCampaign => no_campaign(),
            PoolError::NotFound => ApiError::NotFound("pool"),
            e @ PoolError::Invalid { field, .. } => invalid_value(field, e),
            e @ PoolError::OverStock { wanted, available } => conflict_with(
                ErrorCode::InsufficientStock,
                Some("quantity"),
                e,
                ErrorFacts {
                    requested: Some(wanted.into()),
                    available: Some(available),
                    ..ErrorFacts::default()
                },
            ),
            e @ PoolError::DrawStands => conflict(ErrorCode::DrawExists, None, e),
            PoolError::Storage(e) => e.into(),
        }
    }
}

impl From<FreezeError> for ApiError {
    fn from(e: FreezeError) -> Self {
        match e {
            FreezeError::NoCampaign => no_campaign(),
            e @ FreezeError::CollectionOpen { closes_at } => collection_open(closes_at, e),
            e @ FreezeError::AlreadyFrozen { frozen_at } => conflict_with(
                ErrorCode::ListFrozen,
                None,
                e,
                ErrorFacts {
                    frozen_at: Some(frozen_at),
                    ..ErrorFacts::default()
                },
            ),
            e @ FreezeError::NoEntrants => conflict(ErrorCode::NoEntrants, None, e),
            FreezeError::Unpublishable(m) => ApiError::Internal(m),
            FreezeError::Storage(e) => e.into(),
        }
    }
}

impl From<DrawError> for ApiError {
    fn from(e: DrawError) -> Self {
        match e {
            DrawError::NoCampaign => no_campaign(),
            e @ DrawError::CollectionOpen { closes_at } => collection_open(closes_at, e),
            e @ DrawError::NotFrozen => conflict(ErrorCode::ListNotFrozen, None, e),
            e @ DrawError::NoPools => conflict(ErrorCode::NoPools, None, e),
            e @ DrawError::DrawExists => conflict(ErrorCode::DrawExists, None, e),
            e @ DrawError::Invalid { field, .. } => invalid_value(field, e),
            e @ DrawError::Tampered(_) => conflict(ErrorCode::ListTampered, None, e),
            DrawError::OverStock {
                pool,
                quantity,
                left,
            } => {
                let facts = ErrorFacts {
                    requested: Some(quantity.into()),
                    available: Some(left),
                    pool: Some(pool.clone()),
                    ..ErrorFacts::default()
                };
                let e = DrawError::OverStock {
                    pool,
                    quantity,
                    left,
                };
                conflict_with(ErrorCode::PoolOverStock, Some("pools"), e, facts)
            }
            DrawError::NotFound => ApiError::NotFound("draw"),
            e @ DrawError::AlreadyVoided => conflict(ErrorCode::DrawVoided, None, e),
            DrawError::Storage(e) => e.into(),
        }
    }
}

impl From<WinError> for ApiError {
    fn from(e: WinError) -> Self {
        match e {
            WinError::NotFound => ApiError::NotFound("win"),
            e @ WinError::Voided => conflict(ErrorCode::DrawVoided, None, e),
            e @ WinError::Invalid { field, .. } => invalid_value(field, e),
            e @ WinError::NotGivenUp { .. } => {
                conflict(ErrorCode::InvalidTransition, Some("win_id"), e)
            }
            e @ WinError::AlreadyPromoted { .. } => {
                conflict(ErrorCode::Duplicate, Some("win_id"), e)
            }
            WinError::NoReserveLeft { pool } => {
                let facts = ErrorFacts {
                    pool: Some(pool.clone()),
                    ..ErrorFacts::default()
                };
                let e = WinError::NoReserveLeft { pool };
                conflict_with(ErrorCode::NoReserveLeft, Some("win_id"), e, facts)
            }
            WinError::NoPrizeOnHand(shortage) => {
                let facts = ErrorFacts {
                    requested: Some(1),
                    available: Some(0),
                    item: Some(shortage.item.clone()),
                    entry: Some(shortage.entry),
                    ..ErrorFacts::default()
                };
                let e = WinError::NoPrizeOnHand(shortage);
                conflict_with(ErrorCode::InsufficientStock, Some("state"), e, facts)
            }
            WinError::Storage(e) => e.into(),
        }
    }
}

impl From<CarrierListError> for ApiError {
    fn from(e: CarrierListError) -> Self {
        match e {
            e @ (CarrierListError::KeyDeleted | CarrierListError::NumberDeleted { .. }) => {
                conflict(ErrorCode::NumbersDeleted, None, e)
            }
            CarrierListError::Unopenable { entry } => {
                ApiError::Internal(format!("entry {entry}: the sealed number does not open"))
            }
            CarrierListError::Storage(e) => e.into(),
        }
    }
}

impl From<LotteryError> for ApiError {
    fn from(e: LotteryError) -> Self {
        match e {
            LotteryError::Invalid { field, reason } => {
                invalid_value(field, format!("{field}: {reason}"))
            }
            LotteryError::NoCampaign => no_campaign(),
            e @ LotteryError::NoTerms => conflict(ErrorCode::NoLotteryTerms, None, e),
            e @ LotteryError::Closed => conflict(ErrorCode::LotteryClosed, None, e),
            e @ (LotteryError::KeyMissing { .. }
            | LotteryError::KeyMismatch { .. }
            | LotteryError::KeyFile(_)) => ApiError::Internal(e.to_string()),
            LotteryError::Storage(e) => e.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let ApiError::Internal(detail) = &self {
            tracing::error!(%detail, "request failed");
        }
        let body = ErrorBody {
            error: self.detail(),
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let ApiError::TooManyRequests { retry_after, .. } = self {
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(retry_after));
        }
        response
    }
}

/// The answer to a handler that panicked: the panic's message goes to the log, the client
/// gets the standard 500 body (internals never leak).
pub(crate) fn answer_panic(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::Internal(format!(
        "a handler panicked: {}",
        panic_message(panic.as_ref())
    ))
    .into_response()
}

/// What a panic said (`panic!` carries a `&str` or a `String`).
fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s
    } else {
        "(a panic without a message)"
    }
}
