//! Who is on the other end of a request: the client's address, for throttling logins, and
//! the origin a browser reached, for refusing cross-site changes (the [`guard`] layer).
//!
//! The peer address comes from the connection (axum's `ConnectInfo`, which [`crate::service`]
//! provides). Behind a reverse proxy the peer is the proxy, so the configured
//! [`Config::trusted_proxies`](crate::Config::trusted_proxies) — and only they — are believed
//! about the client (`X-Forwarded-For`), the scheme (`X-Forwarded-Proto`) and the host
//! (`X-Forwarded-Host`). Anyone else could write anything in those headers.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, HOST, ORIGIN};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::session_cookie;
use crate::error::ApiError;
use crate::state::AppState;

/// The client's address, if the request came over a connection (`None` for a request handed
/// to the router in-process, as some tests do).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub Option<IpAddr>);

impl ClientAddress {
    /// The key its failed logins are counted under: an IPv4 address as is, an IPv6 address
    /// by its /64 (one subscriber's usual share: counting single IPv6 addresses would give an
    /// attacker 2^64 fresh ones).
    pub fn throttle_key(&self) -> Option<String> {
        Some(match self.0? {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let s = v6.segments();
                    format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
                }
            },
        })
    }
}

/// The peer, if it is a trusted proxy.
fn trusted_peer(extensions: &axum::http::Extensions, state: &AppState) -> Option<IpAddr> {
    let peer = peer(extensions)?;
    state
        .config()
        .trusted_proxies
        .contains(&peer)
        .then_some(peer)
}

fn peer(extensions: &axum::http::Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip())
}

/// The client as a trusted proxy reports it: the right-most address of `X-Forwarded-For`
/// that is not itself a trusted proxy (each proxy appends the peer it saw; what is left of
/// that was written by the client and proves nothing).
fn forwarded_for(headers: &HeaderMap, trusted: &[IpAddr]) -> Option<IpAddr> {
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut last = None;
    for hop in hops.into_iter().rev() {
        let ip = hop
            .parse::<IpAddr>()
            .ok()
            .or_else(|| hop.parse::<SocketAddr>().ok().map(|a| a.ip()))?;
        if !trusted.contains(&ip) {
            return Some(ip);
        }
        last = Some(ip);
    }
    last
}

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<ClientAddress, Self::Rejection> {
        let Some(peer) = peer(&parts.extensions) else {
            return Ok(ClientAddress(None));
        };
        let trusted = &state.config().trusted_proxies;
        if trusted.contains(&peer)
            && let Some(client) = forwarded_for(&parts.headers, trusted)
        {
            return Ok(ClientAddress(Some(client)));
        }
        Ok(ClientAddress(Some(peer)))
    }
}

/// A web origin, normalized: lowercase scheme and host, and the port always written.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}:{}", self.scheme, self.host, self.port)
    }
}

fn default_port(scheme: &str) -> Option<u16> {
    match scheme {
        "http" => Some(80),
        "https" => Some(443),
        _ => None,
    }
}

/// `host[:port]` (an IPv6 literal in brackets) with the port `scheme` implies when absent.
fn authority(scheme: &str, text: &str) -> Option<Origin> {
    let text = text.trim().to_ascii_lowercase();
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        let host = format!("[{inside}]");
        match after.strip_prefix(':') {
            Some(p) => (host, Some(p.parse().ok()?)),
            None if after.is_empty() => (host, None),
            None => return None,
        }
    } else {
        match text.rsplit_once(':') {
            Some((h, p)) => (h.to_owned(), Some(p.parse().ok()?)),
            None => (text.clone(), None),
        }
    };
    if host.is_empty() {
        return None;
    }
    Some(Origin {
        scheme: scheme.to_owned(),
        port: port.or_else(|| default_port(scheme))?,
        host,
    })
}

/// An `Origin` header's value (`scheme://host[:port]`); `None` for `null` or anything else.
fn parse_origin(value: &str) -> Option<Origin> {
    let (scheme, rest) = value.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    default_port(&scheme)?;
    if rest.contains('/') {
        return None;
    }
    authority(&scheme, rest)
}

/// Refuses a change that a console session's cookie authenticates (or a login) when the
/// browser says it comes from another site: `Sec-Fetch-Site` is `cross-site` or `same-site`,
/// or `Origin` is not this central's. A request with an `Authorization` header (a tablet's
/// bearer token) is not a browser's ambient credential and passes, as does one without a
/// cookie (it is not authenticated as anyone; its route refuses it or does not need it).
fn check(state: &AppState, request: &Request) -> Result<(), ApiError> {
    let method = request.method();
    if matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    ) {
        return Ok(());
    }
    let headers = request.headers();
    if headers.contains_key(AUTHORIZATION) {
        return Ok(());
    }
    let login = request.uri().path() == "/api/v1/auth/login";
    if !login && session_cookie(headers).is_none() {
        return Ok(());
    }
    if let Some(site) = headers.get("sec-fetch-site") {
        let site = site.to_str().unwrap_or("?");
        if site.eq_ignore_ascii_case("cross-site") || site.eq_ignore_ascii_case("same-site") {
            return Err(ApiError::CrossSite(format!(
                "refused: the browser sent this from another site (Sec-Fetch-Site: {site})"
            )));
        }
    }
    let Some(origin) = headers.get(ORIGIN) else {
        return Ok(());
    };
    let origin_text = origin.to_str().unwrap_or("?");
    let refused = |expected: &str| {
        ApiError::CrossSite(format!(
            "refused: Origin {origin_text} is not this central ({expected})"
        ))
    };
    let Some(origin) = parse_origin(origin_text) else {
        return Err(refused("an http:// or https:// origin"));
    };
    let forwarded = trusted_peer(request.extensions(), state).is_some();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
    };
    // The scheme the browser used: what a trusted proxy says; https when the console is
    // declared to be reached over HTTPS; otherwise either (a central on plain HTTP has no
    // scheme to protect, and one behind a TLS proxy started without --secure-cookies must
    // keep working).
    let scheme = match (
        forwarded.then(|| header("x-forwarded-proto")).flatten(),
        state.config().secure_cookies,
    ) {
        (Some(proto), _) => proto.to_ascii_lowercase(),
        (None, true) => "https".to_owned(),
        (None, false) => origin.scheme.clone(),
    };
    let host = forwarded
        .then(|| header("x-forwarded-host"))
        .flatten()
        .or_else(|| headers.get(HOST).and_then(|v| v.to_str().ok()))
        .or_else(|| request.uri().authority().map(|a| a.as_str()));
    let Some(expected) = host.and_then(|h| authority(&scheme, h)) else {
        return Err(refused("no Host to compare it with"));
    };
    if origin != expected {
        return Err(refused(&expected.to_string()));
    }
    Ok(())
}

/// The layer (`axum::middleware::from_fn_with_state`) that refuses a cross-site change with
/// 403 `cross_site_request`: a POST, PUT, PATCH or DELETE that the session cookie
/// authenticates, or any login, whose `Sec-Fetch-Site` is `cross-site` or `same-site` or whose
/// `Origin` is not this central's. Requests with an `Authorization` header pass.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match check(&state, &request) {
        Ok(()) => next.run(request).await,
        Err(refusal) => refusal.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_compared_with_their_default_ports() {
        assert_eq!(
            parse_origin("https://Central.example"),
            authority("https", "central.example:443"),
            "an origin without a port has its scheme's"
        );
        assert_eq!(
            parse_origin("http://[::1]:8080").map(|o| o.to_string()),
            Some("http://[::1]:8080".to_owned()),
            "an IPv6 literal keeps its brackets"
        );
        assert_eq!(parse_origin("null"), None, "an opaque origin is no origin");
        assert_eq!(parse_origin("ftp://x.example"), None, "only web schemes");
    }

    #[test]
    fn the_client_is_the_right_most_hop_no_trusted_proxy_wrote() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "6.6.6.6, 203.0.113.7, 10.0.0.1".parse().unwrap(),
        );
        assert_eq!(
            forwarded_for(&headers, &[proxy]),
            Some("203.0.113.7".parse().unwrap()),
            "the forged left-most hop is the client's own writing and is skipped"
        );
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        let a = ClientAddress(Some("2001:db8:1:2:aaaa::1".parse().unwrap()));
        let b = ClientAddress(Some("2001:db8:1:2:bbbb::2".parse().unwrap()));
        assert_eq!(a.throttle_key(), b.throttle_key(), "one /64 is one key");
        assert_eq!(
            ClientAddress(Some("::ffff:192.0.2.1".parse().unwrap())).throttle_key(),
            Some("192.0.2.1".to_owned()),
            "an IPv4-mapped address is its IPv4 address"
        );
    }
}
