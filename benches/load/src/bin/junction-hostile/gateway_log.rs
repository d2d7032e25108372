//! The gateway's log, read a case at a time: the lines it wrote at WARN or ERROR
//! while a case ran, so that a finding can quote them next to the figures.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::send::shorten;

/// How many lines of a case's log the report quotes.
const SAMPLES: usize = 3;

/// A position in the gateway's log file.
pub struct LogCursor {
    path: PathBuf,
    offset: u64,
}

/// The WARN and ERROR lines of a stretch of the log.
#[derive(Debug, Default)]
pub struct LogExcerpt {
    /// How many there were.
    pub count: usize,
    /// The first few, shortened.
    pub samples: Vec<String>,
}

impl LogCursor {
    /// A cursor at the start of the log at `path`.
    pub fn new(path: &Path) -> LogCursor {
        LogCursor {
            path: path.to_owned(),
            offset: 0,
        }
    }

    /// Moves past everything written so far.
    pub fn skip_to_end(&mut self) {
        self.offset = std::fs::metadata(&self.path).map_or(self.offset, |meta| meta.len());
    }

    /// The WARN and ERROR lines written since the cursor, which moves past them. A
    /// log that cannot be read yields nothing: the figures matter more than the log.
    pub fn read_new(&mut self) -> LogExcerpt {
        let mut text = Vec::new();
        let read = File::open(&self.path).and_then(|mut file| {
            file.seek(SeekFrom::Start(self.offset))?;
            file.read_to_end(&mut text)
        });
        let Ok(read) = read else {
            return LogExcerpt::default();
        };
        self.offset += read as u64;
        excerpt(&String::from_utf8_lossy(&text))
    }
}

/// The WARN and ERROR lines of `text`, colour codes removed.
fn excerpt(text: &str) -> LogExcerpt {
    let mut found = LogExcerpt::default();
    for line in text.lines().map(strip_ansi) {
        if line.contains("WARN") || line.contains("ERROR") {
            found.count += 1;
            if found.samples.len() < SAMPLES {
                found.samples.push(shorten(line.trim()));
            }
        }
    }
    found
}

/// `line` without ANSI escape sequences (`ESC [ … letter`).
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // Skip to the sequence's final letter.
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_warnings_and_errors_without_colour() {
        let text = "2025 \u{1b}[32m INFO\u{1b}[0m ready\n\
                    2025 \u{1b}[33m WARN\u{1b}[0m slow subgraph\n\
                    2025 \u{1b}[31mERROR\u{1b}[0m subgraph failed\n";
        let found = excerpt(text);
        assert_eq!(found.count, 2);
        assert_eq!(
            found.samples,
            ["2025  WARN slow subgraph", "2025 ERROR subgraph failed"]
        );
    }

    #[test]
    fn reads_only_what_was_written_since_the_last_read() -> anyhow::Result<()> {
        let path = std::env::temp_dir().join(format!("hostile-log-test-{}", std::process::id()));
        std::fs::write(&path, "WARN one\n")?;
        let mut cursor = LogCursor::new(&path);
        assert_eq!(cursor.read_new().count, 1);
        std::fs::write(&path, "WARN one\nINFO two\nERROR three\n")?;
        assert_eq!(cursor.read_new().samples, ["ERROR three"]);
        cursor.skip_to_end();
        assert_eq!(cursor.read_new().count, 0);
        std::fs::remove_file(&path)?;
        Ok(())
    }
}
