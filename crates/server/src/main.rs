//! `fieldpost-server`: serve the central API, issue a device enrollment code, or back up the
//! central's database while it serves.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use fieldpost_central::audit::Actor;
use fieldpost_central::logins::LoginLimits;
use fieldpost_central::lottery_key::LotteryKeyFile;
use fieldpost_central::storage::Database;
use fieldpost_central::storage::postgres::{PgDatabase, PgOptions};
use fieldpost_central::storage::sqlite::{
    BackupOptions, DATABASE_FILE, SqliteDatabase, backup_file,
};
use fieldpost_central::{bootstrap_admin, campaign, demo, enrollment, lottery};
use fieldpost_domain::UnitId;
use fieldpost_server::{AppState, Config, service};

#[derive(Debug, Parser)]
#[command(
    name = "fieldpost-server",
    version,
    about = "Fieldpost's central server"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Directory holding the database (created if missing), and the demo's and the
    /// enrollment codes' files.
    #[arg(long, default_value = "fieldpost-data")]
    data_dir: PathBuf,
    /// Keep the records in this PostgreSQL database (`postgres://user@host/db`, or
    /// `host=/run/postgresql dbname=fieldpost`) instead of the SQLite file in the data
    /// directory. Several servers may share one database.
    #[arg(long, value_name = "URL")]
    database: Option<String>,
    /// PostgreSQL connections this server keeps open at most.
    #[arg(long, default_value_t = 16)]
    pool_size: usize,
    /// The lottery's secret key file (made with the lottery's first terms; deleted with its
    /// numbers). Default: `lottery.key` in the data directory, with SQLite and with
    /// PostgreSQL alike. Several servers on one PostgreSQL database must share one file
    /// (like their TLS key): give each the same path, or a copy of the file.
    #[arg(long, value_name = "PATH")]
    lottery_key: Option<PathBuf>,
    /// Address to listen on; loopback only unless told otherwise.
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Seed the Jieyang 2022 demo campaign (once per data directory).
    #[arg(long)]
    demo: bool,
    /// Largest request body, in bytes.
    #[arg(long, default_value_t = 8 * 1024 * 1024)]
    body_limit: usize,
    /// Days a device's bearer token serves before the central hands the device its successor
    /// in a sync's answer (the old one works until the device uses the new one).
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=3650))]
    token_rotation_days: u32,
    /// The built secretariat console to serve at `/` (`npm run build:console` in ui/);
    /// default: ui/dist-console under the working directory, when it is there.
    #[arg(long)]
    console_dir: Option<PathBuf>,
    /// The console is reached over HTTPS (through a TLS-terminating proxy: this server speaks
    /// plain HTTP): mark the session cookie Secure, and accept changes only from an https://
    /// origin. Set it in every deployment behind TLS.
    #[arg(long)]
    secure_cookies: bool,
    /// A reverse proxy whose X-Forwarded-For / -Proto / -Host headers are believed (its
    /// address as this server sees it; repeat for several). From anyone else they are
    /// ignored, and the connection's peer is the client.
    #[arg(long = "trust-proxy", value_name = "IP")]
    trusted_proxies: Vec<std::net::IpAddr>,
    #[command(flatten)]
    login: LoginArgs,
}

/// How failed console logins are throttled (defaults: fieldpost_central::logins::LoginLimits).
#[derive(Debug, clap::Args)]
struct LoginArgs {
    /// Failed logins of one name that cost no wait; after them the wait doubles from 1 s.
    #[arg(long, default_value_t = 3)]
    login_free_failures: u32,
    /// The failed login of one name that locks it (and every one after it until forgotten).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..), default_value_t = 10)]
    login_lock_after: u32,
    /// How long a name stays locked, in minutes.
    #[arg(long, value_parser = clap::value_parser!(i64).range(1..), default_value_t = 15)]
    login_lock_minutes: i64,
    /// Failed logins from one client address (any names) that cost no wait.
    #[arg(long, default_value_t = 20)]
    login_address_free_failures: u32,
    /// The failed login from one address that locks it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..), default_value_t = 100)]
    login_address_lock_after: u32,
    /// How long an address stays locked, in minutes.
    #[arg(long, value_parser = clap::value_parser!(i64).range(1..), default_value_t = 30)]
    login_address_lock_minutes: i64,
}

impl LoginArgs {
    fn limits(&self) -> LoginLimits {
        let mut limits = LoginLimits::default();
        limits.account.free_failures = self.login_free_failures;
        limits.account.lock_after = self.login_lock_after;
        limits.account.lock_for = chrono::Duration::minutes(self.login_lock_minutes);
        limits.address.free_failures = self.login_address_free_failures;
        limits.address.lock_after = self.login_address_lock_after;
        limits.address.lock_for = chrono::Duration::minutes(self.login_address_lock_minutes);
        limits
    }
}

/// The HTTP API's configuration from the command line.
fn config(cli: &Cli, console_dir: Option<PathBuf>) -> Config {
    Config {
        body_limit: cli.body_limit,
        console_dir,
        secure_cookies: cli.secure_cookies,
        trusted_proxies: cli.trusted_proxies.clone(),
        login_limits: cli.login.limits(),
        token_rotation: chrono::Duration::days(i64::from(cli.token_rotation_days)),
        ..Config::default()
    }
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Issue a one-time enrollment code for a unit and write its QR code as a PNG.
    EnrollCode {
        /// The unit, by id or by exact name.
        #[arg(long)]
        unit: String,
        /// Directory holding the database.
        #[arg(long)]
        data_dir: PathBuf,
        /// The PostgreSQL database, if the server runs on one (its --database).
        #[arg(long, value_name = "URL")]
        database: Option<String>,
        /// The server's base URL, put into the QR code for the tablet.
        #[arg(long)]
        server_url: Option<String>,
        /// Where to write the PNG (default: DATA_DIR/enrollment-codes/CODE.png).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Copy the central's database to FILE, safely while the central is running and
    /// serving writes (SQLite's online backup API), then check the copy (integrity_check).
    Backup {
        /// Directory holding the database (the server's --data-dir); it is only read.
        #[arg(long)]
        data_dir: PathBuf,
        /// The backup file to write; refused if it exists, unless --force.
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
    },
}

fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    match cli.command {
        Some(Command::EnrollCode {
            unit,
            data_dir,
            database,
            server_url,
            out,
        }) => {
            let (store, _) = open(&data_dir, database.as_deref(), 2)?;
            enroll_code(store.as_ref(), &unit, &data_dir, server_url.as_deref(), out)
        }
        Some(Command::Backup {
            data_dir,
            to,
            force,
        }) => {
            // One line for the operator (path and reason), not a report of where in the code.
            if let Err(e) = backup(&data_dir, &to, force) {
                eprintln!("fieldpost-server backup: {e:#}");
                std::process::exit(1);
            }
            Ok(())
        }
        None => {
            let runtime = tokio::runtime::Runtime::new().context("starting tokio")?;
            runtime.block_on(serve(cli))
        }
    }
}

/// The central's database: PostgreSQL when given one, else the data directory's SQLite
/// file; and where it is, for the operator. Blocking (connects and migrates): call it off the
/// async threads.
fn open(
    data_dir: &Path,
    database: Option<&str>,
    pool_size: usize,
) -> Result<(Arc<dyn Database>, String)> {
    Ok(match database {
        Some(url) => {
            let db = PgDatabase::connect(
                url,
                PgOptions {
                    pool_size,
                    ..PgOptions::default()
                },
            )
            .context("opening the PostgreSQL database")?;
            let location = format!("PostgreSQL database {}", db.location());
            (Arc::new(db), location)
        }
        None => {
            let db = SqliteDatabase::open_dir(data_dir)
                .with_context(|| format!("opening {}", data_dir.display()))?;
            let location = db.path().display().to_string();
            (Arc::new(db), location)
        }
    })
}

fn enroll_code(
    store: &dyn Database,
    unit: &str,
    data_dir: &Path,
    server_url: Option<&str>,
    out: Option<PathBuf>,
) -> Result<()> {
    let unit = match unit.parse::<UnitId>() {
        Ok(id) => match campaign::unit(store, id)? {
            Some(u) => u,
            None => bail!("no unit {id} in {}", data_dir.display()),
        },
        Err(_) => match campaign::units(store, None)?
            .into_iter()
            .find(|u| u.name == unit)
        {
            Some(u) => u,
            None => bail!("no unit named {unit:?} in {}", data_dir.display()),
        },
    };
    let issued = enrollment::issue(
        store,
        &Actor::System("cli"),
        unit.id,
        chrono::Utc::now(),
        Config::default().enrollment_code_ttl,
    )?;
    let path = match out {
        Some(p) => p,
        None => {
            let dir = data_dir.join("enrollment-codes");
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            dir.join(format!("{}.png", issued.code))
        }
    };
    let text = enrollment::qr_text(&issued.code, server_url);
    fieldpost_sheets::qr::write_png(&text, &path)
        .with_context(|| format!("writing {}", path.display()))?;
    println!("unit: {} ({})", unit.name, unit.id);
    println!("enrollment code: {}", issued.code);
    println!("expires: {}", issued.expires_at.to_rfc3339());
    println!("qr: {}", path.display());
    Ok(())
}

/// `fieldpost-server backup`: a checked copy of DATA_DIR's database at `to`. Runs next to a
/// serving central (its own process, its own read connection); never creates a database.
fn backup(data_dir: &Path, to: &Path, force: bool) -> Result<()> {
    let source = data_dir.join(DATABASE_FILE);
    if !source.is_file() {
        bail!(
            "no central database at {} (is --data-dir the server's data directory? A central \
             on PostgreSQL is backed up with pg_dump or pg_basebackup: see the README)",
            source.display()
        );
    }
    if !force && to.exists() {
        bail!(
            "{} already exists; not overwriting it (pass --force to replace it)",
            to.display()
        );
    }
    let options = BackupOptions {
        force,
        ..BackupOptions::default()
    };
    let report = backup_file(&source, to, &options)
        .with_context(|| format!("backing up {} to {}", source.display(), to.display()))?;
    println!("backup: {}", report.path.display());
    println!("from: {}", source.display());
    println!(
        "size: {} bytes ({} pages of {} bytes)",
        report.bytes, report.pages, report.page_size
    );
    println!("schema version: {}", report.schema_version);
    println!("integrity_check: ok");
    println!(
        "took: {:.2} s in {} steps",
        report.elapsed.as_secs_f64(),
        report.steps
    );
    Ok(())
}

async fn serve(cli: Cli) -> Result<()> {
    let (dir, url, pool) = (cli.data_dir.clone(), cli.database.clone(), cli.pool_size);
    let (store, location) =
        tokio::task::spawn_blocking(move || open(&dir, url.as_deref(), pool)).await??;
    let now = chrono::Utc::now();
    let login = if cli.demo {
        let dir = cli.data_dir.clone();
        let s = Arc::clone(&store);
        let login =
            tokio::task::spawn_blocking(move || demo::start(s.as_ref(), &dir, now)).await??;
        if login.seeded {
            println!("demo: seeded the Jieyang 2022 campaign (quotas are illustrative)");
        } else {
            println!("demo: the Jieyang 2022 campaign is already seeded; nothing seeded again");
        }
        if login.today_plan.is_some() {
            println!(
                "demo: approved a station plan for today for {} (top up a tablet's grant in the console)",
                demo::TODAY_UNIT
            );
        }
        login.password.map(|p| (login.username, p))
    } else {
        let s = Arc::clone(&store);
        let created =
            tokio::task::spawn_blocking(move || bootstrap_admin(s.as_ref(), now)).await??;
        if created.is_none() {
            println!("admin: console users exist; log in with yours");
        }
        created
    };
    // The lottery key: checked against the database before anything is served (a tablet
    // would otherwise seal numbers to a key this central cannot open).
    let key_path = cli
        .lottery_key
        .clone()
        .unwrap_or_else(|| cli.data_dir.join("lottery.key"));
    let lottery_key = Arc::new(
        LotteryKeyFile::open(&key_path)
            .with_context(|| format!("opening the lottery key file {}", key_path.display()))?,
    );
    let (s, k) = (Arc::clone(&store), Arc::clone(&lottery_key));
    let prepared = tokio::task::spawn_blocking(move || lottery::prepare(s.as_ref(), &k, now))
        .await?
        .context("the lottery key does not fit this database; refusing to start")?;
    if prepared.key_created {
        println!("lottery: made the lottery key {}", key_path.display());
    }
    if prepared.legacy_sealed > 0 {
        println!(
            "lottery: sealed {} entrants' numbers stored before numbers were sealed",
            prepared.legacy_sealed
        );
    }
    if let Some(report) = &prepared.deleted {
        println!(
            "lottery: retention date reached; deleted {} entrants' numbers and the key file",
            report.entrant_rows
        );
    }
    let console_dir = cli
        .console_dir
        .clone()
        .or_else(|| Some(PathBuf::from("ui/dist-console")).filter(|d| d.is_dir()));
    let config = config(&cli, console_dir.clone());
    let state = AppState::new(store.clone(), lottery_key).with_config(config);
    // The retention date's check, every minute (the start-up checked once already).
    let checker = state.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        every.tick().await;
        loop {
            every.tick().await;
            checker.lottery_check().await;
        }
    });
    let listener = tokio::net::TcpListener::bind(cli.listen)
        .await
        .with_context(|| format!("binding {}", cli.listen))?;
    let addr = listener.local_addr()?;
    println!("data: {location}");
    println!("lottery key: {}", key_path.display());
    println!("api: http://{addr}/api/v1");
    println!("openapi: http://{addr}/api/v1/openapi.json");
    match &console_dir {
        Some(dir) => println!("console: http://{addr}/ (from {})", dir.display()),
        None => {
            println!("console: not built (cd ui && npm run build:console); the API still serves")
        }
    }
    if let Some((user, password)) = login {
        println!("admin login: {user} / {password}");
    }
    tracing::info!(%addr, "serving");
    axum::serve(listener, service(state))
        .with_graceful_shutdown(async {
            // If the signal handler cannot be installed, serve until killed.
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        })
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_sets_secure_cookies_proxies_and_login_limits() {
        let cli = Cli::parse_from([
            "fieldpost-server",
            "--secure-cookies",
            "--trust-proxy",
            "10.0.0.1",
            "--login-lock-after",
            "4",
        ]);
        let c = config(&cli, None);
        assert!(c.secure_cookies, "--secure-cookies marks the cookie Secure");
        assert_eq!(
            c.trusted_proxies,
            vec!["10.0.0.1".parse::<std::net::IpAddr>().unwrap()]
        );
        assert_eq!(
            c.login_limits.account.lock_after, 4,
            "the flag reaches the limits"
        );
        let plain = config(&Cli::parse_from(["fieldpost-server"]), None);
        assert!(!plain.secure_cookies, "plain HTTP on loopback by default");
        assert_eq!(
            plain.login_limits,
            LoginLimits::default(),
            "the flags' defaults are the library's"
        );
    }
}
