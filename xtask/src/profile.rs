//! The release profile keeps overflow checks on for the workspace's own crates (issue 14): an
//! overflow on a client's number panics (a logged 500) instead of storing a wrapped value.
//! `cargo xtask test` reads the root manifest and fails when the setting is gone, turned off,
//! or turned off again for one of our packages.
//!
//! A plain reading of the TOML tables this project writes (`[profile.release]`,
//! `[profile.release.package.NAME]`), not a TOML parser: the xtask has no TOML dependency, and
//! anything it cannot read as expected is a failure, never a pass.

use anyhow::{Result, bail};

/// Checks `manifest` (the root Cargo.toml's text); `members` are the workspace's package names.
pub fn check_release_overflow_checks(manifest: &str, members: &[&str]) -> Result<()> {
    let mut table = String::new();
    let mut release_on = None;
    for (n, line) in manifest.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            table = name.trim().to_owned();
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        if key.trim() != "overflow-checks" {
            continue;
        }
        let on = match value.trim() {
            "true" => true,
            "false" => false,
            other => bail!(
                "Cargo.toml:{}: overflow-checks = {other}: expected true or false",
                n + 1
            ),
        };
        if table == "profile.release" {
            release_on = Some(on);
        } else if let Some(package) = table.strip_prefix("profile.release.package.") {
            let package = package.trim_matches('"');
            if !on && members.contains(&package) {
                bail!(
                    "Cargo.toml:{}: [{table}] turns overflow checks off for our own crate {package}",
                    n + 1
                );
            }
        }
    }
    match release_on {
        Some(true) => Ok(()),
        Some(false) => bail!("Cargo.toml: [profile.release] sets overflow-checks = false"),
        None => bail!(
            "Cargo.toml: [profile.release] does not set overflow-checks = true (release's default is off)"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MEMBERS: &[&str] = &["fieldpost-server", "fieldpost-central"];

    #[test]
    fn the_workspace_manifest_keeps_overflow_checks_on_in_release() {
        let manifest = include_str!("../../Cargo.toml");
        let members = [
            "fieldpost-domain",
            "fieldpost-station",
            "fieldpost-sync",
            "fieldpost-central",
            "fieldpost-sheets",
            "fieldpost-server",
            "fieldpost-app",
            "fieldpost-tests",
            "xtask",
        ];
        check_release_overflow_checks(manifest, &members)
            .unwrap_or_else(|e| panic!("issue 14: {e}"));
    }

    #[test]
    fn a_manifest_without_the_setting_fails() {
        let manifest =
            "[profile.release]\nlto = \"thin\"\n\n[profile.dev]\noverflow-checks = true\n";
        assert!(
            check_release_overflow_checks(manifest, MEMBERS).is_err(),
            "release's default is off: only an explicit true passes, and dev's does not count"
        );
    }

    #[test]
    fn a_manifest_that_turns_them_off_fails() {
        let off = "[profile.release]\noverflow-checks = false\n";
        assert!(check_release_overflow_checks(off, MEMBERS).is_err());
        let ours_off = "[profile.release]\noverflow-checks = true\n\
                        [profile.release.package.fieldpost-central]\noverflow-checks = false\n";
        assert!(
            check_release_overflow_checks(ours_off, MEMBERS).is_err(),
            "a per-package override must not turn them off for one of ours"
        );
        let unreadable = "[profile.release]\noverflow-checks = yes\n";
        assert!(check_release_overflow_checks(unreadable, MEMBERS).is_err());
    }

    #[test]
    fn dependencies_may_go_without() {
        let manifest = "[profile.release]\noverflow-checks = true # ours\n\
                        [profile.release.package.\"*\"]\noverflow-checks = false\n";
        check_release_overflow_checks(manifest, MEMBERS)
            .unwrap_or_else(|e| panic!("\"*\" matches only dependencies: {e}"));
    }
}
