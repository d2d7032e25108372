//! The process's log output: human-readable lines on stderr, filtered by
//! `JUNCTION_LOG` (or else `RUST_LOG`), `info` by default.
//!
//! Request bodies and headers are never logged: the HTTP trace spans carry
//! method, path and request id only.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

const DEFAULT_FILTER: &str = "info";

/// Installs the global subscriber; a bad filter falls back to the default and says so.
pub fn init() {
    let (filter, problem) = match filter_from_env() {
        Ok(filter) => (filter, None),
        Err(problem) => (EnvFilter::new(DEFAULT_FILTER), Some(problem)),
    };
    let installed = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
    if installed.is_ok() {
        if let Some(problem) = problem {
            tracing::warn!("{problem}; logging at `{DEFAULT_FILTER}`");
        }
    }
}

fn filter_from_env() -> Result<EnvFilter, String> {
    for variable in ["JUNCTION_LOG", "RUST_LOG"] {
        if let Ok(directives) = std::env::var(variable) {
            if directives.trim().is_empty() {
                continue;
            }
            return EnvFilter::try_new(&directives)
                .map_err(|error| format!("invalid {variable}={directives:?}: {error}"));
        }
    }
    Ok(EnvFilter::new(DEFAULT_FILTER))
}
