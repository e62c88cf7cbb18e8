//! The station's HTTP client for the central: enrollment, push and pull.
//!
//! Every failure is classified for the sync loop: [`ClientError::Offline`] (no connection, a
//! timeout, a proxy's 502/503/504 — being offline is normal, retry later), a refusal the
//! station must act on ([`ClientError::SeqGap`], [`ClientError::Conflict`],
//! [`ClientError::Unauthorized`]), or another refusal with the central's error body.
//!
//! `https://` centrals are reached over rustls (ring provider) and trusted against Mozilla's
//! root certificates compiled in (`webpki-roots`, the same on Linux, Android and iOS), plus one
//! extra root given with [`Client::with_root_certificate_pem`] (a secretariat's own CA or a
//! self-signed central). A certificate that does not check out is [`ClientError::Tls`].

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::{
    EnrollRequest, EnrollResponse, ErrorBody, ErrorCode, PullQuery, PullResponse, PushRequest,
    PushResponse,
};

/// Why a call to the central failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The central could not be reached, or the answer was lost on the way.
    #[error("the central cannot be reached: {0}")]
    Offline(String),
    /// The central expects an earlier seq: the station must send from `expected_seq`.
    #[error("the central expects seq {expected_seq} next")]
    SeqGap {
        /// The next seq the central expects.
        expected_seq: u64,
    },
    /// The same seq or id arrived with other content; the central kept what it had.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The token is missing, wrong or revoked.
    #[error("the central refused this device's credentials: {0}")]
    Unauthorized(String),
    /// Any other refusal, with the central's explanation.
    #[error("the central refused the request ({status}): {message}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// The error code.
        code: String,
        /// The explanation.
        message: String,
    },
    /// The central answered something this client cannot read.
    #[error("unreadable answer from the central: {0}")]
    Protocol(String),
    /// The secure connection was refused, most often because the central's certificate is not
    /// trusted (self-signed or from a private CA this client was not given, expired, or for
    /// another name); retrying rarely helps until the certificate or the client changes.
    #[error("secure connection to the central failed: {0}")]
    Tls(String),
    /// The client could not be set up (e.g. the extra root certificate is not a PEM
    /// certificate).
    #[error("cannot set up the connection to the central: {0}")]
    Setup(String),
}

/// A client bound to one central and, once enrolled, one device token.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
    clock: DeviceClock,
}

/// The clock whose time every authorized request carries in its `Date` header: the tablet's
/// own (its store's clock), so that the central can tell a tablet whose clock is off and
/// not trust its times for windows and reports (issue 14). The system clock by default.
#[derive(Clone, Default)]
struct DeviceClock {
    /// The tablet's clock; `None`: the system's.
    given: Option<Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>>,
    /// The central's clock minus this one, as the last answer's `Date` header said.
    central_ahead: Arc<std::sync::Mutex<Option<chrono::Duration>>>,
}

impl DeviceClock {
    fn now(&self) -> DateTime<Utc> {
        self.given.as_ref().map_or_else(Utc::now, |f| f())
    }

    fn central_ahead(&self) -> std::sync::MutexGuard<'_, Option<chrono::Duration>> {
        self.central_ahead
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl std::fmt::Debug for DeviceClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.given.is_some() {
            "DeviceClock(given)"
        } else {
            "DeviceClock(system)"
        })
    }
}

impl Client {
    /// A client for the central at `base_url` (e.g. `http://127.0.0.1:8470` or
    /// `https://central.example`), with `token` for an enrolled device. `https://` is checked
    /// against Mozilla's root certificates.
    pub fn new(base_url: &str, token: Option<String>) -> Result<Client, ClientError> {
        Client::build(base_url, token, &[])
    }

    /// Like [`Client::new`], also trusting the root certificate(s) in `pem` (PEM text with one
    /// or more `CERTIFICATE` blocks): a secretariat's own CA, or a self-signed central.
    pub fn with_root_certificate_pem(
        base_url: &str,
        token: Option<String>,
        pem: &[u8],
    ) -> Result<Client, ClientError> {
        let bad = |why: String| {
            ClientError::Setup(format!("the extra root certificate cannot be used: {why}"))
        };
        let certs = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| bad("a CERTIFICATE block is cut off or damaged".into()))?;
        if certs.is_empty() {
            return Err(bad("no -----BEGIN CERTIFICATE----- block found".into()));
        }
        Client::build(base_url, token, &certs)
    }

    fn build(
        base_url: &str,
        token: Option<String>,
        extra_roots: &[CertificateDer<'_>],
    ) -> Result<Client, ClientError> {
        // So that any other reqwest client of the process works too (see the function).
        install_crypto_provider();
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        for cert in extra_roots {
            roots.add(cert.clone().into_owned()).map_err(|e| {
                ClientError::Setup(format!("the extra root certificate cannot be used: {e}"))
            })?;
        }
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientError::Setup(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| ClientError::Setup(e.to_string()))?;
        Ok(Client {
            http,
            base: base_url.trim_end_matches('/').to_owned(),
            token,
            clock: DeviceClock::default(),
        })
    }

    /// The same client, dating its requests by `clock` (the station's clock) instead of the
    /// system's.
    pub fn with_clock(
        mut self,
        clock: impl Fn() -> DateTime<Utc> + Send + Sync + 'static,
    ) -> Client {
        self.clock.given = Some(Arc::new(clock));
        self
    }

    /// How far the central's clock is ahead of the device's (negative: behind), as the last
    /// answer's `Date` header said (to the second); `None` before any answer carried one.
    pub fn clock_offset(&self) -> Option<chrono::Duration> {
        *self.clock.central_ahead()
    }

    /// Reads an answer, noting first the central's time it carried.
    async fn read_dated<T: serde::de::DeserializeOwned>(
        &self,
        response: reqwest::Response,
    ) -> Result<T, ClientError> {
        let central = response
            .headers()
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(|t| DateTime::parse_from_rfc2822(t).ok());
        if let Some(central) = central {
            let offset = central.with_timezone(&Utc) - self.clock.now();
            *self.clock.central_ahead() = Some(offset);
        }
        read(response).await
    }

    /// Exchanges a one-time enrollment code for the device's identity and token.
    pub async fn enroll(&self, request: &EnrollRequest) -> Result<EnrollResponse, ClientError> {
        let response = self
            .http
            .post(format!("{}/api/v1/devices/enroll", self.base))
            .json(request)
            .send()
            .await
            .map_err(offline)?;
        self.read_dated(response).await
    }

    /// Sends a batch of the outbox.
    pub async fn push(&self, request: &PushRequest) -> Result<PushResponse, ClientError> {
        let response = self
            .authorized(self.http.post(format!("{}/api/v1/sync/push", self.base)))
            .json(request)
            .send()
            .await
            .map_err(offline)?;
        self.read_dated(response).await
    }

    /// Sends a batch of the outbox given as each event's JSON text, as the station stored it
    /// (the same request as [`Client::push`], without parsing and re-serializing).
    pub async fn push_texts<S: AsRef<str>>(
        &self,
        events: &[S],
    ) -> Result<PushResponse, ClientError> {
        let mut body =
            String::with_capacity(events.iter().map(|e| e.as_ref().len() + 1).sum::<usize>() + 16);
        body.push_str("{\"events\":[");
        for (i, e) in events.iter().enumerate() {
            if i > 0 {
                body.push(',');
            }
            body.push_str(e.as_ref());
        }
        body.push_str("]}");
        let response = self
            .authorized(self.http.post(format!("{}/api/v1/sync/push", self.base)))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(offline)?;
        self.read_dated(response).await
    }

    /// Fetches the changes after `query.after`.
    pub async fn pull(&self, query: PullQuery) -> Result<PullResponse, ClientError> {
        let mut url = format!("{}/api/v1/sync/pull?after={}", self.base, query.after);
        if let Some(limit) = query.limit {
            url.push_str(&format!("&limit={limit}"));
        }
        let response = self
            .authorized(self.http.get(url))
            .send()
            .await
            .map_err(offline)?;
        self.read_dated(response).await
    }

    fn authorized(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        // An HTTP-date (RFC 9110 IMF-fixdate) of the device's clock.
        let date = self
            .clock
            .now()
            .format("%a, %d %b %Y %H:%M:%S GMT")
            .to_string();
        let request = request.header(reqwest::header::DATE, date);
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }
}

/// Makes ring the process's default rustls provider, if none is set yet. reqwest is built
/// with `rustls-no-provider` (aws-lc-rs may need cmake), so a plain `reqwest::Client::new()`
/// anywhere in a process panics until a provider is installed. [`Client`] installs it when it
/// is built; code that builds a plain reqwest client before any [`Client`] calls this first.
pub fn install_crypto_provider() {
    // Err means a provider is installed already, which is all that is asked.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A failed request: a TLS refusal (named in plain words), or else offline.
fn offline(e: reqwest::Error) -> ClientError {
    match tls_error(&e) {
        Some(rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)) => {
            ClientError::Tls(
                "the central's certificate is not trusted: it is self-signed or from an \
                 authority this device does not know; give this client that root certificate"
                    .into(),
            )
        }
        Some(rustls::Error::InvalidCertificate(why)) => {
            ClientError::Tls(format!("the central's certificate is not trusted ({why})"))
        }
        Some(other) => ClientError::Tls(other.to_string()),
        None => ClientError::Offline(e.to_string()),
    }
}

/// The rustls error behind `e`, if any. The handshake's error comes wrapped in an `io::Error`,
/// whose `source()` skips the wrapped error itself, so each `io::Error` is looked into too.
fn tls_error<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut next = Some(e);
    while let Some(e) = next {
        if let Some(t) = e.downcast_ref::<rustls::Error>() {
            return Some(t);
        }
        if let Some(t) = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| tls_error(inner))
        {
            return Some(t);
        }
        next = e.source();
    }
    None
}

async fn read<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
) -> Result<T, ClientError> {
    let status = response.status();
    // A body cut off mid-way is a lost answer, not a protocol error.
    let bytes = response.bytes().await.map_err(offline)?;
    if status.is_success() {
        return serde_json::from_slice(&bytes).map_err(|e| ClientError::Protocol(e.to_string()));
    }
    if matches!(
        status,
        StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT
    ) {
        return Err(ClientError::Offline(format!(
            "the way to the central answered {status}"
        )));
    }
    let body: Option<ErrorBody> = serde_json::from_slice(&bytes).ok();
    let (code, message, expected_seq) = match body {
        Some(b) => (Some(b.error.code), b.error.message, b.error.expected_seq),
        // Not an error body this build can read: a proxy's page, or a code a newer central
        // added. The raw text still says why.
        None => (None, String::from_utf8_lossy(&bytes).into_owned(), None),
    };
    Err(match (status, code) {
        (StatusCode::UNAUTHORIZED, _) => ClientError::Unauthorized(message),
        (StatusCode::CONFLICT, Some(ErrorCode::SeqGap)) => match expected_seq {
            Some(expected_seq) => ClientError::SeqGap { expected_seq },
            None => ClientError::Protocol(format!("seq_gap without expected_seq: {message}")),
        },
        (StatusCode::CONFLICT, Some(ErrorCode::EventConflict)) => ClientError::Conflict(message),
        _ => ClientError::Refused {
            status: status.as_u16(),
            code: code.map(|c| c.as_str().to_owned()).unwrap_or_default(),
            message,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Over a real TLS front: tests/tests/it/https.rs (fieldpost-tests).
    #[test]
    fn a_bad_root_certificate_is_named() {
        for pem in [
            &b"not a certificate"[..],
            b"-----BEGIN CERTIFICATE-----\n!!\n",
        ] {
            match Client::with_root_certificate_pem("https://127.0.0.1:1", None, pem) {
                Err(ClientError::Setup(message)) => {
                    assert!(message.contains("root certificate"), "message: {message}");
                }
                other => panic!("expected a setup error, got {other:?}"),
            }
        }
    }
}
