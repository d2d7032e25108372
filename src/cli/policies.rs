//! `junction policies check`: a policy file checked against a supergraph
//! before it goes live — its lines parse, and every rule names a field, a
//! type or a `@policy` name the supergraph has. Exit status 1 when a rule
//! is wrong.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use serde_json::json;

use crate::access::{check_pii, check_policy, OrgScoped, PiiFields, Requirements, RuleProblem};
use crate::supergraph::Supergraph;

#[derive(Debug, Subcommand)]
pub enum PoliciesCommand {
    /// Check a policy file against a supergraph: malformed lines and rules
    /// naming a type, field or @policy name the supergraph lacks are errors.
    Check(CheckArgs),
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The policy file (Casbin policy lines).
    #[arg(long, value_name = "FILE", default_value = "policies/policy.csv")]
    pub policy: PathBuf,
    /// The supergraph SDL the rules must fit.
    #[arg(long, value_name = "FILE")]
    pub supergraph: PathBuf,
    /// A PII rules file (`Type.field: { kind, strategy }`) to check too.
    #[arg(long, value_name = "FILE")]
    pub pii: Option<PathBuf>,
    /// An org isolation file (`Type: orgField`) to check too: each type an
    /// object type, each field a String or ID of it.
    #[arg(long, value_name = "FILE")]
    pub org_scoped: Option<PathBuf>,
    /// Print the result as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(command: PoliciesCommand) -> anyhow::Result<()> {
    match command {
        PoliciesCommand::Check(args) => check(&args),
    }
}

fn check(args: &CheckArgs) -> anyhow::Result<()> {
    let policy = std::fs::read_to_string(&args.policy)
        .with_context(|| format!("cannot read {}", args.policy.display()))?;
    let sdl = std::fs::read_to_string(&args.supergraph)
        .with_context(|| format!("cannot read {}", args.supergraph.display()))?;
    let supergraph = Supergraph::parse(&sdl)
        .with_context(|| format!("{} is not a supergraph", args.supergraph.display()))?;
    let requirements = Requirements::of(&supergraph.schema);
    let mut problems = check_policy(&policy, &supergraph.api_schema, &requirements)
        .with_context(|| format!("{}", args.policy.display()))?;
    if let Some(path) = &args.pii {
        problems.extend(pii_problems(path, &supergraph)?);
    }
    if let Some(path) = &args.org_scoped {
        problems.extend(org_problems(path, &supergraph)?);
    }
    report(args, &problems);
    if !problems.is_empty() {
        bail!(
            "{}: {} rule(s) name nothing in the supergraph",
            args.policy.display(),
            problems.len()
        );
    }
    Ok(())
}

/// The PII rules file's coordinates that name no field (line 0: the file
/// is a map, its entries are named by coordinate).
fn pii_problems(
    path: &std::path::Path,
    supergraph: &Supergraph,
) -> anyhow::Result<Vec<RuleProblem>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let pii =
        PiiFields::from_yaml(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(check_pii(&pii, &supergraph.api_schema)
        .into_iter()
        .map(|(coordinate, message)| RuleProblem {
            line: 0,
            rule: format!("{}: {coordinate}", path.display()),
            message,
        })
        .collect())
}

/// The org isolation file's types and fields the supergraph cannot honour.
fn org_problems(
    path: &std::path::Path,
    supergraph: &Supergraph,
) -> anyhow::Result<Vec<RuleProblem>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let scoped =
        OrgScoped::from_yaml(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    Ok(scoped
        .problems(&supergraph.api_schema)
        .into_iter()
        .map(|(type_name, message)| RuleProblem {
            line: 0,
            rule: format!("{}: {type_name}", path.display()),
            message,
        })
        .collect())
}

fn report(args: &CheckArgs, problems: &[RuleProblem]) {
    if args.json {
        let listed: Vec<_> = problems
            .iter()
            .map(|p| json!({ "line": p.line, "rule": p.rule, "message": p.message }))
            .collect();
        println!(
            "{}",
            json!({ "ok": problems.is_empty(), "problems": listed })
        );
        return;
    }
    for problem in problems {
        match problem.line {
            0 => println!("{}: {}", problem.rule, problem.message),
            line => println!(
                "{}:{line}: {} ({})",
                args.policy.display(),
                problem.message,
                problem.rule
            ),
        }
    }
    if problems.is_empty() {
        println!("{}: every rule fits the supergraph", args.policy.display());
    }
}
