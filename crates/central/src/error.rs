//! Why a central operation did not happen, in the central's own words: no database type or
//! column name appears here, so nothing of the storage reaches a client.

pub use fieldpost_sync::ErrorCode;

/// Why a store operation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A value is not acceptable (names the field).
    #[error("{field}: {message}")]
    Invalid {
        /// The request field at fault.
        field: String,
        /// Why.
        message: String,
    },
    /// The request is valid but contradicts the stored state.
    #[error("{message}")]
    Conflict {
        /// Stable code, e.g. `insufficient_stock`.
        code: ErrorCode,
        /// Why.
        message: String,
        /// The request field at fault, when one is.
        field: Option<String>,
    },
    /// A credential (an enrollment code) is unknown or expired.
    #[error("{message}")]
    Credential {
        /// Stable code.
        code: ErrorCode,
        /// Why.
        message: String,
    },
    /// A push skipped seqs: the device must send from `expected_seq`.
    #[error("the central expects seq {expected_seq} next from this device")]
    SeqGap {
        /// The next seq the central expects.
        expected_seq: u64,
    },
    /// A record with the same value in a field that must be unique already exists.
    #[error("another record already has this {field}")]
    Duplicate {
        /// The request field at fault, e.g. `survey_link`.
        field: &'static str,
    },
    /// The storage failed (I/O, a lock held too long); the detail is for the log only.
    #[error("storage: {0}")]
    Storage(String),
    /// Stored data could not be read back.
    #[error("corrupt record: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Shorthand for [`StoreError::Invalid`].
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        StoreError::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Shorthand for [`StoreError::Conflict`].
    pub fn conflict(code: ErrorCode, message: impl Into<String>) -> Self {
        StoreError::Conflict {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// Shorthand for a [`StoreError::Conflict`] that names a field.
    pub fn conflict_on(
        code: ErrorCode,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        StoreError::Conflict {
            code,
            message: message.into(),
            field: Some(field.into()),
        }
    }
}

impl From<crate::storage::StorageError> for StoreError {
    fn from(e: crate::storage::StorageError) -> Self {
        match e {
            crate::storage::StorageError::Duplicate { field } => StoreError::Duplicate { field },
            crate::storage::StorageError::Failed(m) => StoreError::Storage(m),
            crate::storage::StorageError::Corrupt(m) => StoreError::Corrupt(m),
        }
    }
}
