//! The carriers' lists (中奖名单): a carrier's account downloads the winners of the pools that
//! carrier credits or ships, with full numbers opened in memory from the sealed ones by the
//! lottery key, and returns the sheet with each win's state filled in. Every download is
//! audited; no full number is ever stored or logged here.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use fieldpost_domain::{Carrier, LotterySecretKey};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use super::{Delivery, WinState};
use crate::audit::Actor;
use crate::storage::draw::WinRow;
use crate::storage::{self, Database, StorageError, Tx};

/// One line of a carrier's list: a winner with the full number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarrierWinner {
    /// 1, 2, 3 … down the sheet.
    pub seq: u32,
    /// The public entry number (抽奖编号): how the returned sheet names the win.
    pub entry: u32,
    /// The full number (中奖号码).
    pub phone: String,
    /// The pool's name (奖项).
    pub prize: String,
    /// How it is delivered (发放方式).
    pub delivery: Delivery,
    /// Its state (状态).
    pub state: WinState,
    /// Its note (备注).
    pub note: Option<String>,
}

/// Why a carrier's list could not be made.
#[derive(Debug, thiserror::Error)]
pub enum CarrierListError {
    /// The lottery key is gone (the lottery was closed): no sealed number opens any more.
    #[error("the lottery key was deleted: the full numbers can no longer be opened")]
    KeyDeleted,
    /// A winner's sealed number was deleted.
    #[error("the full number of entry {entry} was deleted")]
    NumberDeleted {
        /// The winner's entry number.
        entry: u32,
    },
    /// A winner's sealed number does not open with the key.
    #[error("the sealed number of entry {entry} does not open with the lottery key")]
    Unopenable {
        /// The winner's entry number.
        entry: u32,
    },
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// The winners whose prizes `carrier` delivers, with their full numbers, in draw order; the
/// download is audited (never the numbers).
pub fn carrier_winners(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    carrier: Carrier,
    key: Option<&LotterySecretKey>,
) -> Result<Vec<CarrierWinner>, CarrierListError> {
    storage::write(db, |tx| {
        let wins = carrier_wins(tx, carrier)?;
        let mut lines = Vec::with_capacity(wins.len());
        for (seq, (win, (prize, delivery))) in (1u32..).zip(&wins) {
            let key = key.ok_or(CarrierListError::KeyDeleted)?;
            let sealed = tx
                .lottery_entrants()
                .sealed_phone(win.entrant_id)?
                .ok_or(CarrierListError::NumberDeleted { entry: win.entry })?;
            let phone = key
                .open(&sealed)
                .map_err(|_| CarrierListError::Unopenable { entry: win.entry })?;
            lines.push(CarrierWinner {
                seq,
                entry: win.entry,
                phone: phone.expose().to_owned(),
                prize: prize.clone(),
                delivery: *delivery,
                state: win.state,
                note: win.note.clone(),
            });
        }
        tx.audit_log().append(
            now,
            actor,
            "lottery.carrier.download",
            Some(carrier.code()),
            &json!({"carrier": carrier, "winners": lines.len()}),
        )?;
        Ok(lines)
    })
}

/// A win with its pool's name and delivery.
type PrizeWin = (WinRow, (String, Delivery));

/// The standing draw's live wins of the pools `carrier` delivers, with each pool's name and
/// delivery, in draw order.
fn carrier_wins(tx: &mut dyn Tx, carrier: Carrier) -> Result<Vec<PrizeWin>, StorageError> {
    let Some(draw) = tx.lottery_draws().standing()? else {
        return Ok(Vec::new());
    };
    let delivered: HashSet<_> = tx
        .lottery_pools()
        .all()?
        .into_iter()
        .filter(|p| p.spec.delivered_by == Some(carrier))
        .map(|p| p.id)
        .collect();
    let pools: HashMap<_, _> = tx
        .lottery_draws()
        .pools(draw.id)?
        .into_iter()
        .map(|p| (p.pool_id, (p.name, p.delivery)))
        .collect();
    Ok(tx
        .lottery_wins()
        .of_draw(draw.id)?
        .into_iter()
        .filter(|w| !w.voided && delivered.contains(&w.pool_id))
        .filter_map(|w| pools.get(&w.pool_id).cloned().map(|p| (w, p)))
        .collect())
}

/// A row of a returned sheet, read already.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnedRow {
    /// Its row number in the spreadsheet.
    pub row: u32,
    /// The entry number it names.
    pub entry: u32,
    /// The state filled in.
    pub state: WinState,
    /// The note filled in; `None` (an empty cell) keeps the stored one.
    pub note: Option<String>,
}

/// Why a row of a returned sheet was not applied: a stable code the console words in the
/// carrier's and the secretariat's language (with the row's `value`), beside the English
/// `reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReturnIssueCode {
    /// 抽奖编号 is empty.
    EntryMissing,
    /// 抽奖编号 is not an entry number (`value`: what the cell holds).
    EntryInvalid,
    /// 状态 is empty.
    StateMissing,
    /// 状态 is none of 待发放, 已发放, 联系不上, 放弃 (`value`: what the cell holds).
    StateInvalid,
    /// No prize the carrier delivers was won by the entry (`value`: the entry number).
    NoSuchWin,
    /// Set to 已发放, but the store room holds none of the prize (`value`: the prize item).
    NoPrizeOnHand,
}

/// A row of a returned sheet that was not applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct ReturnIssue {
    /// Its row number in the spreadsheet.
    pub row: u32,
    /// The column at fault: `entry` (抽奖编号) or `state` (状态).
    pub field: String,
    /// Why, as a code.
    pub code: ReturnIssueCode,
    /// The value the code speaks of, when it speaks of one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub value: Option<String>,
    /// Why, in English (logs and API users).
    pub reason: String,
}

/// What a returned sheet changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct ReturnReport {
    /// Wins whose state or note changed.
    pub updated: u32,
    /// Rows that matched a win and changed nothing.
    pub unchanged: u32,
    /// Rows not applied, and why; the other rows were.
    pub errors: Vec<ReturnIssue>,
}

/// Applies a carrier's returned sheet: each good row sets the state (and note) of the win of
/// that entry among the pools `carrier` delivers; a row naming no such win is reported, and
/// `issues` (rows the sheet reader could not read) are reported with them. Audited.
pub fn apply_returns(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    carrier: Carrier,
    rows: &[ReturnedRow],
    issues: &[ReturnIssue],
) -> Result<ReturnReport, StorageError> {
    storage::write(db, |tx| {
        let mut wins: HashMap<u32, WinRow> = carrier_wins(tx, carrier)?
            .into_iter()
            .map(|(w, _)| (w.entry, w))
            .collect();
        let mut report = ReturnReport {
            updated: 0,
            unchanged: 0,
            errors: issues.to_vec(),
        };
        for r in rows {
            let Some(win) = wins.get_mut(&r.entry) else {
                report.errors.push(ReturnIssue {
                    row: r.row,
                    field: "entry".into(),
                    code: ReturnIssueCode::NoSuchWin,
                    value: Some(r.entry.to_string()),
                    reason: format!(
                        "no prize {} delivers was won by entry {}",
                        carrier.code(),
                        r.entry
                    ),
                });
                continue;
            };
            let note = r.note.clone().or_else(|| win.note.clone());
            if win.state == r.state && win.note == note {
                report.unchanged += 1;
                continue;
            }
            let mut changed = win.clone();
            if changed.state != r.state {
                changed.state = r.state;
                changed.state_changed_at = now;
            }
            changed.note = note;
            if let Err(shortage) = super::wins::settle_prize(tx, actor, now, &changed)? {
                report.errors.push(ReturnIssue {
                    row: r.row,
                    field: "state".into(),
                    code: ReturnIssueCode::NoPrizeOnHand,
                    value: Some(shortage.item.clone()),
                    reason: shortage.to_string(),
                });
                continue;
            }
            tx.lottery_wins().update(&changed)?;
            *win = changed;
            report.updated += 1;
        }
        report.errors.sort_by_key(|e| e.row);
        tx.audit_log().append(
            now,
            actor,
            "lottery.carrier.returns",
            Some(carrier.code()),
            &json!({
                "carrier": carrier,
                "updated": report.updated,
                "unchanged": report.unchanged,
                "errors": report.errors.len(),
            }),
        )?;
        Ok(report)
    })
}
