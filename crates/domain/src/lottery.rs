//! The lottery draw (抽奖): winners that anyone can recompute from what was published.
//!
//! Before the draw the entrant list is frozen and published — entry number, masked phone,
//! carrier — with its SHA-256 ([`FrozenList::digest_hex`]). The randomness is a public value
//! announced in advance (a named national lottery draw on a named date), typed in at the draw.
//! From the list, the value and the pools in their published order, [`draw`] picks each
//! pool's winners and ranked reserves with SHA-256 alone, so the result never depends on a
//! library's random generator, and `docs/lottery/verify_draw.py` (Python's standard library)
//! recomputes it; both reproduce `docs/lottery/vectors.json`.
//!
//! The method, in full in `docs/lottery/README.md`: for pool `p` (1-based) and entry `e`,
//! `key = SHA-256("fieldpost-draw-1\n" + list digest hex + "\n" + value + "\n" + p + "\n" + e)`;
//! the entries the pool accepts (by carrier) that have not won in an earlier pool are ranked by
//! key, smallest first; the first `quantity` win and the next `reserves` are its reserves. One
//! prize per entry, and one entry per phone number.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use crate::carrier::Carrier;

/// The tag that starts every key: a later method gets another, so keys never mix.
const METHOD: &str = "fieldpost-draw-1";

/// The published list's header line.
const HEADER: &str = "entry,phone,carrier";

/// One line of the frozen list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListEntry {
    /// The public entry number, 1, 2, 3 … in list order.
    pub entry: u32,
    /// The number as shown to the public (`138****1234`).
    pub masked_phone: String,
    /// The number's carrier.
    pub carrier: Carrier,
}

/// Why a list, a value or a pool cannot be drawn from.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrawError {
    /// A line of a list is not what the published format says.
    #[error("line {line}: {reason}")]
    List {
        /// 1-based line number (the header is line 1).
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// The list's SHA-256 is not the published one: it changed after publication.
    #[error("the list's SHA-256 is {actual}, not the published {published}")]
    Tampered {
        /// The published digest.
        published: String,
        /// The list's digest.
        actual: String,
    },
    /// The public value is empty or spans lines.
    #[error("the public value must be one non-empty line")]
    Value,
    /// A pool names no carrier, or draws nothing.
    #[error("pool {pool}: {reason}")]
    Pool {
        /// 1-based pool number.
        pool: usize,
        /// What is wrong with it.
        reason: &'static str,
    },
}

/// The entrant list as frozen and published before the draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrozenList {
    entries: Vec<ListEntry>,
    digest: String,
}

impl FrozenList {
    /// Freezes `entries`, numbered 1, 2, 3 … in order; a masked phone holds no comma or line
    /// break (it is a field of the published CSV).
    pub fn new(entries: Vec<ListEntry>) -> Result<FrozenList, DrawError> {
        for (i, e) in entries.iter().enumerate() {
            let line = i + 2;
            if usize::try_from(e.entry).ok() != Some(i + 1) {
                return Err(DrawError::List {
                    line,
                    reason: "entries are numbered 1, 2, 3 … in order".into(),
                });
            }
            if e.masked_phone.is_empty() || e.masked_phone.contains([',', '\n', '\r']) {
                return Err(DrawError::List {
                    line,
                    reason: "the phone field is empty or holds a comma or a line break".into(),
                });
            }
        }
        let digest = hex(&Sha256::digest(text_of(&entries).as_bytes()));
        Ok(FrozenList { entries, digest })
    }

    /// Reads a published list's text (as [`FrozenList::published_text`] writes it).
    pub fn parse(text: &str) -> Result<FrozenList, DrawError> {
        let Some(body) = text.strip_suffix('\n') else {
            return Err(DrawError::List {
                line: text.lines().count().max(1),
                reason: "the list ends with a line feed".into(),
            });
        };
        let mut lines = body.split('\n');
        if lines.next() != Some(HEADER) {
            return Err(DrawError::List {
                line: 1,
                reason: format!("expected the header {HEADER:?}"),
            });
        }
        let mut entries = Vec::new();
        for (i, line) in lines.enumerate() {
            let n = i + 2;
            let bad = |reason: &str| DrawError::List {
                line: n,
                reason: reason.into(),
            };
            let mut fields = line.split(',');
            let (Some(entry), Some(phone), Some(carrier), None) =
                (fields.next(), fields.next(), fields.next(), fields.next())
            else {
                return Err(bad("expected entry,phone,carrier"));
            };
            let entry = entry
                .parse()
                .map_err(|_| bad("the entry number is not a number"))?;
            let carrier = Carrier::from_code(carrier)
                .ok_or_else(|| bad("the carrier is not telecom, mobile, unicom or other"))?;
            entries.push(ListEntry {
                entry,
                masked_phone: phone.to_owned(),
                carrier,
            });
        }
        let list = FrozenList::new(entries)?;
        if list.published_text() != text {
            // E.g. "01" for entry 1: the digest is of the bytes, so only one spelling is valid.
            return Err(DrawError::List {
                line: 1,
                reason: "the list is not in its published form".into(),
            });
        }
        Ok(list)
    }

    /// Reads a published list and checks it against its published digest.
    pub fn verify(text: &str, published_digest: &str) -> Result<FrozenList, DrawError> {
        let actual = hex(&Sha256::digest(text.as_bytes()));
        let published = published_digest.trim().to_ascii_lowercase();
        if actual != published {
            return Err(DrawError::Tampered { published, actual });
        }
        FrozenList::parse(text)
    }

    /// The entries, in entry order.
    pub fn entries(&self) -> &[ListEntry] {
        &self.entries
    }

    /// The list as published: UTF-8 CSV with LF line ends, `entry,phone,carrier` then one
    /// line per entry.
    pub fn published_text(&self) -> String {
        text_of(&self.entries)
    }

    /// The SHA-256 of [`FrozenList::published_text`], lower-case hex: published with it.
    pub fn digest_hex(&self) -> &str {
        &self.digest
    }
}

fn text_of(entries: &[ListEntry]) -> String {
    let mut text = String::from(HEADER);
    text.push('\n');
    for e in entries {
        text.push_str(&format!(
            "{},{},{}\n",
            e.entry,
            e.masked_phone,
            e.carrier.code()
        ));
    }
    text
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A pool of prizes as published before the draw, in draw order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolSpec {
    /// Its name (e.g. 电信 5G 流量包).
    pub name: String,
    /// How many prizes.
    pub quantity: u32,
    /// The carriers whose numbers may win it (a data pack works only on its carrier's).
    pub carriers: Vec<Carrier>,
    /// How many ranked reserves to draw after the winners.
    pub reserves: u32,
}

/// One pool's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolResult {
    /// The pool's name.
    pub name: String,
    /// Winning entry numbers, in rank order.
    pub winners: Vec<u32>,
    /// Reserve entry numbers, in rank order.
    pub reserves: Vec<u32>,
}

/// Draws every pool, in order, from the frozen list and the public value.
pub fn draw(
    list: &FrozenList,
    public_value: &str,
    pools: &[PoolSpec],
) -> Result<Vec<PoolResult>, DrawError> {
    let value = public_value.trim();
    if value.is_empty() || value.contains(['\n', '\r']) {
        return Err(DrawError::Value);
    }
    for (i, pool) in pools.iter().enumerate() {
        if pool.carriers.is_empty() {
            return Err(DrawError::Pool {
                pool: i + 1,
                reason: "no carrier may win it",
            });
        }
        if pool.quantity == 0 {
            return Err(DrawError::Pool {
                pool: i + 1,
                reason: "it has no prize",
            });
        }
    }
    let mut won = std::collections::HashSet::new();
    let mut results = Vec::with_capacity(pools.len());
    for (i, pool) in pools.iter().enumerate() {
        let mut ranked: Vec<([u8; 32], u32)> = list
            .entries
            .iter()
            .filter(|e| pool.carriers.contains(&e.carrier) && !won.contains(&e.entry))
            .map(|e| (key(list.digest_hex(), value, i + 1, e.entry), e.entry))
            .collect();
        ranked.sort_unstable();
        let quantity = usize::try_from(pool.quantity).unwrap_or(usize::MAX);
        let reserves = usize::try_from(pool.reserves).unwrap_or(usize::MAX);
        let mut order = ranked.into_iter().map(|(_, entry)| entry);
        let winners: Vec<u32> = order.by_ref().take(quantity).collect();
        let reserves: Vec<u32> = order.take(reserves).collect();
        won.extend(winners.iter().copied());
        results.push(PoolResult {
            name: pool.name.clone(),
            winners,
            reserves,
        });
    }
    Ok(results)
}

/// An entry's key in a pool: what it is ranked by.
fn key(list_digest: &str, value: &str, pool: usize, entry: u32) -> [u8; 32] {
    Sha256::digest(format!("{METHOD}\n{list_digest}\n{value}\n{pool}\n{entry}").as_bytes()).into()
}
