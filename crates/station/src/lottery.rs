//! Lottery entrants (线下抽奖): a phone number is taken only with the entrant's consent to the
//! secretariat's current terms, and never stored in full.
//!
//! The terms (consent text, its version, the central's lottery public key, whether
//! registration is open) come from the central by pull ([`Station::apply_pull`] stores them;
//! [`Station::lottery_terms`] shows them). At registration the number is sealed at once to
//! that key ([`fieldpost_domain::sealed`]) and the tablet keeps only:
//!
//! - the sealed number, in the outbox event, until the central acknowledges it (then the
//!   payload's `phone_sealed` is emptied, see [`crate::sync`]);
//! - the masked form (`138****1234`) and the carrier, for the screens;
//! - a keyed hash (HMAC-SHA256 under a key derived from the device key, which is not in the
//!   database) for "one entry per phone" on this tablet.
//!
//! See `docs/decisions/2026-12-01-lottery-numbers.md`.

use chrono::{DateTime, Utc};
use fieldpost_domain::{
    Carrier, Consent, EntrantId, EventPayload, LotteryEntrant, LotteryPublicKey, LotteryTerms,
    MobileNumber, SessionId,
};
use rusqlite::{OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::device_key::DeviceKey;
use crate::sessions::open_session_plan;
use crate::{Error, Result, Station, outbox, time};

/// What the volunteer enters for an entrant. `Debug` masks the number, so that a log line
/// cannot leak it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EntrantInput {
    /// The open session.
    pub session_id: SessionId,
    /// The number as typed.
    pub phone: String,
    /// The carrier the entrant confirmed: pre-selected from the number's prefix
    /// ([`suggested_carrier`]) and changeable, since numbers move between carriers (携号转网).
    pub carrier: Carrier,
    /// The version of the consent text the entrant agreed to (the current terms'
    /// `consent_version`); `None` when they did not agree.
    pub consent_text_version: Option<String>,
}

impl std::fmt::Debug for EntrantInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let phone = match MobileNumber::parse(&self.phone) {
            Ok(n) => n.masked(),
            Err(_) => format!("<{} characters>", self.phone.chars().count()),
        };
        f.debug_struct("EntrantInput")
            .field("session_id", &self.session_id)
            .field("phone", &phone)
            .field("carrier", &self.carrier)
            .field("consent_text_version", &self.consent_text_version)
            .finish()
    }
}

/// A registered entrant as the screens show it: the number masked, with the carrier.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EntrantReceipt {
    /// Identity.
    pub id: EntrantId,
    /// `138****1234`.
    pub phone_masked: String,
    /// The carrier recorded.
    pub carrier: Carrier,
}

/// The lottery's terms as the entrant panel shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct LotteryTermsView {
    /// The consent text (知情同意) to show the entrant, as the secretariat wrote it.
    pub consent_text: String,
    /// Its version: what a registration sends back as the consent given.
    pub consent_version: String,
    /// Whether entrants can be registered now: the secretariat keeps registration open and
    /// the central's key is there to seal numbers to.
    pub registration_open: bool,
    /// A short fingerprint of the central's lottery key, to compare by eye with the
    /// console's; `None` once the lottery closed and its key was deleted.
    pub key_fingerprint: Option<String>,
    /// When this tablet received these terms.
    pub received_at: DateTime<Utc>,
}

/// The carrier to pre-select for what the volunteer typed, once it parses as a mobile
/// number: the 号段 table ([`Carrier::of_number`]) is the one source of it.
pub fn suggested_carrier(typed: &str) -> Option<Carrier> {
    MobileNumber::parse(typed)
        .ok()
        .map(|n| Carrier::of_number(&n))
}

/// The terms as stored.
struct StoredTerms {
    consent_text: String,
    consent_version: String,
    public_key: Option<String>,
    registration_open: bool,
    received_at: String,
}

fn stored_terms(conn: &rusqlite::Connection) -> Result<Option<StoredTerms>> {
    Ok(conn
        .prepare_cached(
            "SELECT consent_text, consent_version, public_key, registration_open, received_at
             FROM lottery_terms WHERE singleton = 1",
        )?
        .query_row([], |r| {
            Ok(StoredTerms {
                consent_text: r.get(0)?,
                consent_version: r.get(1)?,
                public_key: r.get(2)?,
                registration_open: r.get(3)?,
                received_at: r.get(4)?,
            })
        })
        .optional()?)
}

impl Station {
    /// The lottery's terms as the central last sent them; `None` before the first pull that
    /// brought them.
    pub fn lottery_terms(&self) -> Result<Option<LotteryTermsView>> {
        stored_terms(&self.conn)?
            .map(|t| {
                let key = t
                    .public_key
                    .as_deref()
                    .map(LotteryPublicKey::parse)
                    .transpose()
                    .map_err(|e| Error::Corrupt(format!("lottery_terms.public_key: {e}")))?;
                Ok(LotteryTermsView {
                    registration_open: t.registration_open && key.is_some(),
                    key_fingerprint: key.map(|k| k.fingerprint()),
                    consent_text: t.consent_text,
                    consent_version: t.consent_version,
                    received_at: time::from_text(&t.received_at)?,
                })
            })
            .transpose()
    }

    /// Registers a lottery entrant under the current terms. Refused, with nothing stored,
    /// when no terms have arrived, when registration is closed, without consent, when the
    /// consent given is not the current version, for a malformed number, and for a number
    /// this tablet registered already. The number is sealed to the central's key before
    /// anything is written; the store never sees it in full.
    pub fn register_entrant(&mut self, input: &EntrantInput) -> Result<EntrantReceipt> {
        let device_id = self.device_id()?;
        let now = self.now();
        let terms = stored_terms(&self.conn)?.ok_or(Error::LotteryTermsMissing)?;
        let public_key = match (&terms.public_key, terms.registration_open) {
            (Some(key), true) => LotteryPublicKey::parse(key)
                .map_err(|e| Error::Corrupt(format!("lottery_terms.public_key: {e}")))?,
            _ => return Err(Error::RegistrationClosed),
        };
        let given = input
            .consent_text_version
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or(Error::ConsentRequired)?;
        if given != terms.consent_version {
            return Err(Error::ConsentVersionStale {
                given: given.to_owned(),
                current: terms.consent_version,
            });
        }
        let phone = MobileNumber::parse(&input.phone)?;
        let phone_hash = self.key.phone_hash(&phone);
        let tx = self.conn.transaction()?;
        open_session_plan(&tx, input.session_id)?;
        let entrant = LotteryEntrant {
            id: EntrantId::new(),
            session_id: input.session_id,
            phone_sealed: public_key.seal(&phone),
            phone_masked: phone.masked(),
            carrier: input.carrier,
            consent: Consent {
                text_version: terms.consent_version.clone(),
                given_at: now,
            },
            registered_at: now,
        };
        let inserted = tx.execute(
            "INSERT INTO entrant (id, session_id, phone_hash, phone_masked, carrier,
                consent_text_version, consent_given_at, registered_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) ON CONFLICT (phone_hash) DO NOTHING",
            params![
                entrant.id.to_string(),
                entrant.session_id.to_string(),
                phone_hash,
                entrant.phone_masked,
                entrant.carrier.code(),
                terms.consent_version,
                time::to_text(now)
            ],
        )?;
        if inserted == 0 {
            return Err(Error::DuplicateEntrant);
        }
        let receipt = EntrantReceipt {
            id: entrant.id,
            phone_masked: entrant.phone_masked.clone(),
            carrier: entrant.carrier,
        };
        outbox::append(
            &tx,
            device_id,
            now,
            EventPayload::EntrantRegistered { entrant },
        )?;
        outbox::commit(tx, &self.outbox_grew)?;
        Ok(receipt)
    }

    /// How many entrant events wait for the central's lottery key before they can be sent
    /// (only entrants migrated from before numbers were sealed; see `migrate.rs`).
    pub fn entrants_awaiting_seal(&self) -> Result<u64> {
        let n: i64 =
            self.conn
                .query_row("SELECT COUNT(*) FROM entrant_awaiting_seal", [], |r| {
                    r.get(0)
                })?;
        Ok(n.unsigned_abs())
    }
}

/// Stores pulled terms (inside the pull's transaction) and settles the entrant events that
/// waited for them: with a key, each waiting number is sealed into its event's payload; with
/// none (the lottery closed and its key is gone), the waiting number is dropped and the event
/// goes as it is, with an empty `phone_sealed` (the central quarantines it, and the lottery it
/// was for is over). Either way the push may then send them.
pub(crate) fn store_terms(
    tx: &Transaction<'_>,
    key: &DeviceKey,
    terms: &LotteryTerms,
    now: &str,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO lottery_terms (singleton, consent_text, consent_version, public_key,
            registration_open, received_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (singleton) DO UPDATE SET consent_text = excluded.consent_text,
            consent_version = excluded.consent_version, public_key = excluded.public_key,
            registration_open = excluded.registration_open, received_at = excluded.received_at",
    )?
    .execute(params![
        terms.consent_text,
        terms.consent_version,
        terms.public_key.as_ref().map(LotteryPublicKey::to_text),
        terms.registration_open,
        now
    ])?;
    let waiting: Vec<(i64, String)> = {
        let mut stmt =
            tx.prepare_cached("SELECT event_seq, phone_encrypted FROM entrant_awaiting_seal")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for (seq, encrypted) in waiting {
        if let Some(public_key) = &terms.public_key {
            let number = key.open_waiting_phone(&encrypted)?;
            tx.execute(
                "UPDATE events SET payload = json_set(payload, '$.payload.entrant.phone_sealed', ?2)
                 WHERE seq = ?1",
                params![seq, public_key.seal(&number).as_str()],
            )?;
        }
        tx.execute(
            "DELETE FROM entrant_awaiting_seal WHERE event_seq = ?1",
            [seq],
        )?;
    }
    Ok(())
}
