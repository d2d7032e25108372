//! The workspace the harnesses were built from: where its default files and the
//! release-built gateway are, and which commit it is at, so that a report says what
//! was measured.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace this crate was built from, where the default files are.
pub fn root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .ancestors()
        .nth(2)
        .unwrap_or(manifest_dir)
        .to_path_buf()
}

/// `target/release/junction`, in `CARGO_TARGET_DIR` when that is set.
pub fn release_gateway(root: &Path) -> PathBuf {
    let target_dir =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    target_dir.join("release").join("junction")
}

/// `git describe --always --dirty` in `root`, if git is there and knows.
pub fn git_describe(root: &Path) -> Option<String> {
    git(root, &["describe", "--always", "--dirty"])
}

/// `git rev-parse --short HEAD` in `root`, followed by `(uncommitted changes)` when
/// tracked files differ from it, if git is there and knows. It reads only:
/// `--no-optional-locks` keeps git from refreshing the index others may be using.
pub fn git_head(root: &Path) -> Option<String> {
    let head = git(root, &["rev-parse", "--short", "HEAD"])?;
    let clean = Command::new("git")
        .args(["--no-optional-locks", "diff", "--quiet", "HEAD", "--"])
        .current_dir(root)
        .status()
        .is_ok_and(|status| status.success());
    Some(match clean {
        true => head,
        false => format!("{head} (uncommitted changes)"),
    })
}

/// The trimmed standard output of a successful `git ARGS` in `root`.
fn git(root: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .ok()
        .filter(|output| output.status.success())?;
    let text = String::from_utf8(output.stdout).ok()?;
    Some(text.trim().to_owned()).filter(|text| !text.is_empty())
}
