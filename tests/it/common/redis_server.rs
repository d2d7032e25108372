//! A private `redis-server` for tests, on a free port of 127.0.0.1 and
//! without persistence. Never the system Redis: each test gets its own
//! process, killed when the [`RedisServer`] is dropped. [`RedisServer::stop`]
//! and [`RedisServer::restart`] (same port) simulate an outage.

#![allow(clippy::unwrap_used, dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// How long a starting server may take to answer `PING`.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// A running (or stopped) private Redis.
pub struct RedisServer {
    port: u16,
    extra_args: Vec<String>,
    child: Option<Child>,
    /// Its working directory, so that nothing lands in the repository.
    dir: TempDir,
}

impl RedisServer {
    /// Starts a server on a free port and waits until it answers `PING`.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// Like [`RedisServer::start`], with extra `redis-server` arguments
    /// (e.g. `["--requirepass", "secret"]`).
    pub fn start_with(extra_args: &[&str]) -> Self {
        let extra_args: Vec<String> = extra_args.iter().map(|a| a.to_string()).collect();
        // Another process may take the free port before redis-server binds
        // it: try a few.
        for _ in 0..5 {
            let mut server = Self {
                port: free_port(),
                extra_args: extra_args.clone(),
                child: None,
                dir: tempfile::tempdir().unwrap(),
            };
            if server.spawn().is_ok() {
                return server;
            }
        }
        panic!("redis-server did not start on any of 5 free ports");
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// A store on this server, its names under `prefix`.
    pub async fn store(&self, prefix: &str) -> std::sync::Arc<dyn junction::store::Store> {
        junction::store::open_store(&junction::store::StoreConfig {
            redis_url: Some(self.url()),
            data_dir: std::env::temp_dir(),
            prefix: prefix.into(),
        })
        .await
        .unwrap()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Kills the server (no clean shutdown, like a crash) and waits for it.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port, with no data.
    pub fn restart(&mut self) {
        self.stop();
        let deadline = Instant::now() + START_TIMEOUT;
        // The port may stay busy for a moment after the kill.
        while let Err(error) = self.spawn() {
            assert!(
                Instant::now() < deadline,
                "redis-server did not restart on port {}: {error}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn spawn(&mut self) -> Result<(), String> {
        let port = self.port.to_string();
        let mut child = Command::new("redis-server")
            .args(["--port", &port, "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(self.dir.path())
            .args(&self.extra_args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run redis-server: {e}"))?;
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return Err(format!("redis-server exited with {status}"));
            }
            if answers_ping(self.port) {
                self.child = Some(child);
                return Ok(());
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                return Err("redis-server did not answer PING".to_string());
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Whether something on `port` answers `PING` like Redis (a server with
/// `requirepass` answers `-NOAUTH`, which counts: it is up).
fn answers_ping(port: u16) -> bool {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut stream) = TcpStream::connect_timeout(&address, Duration::from_millis(200)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    if stream.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut reply = [0u8; 64];
    match stream.read(&mut reply) {
        Ok(n) => reply[..n].starts_with(b"+PONG") || reply[..n].starts_with(b"-NOAUTH"),
        Err(_) => false,
    }
}
