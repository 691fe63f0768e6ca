//! Central in its own process for the load test, and a scratch PostgreSQL database.

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use sqlx::Connection;

/// A running `storedesk-central serve`, killed when stopped or dropped.
pub struct Central {
    child: tokio::process::Child,
    base: String,
}

impl Central {
    /// Starts the release `storedesk-central` next to this program on a free loopback port, its log
    /// in `log`, with `env` added (the tracing run's OpenTelemetry settings), and waits until it
    /// answers.
    pub async fn start(database_url: &str, log: &Path, env: &[(String, String)]) -> anyhow::Result<Central> {
        let program = std::env::current_exe()?
            .with_file_name(format!("storedesk-central{}", std::env::consts::EXE_SUFFIX));
        if !program.exists() {
            bail!(
                "{} is missing: build it first (cargo build --release -p storedesk-central -p storedesk-dev)",
                program.display()
            );
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let listen = format!("127.0.0.1:{port}");
        let log_file = std::fs::File::create(log).with_context(|| log.display().to_string())?;
        let child = tokio::process::Command::new(&program)
            .args(["--database-url", database_url, "serve", "--listen", &listen, "--rate-limit", "1000000"])
            .env("STOREDESK_CENTRAL_ADMIN_TOKEN", storedesk_central::service::stores::new_token("sda_"))
            .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
            .env_remove("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("cannot start {}", program.display()))?;
        let central = Central { child, base: format!("http://{listen}") };
        let started = Instant::now();
        while tokio::net::TcpStream::connect(&listen).await.is_err() {
            if started.elapsed() > Duration::from_secs(30) {
                bail!("central did not listen on {listen} within 30 s (its log: {})", log.display());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(central)
    }

    /// Central's CPU time so far, user and system, where the OS tells (Linux: `/proc/PID/stat`, in
    /// clock ticks of 10 ms): what a request costs central, whatever else the machine runs.
    pub fn cpu_time(&self) -> Option<Duration> {
        let pid = self.child.id()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // After the command name (in parentheses): state, ppid, ... utime is the 14th field of
        // the line, stime the 15th.
        let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
        let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
        Some(Duration::from_millis(ticks * 10))
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub async fn stop(mut self) -> anyhow::Result<()> {
        self.child.kill().await?;
        Ok(())
    }
}

/// A fresh database on a PostgreSQL server, dropped after the run.
pub struct PgScratch {
    server: String,
    name: String,
    url: String,
}

impl PgScratch {
    /// `server` is a URL to the server's `postgres` database (or any database there).
    pub async fn create(server: &str) -> anyhow::Result<PgScratch> {
        let name = format!("storedesk_load_{}", uuid::Uuid::now_v7().simple());
        let mut conn =
            sqlx::PgConnection::connect(server).await.with_context(|| format!("cannot reach {server}"))?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await?;
        conn.close().await?;
        let url = match server.rsplit_once('/') {
            Some((head, _)) if head.contains("://") => format!("{head}/{name}"),
            _ => bail!("{server} does not end in /DATABASE"),
        };
        Ok(PgScratch { server: server.to_string(), name, url })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub async fn drop_it(self) -> anyhow::Result<()> {
        let mut conn = sqlx::PgConnection::connect(&self.server).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)))
            .execute(&mut conn)
            .await?;
        conn.close().await?;
        Ok(())
    }
}
