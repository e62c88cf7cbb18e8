//! First run: exchange an enrollment code for the device's identity, then sync once so that
//! the first screen shows the unit, its plans and the device's grants.

use fieldpost_station::identity::DeviceIdentity;
use fieldpost_station::sync_loop;
use fieldpost_sync::EnrollRequest;
use serde::Deserialize;
use ts_rs::TS;

use crate::error::CommandError;
use crate::state::AppState;

/// What the first-run screen sends.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
pub struct EnrollInput {
    /// The central's address, e.g. `http://192.168.1.10:8470`.
    pub server_url: String,
    /// The one-time code the console showed, `XXXX-XXXX-XXXX`.
    pub code: String,
    /// A name the secretariat will recognize, e.g. "侨联 1号平板".
    pub device_name: String,
}

/// The central's address as typed, without surrounding blanks or a trailing slash; an
/// address without a scheme is taken as `http://` (a central on the local network).
pub fn normalize_url(typed: &str) -> Result<String, CommandError> {
    let url = typed.trim().trim_end_matches('/');
    if url.is_empty() {
        return Err(
            CommandError::new("empty_field", "server_url must not be empty")
                .with_field("server_url"),
        );
    }
    let url = if url.contains("://") {
        url.to_owned()
    } else {
        format!("http://{url}")
    };
    if !(url.starts_with("http://") || url.starts_with("https://"))
        || url.contains(char::is_whitespace)
    {
        return Err(
            CommandError::new("invalid_url", format!("not an http(s) address: {url}"))
                .with_field("server_url"),
        );
    }
    Ok(url)
}

/// Enrolls the device and syncs once (best effort: an unreachable central is retried by the
/// loop that starts next).
pub async fn enroll(state: &AppState, input: EnrollInput) -> Result<(), CommandError> {
    let server_url = normalize_url(&input.server_url)?;
    let code = input.code.trim().to_owned();
    if code.is_empty() {
        return Err(CommandError::new("empty_field", "code must not be empty").with_field("code"));
    }
    let device_name = input.device_name.trim().to_owned();
    if device_name.is_empty() {
        return Err(
            CommandError::new("empty_field", "device_name must not be empty")
                .with_field("device_name"),
        );
    }
    let reply = sync_loop::connect(&server_url, None, &state.sync_config)
        .map_err(|e| CommandError::from(e).with_field("server_url"))?
        .enroll(&EnrollRequest { code, device_name })
        .await
        .map_err(|e| {
            let e = CommandError::from(e);
            // Only a refusal of the code itself belongs beside the code box; not reaching or
            // not trusting the central is about the address.
            let field = if e.kind == "enrollment_refused" {
                "code"
            } else {
                "server_url"
            };
            e.with_field(field)
        })?;
    let token = reply.token.clone();
    state.station().set_identity(&DeviceIdentity {
        device_id: reply.device_id,
        unit_id: reply.unit_id,
        server_url: server_url.clone(),
        token: reply.token,
    })?;
    let client = sync_loop::connect(&server_url, Some(token), &state.sync_config)?;
    let outcome = sync_loop::sync_once(&state.station, &client, &state.sync_config).await;
    let mut station = state.station();
    match outcome {
        Ok(_) => station.record_sync_success()?,
        Err(sync_loop::SyncError::Offline(_)) => {}
        Err(e) => station.record_sync_failure(&e.plain())?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_what_people_type() {
        assert_eq!(
            normalize_url(" http://10.0.0.5:8470/ ").ok().as_deref(),
            Some("http://10.0.0.5:8470"),
            "blanks and a trailing slash are typing noise"
        );
        assert_eq!(
            normalize_url("10.0.0.5:8470").ok().as_deref(),
            Some("http://10.0.0.5:8470"),
            "a bare host:port is a central on the local network"
        );
        let empty = normalize_url("  ").err().map(|e| (e.kind, e.field));
        assert_eq!(
            empty,
            Some(("empty_field".to_owned(), Some("server_url".to_owned()))),
            "the refusal names the field so the UI shows it beside the address box"
        );
        assert_eq!(
            normalize_url("ftp://x").err().map(|e| e.kind),
            Some("invalid_url".to_owned()),
            "only http(s) centrals exist"
        );
    }
}
