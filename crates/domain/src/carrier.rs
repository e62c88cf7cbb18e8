//! Mobile carriers (运营商), and which one issued a number (号段): the lottery's prizes come
//! from the three carriers, and a data pack or a voucher works only on its carrier's numbers.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::phone::MobileNumber;

/// A mobile carrier (运营商) of an entrant's number, as the list and the pools name it.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Carrier {
    /// 中国电信.
    Telecom,
    /// 中国移动.
    Mobile,
    /// 中国联通.
    Unicom,
    /// Any other (a virtual operator, 广电, …).
    Other,
}

impl Carrier {
    /// Every carrier, in the list's order.
    pub const ALL: [Carrier; 4] = [
        Carrier::Telecom,
        Carrier::Mobile,
        Carrier::Unicom,
        Carrier::Other,
    ];

    /// The code in the published list.
    pub fn code(self) -> &'static str {
        match self {
            Carrier::Telecom => "telecom",
            Carrier::Mobile => "mobile",
            Carrier::Unicom => "unicom",
            Carrier::Other => "other",
        }
    }

    /// The carrier of a code.
    pub fn from_code(code: &str) -> Option<Carrier> {
        Carrier::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The carrier a number was issued by, from its prefix (号段), as the MIIT allocated
    /// them; numbers of virtual operators (162, 165, 167, 170, 171) and of 中国广电 (192)
    /// are [`Carrier::Other`]: a carrier's data pack or voucher is not for them. Only a
    /// default: a number may have moved to another carrier since (携号转网), so the
    /// registration lets the entrant change it.
    pub fn of_number(number: &MobileNumber) -> Carrier {
        let digits = number.expose().as_bytes();
        let prefix = |n: usize| -> u32 {
            digits[..n]
                .iter()
                .fold(0, |acc, d| acc * 10 + u32::from(d - b'0'))
        };
        // 1349 is 中国电信's satellite range inside 中国移动's 134.
        if prefix(4) == 1349 {
            return Carrier::Telecom;
        }
        match prefix(3) {
            134..=139
            | 147
            | 148
            | 150..=152
            | 157..=159
            | 172
            | 178
            | 182..=184
            | 187
            | 188
            | 195
            | 197
            | 198 => Carrier::Mobile,
            130..=132 | 145 | 146 | 155 | 156 | 166 | 175 | 176 | 185 | 186 | 196 => {
                Carrier::Unicom
            }
            133 | 149 | 153 | 173 | 174 | 177 | 180 | 181 | 189..=191 | 193 | 199 => {
                Carrier::Telecom
            }
            _ => Carrier::Other,
        }
    }

    /// Its Chinese name, as the public sees it.
    pub fn label_zh(self) -> &'static str {
        match self {
            Carrier::Telecom => "电信",
            Carrier::Mobile => "移动",
            Carrier::Unicom => "联通",
            Carrier::Other => "其他",
        }
    }
}
