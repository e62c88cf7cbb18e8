//! The domain's umbrella error: every rule's own refusal, for callers that only report it.

use crate::{EscrowRefusal, PhoneError, TransitionError, WindowError};

/// Any refusal of a domain rule. Callers that react differently to each rule match the
/// rule's own error type instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// A plan cannot make the requested move in its workflow.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The device's grant does not cover the handout or release.
    #[error(transparent)]
    Escrow(#[from] EscrowRefusal),
    /// A phone number is not a mainland mobile number.
    #[error(transparent)]
    Phone(#[from] PhoneError),
    /// A session's times fall outside its plan's window.
    #[error(transparent)]
    Window(#[from] WindowError),
}

/// Result with the domain's umbrella error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
