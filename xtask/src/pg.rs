//! A throwaway PostgreSQL cluster for the tests and the benches: Debian's `postgresql`
//! binaries, `initdb` in a temporary directory (as the `postgres` user when we are root:
//! `initdb` refuses root), listening on a unix socket in that directory only (no TCP), stopped
//! and deleted when dropped. Nothing is downloaded.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use super::{describe, is_root, run};

/// Settings for a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Commits reach the disk before they are acknowledged (PostgreSQL's defaults): what the
    /// benches compare, as SQLite runs with `synchronous = FULL`.
    Durable,
    /// No fsync: for the tests, which prove behaviour, not durability across a power cut.
    Fast,
}

/// A running cluster.
#[derive(Debug)]
pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
}

/// The newest installed PostgreSQL's `bin` directory.
fn bin_dir() -> Result<PathBuf> {
    let base = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(base)
        .with_context(|| format!("{} (is Debian's postgresql installed?)", base.display()))?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    match versions.pop() {
        Some((_, bin)) => Ok(bin),
        None => bail!("no PostgreSQL server under {}", base.display()),
    }
}

impl Cluster {
    /// Creates and starts a cluster.
    pub fn start(durability: Durability) -> Result<Cluster> {
        let bin = bin_dir()?;
        let as_postgres = is_root();
        let dir = std::env::temp_dir().join(format!("fieldpost-pg-{}", std::process::id()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).with_context(|| format!("{}", dir.display()))?;
        }
        std::fs::create_dir_all(&dir).with_context(|| format!("{}", dir.display()))?;
        let cluster = Cluster {
            dir,
            bin,
            as_postgres,
        };
        if as_postgres {
            run(Command::new("chown")
                .arg("postgres:postgres")
                .arg(&cluster.dir))?;
        }
        quiet(
            cluster
                .tool("initdb")
                .args([
                    "--auth=trust",
                    "--username=postgres",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                    "-D",
                ])
                .arg(cluster.data()),
        )?;
        let mut options = format!(
            "-c listen_addresses='' -c unix_socket_directories='{}' -c max_connections=400",
            cluster.dir.display()
        );
        if durability == Durability::Fast {
            options.push_str(" -c fsync=off -c synchronous_commit=off -c full_page_writes=off");
        }
        run(cluster
            .tool("pg_ctl")
            .args(["-w", "-t", "60", "-D"])
            .arg(cluster.data())
            .arg("-l")
            .arg(cluster.dir.join("server.log"))
            .args(["-o", &options, "start"]))?;
        Ok(cluster)
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn tool(&self, name: &str) -> Command {
        let path = self.bin.join(name);
        if self.as_postgres {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(path);
            cmd
        } else {
            Command::new(path)
        }
    }

    /// A connection string for the cluster, without a database: what
    /// `FIELDPOST_TEST_POSTGRES` takes.
    pub fn conninfo(&self) -> String {
        format!("host={} user=postgres", self.dir.display())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let stopped = self
            .tool("pg_ctl")
            .args(["-w", "-m", "fast", "-D"])
            .arg(self.data())
            .arg("stop")
            .output();
        if !matches!(&stopped, Ok(o) if o.status.success()) {
            eprintln!(
                "xtask: stopping the PostgreSQL cluster in {} failed",
                self.dir.display()
            );
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs `cmd`, showing its output only if it fails.
fn quiet(cmd: &mut Command) -> Result<()> {
    eprintln!("xtask: $ {}", describe(cmd));
    let out = cmd
        .output()
        .with_context(|| format!("cannot start {}", describe(cmd)))?;
    if !out.status.success() {
        bail!(
            "{} failed with {}:\n{}{}",
            describe(cmd),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}
