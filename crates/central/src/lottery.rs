//! The lottery's central side of the numbers (issue 12): the terms the secretariat sets and
//! tablets pull, the key numbers are sealed to, the entrants as the console lists them, and
//! the deletion of every full number at the close or on the retention date.
//!
//! The key is a file beside the central ([`LotteryKeyFile`]); the database keeps its public
//! half, and the start-up ([`prepare`]) refuses a key file that does not match it. See
//! `docs/decisions/2026-12-01-lottery-numbers.md`.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use fieldpost_domain::{
    Carrier, EntrantId, LotteryPublicKey, LotterySecretKey, LotteryTerms, MobileNumber, UnitId,
};
use fieldpost_sync::Record;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use crate::audit::Actor;
use crate::lottery_key::{KeyFileError, LotteryKeyFile};
use crate::storage::{self, Database, LotteryRow, StorageError, Tx};

/// The change log's name for the lottery's record (campaign-wide, one per campaign).
pub const RECORD: &str = "lottery";

/// Asia/Shanghai (UTC+8 all year): the retention date is a day there.
pub fn shanghai() -> FixedOffset {
    // 8 hours is within ±24 h: the offset always exists.
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| unreachable!("UTC+8 is a valid offset"))
}

/// The lottery's terms and state as the console shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct LotteryTermsView {
    /// The consent text read to each entrant (empty until set).
    pub consent_text: String,
    /// Its version.
    pub consent_version: String,
    /// A short fingerprint of the key tablets seal numbers to; none before the terms are
    /// saved and after the numbers were deleted.
    pub public_key_fingerprint: Option<String>,
    /// Whether tablets may register entrants.
    pub registration_open: bool,
    /// When the terms or the state last changed.
    pub updated_at: Option<DateTime<Utc>>,
    /// The day (Asia/Shanghai) the numbers are deleted at 00:00, if set.
    pub retention_date: Option<NaiveDate>,
    /// When the numbers were deleted (the lottery closed).
    pub closed_at: Option<DateTime<Utc>>,
}

/// The terms the secretariat saves.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TermsInput {
    /// The consent text (知情同意), Chinese.
    pub consent_text: String,
    /// Its version: change it when the text changes.
    pub consent_version: String,
}

/// One entrant as the console lists it: masked number only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct EntrantLine {
    /// The entrant.
    pub id: EntrantId,
    /// The public entry number, once the entrant list is frozen.
    pub entry: Option<u32>,
    /// The masked number (`138****1234`).
    pub phone_masked: String,
    /// The carrier.
    pub carrier: Carrier,
    /// The unit whose station registered them.
    pub unit_id: UnitId,
    /// Its name.
    pub unit_name: String,
    /// When they registered.
    pub registered_at: DateTime<Utc>,
}

/// Entrants per carrier.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct EntrantsByCarrier {
    /// 中国电信.
    pub telecom: u64,
    /// 中国移动.
    pub mobile: u64,
    /// 中国联通.
    pub unicom: u64,
    /// Any other.
    pub other: u64,
}

/// The campaign's entrants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct EntrantList {
    /// How many.
    pub total: u64,
    /// How many per carrier.
    pub by_carrier: EntrantsByCarrier,
    /// Each, in the order registered.
    pub entrants: Vec<EntrantLine>,
}

/// What one deletion of the lottery's numbers removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct DeletionReport {
    /// When.
    pub deleted_at: DateTime<Utc>,
    /// Who asked (a console user, or `system:retention`).
    pub deleted_by: String,
    /// Why.
    pub reason: String,
    /// Entrant rows whose sealed number was emptied.
    pub entrant_rows: u64,
    /// Stored `entrant_registered` event bodies whose sealed number was emptied.
    pub event_payloads: u64,
    /// Whether the lottery key file was deleted (false when there was none any more).
    pub key_file_deleted: bool,
}

/// Why a lottery use case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum LotteryError {
    /// A field of the request is not acceptable.
    #[error("{field}: {reason}")]
    Invalid {
        /// The request field.
        field: &'static str,
        /// Why.
        reason: String,
    },
    /// No campaign has been set up.
    #[error("no campaign has been set up")]
    NoCampaign,
    /// The lottery has no terms yet.
    #[error("the lottery has no terms yet")]
    NoTerms,
    /// The lottery closed: its numbers were deleted.
    #[error("the lottery is closed: its numbers were deleted")]
    Closed,
    /// The database holds a lottery public key and the key file is missing: tablets seal
    /// numbers to a key the central no longer has.
    #[error(
        "lottery key file {path} is missing, yet the database holds the lottery's public key \
         (fingerprint {fingerprint}): tablets seal entrants' numbers to it. Restore the file \
         (from the backup of this central's files, or the other instance that shares it), or \
         pass --lottery-key with its path"
    )]
    KeyMissing {
        /// The file.
        path: String,
        /// The stored key's fingerprint.
        fingerprint: String,
    },
    /// The key file holds another key than the one the database names.
    #[error(
        "lottery key file {path} holds the key {found}, but the database's lottery key is \
         {fingerprint}: tablets seal entrants' numbers to the latter. Put that key's file at \
         this path, or pass --lottery-key with its path"
    )]
    KeyMismatch {
        /// The file.
        path: String,
        /// The stored key's fingerprint.
        fingerprint: String,
        /// The file's key's fingerprint.
        found: String,
    },
    /// The key file could not be read or written.
    #[error(transparent)]
    KeyFile(#[from] KeyFileError),
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Whether registration is open: the one place that decides whether a pushed entrant can be
/// entered. Open while the campaign's lottery has its terms and its key, is not closed, and
/// its entrant list is not frozen for the draw.
pub fn registration_open(tx: &mut dyn Tx) -> Result<bool, StorageError> {
    let Some(campaign) = tx.campaigns().current_id()? else {
        return Ok(false);
    };
    let terms = tx
        .lottery()
        .get(&campaign.to_string())?
        .is_some_and(|row| terms_open(&row));
    // Freezing the entrant list for the draw closes registration too.
    Ok(terms && !crate::draw::list::is_frozen(tx)?)
}

/// The row's own part of [`registration_open`].
fn terms_open(row: &LotteryRow) -> bool {
    row.closed_at.is_none() && row.public_key.is_some() && !row.consent_text.trim().is_empty()
}

/// The campaign's lottery row, with the campaign's id.
pub(crate) fn current(
    tx: &mut dyn Tx,
) -> Result<Option<(String, Option<LotteryRow>)>, StorageError> {
    let Some(campaign) = tx.campaigns().current_id()? else {
        return Ok(None);
    };
    let campaign = campaign.to_string();
    let row = tx.lottery().get(&campaign)?;
    Ok(Some((campaign, row)))
}

/// Stamps the lottery's record for the tablets' pull (its terms, key or state changed).
pub(crate) fn stamp(
    tx: &mut dyn Tx,
    now: DateTime<Utc>,
    campaign: &str,
) -> Result<(), StorageError> {
    tx.change_log().changed(now, RECORD, campaign, None, None)?;
    Ok(())
}

/// The lottery's record as a device pulls it.
pub(crate) fn record(tx: &mut dyn Tx, campaign: &str) -> Result<Option<Record>, StorageError> {
    let Some(row) = tx.lottery().get(campaign)? else {
        return Ok(None);
    };
    let open = registration_open(tx)?;
    let public_key = match &row.public_key {
        Some(text) => Some(
            LotteryPublicKey::parse(text)
                .map_err(|e| StorageError::Corrupt(format!("lottery public key: {e}")))?,
        ),
        None => None,
    };
    Ok(Some(Record::Lottery {
        terms: LotteryTerms {
            consent_text: row.consent_text,
            consent_version: row.consent_version,
            public_key,
            registration_open: open,
        },
    }))
}

fn view(tx: &mut dyn Tx, row: Option<&LotteryRow>) -> Result<LotteryTermsView, StorageError> {
    let open = registration_open(tx)?;
    Ok(match row {
        None => LotteryTermsView {
            consent_text: String::new(),
            consent_version: String::new(),
            public_key_fingerprint: None,
            registration_open: false,
            updated_at: None,
            retention_date: None,
            closed_at: None,
        },
        Some(row) => LotteryTermsView {
            consent_text: row.consent_text.clone(),
            consent_version: row.consent_version.clone(),
            public_key_fingerprint: row
                .public_key
                .as_deref()
                .and_then(|k| LotteryPublicKey::parse(k).ok())
                .map(|k| k.fingerprint()),
            registration_open: open,
            updated_at: Some(row.updated_at),
            retention_date: row.retention_date,
            closed_at: row.closed_at,
        },
    })
}

/// The lottery's terms and state.
pub fn terms(db: &dyn Database) -> Result<LotteryTermsView, StorageError> {
    storage::read(db, |tx| {
        let row = current(tx)?.and_then(|(_, row)| row);
        view(tx, row.as_ref())
    })
}

/// The secret key for a lottery whose stored public key is `stored`: the file's, checked
/// against it (read again from disk if this instance's copy is stale: another instance may
/// have made it); made when the database names none yet.
pub fn key_for(
    file: &LotteryKeyFile,
    stored: Option<&str>,
) -> Result<LotterySecretKey, LotteryError> {
    let Some(stored) = stored else {
        return Ok(file.get_or_create()?);
    };
    let stored_key = LotteryPublicKey::parse(stored)
        .map_err(|e| StorageError::Corrupt(format!("lottery public key: {e}")))?;
    let matches = |k: &LotterySecretKey| k.public_key() == stored_key;
    if let Some(key) = file.key().filter(matches) {
        return Ok(key);
    }
    match file.reload()? {
        Some(key) if matches(&key) => Ok(key),
        Some(key) => Err(LotteryError::KeyMismatch {
            path: file.path().display().to_string(),
            fingerprint: stored_key.fingerprint(),
            found: key.public_key().fingerprint(),
        }),
        None => Err(LotteryError::KeyMissing {
            path: file.path().display().to_string(),
            fingerprint: stored_key.fingerprint(),
        }),
    }
}

/// Saves the consent text and version (admin). The key is made with the first terms; the
/// tablets pull the terms with it. Refused: an empty text or version, a changed text under
/// the same version, a closed lottery.
pub fn save_terms(
    db: &dyn Database,
    key_file: &LotteryKeyFile,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &TermsInput,
) -> Result<LotteryTermsView, LotteryError> {
    let text = input.consent_text.trim();
    let version = input.consent_version.trim();
    if text.is_empty() {
        return Err(LotteryError::Invalid {
            field: "consent_text",
            reason: "the consent text read to entrants is empty".into(),
        });
    }
    if version.is_empty() {
        return Err(LotteryError::Invalid {
            field: "consent_version",
            reason: "the consent text needs a version".into(),
        });
    }
    storage::write(db, |tx| {
        let (campaign, row) = current(tx)?.ok_or(LotteryError::NoCampaign)?;
        if let Some(row) = &row {
            if row.closed_at.is_some() {
                return Err(LotteryError::Closed);
            }
            if row.consent_version == version
                && !row.consent_text.is_empty()
                && row.consent_text != text
            {
                return Err(LotteryError::Invalid {
                    field: "consent_version",
                    reason: format!(
                        "the text changed under the same version {version:?}: change the \
                         version when the text changes (entrants' consents name the version)"
                    ),
                });
            }
        }
        let key = key_for(key_file, row.as_ref().and_then(|r| r.public_key.as_deref()))?;
        let new = LotteryRow {
            consent_text: text.to_owned(),
            consent_version: version.to_owned(),
            public_key: Some(key.public_key().to_text()),
            updated_at: now,
            retention_date: row.as_ref().and_then(|r| r.retention_date),
            closed_at: None,
        };
        tx.lottery().put(&campaign, &new)?;
        stamp(tx, now, &campaign)?;
        tx.audit_log().append(
            now,
            actor,
            "lottery.terms",
            Some(&campaign),
            &json!({"consent_version": version, "consent_text_chars": text.chars().count()}),
        )?;
        Ok(view(tx, Some(&new))?)
    })
}

/// A seed's terms, written in the seed's transaction without a key (there is no key file in
/// a seed's reach): [`prepare`] makes it at the central's start.
pub(crate) fn seed_terms_in(
    tx: &mut dyn Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    input: &TermsInput,
) -> Result<(), LotteryError> {
    let (campaign, row) = current(tx)?.ok_or(LotteryError::NoCampaign)?;
    if row.is_some() {
        return Ok(());
    }
    let (text, version) = (input.consent_text.trim(), input.consent_version.trim());
    if text.is_empty() || version.is_empty() {
        return Err(LotteryError::Invalid {
            field: if text.is_empty() {
                "consent_text"
            } else {
                "consent_version"
            },
            reason: "empty".into(),
        });
    }
    tx.lottery().put(
        &campaign,
        &LotteryRow {
            consent_text: text.to_owned(),
            consent_version: version.to_owned(),
            public_key: None,
            updated_at: now,
            retention_date: None,
            closed_at: None,
        },
    )?;
    tx.audit_log().append(
        now,
        actor,
        "lottery.terms",
        Some(&campaign),
        &json!({"consent_version": version, "consent_text_chars": text.chars().count()}),
    )?;
    Ok(())
}

/// The consent text the demo and the tests' worlds start with (the secretariat edits it in
/// the console), after the organizing plan's lottery: the number serves the draw and the
/// carrier's delivery of a prize only, and is deleted after the lottery.
pub const DEFAULT_CONSENT_TEXT: &str = "本人自愿参加 2022 网民网络安全感满意度调查活动（揭阳站）\
线下抽奖，同意登记本人手机号码。号码仅用于本次抽奖及中奖后由所属运营商（电信、移动、联通）\
发放奖品，不作其他用途，不向其他单位提供；号码在登记时即加密保存，显示时隐去中间四位，\
抽奖结束后按规定删除。";

/// The version of [`DEFAULT_CONSENT_TEXT`].
pub const DEFAULT_CONSENT_VERSION: &str = "2022-1";

/// Sets or clears the day (Asia/Shanghai) the numbers are deleted (admin).
pub fn set_retention(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    delete_on: Option<NaiveDate>,
) -> Result<LotteryTermsView, LotteryError> {
    storage::write(db, |tx| {
        let (campaign, row) = current(tx)?.ok_or(LotteryError::NoCampaign)?;
        let mut row = row.ok_or(LotteryError::NoTerms)?;
        if row.closed_at.is_some() {
            return Err(LotteryError::Closed);
        }
        row.retention_date = delete_on;
        row.updated_at = now;
        tx.lottery().put(&campaign, &row)?;
        tx.audit_log().append(
            now,
            actor,
            "lottery.retention",
            Some(&campaign),
            &json!({"delete_on": delete_on}),
        )?;
        Ok(view(tx, Some(&row))?)
    })
}

/// The campaign's entrants, masked.
pub fn entrants(db: &dyn Database) -> Result<EntrantList, StorageError> {
    storage::read(db, |tx| {
        let Some(campaign) = tx.campaigns().current_id()? else {
            return Ok(EntrantList {
                total: 0,
                by_carrier: EntrantsByCarrier::default(),
                entrants: Vec::new(),
            });
        };
        let mut entrants = tx.lottery_entrants().list(&campaign.to_string())?;
        if let Some(list) = tx.lottery_lists().current()? {
            let entry_of: std::collections::HashMap<_, _> = tx
                .lottery_lists()
                .rows(list.id)?
                .into_iter()
                .map(|r| (r.entrant_id, r.entry))
                .collect();
            for e in &mut entrants {
                e.entry = entry_of.get(&e.id).copied();
            }
        }
        let mut by = EntrantsByCarrier::default();
        for e in &entrants {
            *match e.carrier {
                Carrier::Telecom => &mut by.telecom,
                Carrier::Mobile => &mut by.mobile,
                Carrier::Unicom => &mut by.unicom,
                Carrier::Other => &mut by.other,
            } += 1;
        }
        Ok(EntrantList {
            total: entrants.len() as u64,
            by_carrier: by,
            entrants,
        })
    })
}

/// The deletion reports, oldest first.
pub fn deletions(db: &dyn Database) -> Result<Vec<DeletionReport>, StorageError> {
    storage::read(db, |tx| match tx.campaigns().current_id()? {
        Some(c) => tx.lottery().deletions(&c.to_string()),
        None => Ok(Vec::new()),
    })
}

/// Closes the lottery now (admin): every full number is deleted (see [`delete_numbers`]).
pub fn close(
    db: &dyn Database,
    key_file: &LotteryKeyFile,
    actor: &Actor,
    now: DateTime<Utc>,
    reason: &str,
) -> Result<DeletionReport, LotteryError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(LotteryError::Invalid {
            field: "reason",
            reason: "say why the lottery closes (e.g. 抽奖结束，奖品已发放)".into(),
        });
    }
    delete_numbers(db, key_file, actor, now, reason)
}

/// Deletes the numbers when the retention date has come (00:00 Asia/Shanghai of that day);
/// the server checks at start-up and every minute. Returns the report if it deleted.
pub fn delete_if_due(
    db: &dyn Database,
    key_file: &LotteryKeyFile,
    now: DateTime<Utc>,
) -> Result<Option<DeletionReport>, LotteryError> {
    let today = now.with_timezone(&shanghai()).date_naive();
    let due = storage::read(db, |tx| {
        Ok::<_, StorageError>(current(tx)?.and_then(|(_, row)| row).and_then(|row| {
            row.retention_date
                .filter(|d| row.closed_at.is_none() && *d <= today)
        }))
    })?;
    let Some(day) = due else {
        return Ok(None);
    };
    let reason = format!("retention date {day} reached");
    match delete_numbers(db, key_file, &Actor::System("retention"), now, &reason) {
        Ok(report) => Ok(Some(report)),
        // Another instance deleted them in between.
        Err(LotteryError::Closed) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Deletes every full number: empties the sealed number in every entrant row and every
/// stored `entrant_registered` event, deletes the key file (so any sealed copy that survives
/// anywhere opens for no one), records the report, and stamps the lottery's record (no key,
/// registration closed). After the commit the database is asked to let go of the old bytes
/// ([`Database::reclaim_erased`]).
///
/// The key file goes last inside the transaction, once every row is emptied: were the commit
/// to fail after it, the numbers would already be unreadable and the start-up says so.
pub fn delete_numbers(
    db: &dyn Database,
    key_file: &LotteryKeyFile,
    actor: &Actor,
    now: DateTime<Utc>,
    reason: &str,
) -> Result<DeletionReport, LotteryError> {
    // A retried transaction (PostgreSQL) finds the file gone: it was this deletion's.
    let mut file_deleted = false;
    let report = storage::write(db, |tx| {
        let (campaign, row) = current(tx)?.ok_or(LotteryError::NoCampaign)?;
        let mut row = row.ok_or(LotteryError::NoTerms)?;
        if row.closed_at.is_some() {
            return Err(LotteryError::Closed);
        }
        let entrant_rows = tx.lottery_entrants().erase_numbers(&campaign)?;
        let event_payloads = tx.device_events().erase_entrant_numbers()?;
        row.public_key = None;
        row.closed_at = Some(now);
        row.updated_at = now;
        tx.lottery().put(&campaign, &row)?;
        stamp(tx, now, &campaign)?;
        file_deleted |= key_file.delete()?;
        let report = DeletionReport {
            deleted_at: now,
            deleted_by: actor.to_string(),
            reason: reason.to_owned(),
            entrant_rows,
            event_payloads,
            key_file_deleted: file_deleted,
        };
        tx.lottery().record_deletion(&campaign, &report)?;
        tx.audit_log().append(
            now,
            actor,
            "lottery.close",
            Some(&campaign),
            &json!({"reason": reason, "entrant_rows": entrant_rows,
                    "event_payloads": event_payloads, "key_file_deleted": file_deleted}),
        )?;
        Ok(report)
    })?;
    if let Err(e) = db.reclaim_erased() {
        tracing::warn!(error = %e, "the lottery's numbers are deleted; reclaiming their old bytes failed");
    }
    Ok(report)
}

/// What [`prepare`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prepared {
    /// The key file was made now (terms existed with no key yet).
    pub key_created: bool,
    /// Entrants stored with a plain number before migration 0007, now sealed.
    pub legacy_sealed: u64,
    /// The retention date had come: the numbers were deleted.
    pub deleted: Option<DeletionReport>,
}

/// The central's start: checks the key file against the database (refusing a key that
/// differs from the stored public key, or a missing one while the lottery is not closed),
/// makes the key if terms exist without one, seals entrants stored with plain numbers before
/// migration 0007, and deletes the numbers if the retention date has come.
pub fn prepare(
    db: &dyn Database,
    key_file: &LotteryKeyFile,
    now: DateTime<Utc>,
) -> Result<Prepared, LotteryError> {
    let mut prepared = Prepared::default();
    storage::write(db, |tx| {
        let Some((campaign, row)) = current(tx)? else {
            return Ok(());
        };
        let legacy = tx.lottery_entrants().legacy()?;
        let row = match row {
            Some(row) if row.closed_at.is_some() => {
                // Nothing can be sealed any more; a plain number has no business here.
                if !legacy.is_empty() {
                    tx.lottery_entrants().erase_numbers(&campaign)?;
                }
                return Ok(());
            }
            Some(row) => Some(row),
            None if legacy.is_empty() => return Ok(()),
            // Entrants from before the terms existed: the lottery gets its key (and empty
            // terms, for the secretariat to fill in) so their numbers can be sealed.
            None => None,
        };
        let stored = row.as_ref().and_then(|r| r.public_key.clone());
        let key = key_for(key_file, stored.as_deref())?;
        if stored.is_none() {
            prepared.key_created = true;
            let new = LotteryRow {
                public_key: Some(key.public_key().to_text()),
                updated_at: now,
                ..row.clone().unwrap_or(LotteryRow {
                    consent_text: String::new(),
                    consent_version: String::new(),
                    public_key: None,
                    updated_at: now,
                    retention_date: None,
                    closed_at: None,
                })
            };
            tx.lottery().put(&campaign, &new)?;
            stamp(tx, now, &campaign)?;
        }
        prepared.legacy_sealed = 0;
        for e in &legacy {
            let Ok(number) = MobileNumber::parse(&e.phone) else {
                // Stored before validation was what it is: kept as it was, never lost.
                continue;
            };
            let sealed = key.public_key().seal(&number);
            tx.lottery_entrants().seal_legacy(
                &e.id,
                sealed.as_str(),
                &key.phone_hash(&number),
                &number.masked(),
                Carrier::of_number(&number),
            )?;
            prepared.legacy_sealed += 1;
        }
        if prepared.legacy_sealed > 0 {
            tx.audit_log().append(
                now,
                &Actor::System("start"),
                "lottery.seal_legacy",
                Some(&campaign),
                &json!({"entrants": prepared.legacy_sealed}),
            )?;
        }
        Ok::<_, LotteryError>(())
    })?;
    prepared.deleted = delete_if_due(db, key_file, now)?;
    Ok(prepared)
}
