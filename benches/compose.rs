//! Composition benchmarks: the four demo subgraphs, and (when
//! `JUNCTION_AUDIT_DATA` names a directory of subgraph sets, one folder
//! each with a `subgraphs.json`, e.g. the federation gateway audit's 46
//! suites saved outside this repository) composing every set once.

use criterion::{criterion_group, criterion_main, Criterion};
use junction::compose::{compose, read_subgraph_list, SubgraphInput};

fn demo(c: &mut Criterion) {
    let inputs: Vec<SubgraphInput> = junction_subgraphs::SUBGRAPH_NAMES
        .iter()
        .map(|name| SubgraphInput {
            name: name.to_string(),
            url: format!("http://127.0.0.1:4001/{name}"),
            sdl: junction_subgraphs::sdl(name).unwrap_or_default(),
        })
        .collect();
    if let Err(errors) = compose(&inputs) {
        panic!("the demo subgraphs must compose: {errors:?}");
    }
    c.bench_function("compose demo subgraphs (4)", |b| {
        b.iter(|| compose(&inputs).map(|s| s.len()))
    });
}

fn subgraph_sets(c: &mut Criterion) {
    let Ok(root) = std::env::var("JUNCTION_AUDIT_DATA") else {
        eprintln!("JUNCTION_AUDIT_DATA is not set: skipping the subgraph-set benchmark");
        return;
    };
    let mut sets: Vec<Vec<SubgraphInput>> = Vec::new();
    let Ok(entries) = std::fs::read_dir(&root) else {
        panic!("cannot read {root}");
    };
    for entry in entries.flatten() {
        let list = entry.path().join("subgraphs.json");
        match read_subgraph_list(&list) {
            Ok(inputs) => sets.push(inputs),
            Err(error) => panic!("cannot read {}: {error}", list.display()),
        }
    }
    for (index, set) in sets.iter().enumerate() {
        if let Err(errors) = compose(set) {
            panic!("subgraph set {index} in {root} must compose: {errors:?}");
        }
    }
    eprintln!("{} subgraph sets in {root}, all compose", sets.len());
    let name = format!("compose {} subgraph sets, all", sets.len());
    c.bench_function(&name, |b| {
        b.iter(|| sets.iter().filter(|s| compose(s).is_ok()).count())
    });
}

criterion_group!(benches, demo, subgraph_sets);
criterion_main!(benches);
