//! The gateway under test as a child process: started as `junction serve` on a free
//! local port, serving a supergraph file or a subgraph list that points at subgraphs
//! the harness runs in its own process, waited for until `/ready` answers 200, and
//! killed whenever the [`Gateway`] is dropped, so that no exit path of a harness (an
//! error, a panic, Ctrl-C) leaves it running.

use std::fs::File;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::client::get_status;

/// How to start the gateway.
pub struct GatewayCommand<'a> {
    /// The `junction` binary.
    pub binary: &'a Path,
    /// What it serves.
    pub schema: Schema<'a>,
    /// `(subgraph name, URL)` overrides, passed as `--subgraph-url NAME=URL`.
    pub subgraph_urls: Vec<(String, String)>,
    /// A configuration file, passed as `--config FILE`.
    pub config: Option<&'a Path>,
    /// Whether to clear every `JUNCTION_*` variable of this process's environment
    /// for the gateway, so that it runs on its defaults and the given files alone.
    pub clear_junction_env: bool,
    /// The harness's name, which names the log file.
    pub harness: &'a str,
}

/// Where the gateway's supergraph comes from.
#[derive(Debug, Clone, Copy)]
pub enum Schema<'a> {
    /// A supergraph SDL file: `--supergraph FILE`.
    Supergraph(&'a Path),
    /// A subgraph list the gateway composes: `--subgraphs FILE`.
    SubgraphList(&'a Path),
}

/// A running gateway; dropping it kills the process.
pub struct Gateway {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
    /// Whether a failure message pointed at the log, which must then outlive the run.
    keep_log: bool,
}

impl Gateway {
    /// Starts the gateway on a free port of 127.0.0.1, its stdout and stderr going to a
    /// log file in the temporary directory (removed at the end unless a failure names it).
    pub fn start(command: &GatewayCommand<'_>) -> Result<Gateway> {
        if !command.binary.is_file() {
            bail!(
                "gateway binary {} not found: run `cargo build --release` first \
                 (or pass --junction PATH)",
                command.binary.display()
            );
        }
        let addr = free_local_addr()?;
        let log = std::env::temp_dir().join(format!(
            "{}-gateway-{}.log",
            command.harness,
            std::process::id()
        ));
        let log_file = File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let mut cmd = Command::new(command.binary);
        cmd.arg("serve");
        match command.schema {
            Schema::Supergraph(path) => cmd.arg("--supergraph").arg(path),
            Schema::SubgraphList(path) => cmd.arg("--subgraphs").arg(path),
        };
        cmd.arg("--listen").arg(addr.to_string());
        for (name, url) in &command.subgraph_urls {
            cmd.arg("--subgraph-url").arg(format!("{name}={url}"));
        }
        if let Some(config) = command.config {
            cmd.arg("--config").arg(config);
        }
        if command.clear_junction_env {
            for (name, _) in std::env::vars_os() {
                if name.to_string_lossy().starts_with("JUNCTION_") {
                    cmd.env_remove(name);
                }
            }
        }
        cmd.stdin(Stdio::null())
            .stdout(log_file.try_clone()?)
            .stderr(log_file);
        let child = cmd
            .spawn()
            .with_context(|| format!("starting {}", command.binary.display()))?;
        Ok(Gateway {
            child,
            addr,
            log,
            keep_log: false,
        })
    }

    /// The gateway's process id, for `/proc` statistics.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The base URL of the gateway, `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Polls `GET /ready` until it answers 200, failing if the process exits or
    /// `timeout` passes first.
    pub async fn wait_ready(&mut self, timeout: Duration) -> Result<()> {
        let url = format!("{}/ready", self.base_url());
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "the gateway exited ({status}) before it was ready\n{}",
                    self.log_tail()
                );
            }
            let answer = match tokio::time::timeout(Duration::from_secs(1), get_status(&url)).await
            {
                Ok(Ok(200)) => return Ok(()),
                Ok(Ok(status)) => format!("GET /ready answered {status}"),
                Ok(Err(err)) => format!("GET /ready failed: {err:#}"),
                Err(_) => String::from("GET /ready timed out"),
            };
            if Instant::now() >= deadline {
                bail!(
                    "the gateway was not ready after {}s ({answer})\n{}",
                    timeout.as_secs(),
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// How the gateway exited, if it has.
    pub fn exit_status(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Keeps the gateway's log after the run, to look into failures; its path.
    pub fn keep_log(&mut self) -> &Path {
        self.keep_log = true;
        &self.log
    }

    /// The gateway's log file (stdout and stderr), removed on drop unless kept.
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// The last lines the gateway printed, to explain a failure.
    fn log_tail(&mut self) -> String {
        self.keep_log = true;
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(20)..].join("\n");
        format!(
            "last lines of the gateway's log {}:\n{tail}",
            self.log.display()
        )
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        // Killing a process that already exited fails harmlessly; waiting reaps it.
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !self.keep_log {
            let _ = std::fs::remove_file(&self.log);
        }
    }
}

/// A local address whose port was free a moment ago. Another process could take it
/// before the gateway binds it; then the gateway fails to start and says so.
fn free_local_addr() -> Result<SocketAddr> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?)
}
