//! `junction operations publish|list|show|remove`: the operation manifests
//! SDK clients publish (persisted operations), from the command line and
//! CI pipelines. Like `junction subgraph`, each command is one admin API
//! operation, sent to a running Junction (`--admin URL --token T`) or run
//! in this process against the store (`--redis URL`, or the embedded store
//! in `--data-dir`). Exit status 1 when a manifest is refused or the
//! command fails.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use serde_json::{json, Value};

use super::subgraph::{execute, TargetArgs};

#[derive(Debug, Subcommand)]
pub enum OperationsCommand {
    /// Publish (add or replace) a client version's manifest: Apollo's
    /// persisted query list or a Relay `id → text` map. Every operation must
    /// validate against the schema served now, or nothing is published.
    #[command(disable_version_flag = true)]
    Publish(PublishArgs),
    /// List the published manifests.
    #[command(disable_version_flag = true)]
    List(TargetArgs),
    /// Print one manifest's operations.
    #[command(disable_version_flag = true)]
    Show(VersionArgs),
    /// Remove a client version's manifest (its operations stop being served).
    #[command(disable_version_flag = true)]
    Remove(VersionArgs),
}

#[derive(Debug, Args)]
pub struct PublishArgs {
    /// The client's name (e.g. `web`, `ios`).
    #[arg(long)]
    pub client: String,
    /// The client's version (e.g. `1.4.0`).
    #[arg(long)]
    pub version: String,
    /// The manifest file (JSON); `-` reads standard input.
    #[arg(value_name = "MANIFEST")]
    pub manifest: PathBuf,
    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Args)]
pub struct VersionArgs {
    #[arg(long)]
    pub client: String,
    #[arg(long)]
    pub version: String,
    #[command(flatten)]
    pub target: TargetArgs,
}

const MANIFEST_FIELDS: &str = "client version id operationCount publishedAt publishedBy";

pub async fn run(command: OperationsCommand) -> anyhow::Result<()> {
    let (target, query, variables) = match &command {
        OperationsCommand::Publish(args) => {
            let manifest = read_manifest(&args.manifest)?;
            let query = format!("mutation($client: String!, $version: String!, $manifest: String!) {{ result: publishOperations(client: $client, version: $version, manifest: $manifest) {{ ok manifest {{ {MANIFEST_FIELDS} }} problems {{ operation problems }} }} }}");
            let variables =
                json!({ "client": args.client, "version": args.version, "manifest": manifest });
            (&args.target, query, variables)
        }
        OperationsCommand::List(target) => {
            let query = format!("{{ result: operationManifests {{ {MANIFEST_FIELDS} }} }}");
            (target, query, json!({}))
        }
        OperationsCommand::Show(args) => {
            let query = "query($client: String!, $version: String!) { result: operationManifest(client: $client, version: $version) { client version operations { id name body } } }".to_string();
            let variables = json!({ "client": args.client, "version": args.version });
            (&args.target, query, variables)
        }
        OperationsCommand::Remove(args) => {
            let query = "mutation($client: String!, $version: String!) { result: removeOperations(client: $client, version: $version) }".to_string();
            let variables = json!({ "client": args.client, "version": args.version });
            (&args.target, query, variables)
        }
    };
    let result = execute(target, &query, variables).await?;
    if target.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        print_human(&command, &result);
    }
    match &command {
        OperationsCommand::Publish(_) if result.get("ok") != Some(&Value::Bool(true)) => {
            bail!("the manifest was refused")
        }
        OperationsCommand::Show(args) if result.is_null() => {
            bail!(
                "no manifest for client \"{}\" version \"{}\"",
                args.client,
                args.version
            )
        }
        _ => Ok(()),
    }
}

fn read_manifest(path: &PathBuf) -> anyhow::Result<String> {
    if path.as_os_str() == "-" {
        return std::io::read_to_string(std::io::stdin())
            .context("cannot read the manifest from stdin");
    }
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

fn print_human(command: &OperationsCommand, result: &Value) {
    let text = |v: &Value, key: &str| match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let list = |v: &Value, key: &str| {
        v.get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    match command {
        OperationsCommand::Publish(args) => {
            for problem in list(result, "problems") {
                for message in list(&problem, "problems") {
                    eprintln!(
                        "{}: {}",
                        text(&problem, "operation"),
                        message.as_str().unwrap_or("")
                    );
                }
            }
            if let Some(manifest) = result.get("manifest").filter(|m| !m.is_null()) {
                println!(
                    "published {} operation(s) for {} {}",
                    text(manifest, "operationCount"),
                    args.client,
                    args.version
                );
            }
        }
        OperationsCommand::List(_) => {
            for manifest in result.as_array().into_iter().flatten() {
                println!(
                    "{:<20} {:<16} {:>6} operation(s)  by {}",
                    text(manifest, "client"),
                    text(manifest, "version"),
                    text(manifest, "operationCount"),
                    text(manifest, "publishedBy")
                );
            }
        }
        OperationsCommand::Show(_) => {
            for operation in list(result, "operations") {
                println!("# {} {}", text(&operation, "id"), text(&operation, "name"));
                println!("{}\n", text(&operation, "body"));
            }
        }
        OperationsCommand::Remove(args) => {
            println!("removed the manifest of {} {}", args.client, args.version);
        }
    }
}
