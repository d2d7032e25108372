//! The `--ratelimit` option: run the gateway without rate limits (`none`), with a
//! limit kept in its process (`local`), or with the limit shared through Redis
//! (`redis`: the harness starts its own `redis-server` on a free port, keeping
//! nothing on disk, and gives the gateway its URL). The limit is the anonymous tier's
//! (the benchmark's requests carry no credential), set so high that it never
//! refuses: every request is counted (for `redis`, one script call per request) and
//! every answer must still be the expected one. The first answer must carry the
//! `RateLimit-Policy` header, so the run shows that limiting was on.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::json;
use tempfile::TempDir;

/// The anonymous tier's rate: a billion a minute never refuses.
const NEVER_REFUSING: &str = "1000000000/1m";

/// How the gateway limits requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RateLimitMode {
    /// No `rate_limits` section.
    None,
    /// The anonymous tier limited in the gateway's process.
    Local,
    /// The anonymous tier limited through a Redis the harness starts.
    Redis,
}

impl RateLimitMode {
    pub fn name(self) -> &'static str {
        match self {
            RateLimitMode::None => "none",
            RateLimitMode::Local => "local",
            RateLimitMode::Redis => "redis",
        }
    }

    /// What the mode means, for the report.
    pub fn description(self) -> String {
        match self {
            RateLimitMode::None => "none (no rate_limits section)".to_owned(),
            RateLimitMode::Local => {
                format!("local (anonymous tier {NEVER_REFUSING}, in process)")
            }
            RateLimitMode::Redis => {
                format!("redis (anonymous tier {NEVER_REFUSING}, shared through Redis)")
            }
        }
    }
}

/// The configuration (and Redis) of `--ratelimit local` or `redis`, alive for the
/// whole run.
pub struct RateLimitSetup {
    config: PathBuf,
    /// Killed when the setup is dropped, after the run.
    _redis: Option<RedisChild>,
    _dir: TempDir,
}

impl RateLimitSetup {
    /// Writes the configuration (and starts Redis); `None` for `--ratelimit none`.
    pub fn start(mode: RateLimitMode) -> Result<Option<RateLimitSetup>> {
        if mode == RateLimitMode::None {
            return Ok(None);
        }
        let dir = tempfile::Builder::new()
            .prefix("junction-loadbench-ratelimit-")
            .tempdir()
            .context("creating a temporary directory")?;
        let redis = match mode {
            RateLimitMode::Redis => Some(RedisChild::start(dir.path())?),
            _ => None,
        };
        let mut config = json!({
            "rate_limits": {
                "tiers": { "anonymous": { "requests": NEVER_REFUSING } },
                "anonymous_tier": "anonymous",
            }
        });
        if let Some(redis) = &redis {
            config["redis_url"] = json!(redis.url());
        }
        let yaml = serde_yaml::to_string(&config).context("writing the configuration")?;
        let path = dir.path().join("junction.yaml");
        std::fs::write(&path, yaml).with_context(|| format!("writing {}", path.display()))?;
        eprintln!(
            "ratelimit {}: gateway configuration {}",
            mode.name(),
            path.display()
        );
        Ok(Some(RateLimitSetup {
            config: path,
            _redis: redis,
            _dir: dir,
        }))
    }

    pub fn config_path(&self) -> &Path {
        &self.config
    }
}

/// A `redis-server` the harness started; killed when dropped.
struct RedisChild {
    child: Child,
    port: u16,
}

impl RedisChild {
    fn start(dir: &Path) -> Result<RedisChild> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .context("finding a free port for Redis")?
            .port();
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting redis-server (is it installed?)")?;
        let redis = RedisChild { child, port };
        redis.wait_until_listening()?;
        eprintln!("redis-server at {} (pid {})", redis.url(), redis.child.id());
        Ok(redis)
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn wait_until_listening(&self) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        bail!(
            "redis-server did not listen on port {} within 10 s",
            self.port
        )
    }
}

impl Drop for RedisChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
