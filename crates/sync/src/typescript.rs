//! The console's TypeScript types for the wire, generated with ts-rs.

use std::path::Path;

use ts_rs::{Config, ExportError, TS};

use crate::*;

/// Writes the TypeScript declaration of every wire type into `dir`, one file per type.
/// Domain types they reference are exported alongside, as `fieldpost_domain` does.
pub fn export_typescript(dir: &Path) -> Result<(), ExportError> {
    let cfg = Config::new().with_out_dir(dir).with_large_int("number");
    EnrollRequest::export_all(&cfg)?;
    EnrollResponse::export_all(&cfg)?;
    ErrorBody::export_all(&cfg)?;
    <PushRequest>::export_all(&cfg)?;
    PushResponse::export_all(&cfg)?;
    PullQuery::export_all(&cfg)?;
    PullResponse::export_all(&cfg)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_every_wire_type() {
        let dir = tempfile::tempdir().unwrap();
        export_typescript(dir.path()).unwrap();
        for name in [
            "EnrollRequest.ts",
            "EnrollResponse.ts",
            "ErrorBody.ts",
            "ErrorDetail.ts",
        ] {
            assert!(
                dir.path().join(name).exists(),
                "{name} must be generated for the console"
            );
        }
    }

    #[test]
    fn error_body_omits_an_absent_field() {
        let body = ErrorBody {
            error: ErrorDetail {
                code: ErrorCode::NotFound,
                message: "no such unit".into(),
                field: None,
                expected_seq: None,
                retry_at: None,
                limit: None,
                facts: ErrorFacts::default(),
            },
        };
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"error": {"code": "not_found", "message": "no such unit"}}),
            "the wire shape is the one the issue names"
        );
    }
}
