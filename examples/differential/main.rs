//! The randomized differential harness (issue 11): generated valid queries
//! over each federation-audit suite's API schema, sent to Junction and to a
//! second gateway (any router that passes the audit, run as a black box),
//! both in front of the audit's own subgraphs; the answers are compared
//! and every difference is listed.
//!
//! ```text
//! # in a checkout of graphql-hive/federation-gateway-audit: npm start -- serve   (port 4200)
//! cargo run --release --example differential -- \
//!     --junction target/release/junction --other-command "/path/to/router" \
//!     --other-port 4000 --seed 1 --per-suite 50 [--suite NAME]... [--out report.md]
//! # our own fixtures: the demo subgraphs (junction-subgraphs, port 4300)
//! cargo run --release --example differential -- ... --supergraph schema/supergraph.graphql
//! ```
//!
//! The other gateway is started with `SUPERGRAPH` set to the suite's
//! supergraph file and must listen on `--other-port` (a Hive Router reads
//! `SUPERGRAPH_FILE_PATH`, which is set too). Differences are classed: Junction refused (a request error) where
//! the other answered, the other refused where Junction answered, data
//! differs, the same data with different errors. Not part of `cargo test`.

mod compare;
mod gateways;
mod generate;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Parser;

use compare::{compare, Class};
use gateways::Gateway;

/// The audit's test suites.
const SUITES: &[&str] = &[
    "abstract-types",
    "child-type-mismatch",
    "circular-reference-interface",
    "complex-entity-call",
    "corrupted-supergraph-node-id",
    "enum-intersection",
    "fed1-external-extends",
    "fed1-external-extends-resolvable",
    "fed1-external-extension",
    "fed2-external-extends",
    "fed2-external-extension",
    "include-skip",
    "input-object-intersection",
    "interface-object-indirect-extension",
    "interface-object-with-requires",
    "keys-mashup",
    "mutations",
    "mysterious-external",
    "nested-provides",
    "node",
    "non-resolvable-interface-object",
    "null-keys",
    "override-type-interface",
    "override-with-requires",
    "parent-entity-call",
    "parent-entity-call-complex",
    "partial-union",
    "partial-union-complex",
    "provides-on-interface",
    "provides-on-union",
    "requires-circular",
    "requires-interface",
    "requires-requires",
    "requires-with-argument",
    "requires-with-argument-conflict",
    "requires-with-fragments",
    "shared-root",
    "simple-entity-call",
    "simple-inaccessible",
    "simple-interface-object",
    "simple-override",
    "simple-requires-provides",
    "typename",
    "unavailable-override",
    "union-interface-distributed",
    "union-intersection",
];

/// Where a supergraph comes from.
enum Source {
    /// An audit suite, from the audit server.
    Audit(String),
    /// A local supergraph file.
    File(PathBuf),
}

impl Source {
    async fn sdl(&self, audit: &str) -> Result<String> {
        match self {
            Source::Audit(suite) => Ok(reqwest::get(format!("{audit}/{suite}/supergraph"))
                .await?
                .error_for_status()?
                .text()
                .await?),
            Source::File(path) => {
                std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
            }
        }
    }
}

#[derive(Parser)]
struct Args {
    /// The audit server (`npm start -- serve` in the audit's checkout).
    #[arg(long, default_value = "http://localhost:4200")]
    audit: String,
    /// The junction binary.
    #[arg(long, default_value = "target/release/junction")]
    junction: PathBuf,
    /// Command line starting the other gateway (run through `sh -c`).
    #[arg(long)]
    other_command: String,
    /// Port the other gateway listens on.
    #[arg(long, default_value_t = 4000)]
    other_port: u16,
    /// Port Junction listens on.
    #[arg(long, default_value_t = 4001)]
    junction_port: u16,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Operations per suite.
    #[arg(long, default_value_t = 50)]
    per_suite: usize,
    /// Only these audit suites (default: all 46, unless `--supergraph` is given).
    #[arg(long)]
    suite: Vec<String>,
    /// Also (or, without `--suite`, only) this supergraph file, whose
    /// subgraphs are already running at its URLs (for example the demo
    /// supergraph `schema/supergraph.graphql` with `junction-subgraphs`);
    /// repeatable.
    #[arg(long)]
    supergraph: Vec<PathBuf>,
    /// Where to write the report (default: standard output only).
    #[arg(long)]
    out: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let suites: Vec<String> = match (args.suite.is_empty(), args.supergraph.is_empty()) {
        (true, true) => SUITES.iter().map(|s| s.to_string()).collect(),
        _ => args.suite.clone(),
    };
    let mut sources: Vec<(String, Source)> = suites
        .into_iter()
        .map(|suite| (suite.clone(), Source::Audit(suite)))
        .collect();
    for file in &args.supergraph {
        sources.push((file.display().to_string(), Source::File(file.clone())));
    }
    let dir = std::env::temp_dir().join(format!("junction-differential-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut totals: BTreeMap<Class, usize> = BTreeMap::new();
    let mut report = String::new();
    let mut operations = 0;
    for (index, (suite, source)) in sources.iter().enumerate() {
        let sdl = source.sdl(&args.audit).await?;
        let path = dir.join(format!("{index}.graphql"));
        std::fs::write(&path, &sdl)?;
        let supergraph = junction::supergraph::Supergraph::parse(&sdl)
            .map_err(|e| anyhow::anyhow!("{suite}: {e}"))?;
        let junction = Gateway::junction(&args.junction, &path, args.junction_port).await?;
        let other = Gateway::other(&args.other_command, &path, args.other_port).await?;
        let seed = args.seed.wrapping_mul(1000).wrapping_add(index as u64);
        let mut generator = generate::Generator::new(&supergraph.api_schema, seed);
        let mut by_class: BTreeMap<Class, Vec<String>> = BTreeMap::new();
        for _ in 0..args.per_suite {
            let Some(operation) = generator.next_operation() else {
                break;
            };
            operations += 1;
            let ours = junction.query(&operation).await.context("junction")?;
            let theirs = other.query(&operation).await.context("other gateway")?;
            let class = compare(&ours, &theirs);
            if class != Class::Same {
                let sample = format!(
                    "```graphql\n{}\n```\nvariables `{}`\n- Junction: `{}`\n- other: `{}`\n",
                    operation.query, operation.variables, ours, theirs
                );
                by_class.entry(class).or_default().push(sample);
            }
            *totals.entry(class).or_default() += 1;
        }
        drop((junction, other));
        let _ = writeln!(report, "## {suite}\n");
        for (class, samples) in &by_class {
            let _ = writeln!(report, "### {class:?}: {}\n", samples.len());
            for sample in samples {
                let _ = writeln!(report, "{sample}");
            }
        }
        eprintln!(
            "{suite}: {:?}",
            by_class
                .iter()
                .map(|(c, s)| (c, s.len()))
                .collect::<Vec<_>>()
        );
    }
    let mut summary = format!(
        "# Differential run: seed {}, {operations} operations\n\n",
        args.seed
    );
    for (class, count) in &totals {
        let _ = writeln!(summary, "- {class:?}: {count}");
    }
    let whole = format!("{summary}\n{report}");
    match &args.out {
        Some(out) => std::fs::write(out, &whole)?,
        None => println!("{whole}"),
    }
    println!("{summary}");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
