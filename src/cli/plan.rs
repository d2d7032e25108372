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
    let name = args.operation_name.as_deref();
    let plan = gateway
        .explain(&query, name, args.json)
        .map_err(|message| anyhow!("{message}"))?;
    if !args.cost {
        println!("{plan}");
        return Ok(());
    }
    let variables = variables(args)?;
    let cost = gateway
        .estimate_cost(&query, name, &variables)
        .map_err(|message| anyhow!("{message}"))?;
    if args.json {
        let plan: serde_json::Value = serde_json::from_str(&plan)?;
        let both = serde_json::json!({ "plan": plan, "cost": cost });
        println!("{}", serde_json::to_string_pretty(&both)?);
    } else {
        println!("{plan}\nEstimated cost: {cost}");
    }
    Ok(())
}

fn variables(args: &PlanArgs) -> anyhow::Result<serde_json::Map<String, serde_json::Value>> {
    let Some(text) = &args.variables else {
        return Ok(serde_json::Map::new());
    };
    match serde_json::from_str(text).context("--variables is not JSON")? {
        serde_json::Value::Object(map) => Ok(map),
        _ => Err(anyhow!("--variables must be a JSON object")),
    }
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
