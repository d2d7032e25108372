//! Runs `apollo_compose.js` (our Node wrapper around
//! `@apollo/composition`) over many sets: each set is written to a file
//! in a scratch directory, and files go to `node` in batches (one process
//! per batch, one JSON line per file). A batch that does not answer one
//! line per file is retried one file per process, so one crash costs only
//! its own set.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::sets::Set;
use crate::verdict::Verdict;

const BATCH: usize = 25;

/// How to reach Apollo's composer.
pub struct Apollo {
    /// `apollo_compose.js`.
    pub script: PathBuf,
    /// Where `@apollo/composition` is installed (passed as `--modules`; NODE_PATH works too).
    pub modules: Option<PathBuf>,
}

impl Apollo {
    /// Whether `node` runs at all.
    pub fn available() -> bool {
        Command::new("node")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    }

    /// Apollo's verdict for every set, in order (`Err`: the script gave no usable answer).
    pub fn verdicts(&self, sets: &[Set], scratch: &Path) -> Result<Vec<Result<Verdict, String>>> {
        std::fs::create_dir_all(scratch)
            .with_context(|| format!("creating {}", scratch.display()))?;
        let mut files = Vec::with_capacity(sets.len());
        for (i, set) in sets.iter().enumerate() {
            let path = scratch.join(format!("{i:04}.json"));
            std::fs::write(&path, set.to_json().to_string())
                .with_context(|| format!("writing {}", path.display()))?;
            files.push(path);
        }
        let mut verdicts = Vec::with_capacity(sets.len());
        for (n, batch) in files.chunks(BATCH).enumerate() {
            eprint!(
                "\rapollo: {}/{}",
                (n * BATCH + batch.len()).min(files.len()),
                files.len()
            );
            match self.run(batch) {
                Ok(lines) if lines.len() == batch.len() => {
                    verdicts.extend(lines.iter().map(|l| Verdict::from_apollo_line(l)));
                }
                _ => {
                    for file in batch {
                        verdicts.push(match self.run(std::slice::from_ref(file)) {
                            Ok(lines) if lines.len() == 1 => Verdict::from_apollo_line(&lines[0]),
                            Ok(lines) => Err(format!("{} lines of output", lines.len())),
                            Err(e) => Err(e),
                        });
                    }
                }
            }
        }
        eprintln!();
        Ok(verdicts)
    }

    fn run(&self, files: &[PathBuf]) -> Result<Vec<String>, String> {
        let mut command = Command::new("node");
        command.arg(&self.script);
        if let Some(modules) = &self.modules {
            command.arg("--modules").arg(modules);
        }
        let output = command
            .args(files)
            .output()
            .map_err(|e| format!("cannot run node: {e}"))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(format!(
                "node exited with {}: {}",
                output.status,
                stderr.trim()
            ));
        }
        Ok(String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect())
    }
}
