//! `junction subgraph publish|check|remove|list`: the registry from the
//! command line, for service teams and their CI pipelines. Each command is
//! one admin API operation, sent to a running Junction (`--admin URL`
//! with `--token`) or run in this process against the store itself
//! (`--redis URL`, or the embedded store in `--data-dir`); either way the
//! result is the same JSON (`--json`) or a human summary. Exit status 1
//! when the subgraphs do not compose, when `check` finds published client
//! operations the change would break, or when the command fails.

use std::path::PathBuf;

use anyhow::{anyhow, bail, Context};
use clap::{Args, Subcommand};
use serde_json::{json, Value};

use super::StoreArgs;
use crate::admin;
use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum SubgraphCommand {
    /// Add or replace a subgraph; the registry's supergraph changes only if
    /// all subgraphs still compose.
    Publish(SchemaArgs),
    /// Compose as publish would, storing nothing: errors, or the changes to
    /// the API schema (breaking ones marked).
    Check(SchemaArgs),
    /// Remove a subgraph (the others must still compose).
    Remove(NameArgs),
    /// List the registered subgraphs.
    List(TargetArgs),
}

/// Where the registry is.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// A running Junction's admin API (`http://host:4000`, or its
    /// `/admin/graphql` URL). Without it the store is used directly.
    #[arg(long, value_name = "URL", env = "JUNCTION_ADMIN_URL")]
    pub admin: Option<String>,
    /// The admin token, for `--admin`.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "JUNCTION_ADMIN_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
    #[command(flatten)]
    pub store: StoreArgs,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct NameArgs {
    /// The subgraph's name.
    #[arg(long)]
    pub name: String,
    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The subgraph's name.
    #[arg(long)]
    pub name: String,
    /// The URL Junction sends the subgraph's requests to.
    #[arg(long)]
    pub url: String,
    /// The subgraph's SDL file; `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    pub schema: PathBuf,
    /// With `check`: exit 1 also when a change could break existing clients.
    #[arg(long)]
    pub fail_on_breaking: bool,
    #[command(flatten)]
    pub target: TargetArgs,
}

const CHANGE_FIELDS: &str =
    "ok changed supergraph { id change createdAt } errors { code message locations }";

pub async fn run(command: SubgraphCommand) -> anyhow::Result<()> {
    let (target, query, variables) = match &command {
        SubgraphCommand::Publish(args) | SubgraphCommand::Check(args) => {
            let sdl = read_schema(&args.schema)?;
            let field = if matches!(command, SubgraphCommand::Publish(_)) {
                format!("publishSubgraph(name: $name, url: $url, sdl: $sdl) {{ {CHANGE_FIELDS} }}")
            } else {
                "checkSubgraph(name: $name, url: $url, sdl: $sdl) { ok breaking errors { code message locations } changes { kind coordinate detail breaking } brokenOperations { client version id name problems } }".to_string()
            };
            let query = format!(
                "mutation($name: String!, $url: String!, $sdl: String!) {{ result: {field} }}"
            );
            let variables = json!({ "name": args.name, "url": args.url, "sdl": sdl });
            (&args.target, query, variables)
        }
        SubgraphCommand::Remove(args) => {
            let query = format!("mutation($name: String!) {{ result: removeSubgraph(name: $name) {{ {CHANGE_FIELDS} }} }}");
            (&args.target, query, json!({ "name": args.name }))
        }
        SubgraphCommand::List(target) => {
            let query = "{ result: subgraphs { name url updatedAt updatedBy } }".to_string();
            (target, query, json!({}))
        }
    };
    let result = execute(target, &query, variables).await?;
    if target.json {
        println!("{}", serde_json::to_string_pretty(&result)?);
    } else {
        print_human(&command, &result);
    }
    if result.get("ok") == Some(&Value::Bool(false)) {
        bail!("the subgraphs do not compose");
    }
    let broken = result
        .get("brokenOperations")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if broken > 0 {
        bail!("the change breaks {broken} published client operation(s)");
    }
    let fail_on_breaking =
        matches!(&command, SubgraphCommand::Check(args) if args.fail_on_breaking);
    if fail_on_breaking && result.get("breaking") == Some(&Value::Bool(true)) {
        bail!("the change could break existing clients (--fail-on-breaking)");
    }
    Ok(())
}

fn read_schema(path: &PathBuf) -> anyhow::Result<String> {
    if path.as_os_str() == "-" {
        return std::io::read_to_string(std::io::stdin())
            .context("cannot read the schema from stdin");
    }
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Runs the operation through the admin API or in this process; `data.result`.
pub(super) async fn execute(
    target: &TargetArgs,
    query: &str,
    variables: Value,
) -> anyhow::Result<Value> {
    execute_with(target, query, variables, Config::default()).await
}

/// [`execute`], the store used directly read with `config` (its store
/// settings replaced by the target's; its rate limits, when set, given to
/// the admin schema).
pub(super) async fn execute_with(
    target: &TargetArgs,
    query: &str,
    variables: Value,
    config: Config,
) -> anyhow::Result<Value> {
    let response = match &target.admin {
        Some(url) => send(url, target.token.as_deref(), query, variables).await?,
        None => {
            let config = Config {
                redis_url: target.store.redis.clone(),
                data_dir: target
                    .store
                    .data_dir
                    .clone()
                    .unwrap_or_else(|| PathBuf::from(".junction")),
                ..config
            };
            let registry = super::serve::open_registry(&config).await?;
            let limiter = super::serve::rate_limiter(&config, Some(&registry)).await?;
            let parts = admin::AdminParts {
                limiter,
                ..admin::AdminParts::default()
            };
            let request = async_graphql::Request::new(query)
                .variables(async_graphql::Variables::from_json(variables))
                .data(admin::Caller(format!("cli ({})", whoami())));
            let schema = admin::schema_with(registry, parts);
            serde_json::to_value(schema.execute(request).await)?
        }
    };
    if let Some(errors) = response
        .get("errors")
        .and_then(Value::as_array)
        .filter(|e| !e.is_empty())
    {
        let messages: Vec<String> = errors
            .iter()
            .map(|e| {
                let code = e
                    .pointer("/extensions/code")
                    .and_then(Value::as_str)
                    .unwrap_or("ERROR");
                let message = e.get("message").and_then(Value::as_str).unwrap_or("");
                format!("{code}: {message}")
            })
            .collect();
        bail!("{}", messages.join("\n"));
    }
    response
        .pointer("/data/result")
        .cloned()
        .ok_or_else(|| anyhow!("the admin API answered without a result: {response}"))
}

async fn send(
    url: &str,
    token: Option<&str>,
    query: &str,
    variables: Value,
) -> anyhow::Result<Value> {
    let token = token.ok_or_else(|| anyhow!("--admin needs --token (or JUNCTION_ADMIN_TOKEN)"))?;
    let url = if url.trim_end_matches('/').ends_with("/admin/graphql") {
        url.to_string()
    } else {
        format!("{}/admin/graphql", url.trim_end_matches('/'))
    };
    let response = reqwest::Client::new()
        .post(&url)
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .with_context(|| format!("cannot reach the admin API at {url}"))?;
    let status = response.status();
    let body: Value = response
        .json()
        .await
        .with_context(|| format!("the admin API at {url} answered {status} without JSON"))?;
    Ok(body)
}

fn whoami() -> String {
    std::env::var("USER").unwrap_or_else(|_| "unknown".to_string())
}

fn print_human(command: &SubgraphCommand, result: &Value) {
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or("").to_string();
    for error in result
        .get("errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let locations: Vec<&str> = error
            .get("locations")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let at = if locations.is_empty() {
            String::new()
        } else {
            format!(" (at {})", locations.join(", "))
        };
        eprintln!("{}: {}{at}", text(error, "code"), text(error, "message"));
    }
    match command {
        SubgraphCommand::List(_) => {
            for subgraph in result.as_array().into_iter().flatten() {
                println!("{:<24} {}", text(subgraph, "name"), text(subgraph, "url"));
            }
        }
        SubgraphCommand::Check(args) => {
            if result.get("ok") == Some(&Value::Bool(true)) {
                let changes = result
                    .get("changes")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                println!(
                    "{} composes; {} change(s) to the API schema",
                    args.name,
                    changes.len()
                );
                for change in &changes {
                    let breaking = if change.get("breaking") == Some(&Value::Bool(true)) {
                        "  BREAKING"
                    } else {
                        ""
                    };
                    println!(
                        "  {:<8} {:<40} {}{breaking}",
                        text(change, "kind"),
                        text(change, "coordinate"),
                        text(change, "detail")
                    );
                }
                let broken = result
                    .get("brokenOperations")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                for operation in &broken {
                    let problems: Vec<&str> = operation
                        .get("problems")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect();
                    println!(
                        "  BREAKS   {} {} operation {} ({}): {}",
                        text(operation, "client"),
                        text(operation, "version"),
                        text(operation, "id"),
                        text(operation, "name"),
                        problems.join("; ")
                    );
                }
            }
        }
        SubgraphCommand::Publish(_) | SubgraphCommand::Remove(_) => {
            if result.get("ok") != Some(&Value::Bool(true)) {
                return;
            }
            let id = result
                .pointer("/supergraph/id")
                .and_then(Value::as_str)
                .unwrap_or("none");
            if result.get("changed") == Some(&Value::Bool(true)) {
                println!("supergraph {id} is now current");
            } else {
                println!("nothing changed; supergraph {id} stays current");
            }
        }
    }
}
