//! Secrets: device bearer tokens, console session tokens, passwords and one-time enrollment
//! codes, how they are made and how the central stores them (hashes only).

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};

/// A fresh high-entropy secret (256 bits), hex-encoded, with a readable prefix.
pub fn random_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let mut s = String::with_capacity(prefix.len() + 64);
    s.push_str(prefix);
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// A device token's successor, derived from the token and a random salt (64 hex digits) that
/// the central keeps until the device takes the successor into use: `fpd_` and 64 hex digits,
/// like an enrolled token. Without the salt, the token alone does not give its successor;
/// without the token (the central keeps only its hash), the salt does not either.
pub fn derived_token(salt: &str, token: &str) -> String {
    let digest = Sha256::new()
        .chain_update(b"fieldpost-device-token-successor-1\n")
        .chain_update(salt.as_bytes())
        .chain_update(b"\n")
        .chain_update(token.as_bytes())
        .finalize();
    let mut s = String::with_capacity(4 + 64);
    s.push_str("fpd_");
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// SHA-256, hex. Right for tokens and codes: they are random and high-entropy, so a slow
/// hash would add nothing but latency to every request.
pub fn sha256_hex(s: &str) -> String {
    Sha256::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Letters and digits that cannot be confused when read aloud or typed (no 0/O, 1/I/L).
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A one-time enrollment code: 12 symbols (~59 bits), shown as `XXXX-XXXX-XXXX`.
pub fn enrollment_code() -> String {
    let mut rng = rand::rng();
    let mut s = String::with_capacity(14);
    for i in 0..12 {
        if i > 0 && i % 4 == 0 {
            s.push('-');
        }
        let k = rng.random_range(0..CODE_ALPHABET.len());
        s.push(char::from(CODE_ALPHABET[k]));
    }
    s
}

/// The hash under which an enrollment code is stored; ignores case, dashes and spaces.
pub fn enrollment_code_hash(code: &str) -> String {
    let normalized: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    sha256_hex(&normalized)
}

/// An argon2id PHC string for a password.
pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let salt = SaltString::encode_b64(&bytes)?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Whether `password` matches a stored PHC string. With `None` (an unknown user) it still
/// does the work of one verification, so that timing does not tell which users exist.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("dummy").unwrap_or_default());
    let phc = stored.unwrap_or(dummy);
    let ok = PasswordHash::new(phc)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false);
    ok && stored.is_some()
}

/// A readable random password for generated accounts (16 symbols, ~79 bits).
pub fn random_password() -> String {
    let mut rng = rand::rng();
    (0..16)
        .map(|_| char::from(CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())]))
        .collect::<String>()
        .to_lowercase()
}
