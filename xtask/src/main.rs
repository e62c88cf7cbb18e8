//! `cargo xtask`: the project's own commands.
//!
//! - `cargo xtask test`: install what a fresh Debian machine lacks, then run every check and test.
//! - `cargo xtask demo`: run the central on an embedded SQLite file with the demo campaign.
//! - `cargo xtask bench [station | sync [--scale]]`: benchmarks, each against a baseline
//!   measured in the same run.
//! - `cargo xtask bench sync --backend postgres`: the sync bench on a throwaway PostgreSQL.
//! - `cargo xtask bench load [--backend sqlite|postgres] [--devices N] [--seconds S]`: N simulated
//!   tablets (default 1,000) syncing against one central; latencies and an exactly-once check.
//! - `cargo xtask types`: regenerate the committed TypeScript types.
//! - `cargo xtask bundle`: build the station app's installable .deb.
//! - `cargo xtask bench app`: the station app's release binary size and cold start.
//! - `cargo xtask bench import`: a sheet past its row limit refused, against a preview of one
//!   at the limit.
//! - `cargo xtask fuzz [TARGET] [--seconds N]`: each fuzz target of `fuzz/` (or one) for a
//!   bounded time, on stable Rust (see `fuzz/src/lib.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

mod pg;
mod profile;

/// Debian packages the build and the tests need on a fresh machine.
const APT_PACKAGES: &[&str] = &[
    // C and C++ compilers for the bundled SQLite and the fuzz targets' libFuzzer
    // (libfuzzer-sys builds it from source), and pkg-config for -sys crates.
    "build-essential",
    "pkg-config",
    // The station app's Tauri 2 shell on Linux (WebKitGTK 4.1).
    "libwebkit2gtk-4.1-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "libxdo-dev",
    "libssl-dev",
    // Its end-to-end test in the real window: a virtual X server and WebKitWebDriver.
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    // ... which reads the tablet's token from its store to ask the central what it holds.
    "sqlite3",
    // CJK glyphs, so that the Chinese screens (and their screenshots) render.
    "fonts-noto-cjk",
    // The console's end-to-end test: Debian's Chromium driven by playwright-core.
    "chromium",
    // The central's tests and benches on PostgreSQL: a throwaway cluster (see pg.rs).
    "postgresql",
    // The lottery's verify_draw.py (standard library only), run against its test vectors.
    "python3",
    // `cargo xtask bundle` packs the .deb with dpkg's tools.
    "dpkg-dev",
    "file",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_release_check_reads_every_member_and_passes() {
        release_overflow_checks().unwrap_or_else(|e| panic!("issue 14: {e:#}"));
    }

    #[test]
    fn summary_lines_of_every_runner_are_counted() {
        let vitest = "\u{1b}[2m      Tests \u{1b}[22m \u{1b}[1m\u{1b}[32m70 passed\u{1b}[39m\u{1b}[22m\u{1b}[90m (70)\u{1b}[39m";
        let plain = strip_ansi(vitest);
        assert!(
            plain.trim().starts_with("Tests "),
            "colour codes are gone: {plain:?}"
        );
        assert_eq!(count_before(&plain, " passed"), Some(70), "vitest's count");
        let cargo = "test result: ok. 41 passed; 2 failed; 0 ignored";
        assert_eq!(
            (
                count_before(cargo, " passed"),
                count_before(cargo, " failed")
            ),
            (Some(41), Some(2))
        );
        assert_eq!(
            count_before("e2e: 15 passed, 0 failed", " failed"),
            Some(0),
            "the e2e summary"
        );
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["test"] => test(),
        ["demo", rest @ ..] => demo(rest),
        ["bench", "station"] => bench("bench-station", &[]),
        ["bench", "sync"] => bench("bench-sync", &[]),
        ["bench", "sync", "--backend", "sqlite"] => bench("bench-sync", &[]),
        ["bench", "sync", "--backend", "postgres"] => bench_on_postgres("bench-sync", &[]),
        ["bench", "sync", "--scale"] => bench("bench-sync", &["--scale"]),
        ["bench", "load", rest @ ..] if backend_is_postgres(rest) => {
            bench_on_postgres("bench-load", rest)
        }
        ["bench", "load", rest @ ..] => bench("bench-load", rest),
        ["bench"] => {
            bench("bench-station", &[])?;
            bench("bench-sync", &[])?;
            bench("bench-sync", &["--scale"])?;
            bench("bench-load", &[])?;
            bench("bench-import", &[])?;
            bench_on_postgres("bench-sync", &[])?;
            bench_on_postgres("bench-load", &["--backend", "postgres"])?;
            bench_app()
        }
        ["bench", "app"] => bench_app(),
        ["bench", "import"] => bench("bench-import", &[]),
        ["types"] => types(),
        ["fuzz", rest @ ..] => fuzz(rest),
        ["bundle"] => bundle(),
        ["setup"] => setup(),
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\n\
                 commands:\n  \
                 test           install what is missing, then run every check and test\n  \
                 demo [--port N] run the central with the demo campaign on an embedded SQLite file\n  \
                 bench [station | sync [--scale] | import | app]  benchmarks against baselines of the same run\n  \
                 bench sync --backend postgres  the same on a throwaway PostgreSQL cluster\n  \
                 bench load [--backend sqlite|postgres] [--devices N] [--seconds S]\n                 \
                 N tablets (default 1,000) against one central for S s (default 60)\n  \
                 types          regenerate ui/src/lib/api/generated from the Rust types\n  \
                 fuzz [TARGET] [--seconds N]  each fuzz target (or one) for N s (default 60)\n  \
                 bundle         build the station app's .deb (target/release/bundle/deb)\n  \
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
    // The app crate embeds ui/dist at compile time (tauri::generate_context!), so the UI is
    // built before anything compiles it: clippy, tests, the e2e run, the bundle.
    if ui_build_needed(&ui) {
        run(Command::new("npm").args(["run", "build"]).current_dir(&ui))?;
    }
    if tauri_driver().is_none() {
        run(cargo().args(["install", "tauri-driver", "--locked"]))?;
    }
    fuzz_setup()
}

/// `npm run build` again when ui/dist is missing or older than anything it is built from.
/// Rebuilding only when needed keeps the app crate (which reruns on ui/dist) from relinking.
fn ui_build_needed(ui: &Path) -> bool {
    fn newest(path: &Path) -> Option<std::time::SystemTime> {
        let meta = std::fs::metadata(path).ok()?;
        if !meta.is_dir() {
            return meta.modified().ok();
        }
        std::fs::read_dir(path)
            .ok()?
            .flatten()
            .filter_map(|e| newest(&e.path()))
            .max()
    }
    let Some(built) = newest(&ui.join("dist/index.html")) else {
        return true;
    };
    [
        "src",
        "index.html",
        "vite.config.ts",
        "svelte.config.js",
        "package-lock.json",
    ]
    .iter()
    .filter_map(|p| newest(&ui.join(p)))
    .any(|t| t > built)
}

/// The tauri-driver binary `cargo install` put in cargo's bin directory, if it is there.
fn tauri_driver() -> Option<PathBuf> {
    cargo_bin("tauri-driver")
}

/// A binary `cargo install` put in cargo's bin directory, if it is there.
fn cargo_bin(name: &str) -> Option<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    let path = home.join("bin").join(name);
    path.exists().then_some(path)
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

/// Tests counted across the runners, for the closing `N passed, N failed` line.
#[derive(Debug, Default)]
struct Tally {
    passed: u64,
    failed: u64,
}

/// The number just before `word` in `line` ("… 41 passed; 0 failed …").
fn count_before(line: &str, word: &str) -> Option<u64> {
    let at = line.find(word)?;
    line[..at]
        .split(|c: char| !c.is_ascii_digit())
        .rfind(|t| !t.is_empty())?
        .parse()
        .ok()
}

/// `line` without terminal colour codes (`ESC [ … letter`), which vitest prints even to a pipe.
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Runs `cmd`, echoing its standard output line by line, and adds the summary lines of the
/// runners it knows to `tally`: cargo's `test result:`, vitest's `Tests  N passed`, and the
/// e2e scripts' `N passed, N failed`.
fn run_tallied(cmd: &mut Command, tally: &mut Tally) -> Result<()> {
    use std::io::{BufRead, BufReader, Write};
    eprintln!("xtask: $ {}", describe(cmd));
    let mut child = cmd
        .stdout(std::process::Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {}", describe(cmd)))?;
    let stdout = child.stdout.take().context("no stdout")?;
    let mut out = std::io::stdout();
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        writeln!(out, "{line}")?;
        let plain = strip_ansi(&line);
        let plain = plain.trim();
        let summary = plain.starts_with("test result:")
            || plain.starts_with("Tests ")
            || (plain.contains(" passed, ") && plain.ends_with(" failed"));
        if summary {
            tally.passed += count_before(plain, " passed").unwrap_or(0);
            tally.failed += count_before(plain, " failed").unwrap_or(0);
        }
    }
    let status = child.wait()?;
    if !status.success() {
        bail!("{} failed with {status}", describe(cmd));
    }
    Ok(())
}

fn test() -> Result<()> {
    let mut tally = Tally::default();
    let outcome = test_all(&mut tally);
    // One closing line over every runner, whatever happened.
    println!(
        "xtask: {} passed, {} failed",
        tally.passed,
        tally.failed + u64::from(outcome.is_err())
    );
    outcome
}

fn test_all(tally: &mut Tally) -> Result<()> {
    setup()?;
    let ui = root().join("ui");
    run(cargo().args(["fmt", "--all", "--check"]))?;
    release_overflow_checks()?;
    // The fuzz crate is a workspace of its own (see fuzz/Cargo.toml): formatted all the same.
    run(cargo().args([
        "fmt",
        "--all",
        "--check",
        "--manifest-path",
        "fuzz/Cargo.toml",
    ]))?;
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    // The core crates' documentation, links included (the app crate's is its commands').
    run(cargo()
        .args([
            "doc",
            "--no-deps",
            "-p",
            "fieldpost-domain",
            "-p",
            "fieldpost-station",
            "-p",
            "fieldpost-sync",
            "-p",
            "fieldpost-central",
            "-p",
            "fieldpost-sheets",
            "-p",
            "fieldpost-server",
        ])
        .env("RUSTDOCFLAGS", "-D warnings"))?;
    run_tallied(
        cargo().args(["test", "--workspace", "--no-fail-fast"]),
        tally,
    )?;
    // The central's suites again on PostgreSQL: the server's (every use case through its
    // routes) and the cross-process ones (faults, kills, partitions, load), each test on a
    // fresh database of one throwaway cluster.
    let cluster = pg::Cluster::start(pg::Durability::Fast)?;
    run_tallied(
        cargo()
            .args([
                "test",
                "-p",
                "fieldpost-server",
                "-p",
                "fieldpost-tests",
                "--no-fail-fast",
            ])
            .env("FIELDPOST_TEST_POSTGRES", cluster.conninfo()),
        tally,
    )?;
    drop(cluster);
    // Every fuzz target for a while, each counted as a test (see `fuzz`).
    fuzz_all(FUZZ_TARGETS, TEST_FUZZ_SECONDS, tally)?;
    // The lottery draw's independent check: the Python reference reproduces the vectors the
    // Rust draw is tested against (crates/domain/tests/it/lottery.rs).
    run_tallied(
        Command::new("python3")
            .args([
                "docs/lottery/verify_draw.py",
                "--vectors",
                "docs/lottery/vectors.json",
            ])
            .current_dir(root()),
        tally,
    )?;
    run(Command::new("npm").args(["run", "check"]).current_dir(&ui))?;
    run_tallied(Command::new("npm").args(["test"]).current_dir(&ui), tally)?;
    e2e(tally)?;
    console_e2e(tally)?;
    Ok(())
}

/// Issue 14: release builds keep overflow checks on for the workspace's crates (see
/// profile.rs). The members' package names are read from their own manifests (the first
/// `name =` of each, the `[package]` table's).
fn release_overflow_checks() -> Result<()> {
    let root = root();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml"))?;
    let mut members = Vec::new();
    let in_members = manifest
        .split_once("members = [")
        .and_then(|(_, rest)| rest.split_once(']'))
        .map(|(list, _)| list)
        .context("Cargo.toml: no [workspace] members list")?;
    for folder in in_members.split(',').map(|m| m.trim().trim_matches('"')) {
        if folder.is_empty() {
            continue;
        }
        let text = std::fs::read_to_string(root.join(folder).join("Cargo.toml"))
            .with_context(|| format!("{folder}/Cargo.toml"))?;
        let name = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("name = "))
            .with_context(|| format!("{folder}/Cargo.toml: no package name"))?;
        members.push(name.trim_matches('"').to_owned());
    }
    let members: Vec<&str> = members.iter().map(String::as_str).collect();
    profile::check_release_overflow_checks(&manifest, &members)?;
    println!(
        "release profile: overflow checks on for {} crates",
        members.len()
    );
    Ok(())
}

/// The station app end to end in its real window (tauri-driver + WebKitWebDriver under
/// Xvfb) against a central the test starts; screenshots land in target/screenshots/.
fn e2e(tally: &mut Tally) -> Result<()> {
    build_test_binaries()?;
    let target = target_dir();
    let driver = tauri_driver().context("tauri-driver is missing: run `cargo xtask setup`")?;
    run_tallied(
        Command::new("node")
            .arg("e2e/station.e2e.mjs")
            .current_dir(root().join("ui"))
            .env("FIELDPOST_APP", target.join("debug/fieldpost-app"))
            .env("FIELDPOST_E2E_CENTRAL", target.join("debug/e2e-central"))
            .env("FIELDPOST_SCREENSHOTS", target.join("screenshots"))
            .env("TAURI_DRIVER", driver),
        tally,
    )
}

/// The binaries the end-to-end runs start (the app, the e2e central, the server), built with
/// exactly the features `cargo test --workspace` resolved. `cargo build -p fieldpost-app`
/// alone resolves fewer features, which rebuilt some 230 dependencies a second time: minutes
/// of CI and gigabytes of disk. With `--workspace --tests` every dependency is reused.
fn build_test_binaries() -> Result<()> {
    run(cargo().args(["build", "--workspace", "--bins", "--tests"]))
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"))
}

/// The station app's .deb, built by the pinned @tauri-apps/cli from ui/node_modules. Only
/// the deb target: an AppImage downloads tools at build time.
fn bundle() -> Result<()> {
    setup()?;
    run(Command::new("node")
        .arg(root().join("ui/node_modules/@tauri-apps/cli/tauri.js"))
        .args(["build", "--bundles", "deb", "--ci"])
        .current_dir(root().join("src-tauri")))?;
    let dir = target_dir().join("release/bundle/deb");
    for entry in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "deb") {
            eprintln!("xtask: built {}", path.display());
        }
    }
    Ok(())
}

/// `release_binary_bytes=`: the release binary as the bundle ships it; `cold_start_ms=`:
/// launch to the first screen being interactive, measured through the WebDriver session.
fn bench_app() -> Result<()> {
    setup()?;
    // The features the Tauri CLI builds a bundle with, so the binary measured is the shipped one.
    run(cargo().args([
        "build",
        "--release",
        "-p",
        "fieldpost-app",
        "--bin",
        "fieldpost-app",
        "--features",
        "tauri/custom-protocol",
    ]))?;
    let binary = target_dir().join("release/fieldpost-app");
    let bytes = std::fs::metadata(&binary)
        .with_context(|| format!("reading {}", binary.display()))?
        .len();
    println!("release_binary_bytes={bytes}");
    let driver = tauri_driver().context("tauri-driver is missing: run `cargo xtask setup`")?;
    run(Command::new("node")
        .args(["e2e/station.e2e.mjs", "--bench"])
        .current_dir(root().join("ui"))
        .env("FIELDPOST_APP", &binary)
        .env("TAURI_DRIVER", driver))
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
    let mut central = Command::new(&server);
    central
        .args(["--demo", "--data-dir"])
        .arg(&data_dir)
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .arg("--console-dir")
        .arg(root().join("ui/dist-console"));
    // Where a display is available, the station app opens against the demo central too.
    if std::env::var_os("DISPLAY").is_none_or(|d| d.is_empty()) {
        return run(&mut central);
    }
    run(cargo().args([
        "build",
        "--release",
        "-p",
        "fieldpost-app",
        "--bin",
        "fieldpost-app",
        "--features",
        "tauri/custom-protocol",
    ]))?;
    eprintln!("xtask: $ {}", describe(&central));
    let mut central = central.spawn().context("starting the demo central")?;
    let url = format!("http://127.0.0.1:{port}");
    // The central seeds the demo campaign before it listens; once it answers, issue a code
    // for the demo's first unit so the app can be enrolled with it.
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port.parse::<u16>()?));
    for _ in 0..300 {
        if std::net::TcpStream::connect(addr).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let code = run(Command::new(&server)
        .args(["enroll-code", "--unit", "揭阳市侨联", "--data-dir"])
        .arg(&data_dir)
        .args(["--server-url", &url]));
    if let Err(e) = code {
        eprintln!(
            "xtask: no enrollment code issued ({e}); issue one with `fieldpost-server enroll-code`"
        );
    }
    let app = Command::new(target_dir().join("release/fieldpost-app"))
        .env("FIELDPOST_CENTRAL_URL", &url)
        .env("FIELDPOST_DATA_DIR", data_dir.join("station"))
        // The device key, outside the store's directory (issue 12).
        .env("FIELDPOST_CONFIG_DIR", data_dir.join("station-config"))
        .spawn();
    match app {
        Ok(_) => eprintln!("xtask: the station app is open; enter the code above to enroll it"),
        Err(e) => eprintln!("xtask: cannot start the station app: {e}"),
    }
    let status = central.wait().context("waiting for the demo central")?;
    if !status.success() {
        bail!("the demo central stopped with {status}");
    }
    Ok(())
}

fn backend_is_postgres(args: &[&str]) -> bool {
    args.windows(2).any(|w| w == ["--backend", "postgres"])
}

/// A bench against a central on PostgreSQL: a throwaway cluster with the default (durable)
/// settings, stopped afterwards.
fn bench_on_postgres(bin: &str, args: &[&str]) -> Result<()> {
    let cluster = pg::Cluster::start(pg::Durability::Durable)?;
    bench_with(bin, args, Some(&cluster.conninfo()))
}

fn bench(bin: &str, args: &[&str]) -> Result<()> {
    bench_with(bin, args, None)
}

fn bench_with(bin: &str, args: &[&str], postgres: Option<&str>) -> Result<()> {
    let mut cmd = cargo();
    if let Some(conninfo) = postgres {
        cmd.env("FIELDPOST_TEST_POSTGRES", conninfo);
    }
    run(cmd
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
        .env("FIELDPOST_BLESS", "1"))?;
    run(cargo()
        .args([
            "test",
            "-p",
            "fieldpost-server",
            "--test",
            "it",
            "generated_typescript",
        ])
        .env("FIELDPOST_BLESS", "1"))?;
    run(cargo()
        .args([
            "test",
            "-p",
            "fieldpost-app",
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
fn console_e2e(tally: &mut Tally) -> Result<()> {
    build_test_binaries()?;
    build_console()?;
    run_tallied(
        Command::new("node")
            .arg("ui/e2e/console.e2e.mjs")
            .current_dir(root()),
        tally,
    )
}

/// The fuzz targets of `fuzz/fuzz_targets`, one per input from outside (see `fuzz/src/lib.rs`).
const FUZZ_TARGETS: &[&str] = &[
    "push",
    "pull",
    "login",
    "import_tasks",
    "import_counts",
    "enroll",
];

/// How long `cargo xtask fuzz` runs each target unless told.
const FUZZ_SECONDS: u64 = 60;

/// How long `cargo xtask test` runs each target.
const TEST_FUZZ_SECONDS: u64 = 30;

/// The cargo-fuzz the targets are built and run with (`cargo install … --locked`).
const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// cargo-fuzz, installed from the crates registry when missing. libfuzzer-sys compiles
/// libFuzzer's C++ with the g++ of build-essential (in [`APT_PACKAGES`]).
fn fuzz_setup() -> Result<()> {
    if cargo_bin("cargo-fuzz").is_none() {
        run(cargo().args([
            "install",
            "cargo-fuzz",
            "--version",
            CARGO_FUZZ_VERSION,
            "--locked",
        ]))?;
    }
    Ok(())
}

/// `cargo xtask fuzz [TARGET] [--seconds N]`.
fn fuzz(rest: &[&str]) -> Result<()> {
    let mut targets: Vec<&str> = Vec::new();
    let mut seconds = FUZZ_SECONDS;
    let mut args = rest.iter();
    while let Some(arg) = args.next() {
        match *arg {
            "--seconds" => {
                let n = args.next().context("--seconds needs a number")?;
                seconds = n
                    .parse()
                    .with_context(|| format!("--seconds {n}: not a whole number of seconds"))?;
            }
            t if FUZZ_TARGETS.contains(&t) => targets.push(t),
            other => bail!(
                "usage: cargo xtask fuzz [TARGET] [--seconds N]; unknown {other:?} (targets: {})",
                FUZZ_TARGETS.join(", ")
            ),
        }
    }
    if targets.is_empty() {
        targets = FUZZ_TARGETS.to_vec();
    }
    let missing = apt_missing(&["build-essential"]);
    if !missing.is_empty() {
        bail!("the fuzz targets need a C++ compiler: apt-get install -y build-essential");
    }
    fuzz_setup()?;
    let mut tally = Tally::default();
    let outcome = fuzz_all(&targets, seconds, &mut tally);
    println!("xtask: {} passed, {} failed", tally.passed, tally.failed);
    outcome
}

/// Builds the fuzz targets once (instrumented, optimized, with debug assertions and overflow
/// checks; no sanitizer, so stable Rust builds them), then runs each of `targets` for
/// `seconds` from its seeds (`fuzz/seeds/T`, committed) and its working corpus
/// (`fuzz/corpus/T`, ignored by git, where new inputs go). A target that runs its time out is
/// a passed test; one that finds a crash, a failed one (the input is in `fuzz/artifacts/T/`).
fn fuzz_all(targets: &[&str], seconds: u64, tally: &mut Tally) -> Result<()> {
    let dir = root().join("fuzz");
    let target_dir = target_dir().join("fuzz");
    let binary =
        cargo_bin("cargo-fuzz").context("cargo-fuzz is missing: run `cargo xtask setup`")?;
    let cargo_fuzz = || {
        let mut cmd = Command::new(&binary);
        cmd.current_dir(&dir).arg("fuzz");
        cmd
    };
    run(cargo_fuzz()
        .args(["build", "-s", "none", "--target-dir"])
        .arg(&target_dir))?;
    let mut failed = Vec::new();
    for target in targets {
        let corpus = dir.join("corpus").join(target);
        std::fs::create_dir_all(&corpus)
            .with_context(|| format!("creating {}", corpus.display()))?;
        let outcome = run(cargo_fuzz()
            .args(["run", target, "-s", "none", "--target-dir"])
            .arg(&target_dir)
            .arg(&corpus)
            .arg(dir.join("seeds").join(target))
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            // An input that takes this long is a finding (a request that ties a worker up).
            .arg("-timeout=20")
            // One line per input would drown the log: the final stats say what was done.
            .arg("-print_final_stats=1"));
        match outcome {
            Ok(()) => {
                tally.passed += 1;
                println!("xtask: fuzz {target}: ok ({seconds} s)");
            }
            Err(e) => {
                tally.failed += 1;
                println!(
                    "xtask: fuzz {target}: FAILED ({e}); the input is in fuzz/artifacts/{target}/"
                );
                failed.push(*target);
            }
        }
    }
    if !failed.is_empty() {
        bail!("fuzz targets failed: {}", failed.join(", "));
    }
    Ok(())
}
