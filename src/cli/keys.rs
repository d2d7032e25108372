//! `junction keys create|list|revoke|rotate`: API keys from the command
//! line, each one admin API operation sent to a running Junction (`--admin
//! URL` with `--token`, the bootstrap token or an API key holding the
//! admin role) or run in this process against the store (`--redis URL`, or
//! the embedded store in `--data-dir`). A created or rotated key's text is
//! printed once, on stdout alone, so it can be captured.

use anyhow::bail;
use clap::{Args, Subcommand};
use serde_json::{json, Value};

use super::subgraph::{execute, TargetArgs};

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create an API key; its text is printed once and cannot be read again.
    Create(CreateArgs),
    /// List the API keys (never their secrets).
    List(TargetArgs),
    /// Revoke an API key: every replica refuses it within a second.
    Revoke(IdArgs),
    /// Give an API key a new secret (printed once).
    Rotate(RotateArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// What the key is for.
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub org: Option<String>,
    /// A role the key holds; repeat for several.
    #[arg(long = "role", value_name = "ROLE")]
    pub roles: Vec<String>,
    /// A scope the key holds; repeat for several.
    #[arg(long = "scope", value_name = "SCOPE")]
    pub scopes: Vec<String>,
    #[arg(long)]
    pub tier: Option<String>,
    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Args)]
pub struct IdArgs {
    /// The key's id (the part after `jk_`, before the second `_`).
    #[arg(long)]
    pub id: String,
    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    #[arg(long)]
    pub id: String,
    /// Seconds the old secret keeps working.
    #[arg(long, default_value_t = 0)]
    pub grace_seconds: u32,
    #[command(flatten)]
    pub target: TargetArgs,
}

const KEY_FIELDS: &str = "id name org roles scopes tier createdAt createdBy lastUsedAt revoked";

pub async fn run(command: KeysCommand) -> anyhow::Result<()> {
    let (target, query, variables) = match &command {
        KeysCommand::Create(args) => {
            let query = format!("mutation($input: CreateApiKeyInput!) {{ result: createApiKey(input: $input) {{ key apiKey {{ {KEY_FIELDS} }} }} }}");
            let input = json!({ "name": args.name, "org": args.org, "roles": args.roles, "scopes": args.scopes, "tier": args.tier });
            (&args.target, query, json!({ "input": input }))
        }
        KeysCommand::List(target) => {
            let query = format!("{{ result: apiKeys {{ {KEY_FIELDS} }} }}");
            (target, query, json!({}))
        }
        KeysCommand::Revoke(args) => {
            let query = format!(
                "mutation($id: String!) {{ result: revokeApiKey(id: $id) {{ {KEY_FIELDS} }} }}"
            );
            (&args.target, query, json!({ "id": args.id }))
        }
        KeysCommand::Rotate(args) => {
            let query = format!("mutation($id: String!, $grace: Int!) {{ result: rotateApiKey(id: $id, graceSeconds: $grace) {{ key apiKey {{ {KEY_FIELDS} }} }} }}");
            (
                &args.target,
                query,
                json!({ "id": args.id, "grace": args.grace_seconds }),
            )
        }
    };
    let result = execute(target, &query, variables).await?;
    if target.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
        return Ok(());
    }
    print_human(&command, &result)
}

fn print_human(command: &KeysCommand, result: &Value) -> anyhow::Result<()> {
    let text = |v: &Value, key: &str| match v.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(","),
        _ => String::new(),
    };
    match command {
        KeysCommand::Create(_) | KeysCommand::Rotate(_) => {
            let Some(key) = result.get("key").and_then(Value::as_str) else {
                bail!("the admin API answered without a key");
            };
            let id = text(&result["apiKey"], "id");
            eprintln!("API key {id}; shown this once:");
            println!("{key}");
        }
        KeysCommand::List(_) => {
            for key in result.as_array().into_iter().flatten() {
                let state = if key["revoked"] == true {
                    "revoked"
                } else {
                    "active"
                };
                println!(
                    "{:<18} {:<8} {:<24} roles={}",
                    text(key, "id"),
                    state,
                    text(key, "name"),
                    text(key, "roles")
                );
            }
        }
        KeysCommand::Revoke(args) => println!("revoked API key {}", args.id),
    }
    Ok(())
}
