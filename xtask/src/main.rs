//! `cargo xtask`: the project's own commands.
//!
//! - `cargo xtask test`: install what a fresh Debian machine lacks, then run every check and test.
//! - `cargo xtask demo`: run the central on an embedded SQLite file with the demo campaign.
//! - `cargo xtask bench [station | sync [--scale]]`: benchmarks, each against a baseline
//!   measured in the same run.
//! - `cargo xtask types`: regenerate the committed TypeScript types.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Debian packages the build and the tests need on a fresh machine.
const APT_PACKAGES: &[&str] = &[
    // A C compiler for the bundled SQLite, and pkg-config for -sys crates.
    "build-essential",
    "pkg-config",
    // The console's end-to-end test: Debian's Chromium driven by playwright-core, and CJK
    // glyphs for its screenshots.
    "chromium",
    "fonts-noto-cjk",
];

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["test"] => test(),
        ["demo", rest @ ..] => demo(rest),
        ["bench", "station"] => bench("bench-station", &[]),
        ["bench", "sync"] => bench("bench-sync", &[]),
        ["bench", "sync", "--scale"] => bench("bench-sync", &["--scale"]),
        ["bench"] => {
            bench("bench-station", &[])?;
            bench("bench-sync", &[])?;
            bench("bench-sync", &["--scale"])
        }
        ["types"] => types(),
        ["setup"] => setup(),
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\n\
                 commands:\n  \
                 test           install what is missing, then run every check and test\n  \
                 demo [--port N] run the central with the demo campaign on an embedded SQLite file\n  \
                 bench [station | sync [--scale]]  benchmarks against baselines of the same run\n  \
                 types          regenerate ui/src/lib/api/generated from the Rust types\n  \
                 setup          only install what is missing"
            );
            bail!("unknown command: {}", args.join(" "));
        }
    }
}

fn root() -> PathBuf {
    // xtask lives one level below the workspace root.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("xtask: $ {}", describe(cmd));
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {}", describe(cmd)))?;
    if !status.success() {
        bail!("{} failed with {status}", describe(cmd));
    }
    Ok(())
}

fn describe(cmd: &Command) -> String {
    std::iter::once(cmd.get_program().to_string_lossy().into_owned())
        .chain(cmd.get_args().map(|a| a.to_string_lossy().into_owned()))
        .collect::<Vec<_>>()
        .join(" ")
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root());
    cmd
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn apt_missing(packages: &[&str]) -> Vec<String> {
    packages
        .iter()
        .filter(|p| {
            let out = Command::new("dpkg-query").args(["-W", "-f=${Status}", p]).output();
            !matches!(out, Ok(o) if String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
        })
        .map(|p| (*p).to_owned())
        .collect()
}

/// Installs what a fresh machine of this kind lacks: Debian packages (as root; otherwise the
/// exact apt line is printed and the run stops), and the UI's npm packages.
fn setup() -> Result<()> {
    let missing = apt_missing(APT_PACKAGES);
    if !missing.is_empty() {
        let line = format!(
            "apt-get install -y --no-install-recommends {}",
            missing.join(" ")
        );
        if !is_root() {
            bail!("missing Debian packages; run as root:\n  apt-get update && {line}");
        }
        run(Command::new("apt-get")
            .arg("update")
            .env("DEBIAN_FRONTEND", "noninteractive"))?;
        run(Command::new("sh")
            .arg("-c")
            .arg(&line)
            .env("DEBIAN_FRONTEND", "noninteractive"))?;
    }
    for tool in ["node", "npm"] {
        if Command::new(tool).arg("--version").output().is_err() {
            bail!("{tool} is missing: this project needs Node.js 20 and npm");
        }
    }
    let ui = root().join("ui");
    if npm_install_needed(&ui) {
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&ui))?;
    }
    Ok(())
}

/// `npm ci` again when node_modules is missing or older than the lockfile.
fn npm_install_needed(ui: &Path) -> bool {
    let modified = |p: PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (
        modified(ui.join("node_modules/.package-lock.json")),
        modified(ui.join("package-lock.json")),
    ) {
        (Some(installed), Some(lock)) => installed < lock,
        _ => true,
    }
}

fn test() -> Result<()> {
    setup()?;
    let ui = root().join("ui");
    run(cargo().args(["fmt", "--all", "--check"]))?;
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(cargo().args(["test", "--workspace", "--no-fail-fast"]))?;
    run(Command::new("npm").args(["run", "check"]).current_dir(&ui))?;
    run(Command::new("npm").args(["test"]).current_dir(&ui))?;
    console_e2e()?;
    eprintln!("xtask: every check and test passed");
    Ok(())
}

fn demo(rest: &[&str]) -> Result<()> {
    let port = match rest {
        [] => "8470",
        ["--port", port] => port,
        _ => bail!("usage: cargo xtask demo [--port N]"),
    };
    setup()?;
    run(cargo().args(["build", "--release", "-p", "fieldpost-server"]))?;
    // The secretariat console is served by the central at `/`; it prints the address and login.
    build_console()?;
    let data_dir = root().join(".fieldpost-demo");
    let server = root().join("target/release/fieldpost-server");
    run(Command::new(server)
        .args(["--demo", "--data-dir"])
        .arg(&data_dir)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .arg("--console-dir")
        .arg(root().join("ui/dist-console")))
}

fn bench(bin: &str, args: &[&str]) -> Result<()> {
    run(cargo()
        .args([
            "run",
            "--release",
            "--quiet",
            "-p",
            "fieldpost-tests",
            "--bin",
            bin,
            "--",
        ])
        .args(args))
}

fn types() -> Result<()> {
    run(cargo()
        .args([
            "test",
            "-p",
            "fieldpost-domain",
            "--test",
            "it",
            "generated_typescript",
        ])
        .env("FIELDPOST_BLESS", "1"))
}

/// Builds the secretariat console (ui/dist-console), which the central serves at `/`.
fn build_console() -> Result<()> {
    run(Command::new("npm")
        .args(["run", "build:console"])
        .current_dir(root().join("ui")))
}

/// The console end to end in Debian's Chromium (playwright-core) against a demo central on a
/// temporary directory; screenshots land in target/screenshots/console-*.png.
fn console_e2e() -> Result<()> {
    run(cargo().args(["build", "-p", "fieldpost-server"]))?;
    build_console()?;
    run(Command::new("node")
        .arg("ui/e2e/console.e2e.mjs")
        .current_dir(root()))
}
