//! Mainland China mobile numbers for the lottery: validation and masking.
//!
//! Phone numbers are personal information. They are stored only with consent, shown masked
//! (`138****1234`) everywhere, and exported in full only to the carrier that credits a prize.
//! `Debug` and `Display` print the masked form so that a log line cannot leak one.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A validated 11-digit mainland mobile number (1[3-9]xxxxxxxxx).
#[derive(Clone, PartialEq, Eq, Hash, TS)]
#[ts(type = "string")]
pub struct MobileNumber(String);

/// Why a phone number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Nothing was entered.
    #[error("phone number is empty")]
    Empty,
    /// A character that is neither a digit nor a separator.
    #[error("phone number contains {0:?}, which is not a digit")]
    NotADigit(char),
    /// Not 11 digits once separators and the +86 prefix are removed.
    #[error("phone number has {0} digits; a mainland mobile number has 11")]
    WrongLength(usize),
    /// 11 digits, but not a mobile prefix (13x–19x).
    #[error("phone number must start with 13–19")]
    NotMobile,
}

impl MobileNumber {
    /// Parses what a volunteer typed: ASCII or full-width digits, spaces and dashes allowed,
    /// an optional `+86` / `0086` / `86` country prefix.
    pub fn parse(input: &str) -> Result<MobileNumber, PhoneError> {
        let mut digits = String::with_capacity(11);
        for c in input.trim().chars() {
            match c {
                '0'..='9' => digits.push(c),
                // Full-width digits from a Chinese IME.
                '０'..='９' => digits.push(char::from(b'0' + (c as u32 - '０' as u32) as u8)),
                ' ' | '-' | '\u{3000}' | '－' => {}
                '+' | '＋' if digits.is_empty() => {}
                other => return Err(PhoneError::NotADigit(other)),
            }
        }
        if digits.is_empty() {
            return Err(PhoneError::Empty);
        }
        let national = if digits.len() == 15 && digits.starts_with("0086") {
            &digits[4..]
        } else if digits.len() == 13 && digits.starts_with("86") {
            &digits[2..]
        } else {
            &digits[..]
        };
        if national.len() != 11 {
            return Err(PhoneError::WrongLength(national.len()));
        }
        let bytes = national.as_bytes();
        if bytes[0] != b'1' || !(b'3'..=b'9').contains(&bytes[1]) {
            return Err(PhoneError::NotMobile);
        }
        Ok(MobileNumber(national.to_owned()))
    }

    /// The masked form shown everywhere: `138****1234`.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }

    /// The full number. Call only where the full number is needed: storage, and the export
    /// to the carrier that credits a prize.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl Serialize for MobileNumber {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

/// A string of digits on the wire (`+86` and separators are accepted and dropped on reading).
impl schemars::JsonSchema for MobileNumber {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "MobileNumber".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string"})
    }
}

/// Deserializing validates, so a number read from storage or the wire is always well formed.
impl<'de> Deserialize<'de> for MobileNumber {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        MobileNumber::parse(&raw).map_err(serde::de::Error::custom)
    }
}

impl std::fmt::Debug for MobileNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MobileNumber({})", self.masked())
    }
}

impl std::fmt::Display for MobileNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn masks_the_middle_four() {
        let n = MobileNumber::parse("13812341234").unwrap();
        assert_eq!(n.masked(), "138****1234", "the issue's own example");
        assert_eq!(
            format!("{n}"),
            "138****1234",
            "Display must never print the full number"
        );
        assert!(
            !format!("{n:?}").contains("13812341234"),
            "Debug must not leak it either"
        );
    }

    #[test]
    fn accepts_what_volunteers_type() {
        for typed in [
            "138 1234 1234",
            "138-1234-1234",
            "+86 13812341234",
            "008613812341234",
            "１３８１２３４１２３４",
            " 13812341234 ",
        ] {
            assert_eq!(
                MobileNumber::parse(typed).map(|n| n.expose().to_owned()),
                Ok("13812341234".to_owned()),
                "{typed:?} is the same number"
            );
        }
    }

    #[test]
    fn refuses_malformed_numbers_with_a_reason() {
        assert_eq!(MobileNumber::parse(""), Err(PhoneError::Empty));
        assert_eq!(
            MobileNumber::parse("1381234123"),
            Err(PhoneError::WrongLength(10))
        );
        assert_eq!(
            MobileNumber::parse("12812341234"),
            Err(PhoneError::NotMobile)
        );
        assert_eq!(
            MobileNumber::parse("0663-8221234"),
            Err(PhoneError::NotMobile),
            "a landline is not a mobile"
        );
        assert_eq!(
            MobileNumber::parse("138a2341234"),
            Err(PhoneError::NotADigit('a'))
        );
    }

    #[test]
    fn deserializing_validates() {
        let bad: Result<MobileNumber, _> = serde_json::from_str("\"12345\"");
        assert!(bad.is_err(), "a stored or synced number must be valid too");
    }

    proptest! {
        #[test]
        fn every_valid_number_parses_and_masks(second in 3u8..=9, rest in "[0-9]{9}") {
            let raw = format!("1{second}{rest}");
            let n = MobileNumber::parse(&raw).unwrap();
            prop_assert_eq!(n.expose(), raw.as_str());
            let m = n.masked();
            prop_assert_eq!(m.len(), 11);
            prop_assert_eq!(&m[..3], &raw[..3]);
            prop_assert_eq!(&m[3..7], "****");
            prop_assert_eq!(&m[7..], &raw[7..]);
        }
    }
}
