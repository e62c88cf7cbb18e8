//! What the station's use cases refuse, and why. Each refusal names its field or record so the
//! UI can show the message beside what caused it; nothing is written when one is returned.

use fieldpost_domain::quarantine::QuarantineCode;
use fieldpost_domain::{
    CheckInId, DeviceId, HandoutId, ItemId, PhoneError, PlanId, PlanStatus, SessionId,
    TransitionError, WindowError,
};

/// A station use case's refusal or failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The device has no identity yet: it must be enrolled first.
    #[error("this device is not enrolled yet")]
    NotEnrolled,
    /// The tablet recorded events under another device id; it cannot be re-enrolled as a
    /// different device without losing their link.
    #[error("this tablet is already enrolled as device {0} and has recorded events")]
    AlreadyEnrolled(DeviceId),
    /// A required text field is blank.
    #[error("{field} must not be empty")]
    EmptyField {
        /// The field.
        field: &'static str,
    },
    /// A quantity or counter is out of range.
    #[error("{field} is invalid: {reason}")]
    InvalidQuantity {
        /// The field.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// A text field is longer than it may be.
    #[error("{field} is too long: at most {max} characters")]
    TooLong {
        /// The field.
        field: &'static str,
        /// The most it may hold, in characters.
        max: usize,
    },
    /// No such plan on this device.
    #[error("unknown plan {0}")]
    UnknownPlan(PlanId),
    /// Sessions open only under approved plans.
    #[error("plan {plan_id} is {status}, not approved")]
    PlanNotApproved {
        /// The plan.
        plan_id: PlanId,
        /// Its status.
        status: PlanStatus,
    },
    /// The plan's workflow does not allow this.
    #[error(transparent)]
    PlanTransition(#[from] TransitionError),
    /// A plan's start is not before its end.
    #[error("the plan must end after it starts")]
    PlanWindowInverted,
    /// A plan starts before the campaign's publicity opens (the central refuses it too).
    #[error("the plan must not start before the campaign's publicity opens")]
    PlanBeforeCampaign,
    /// The session would fall outside its plan's window.
    #[error(transparent)]
    OutsidePlanWindow(#[from] WindowError),
    /// The device already has an open session.
    #[error("session {0} is still open on this device; close it first")]
    SessionAlreadyOpen(SessionId),
    /// No such session.
    #[error("unknown session {0}")]
    UnknownSession(SessionId),
    /// The session is closed.
    #[error("session {0} is closed")]
    SessionClosed(SessionId),
    /// No such item.
    #[error("unknown item {0}")]
    UnknownItem(ItemId),
    /// The handout exceeds the device's grant; it can be recorded with a reason.
    #[error("only {available} of this item remain in this device's grant; {requested} asked")]
    OverGrant {
        /// The item.
        item_id: ItemId,
        /// What was asked.
        requested: u64,
        /// What the grant has left.
        available: u64,
    },
    /// No such handout.
    #[error("unknown handout {0}")]
    UnknownHandout(HandoutId),
    /// The handout was voided already.
    #[error("handout {0} was already voided")]
    AlreadyVoided(HandoutId),
    /// No such check-in.
    #[error("unknown check-in {0}")]
    UnknownCheckIn(CheckInId),
    /// The volunteer checked out already.
    #[error("check-in {0} was already checked out")]
    AlreadyCheckedOut(CheckInId),
    /// A lottery entrant must consent before their number is stored.
    #[error("the entrant's consent is required before their phone number is stored")]
    ConsentRequired,
    /// The phone number is malformed.
    #[error("phone: {0}")]
    InvalidPhone(#[from] PhoneError),
    /// The number is registered already.
    #[error("this phone number is already registered for the lottery")]
    DuplicateEntrant,
    /// No lottery terms (consent text, version, key) have come from the central yet: the
    /// tablet cannot show the consent nor seal a number.
    #[error(
        "lottery_terms: the secretariat's lottery terms have not reached this tablet yet; sync first"
    )]
    LotteryTermsMissing,
    /// The secretariat closed registration (the list is frozen or the lottery closed), or
    /// the terms carry no key to seal numbers to.
    #[error("lottery_terms: lottery registration is closed")]
    RegistrationClosed,
    /// The consent the entrant gave is not the current terms' wording.
    #[error(
        "consent_text_version: the entrant agreed to version {given:?}, but the current consent text is version {current:?}"
    )]
    ConsentVersionStale {
        /// The version the UI sent.
        given: String,
        /// The current terms' version.
        current: String,
    },
    /// The device key file cannot be read or created.
    #[error("device key {path}: {reason}")]
    DeviceKey {
        /// The key file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The device key sits in the store's own directory, where a copy of the store would
    /// take it along.
    #[error("device key {path}: must not be in the store's directory {store_dir}")]
    DeviceKeyBesideStore {
        /// The key file.
        path: String,
        /// The store's directory.
        store_dir: String,
    },
    /// The central would quarantine the event this write records, by the rule it applies
    /// (the domain's `quarantine::decide`) and the facts this tablet holds: the last guard
    /// behind the checks above, which name the problem better when they catch it.
    #[error("the central would not accept this ({code}): {reason}")]
    WouldBeQuarantined {
        /// The quarantine code the central would give the event.
        code: QuarantineCode,
        /// Why, in English.
        reason: String,
    },
    /// The database failed (disk full, corrupt file…).
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// A stored record could not be read back.
    #[error("corrupt record: {0}")]
    Corrupt(String),
}

impl Error {
    /// A stable snake_case name for the refusal: the `kind` the UI matches on.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::NotEnrolled => "not_enrolled",
            Error::AlreadyEnrolled(_) => "already_enrolled",
            Error::EmptyField { .. } => "empty_field",
            Error::InvalidQuantity { .. } => "invalid_quantity",
            Error::TooLong { .. } => "too_long",
            Error::UnknownPlan(_) => "unknown_plan",
            Error::PlanNotApproved { .. } => "plan_not_approved",
            Error::PlanTransition(_) => "plan_transition",
            Error::PlanWindowInverted => "plan_window_inverted",
            Error::PlanBeforeCampaign => "plan_before_campaign",
            Error::OutsidePlanWindow(_) => "outside_plan_window",
            Error::SessionAlreadyOpen(_) => "session_already_open",
            Error::UnknownSession(_) => "unknown_session",
            Error::SessionClosed(_) => "session_closed",
            Error::UnknownItem(_) => "unknown_item",
            Error::OverGrant { .. } => "over_grant",
            Error::UnknownHandout(_) => "unknown_handout",
            Error::AlreadyVoided(_) => "already_voided",
            Error::UnknownCheckIn(_) => "unknown_check_in",
            Error::AlreadyCheckedOut(_) => "already_checked_out",
            Error::ConsentRequired => "consent_required",
            Error::InvalidPhone(_) => "invalid_phone",
            Error::DuplicateEntrant => "duplicate_entrant",
            Error::LotteryTermsMissing => "lottery_terms_missing",
            Error::RegistrationClosed => "registration_closed",
            Error::ConsentVersionStale { .. } => "consent_version_stale",
            Error::DeviceKey { .. } => "device_key",
            Error::DeviceKeyBesideStore { .. } => "device_key_beside_store",
            Error::WouldBeQuarantined { .. } => "would_be_quarantined",
            Error::Database(_) => "database",
            Error::Corrupt(_) => "corrupt",
        }
    }
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Corrupt(e.to_string())
    }
}

/// Result with the station's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
