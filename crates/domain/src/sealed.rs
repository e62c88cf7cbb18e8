//! Lottery numbers sealed on the tablet for the central, and keyed hashes of them.
//!
//! A tablet that registers an entrant never stores the full number: it seals it at once to
//! the central's lottery public key (which it pulled), keeps a keyed hash for "one entry per
//! phone" and the masked form for its screens, and sends the sealed number in the event. Only
//! the holder of the lottery secret key (a file beside the central, never inside its
//! database) can open it; deleting that key at the lottery's close makes every sealed copy
//! unreadable, wherever it was copied to.
//!
//! The seal is an anonymous box: X25519 with a fresh ephemeral key per number, the shared
//! secret stretched by HKDF-SHA256 (salt = ephemeral public key ‖ recipient public key, info
//! `fieldpost-phone-seal-1`) into a ChaCha20-Poly1305 key, used once with the all-zero nonce.
//! On the wire: `v1.` + base64url (no padding) of ephemeral public key (32 bytes) ‖ ciphertext.
//! See `docs/decisions/2026-12-01-lottery-numbers.md`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use ts_rs::TS;
use x25519_dalek::{PublicKey, StaticSecret};

use crate::phone::MobileNumber;

const SEAL_INFO: &[u8] = b"fieldpost-phone-seal-1";
const SEAL_PREFIX: &str = "v1.";

/// Why a sealed number or a key could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// Not `v1.` + base64url, or too short to hold a key and a tag.
    #[error("not a sealed number")]
    Malformed,
    /// The key does not open it (sealed to another key, or changed on the way).
    #[error("sealed to another key, or altered")]
    WrongKey,
    /// It opened, but what was inside is not a mobile number.
    #[error("the sealed value is not a mobile number")]
    NotANumber,
    /// A key in text is not 32 bytes of base64url.
    #[error("not a lottery key")]
    BadKey,
}

/// The central's lottery public key, as tablets pull it: base64url, no padding, 32 bytes.
#[derive(Clone, PartialEq, Eq, Hash, TS, JsonSchema)]
#[ts(type = "string")]
#[schemars(with = "String")]
pub struct LotteryPublicKey([u8; 32]);

impl LotteryPublicKey {
    /// The key's text form.
    pub fn to_text(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// Reads [`LotteryPublicKey::to_text`]'s output.
    pub fn parse(text: &str) -> Result<LotteryPublicKey, SealError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| SealError::BadKey)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| SealError::BadKey)?;
        Ok(LotteryPublicKey(bytes))
    }

    /// A short fingerprint to compare by eye (first 8 bytes of its SHA-256, hex).
    pub fn fingerprint(&self) -> String {
        Sha256::digest(self.0)[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Seals a number to this key: only the secret key's holder can open the result.
    pub fn seal(&self, number: &MobileNumber) -> SealedPhone {
        let mut ephemeral = [0u8; 32];
        rand::rng().fill_bytes(&mut ephemeral);
        let ephemeral = StaticSecret::from(ephemeral);
        let ephemeral_public = PublicKey::from(&ephemeral);
        let shared = ephemeral.diffie_hellman(&PublicKey::from(self.0));
        let cipher = cipher(shared.as_bytes(), ephemeral_public.as_bytes(), &self.0);
        // A fresh key for every seal: the fixed nonce is never used twice with one key.
        let sealed = cipher
            .encrypt(&Nonce::default(), number.expose().as_bytes())
            .unwrap_or_default();
        let mut bytes = Vec::with_capacity(32 + sealed.len());
        bytes.extend_from_slice(ephemeral_public.as_bytes());
        bytes.extend_from_slice(&sealed);
        SealedPhone(format!("{SEAL_PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes)))
    }
}

impl Serialize for LotteryPublicKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_text())
    }
}

impl<'de> Deserialize<'de> for LotteryPublicKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        LotteryPublicKey::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl std::fmt::Debug for LotteryPublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LotteryPublicKey({})", self.fingerprint())
    }
}

/// The central's lottery secret key. Kept in a file outside the database; `Debug` never
/// prints it.
#[derive(Clone)]
pub struct LotterySecretKey(StaticSecret);

impl LotterySecretKey {
    /// A new random key.
    pub fn generate() -> LotterySecretKey {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        LotterySecretKey(StaticSecret::from(bytes))
    }

    /// The key's text form, for its file.
    pub fn to_text(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.to_bytes())
    }

    /// Reads [`LotterySecretKey::to_text`]'s output.
    pub fn parse(text: &str) -> Result<LotterySecretKey, SealError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| SealError::BadKey)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| SealError::BadKey)?;
        Ok(LotterySecretKey(StaticSecret::from(bytes)))
    }

    /// Its public half, for the tablets.
    pub fn public_key(&self) -> LotteryPublicKey {
        LotteryPublicKey(PublicKey::from(&self.0).to_bytes())
    }

    /// Opens a sealed number.
    pub fn open(&self, sealed: &SealedPhone) -> Result<MobileNumber, SealError> {
        let body = sealed
            .0
            .strip_prefix(SEAL_PREFIX)
            .ok_or(SealError::Malformed)?;
        let bytes = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| SealError::Malformed)?;
        if bytes.len() < 32 + 16 {
            return Err(SealError::Malformed);
        }
        let (ephemeral, sealed) = bytes.split_at(32);
        let ephemeral: [u8; 32] = ephemeral.try_into().map_err(|_| SealError::Malformed)?;
        let shared = self.0.diffie_hellman(&PublicKey::from(ephemeral));
        let public = PublicKey::from(&self.0);
        let cipher = cipher(shared.as_bytes(), &ephemeral, public.as_bytes());
        let plain = cipher
            .decrypt(&Nonce::default(), sealed)
            .map_err(|_| SealError::WrongKey)?;
        let text = String::from_utf8(plain).map_err(|_| SealError::NotANumber)?;
        MobileNumber::parse(&text).map_err(|_| SealError::NotANumber)
    }

    /// The keyed hash the central keeps "one entry per phone" by: HMAC-SHA256 under a key
    /// derived from this secret key, hex. Without the key file, the 10^10 possible numbers
    /// cannot be tried against it.
    pub fn phone_hash(&self, number: &MobileNumber) -> String {
        let key = Sha256::new()
            .chain_update(b"fieldpost-phone-hash-1\n")
            .chain_update(self.0.to_bytes())
            .finalize();
        keyed_hash(&key, number)
    }
}

impl std::fmt::Debug for LotterySecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "LotterySecretKey(public {})",
            self.public_key().fingerprint()
        )
    }
}

/// A number sealed to the central's lottery key (`v1.…`). Says nothing without the key.
#[derive(Clone, PartialEq, Eq, Hash, TS, JsonSchema)]
#[ts(type = "string")]
#[schemars(with = "String")]
pub struct SealedPhone(String);

impl Serialize for SealedPhone {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SealedPhone {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(SealedPhone)
    }
}

impl SealedPhone {
    /// Wraps a stored or received sealed number (checked only when opened).
    pub fn from_text(text: impl Into<String>) -> SealedPhone {
        SealedPhone(text.into())
    }

    /// Its text form, as stored and sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SealedPhone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealedPhone(…)")
    }
}

/// HMAC-SHA256 of a number under `key`, hex: what a tablet keeps for "one entry per phone"
/// (under its own device key, which is not in its database).
pub fn keyed_hash(key: &[u8], number: &MobileNumber) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| {
        // HMAC takes keys of any length; this branch cannot be reached.
        <Hmac<Sha256> as Mac>::new_from_slice(&[0u8; 32]).unwrap_or_else(|_| unreachable!())
    });
    mac.update(number.expose().as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn cipher(shared: &[u8; 32], ephemeral: &[u8; 32], recipient: &[u8; 32]) -> ChaCha20Poly1305 {
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(ephemeral);
    salt[32..].copy_from_slice(recipient);
    let mut okm = [0u8; 32];
    hkdf::Hkdf::<Sha256>::new(Some(&salt), shared)
        .expand(SEAL_INFO, &mut okm)
        .unwrap_or_else(|_| unreachable!("32 bytes is a valid HKDF-SHA256 output length"));
    ChaCha20Poly1305::new(Key::from_slice(&okm))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(s: &str) -> MobileNumber {
        MobileNumber::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn a_sealed_number_opens_with_its_key_only() {
        let key = LotterySecretKey::generate();
        let other = LotterySecretKey::generate();
        let n = number("13812345678");
        let sealed = key.public_key().seal(&n);
        assert!(!sealed.as_str().contains("13812345678"));
        assert!(!sealed.as_str().contains("12345678"));
        assert_eq!(key.open(&sealed), Ok(n.clone()));
        assert_eq!(other.open(&sealed), Err(SealError::WrongKey));
        // Two seals of one number differ: a sealed number does not reveal equal numbers.
        assert_ne!(key.public_key().seal(&n), sealed);
    }

    #[test]
    fn an_altered_or_malformed_seal_is_refused() {
        let key = LotterySecretKey::generate();
        let sealed = key.public_key().seal(&number("13812345678"));
        // Flip one bit of the tag in the decoded bytes and re-encode: editing the text's last
        // character instead can leave non-canonical base64 (its spare bits set), which is a
        // Malformed seal, not an altered one, depending on the random ephemeral key.
        let mut bytes = URL_SAFE_NO_PAD
            .decode(sealed.as_str().strip_prefix("v1.").expect("v1 prefix"))
            .expect("base64url");
        *bytes.last_mut().expect("non-empty") ^= 0x01;
        let text = format!("v1.{}", URL_SAFE_NO_PAD.encode(&bytes));
        assert_eq!(
            key.open(&SealedPhone::from_text(text)),
            Err(SealError::WrongKey)
        );
        assert_eq!(
            key.open(&SealedPhone::from_text("13812345678")),
            Err(SealError::Malformed)
        );
        assert_eq!(
            key.open(&SealedPhone::from_text("v1.AAAA")),
            Err(SealError::Malformed)
        );
    }

    #[test]
    fn keys_survive_their_text_form() {
        let key = LotterySecretKey::generate();
        let again = LotterySecretKey::parse(&key.to_text()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again.public_key(), key.public_key());
        let public = LotteryPublicKey::parse(&key.public_key().to_text());
        assert_eq!(public, Ok(key.public_key()));
        assert_eq!(LotteryPublicKey::parse("short"), Err(SealError::BadKey));
        let json = serde_json::to_string(&key.public_key()).unwrap_or_default();
        let back: LotteryPublicKey = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, key.public_key());
        assert!(!format!("{key:?}").contains(&key.to_text()));
    }

    /// Sealed by Node's crypto (ui/e2e/seal.mjs), an implementation written apart from this
    /// one from the documented format: the central opens what another implementation sealed.
    #[test]
    fn a_number_sealed_by_an_independent_implementation_opens() {
        let key = LotterySecretKey::parse("aEifxuETUJ-y2tervc8Yua0g1WFi5UF5ItbwUrG1wUs")
            .unwrap_or_else(|e| panic!("{e}"));
        let sealed = SealedPhone::from_text(
            "v1.Hvffieyulq69tWZu1CY09jePtpABoIVKq-YUTivaaFlWsBu3Npcy_tvBRcutLXRCPDVanQo1b4pZcdc",
        );
        assert_eq!(key.open(&sealed), Ok(number("13912345678")));
    }

    #[test]
    fn keyed_hashes_depend_on_the_key() {
        let n = number("13812345678");
        assert_eq!(keyed_hash(b"k1", &n), keyed_hash(b"k1", &n));
        assert_ne!(keyed_hash(b"k1", &n), keyed_hash(b"k2", &n));
        assert_ne!(
            keyed_hash(b"k1", &n),
            keyed_hash(b"k1", &number("13812345679"))
        );
        let key = LotterySecretKey::generate();
        assert_eq!(key.phone_hash(&n), key.phone_hash(&n));
        assert_ne!(
            key.phone_hash(&n),
            LotterySecretKey::generate().phone_hash(&n)
        );
        assert_eq!(key.phone_hash(&n).len(), 64);
    }
}
