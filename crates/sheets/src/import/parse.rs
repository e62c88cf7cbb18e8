//! Values as people write them in a sheet: counts, days, links, unit names.

use chrono::NaiveDate;

use super::normalize;

/// Why a cell is not a count or quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountError {
    /// Nothing written.
    Empty,
    /// A number below zero (`-3`).
    Negative,
    /// A number with a fraction (`12.5`).
    Fraction,
    /// A whole number beyond what any count can be (more than 4,294,967,295).
    TooLarge,
    /// Not a number at all (`abc`, `八百`).
    NotANumber,
}

/// A non-negative whole number as people write it: `1500`, `1,500`, `１，５００`, `1500份`,
/// `1500.0`; otherwise why it is not one, so that the message can say so truly (a negative
/// quota is not "not a number").
pub fn read_count(s: &str) -> Result<u32, CountError> {
    let t: String = normalize(s)
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' ' | '_'))
        .collect();
    let t = t
        .strip_suffix('份')
        .or_else(|| t.strip_suffix('个'))
        .unwrap_or(&t);
    if t.is_empty() {
        return Err(CountError::Empty);
    }
    if let Ok(n) = t.parse::<u32>() {
        return Ok(n);
    }
    // Excel sometimes stores whole numbers as 1500.0 in text; a minus may be the full-width
    // one (normalized) or the typographic one.
    let f: f64 = t
        .replace(['\u{2212}', '\u{2013}'], "-")
        .parse()
        .map_err(|_| CountError::NotANumber)?;
    if !f.is_finite() {
        Err(CountError::NotANumber)
    } else if f < 0.0 {
        Err(CountError::Negative)
    } else if f.fract() != 0.0 {
        Err(CountError::Fraction)
    } else if f > f64::from(u32::MAX) {
        Err(CountError::TooLarge)
    } else {
        // A whole, non-negative value within u32: the cast is exact (`-0.0` is 0).
        Ok(f as u32)
    }
}

/// A non-negative whole number as people write it (see [`read_count`]); `None` when it is not
/// one.
pub fn parse_count(s: &str) -> Option<u32> {
    read_count(s).ok()
}

/// A day as written: `2022-08-03`, `2022/8/3`, `2022.8.3`, `2022年8月3日`, `20220803`, or
/// `8月3日` / `8-3` / `8/3` with the year from `year`.
pub fn parse_day(s: &str, year: Option<i32>) -> Option<NaiveDate> {
    // A weekday in brackets after the day: 8月3日（周三）.
    let t = s.split(['(', '（']).next().unwrap_or(s);
    let t = t.trim().trim_end_matches('日').trim_end_matches('号');
    if t.is_empty() {
        return None;
    }
    if t.len() == 8 && t.chars().all(|c| c.is_ascii_digit()) {
        return NaiveDate::parse_from_str(t, "%Y%m%d").ok();
    }
    // A date cell that lost its date format reads as Excel's serial day number (44776 is
    // 2022-08-03); only five-digit numbers of this century are taken for one.
    if t.len() == 5
        && t.chars().all(|c| c.is_ascii_digit())
        && let Ok(serial) = t.parse::<i64>()
        && (36_526..=73_050).contains(&serial)
    {
        return NaiveDate::from_ymd_opt(1899, 12, 30)?
            .checked_add_signed(chrono::Duration::days(serial));
    }
    // A datetime's date part ("2022-08-03 00:00:00").
    let t = t.split([' ', 'T']).next().unwrap_or(t);
    let parts: Vec<&str> = t
        .split(['-', '/', '.', '年', '月'])
        .filter(|p| !p.is_empty())
        .collect();
    let nums: Option<Vec<i64>> = parts.iter().map(|p| p.parse::<i64>().ok()).collect();
    match nums?.as_slice() {
        [y, m, d] if *y >= 1900 => NaiveDate::from_ymd_opt(
            i32::try_from(*y).ok()?,
            u32::try_from(*m).ok()?,
            u32::try_from(*d).ok()?,
        ),
        [m, d] => NaiveDate::from_ymd_opt(year?, u32::try_from(*m).ok()?, u32::try_from(*d).ok()?),
        _ => None,
    }
}

/// Whether a link looks like a survey link: `http(s)://host/…`, no spaces.
pub fn valid_link(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    let Some(rest) = rest else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty()
        && host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | ':'))
        && !s.chars().any(char::is_whitespace)
}

/// A unit name reduced for matching: whitespace dropped (people type 揭阳市 侨联).
pub(super) fn name_key(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}
