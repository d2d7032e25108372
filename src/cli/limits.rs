//! `junction limits show|set|clear`: a caller's rate limits from the
//! command line — its tier, limits and where it stands with each (`show`),
//! and per-caller overrides (`set`, `clear`) — each one admin API operation
//! sent to a running Junction (`--admin URL` with `--token`) or run in this
//! process against the store (`--redis URL`, or the embedded store in
//! `--data-dir`, with the tiers of `--config`). Usage read from the
//! embedded store is this process's own: only Redis shares it.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use serde_json::{json, Value};

use super::subgraph::{execute_with, TargetArgs};
use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum LimitsCommand {
    /// A caller's tier, limits and current usage (reading spends nothing).
    Show(CallerArgs),
    /// Give a caller another tier, or its own request rate or cost budget.
    Set(SetArgs),
    /// Clear a caller's override.
    Clear(CallerArgs),
}

#[derive(Debug, Args)]
pub struct CallerArgs {
    /// `user:<id>`, `api_key:<id>` or `ip:<address>`.
    #[arg(long)]
    pub caller: String,
    /// The config file whose `rate_limits` apply (for the store used
    /// directly; a running Junction uses its own).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Args)]
pub struct SetArgs {
    #[command(flatten)]
    pub caller: CallerArgs,
    /// A tier of `rate_limits.tiers`.
    #[arg(long)]
    pub tier: Option<String>,
    /// A request rate, `n/period` (e.g. `100/1m`).
    #[arg(long)]
    pub requests: Option<String>,
    /// A cost budget, `n/period`.
    #[arg(long)]
    pub cost: Option<String>,
}

pub async fn run(command: LimitsCommand) -> anyhow::Result<()> {
    match command {
        LimitsCommand::Show(args) => show(&args).await,
        LimitsCommand::Set(args) => set(&args).await,
        LimitsCommand::Clear(args) => clear(&args).await,
    }
}

async fn show(args: &CallerArgs) -> anyhow::Result<()> {
    let query = "query($caller: String!) { result: rateLimitUsage(caller: $caller) { caller tier overridden limits { name limit windowSeconds remaining resetSeconds } } }";
    let data = send(args, query, json!({ "caller": args.caller })).await?;
    let usage = &data;
    if args.target.json {
        println!("{usage}");
        return Ok(());
    }
    let tier = usage["tier"].as_str().unwrap_or("none");
    let overridden = if usage["overridden"] == true {
        " (overridden)"
    } else {
        ""
    };
    println!("{}: tier {tier}{overridden}", args.caller);
    let limits = usage["limits"].as_array().cloned().unwrap_or_default();
    if limits.is_empty() {
        println!("  no limit applies");
    }
    for limit in limits {
        println!(
            "  {}: {} of {} left per {} s, whole again in {} s",
            limit["name"].as_str().unwrap_or(""),
            limit["remaining"],
            limit["limit"],
            limit["windowSeconds"],
            limit["resetSeconds"]
        );
    }
    Ok(())
}

async fn set(args: &SetArgs) -> anyhow::Result<()> {
    let query = "mutation($caller: String!, $input: RateLimitOverrideInput!) { result: setRateLimitOverride(caller: $caller, input: $input) { caller tier requests cost } }";
    let input = json!({ "tier": args.tier, "requests": args.requests, "cost": args.cost });
    let variables = json!({ "caller": args.caller.caller, "input": input });
    let data = send(&args.caller, query, variables).await?;
    println!("{data}");
    Ok(())
}

async fn clear(args: &CallerArgs) -> anyhow::Result<()> {
    let query = "mutation($caller: String!) { result: clearRateLimitOverride(caller: $caller) }";
    let data = send(args, query, json!({ "caller": args.caller })).await?;
    match data == true {
        true => println!("{}: override cleared", args.caller),
        false => println!("{}: had no override", args.caller),
    }
    Ok(())
}

async fn send(args: &CallerArgs, query: &str, variables: Value) -> anyhow::Result<Value> {
    let config = match &args.config {
        Some(path) => {
            Config::read_file(path).with_context(|| format!("cannot read {}", path.display()))?
        }
        None => Config::default(),
    };
    execute_with(&args.target, query, variables, config).await
}
