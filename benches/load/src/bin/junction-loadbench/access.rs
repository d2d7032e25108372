//! The `--access` option: run the gateway without access control (`none`), with a
//! policy that allows every field to the anonymous caller (`allow-all`), or with that
//! policy and two personal data fields redacted (`redact-two`).
//!
//! The harness writes the policy file (`p, viewer, *, *, read`), for `redact-two` an
//! `access.pii_rules` file (`User.username` as a `NAME`, `Review.body` as `FREE_TEXT`,
//! both masked), and a gateway configuration naming them with
//! `anonymous_role: viewer`, into a temporary directory of its own. For `redact-two`
//! the expected answer is the reference response with those two fields masked the way
//! the gateway masks them ([`redact`]), so every answer shows that redaction happened.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use tempfile::TempDir;

/// The policy: the anonymous caller's role may read every coordinate, and nothing
/// more (no `unmask`, so personal data stays redacted).
const POLICY: &str = "p, viewer, *, *, read\n";
/// The role the gateway gives callers without a credential, as the benchmark's are.
const ANONYMOUS_ROLE: &str = "viewer";
/// `redact-two`'s rules: two string fields the heavy query selects on every user and
/// every review.
const PII_RULES: &str = "User.username: { kind: NAME }\nReview.body: { kind: FREE_TEXT }\n";
/// The keys `redact` masks: in the heavy response `username` appears only on `User`
/// and `body` only on `Review`.
const USERNAME_KEY: &str = "username";
const BODY_KEY: &str = "body";

/// How the gateway controls access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AccessMode {
    /// No `access` section: no policy, nothing redacted.
    None,
    /// A policy allowing every field to the anonymous caller's role.
    AllowAll,
    /// The same policy, and `User.username` and `Review.body` as masked personal data.
    RedactTwo,
}

impl AccessMode {
    /// The mode's name, as given to `--access`.
    pub fn name(self) -> &'static str {
        match self {
            AccessMode::None => "none",
            AccessMode::AllowAll => "allow-all",
            AccessMode::RedactTwo => "redact-two",
        }
    }

    /// What the mode means, for the report.
    pub fn description(self) -> &'static str {
        match self {
            AccessMode::None => "none (no access section)",
            AccessMode::AllowAll => {
                "allow-all (policy `p, viewer, *, *, read`, anonymous_role viewer)"
            }
            AccessMode::RedactTwo => {
                "redact-two (allow-all policy; pii_rules User.username NAME and \
                 Review.body FREE_TEXT, masked)"
            }
        }
    }
}

/// The files of `--access allow-all` or `redact-two`, alive for the whole run.
pub struct AccessConfig {
    config: PathBuf,
    /// Holds the files; removed when dropped.
    _dir: TempDir,
}

impl AccessConfig {
    /// Writes the policy, the rules and the configuration; `None` for `--access none`.
    pub fn write(mode: AccessMode) -> Result<Option<AccessConfig>> {
        if mode == AccessMode::None {
            return Ok(None);
        }
        let dir = tempfile::Builder::new()
            .prefix("junction-loadbench-access-")
            .tempdir()
            .context("creating a temporary directory")?;
        let policy = write_file(dir.path(), "policy.csv", POLICY)?;
        let pii_rules = match mode {
            AccessMode::RedactTwo => Some(write_file(dir.path(), "pii.yaml", PII_RULES)?),
            AccessMode::None | AccessMode::AllowAll => None,
        };
        let yaml = config_yaml(&policy, pii_rules.as_deref())?;
        let config = write_file(dir.path(), "junction.yaml", &yaml)?;
        eprintln!(
            "access {}: gateway configuration {}",
            mode.name(),
            config.display()
        );
        Ok(Some(AccessConfig { config, _dir: dir }))
    }

    /// The gateway's configuration file, for `--config`.
    pub fn config_path(&self) -> &Path {
        &self.config
    }
}

fn write_file(dir: &Path, name: &str, contents: &str) -> Result<PathBuf> {
    let path = dir.join(name);
    std::fs::write(&path, contents).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// The gateway's configuration: the `access` section alone, everything else at its
/// default, as in a run without `--access`.
fn config_yaml(policy: &Path, pii_rules: Option<&Path>) -> Result<String> {
    let mut access = json!({
        "policy": policy,
        "anonymous_role": ANONYMOUS_ROLE,
    });
    if let Some(rules) = pii_rules {
        access["pii_rules"] = json!(rules);
    }
    serde_yaml::to_string(&json!({ "access": access })).context("writing the configuration as YAML")
}

/// The answer the gateway gives under `mode`: the reference response, with
/// `redact-two`'s fields masked. Fails when `redact-two` finds nothing to mask, since
/// the run would then not show redaction.
pub fn expected_answer(mode: AccessMode, mut reference: Value) -> Result<Value> {
    if mode != AccessMode::RedactTwo {
        return Ok(reference);
    }
    let masked = redact(&mut reference);
    if masked == 0 {
        bail!("the expected response has no `{USERNAME_KEY}` or `{BODY_KEY}` to redact");
    }
    eprintln!("access redact-two: {masked} values masked in the expected answer");
    Ok(reference)
}

/// Masks, everywhere in `value`, each string under a `username` key as a `NAME`
/// (`Jane Doe` → `J. D.`) and each under a `body` key as `FREE_TEXT` (`***`), as the
/// gateway's `MASK` strategy does. Returns how many values it masked.
pub fn redact(value: &mut Value) -> usize {
    match value {
        Value::Array(items) => items.iter_mut().map(redact).sum(),
        Value::Object(fields) => fields
            .iter_mut()
            .map(|(key, field)| match (key.as_str(), field) {
                (USERNAME_KEY, Value::String(text)) => replace(text, initials),
                (BODY_KEY, Value::String(text)) => replace(text, |_| String::from("***")),
                (_, nested) => redact(nested),
            })
            .sum(),
        _ => 0,
    }
}

fn replace(text: &mut String, mask: impl Fn(&str) -> String) -> usize {
    *text = mask(text);
    1
}

/// `Jane Doe` → `J. D.`: the first character of each word and a dot.
fn initials(text: &str) -> String {
    let parts: Vec<String> = text
        .split_whitespace()
        .filter_map(|word| word.chars().next())
        .map(|first| format!("{first}."))
        .collect();
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_usernames_as_initials_and_bodies_as_stars_at_any_depth() {
        let mut value = json!({"data": {"users": [{
            "id": "1", "username": "urigo", "name": "Uri Goldshtein",
            "reviews": [{"id": "1", "body": "Lorem ipsum", "product": {"name": "Table"}}],
        }, {
            "username": "Jane  Doe", "reviews": [{"body": "x", "author": {"username": null}}],
        }]}});
        assert_eq!(redact(&mut value), 4);
        assert_eq!(
            value,
            json!({"data": {"users": [{
                "id": "1", "username": "u.", "name": "Uri Goldshtein",
                "reviews": [{"id": "1", "body": "***", "product": {"name": "Table"}}],
            }, {
                "username": "J. D.", "reviews": [{"body": "***", "author": {"username": null}}],
            }]}})
        );
    }

    #[test]
    fn only_redact_two_changes_the_expected_answer() -> Result<()> {
        let reference = json!({"data": {"users": [{"username": "urigo"}]}});
        let none = expected_answer(AccessMode::None, reference.clone())?;
        assert_eq!(none, reference);
        let allow_all = expected_answer(AccessMode::AllowAll, reference.clone())?;
        assert_eq!(allow_all, reference);
        let redacted = expected_answer(AccessMode::RedactTwo, reference)?;
        assert_eq!(redacted, json!({"data": {"users": [{"username": "u."}]}}));
        assert!(expected_answer(AccessMode::RedactTwo, json!({"data": {}})).is_err());
        Ok(())
    }

    #[test]
    fn the_heavy_response_has_every_user_and_review_masked() -> Result<()> {
        let path = junction_loadbench::workspace::root().join("tests/fixtures/heavy_response.json");
        let mut value: Value = serde_json::from_str(&std::fs::read_to_string(path)?)?;
        assert_eq!(redact(&mut value), 65 + 189);
        let text = value.to_string();
        assert!(!text.contains("urigo") && !text.contains("Lorem ipsum"));
        Ok(())
    }

    #[test]
    fn the_configuration_names_the_policy_the_rules_and_the_anonymous_role() -> Result<()> {
        let yaml = config_yaml(Path::new("/d/policy.csv"), Some(Path::new("/d/pii.yaml")))?;
        let config: Value = serde_yaml::from_str(&yaml)?;
        assert_eq!(
            config,
            json!({"access": {
                "policy": "/d/policy.csv", "anonymous_role": "viewer", "pii_rules": "/d/pii.yaml",
            }})
        );
        let yaml = config_yaml(Path::new("/d/policy.csv"), None)?;
        let config: Value = serde_yaml::from_str(&yaml)?;
        assert_eq!(
            config,
            json!({"access": {"policy": "/d/policy.csv", "anonymous_role": "viewer"}})
        );
        Ok(())
    }
}
