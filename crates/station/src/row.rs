//! Reading ids and values back from rows.

use std::str::FromStr;

use crate::{Error, Result};

/// Parses a stored id.
pub(crate) fn id<T: FromStr>(s: &str) -> Result<T> {
    s.parse().map_err(|_| Error::Corrupt(format!("id {s:?}")))
}

/// Converts a stored non-negative integer.
pub(crate) fn count(v: i64) -> Result<u32> {
    u32::try_from(v).map_err(|_| Error::Corrupt(format!("count {v}")))
}
