//! `junction plan`: print the query plan of one operation, as text or JSON.

use std::io::Read;

use anyhow::{anyhow, Context};

use super::PlanArgs;
use crate::pipeline::{Gateway, GatewaySettings};

pub fn run(args: &PlanArgs) -> anyhow::Result<()> {
    let sdl = std::fs::read_to_string(&args.supergraph)
        .with_context(|| format!("cannot read supergraph {}", args.supergraph.display()))?;
    let query = read_query(args)?;
    let gateway = Gateway::new(GatewaySettings::default());
    gateway
        .load_supergraph(&sdl)
        .with_context(|| format!("invalid supergraph {}", args.supergraph.display()))?;
    let plan = gateway
        .explain(&query, args.operation_name.as_deref(), args.json)
        .map_err(|message| anyhow!("{message}"))?;
    println!("{plan}");
    Ok(())
}

fn read_query(args: &PlanArgs) -> anyhow::Result<String> {
    if args.query.as_os_str() == "-" {
        let mut query = String::new();
        std::io::stdin()
            .read_to_string(&mut query)
            .context("cannot read the query from standard input")?;
        return Ok(query);
    }
    std::fs::read_to_string(&args.query)
        .with_context(|| format!("cannot read query {}", args.query.display()))
}
