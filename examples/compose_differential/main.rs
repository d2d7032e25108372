//! The composition differential harness (issue 17): composes many
//! subgraph sets with Junction's composer and, when Node and
//! `@apollo/composition` are at hand, with Apollo's, and reports how often
//! they agree: on accept/reject, on the first error code, on the
//! supergraph. The sets are the base sets (the demo subgraphs and the
//! harness's own in `bases/`), sets generated from them by named
//! mutation rules (`rules/`, deterministic from `--seed`), and the
//! hand-written cases in `cases/`.
//!
//! ```text
//! NODE_PATH=/path/to/node_modules \
//! cargo run --release --example compose_differential -- --seed 1 --count 300 \
//!     --apollo examples/compose_differential/apollo_compose.js [--out DIR] [--json]
//! ```
//!
//! A measuring tool: it exits 0 whatever the figures, and fails only when
//! it cannot run (a base set or case unreadable, the scratch directory
//! unwritable). Not run by CI (it is an example target: compiled only).

mod apollo;
mod bases;
mod generate;
mod link;
mod report;
mod rules;
mod sdl;
mod sets;
mod verdict;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Parser;

use apollo::Apollo;
use report::Row;
use sets::{Origin, Set};

#[derive(Parser)]
struct Args {
    /// Seed of the generated sets.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// How many sets to generate.
    #[arg(long, default_value_t = 300)]
    count: usize,
    /// `apollo_compose.js`; without it (or without `node`) only Junction runs.
    #[arg(long, env = "JUNCTION_APOLLO_COMPOSE")]
    apollo: Option<PathBuf>,
    /// The node_modules directory holding `@apollo/composition` (else NODE_PATH).
    #[arg(long)]
    apollo_modules: Option<PathBuf>,
    /// The hand-written cases (default: this example's `cases/`).
    #[arg(long)]
    cases: Option<PathBuf>,
    /// Only sets whose name contains this.
    #[arg(long)]
    filter: Option<String>,
    /// Write every set, both verdicts and the report here.
    #[arg(long)]
    out: Option<PathBuf>,
    /// The report as JSON instead of text.
    #[arg(long)]
    json: bool,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let repository = Path::new(env!("CARGO_MANIFEST_DIR"));
    let here = repository.join("examples/compose_differential");
    let sets = collect_sets(&args, repository, &here)?;
    // A panic in the composer is caught and reported as a verdict; keep its
    // default report off the terminal.
    std::panic::set_hook(Box::new(|_| {}));
    let started = Instant::now();
    let junction: Vec<_> = sets
        .iter()
        .map(|s| verdict::junction(&s.subgraphs))
        .collect();
    let junction_time = started.elapsed();
    let _ = std::panic::take_hook();
    let apollo = run_apollo(&args, &sets)?;
    let rows: Vec<Row> = sets
        .iter()
        .zip(junction)
        .enumerate()
        .map(|(i, (set, junction))| Row {
            set,
            junction,
            apollo: apollo.as_ref().and_then(|a| a.get(i).cloned()),
        })
        .collect();
    let summary = report::summarise(&rows);
    let heading =
        format!(
        "Composition differential: seed {}, {} generated (Junction composed all sets in {:.1?})",
        args.seed,
        sets.iter().filter(|s| s.origin == Origin::Generated).count(),
        junction_time
    );
    let text = report::text(&rows, &summary, &heading);
    let json = report::json(&rows, &summary);
    if let Some(out) = &args.out {
        write_out(out, &rows, &text, &json)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        println!("{text}");
    }
    Ok(())
}

fn collect_sets(args: &Args, repository: &Path, here: &Path) -> Result<Vec<Set>> {
    let bases = bases::load(repository)?;
    let mut sets: Vec<Set> = bases
        .iter()
        .map(|b| Set {
            name: format!("base-{}", b.name),
            origin: Origin::Base,
            rule: "-".into(),
            base: b.name.into(),
            subgraphs: b.subgraphs.clone(),
        })
        .collect();
    sets.extend(generate::generate(&bases, args.seed, args.count));
    let cases = args.cases.clone().unwrap_or_else(|| here.join("cases"));
    sets.extend(sets::read_cases(&cases)?);
    if let Some(filter) = &args.filter {
        sets.retain(|s| s.name.contains(filter.as_str()));
    }
    Ok(sets)
}

fn run_apollo(args: &Args, sets: &[Set]) -> Result<Option<Vec<Result<verdict::Verdict, String>>>> {
    let Some(script) = &args.apollo else {
        return Ok(None);
    };
    if !Apollo::available() {
        eprintln!("node is not available: comparing nothing, Junction's verdicts only");
        return Ok(None);
    }
    let apollo = Apollo {
        script: script.clone(),
        modules: args.apollo_modules.clone(),
    };
    let scratch = std::env::temp_dir().join(format!(
        "junction-compose-differential-{}",
        std::process::id()
    ));
    let verdicts = apollo.verdicts(sets, &scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(Some(verdicts?))
}

/// `DIR/sets/NAME.json`, `NAME.junction.json`, `NAME.apollo.json`, and the report.
fn write_out(out: &Path, rows: &[Row], text: &str, json: &serde_json::Value) -> Result<()> {
    let dir = out.join("sets");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    for row in rows {
        let base = dir.join(&row.set.name);
        let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
        std::fs::write(base.with_extension("json"), pretty(&row.set.to_json()))?;
        std::fs::write(
            format!("{}.junction.json", base.display()),
            pretty(&row.junction.to_json()),
        )?;
        let apollo = match &row.apollo {
            Some(Ok(v)) => v.to_json(),
            Some(Err(e)) => serde_json::json!({ "failed": e }),
            None => serde_json::Value::Null,
        };
        std::fs::write(format!("{}.apollo.json", base.display()), pretty(&apollo))?;
    }
    std::fs::write(out.join("report.md"), text)?;
    std::fs::write(out.join("report.json"), serde_json::to_string_pretty(json)?)?;
    Ok(())
}
