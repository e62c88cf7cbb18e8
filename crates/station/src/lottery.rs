//! Lottery entrants (线下抽奖): a phone number is stored only with the entrant's consent.

use fieldpost_domain::{Consent, EntrantId, EventPayload, LotteryEntrant, MobileNumber, SessionId};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::sessions::open_session_plan;
use crate::{Error, Result, Station, outbox, time};

/// What the volunteer enters for an entrant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EntrantInput {
    /// The open session.
    pub session_id: SessionId,
    /// The number as typed.
    pub phone: String,
    /// The version of the consent text the entrant agreed to; `None` when they did not.
    pub consent_text_version: Option<String>,
}

/// A registered entrant as the screens show it: the number masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct EntrantReceipt {
    /// Identity.
    pub id: EntrantId,
    /// `138****1234`.
    pub phone_masked: String,
}

impl Station {
    /// Registers a lottery entrant. Consent comes first: without it the number is not even
    /// validated, let alone stored.
    pub fn register_entrant(&mut self, input: &EntrantInput) -> Result<EntrantReceipt> {
        let device_id = self.device_id()?;
        let now = self.now();
        let text_version = input
            .consent_text_version
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or(Error::ConsentRequired)?;
        let phone = MobileNumber::parse(&input.phone)?;
        let tx = self.conn.transaction()?;
        open_session_plan(&tx, input.session_id)?;
        let entrant = LotteryEntrant {
            id: EntrantId::new(),
            session_id: input.session_id,
            phone,
            consent: Consent {
                text_version: text_version.to_owned(),
                given_at: now,
            },
            registered_at: now,
        };
        let inserted = tx.execute(
            "INSERT INTO entrant (id, session_id, phone, consent_text_version, consent_given_at, registered_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5) ON CONFLICT (phone) DO NOTHING",
            params![
                entrant.id.to_string(),
                entrant.session_id.to_string(),
                entrant.phone.expose(),
                text_version,
                time::to_text(now)
            ],
        )?;
        if inserted == 0 {
            return Err(Error::DuplicateEntrant);
        }
        let receipt = EntrantReceipt {
            id: entrant.id,
            phone_masked: entrant.phone.masked(),
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
}
