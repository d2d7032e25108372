//! The base sets mutations start from: the demo subgraphs of
//! `subgraphs/schema/subgraphs.yaml`, and three sets written
//! for the harness under `bases/`: Federation 2 entities using every
//! federation directive, a Federation 1 set, and interfaces and unions.

use std::path::Path;

use anyhow::{Context, Result};
use junction::compose::{read_subgraph_list, SubgraphInput};

/// A named base set.
#[derive(Clone)]
pub struct Base {
    pub name: &'static str,
    pub subgraphs: Vec<SubgraphInput>,
    /// Whether mutations start from it (the demo set as it is does not:
    /// Apollo rejects it, so every mutation of it would be rejected too).
    pub mutable: bool,
}

/// The harness's own base sets: (set, subgraph, SDL).
const WRITTEN: &[(&str, &str, &str)] = &[
    (
        "fed2-entities",
        "catalog",
        include_str!("bases/fed2-entities/catalog.graphql"),
    ),
    (
        "fed2-entities",
        "pricing",
        include_str!("bases/fed2-entities/pricing.graphql"),
    ),
    (
        "fed2-entities",
        "reviews",
        include_str!("bases/fed2-entities/reviews.graphql"),
    ),
    ("fed1", "users", include_str!("bases/fed1/users.graphql")),
    ("fed1", "orders", include_str!("bases/fed1/orders.graphql")),
    (
        "fed1",
        "shipping",
        include_str!("bases/fed1/shipping.graphql"),
    ),
    (
        "abstract-types",
        "search",
        include_str!("bases/abstract-types/search.graphql"),
    ),
    (
        "abstract-types",
        "care",
        include_str!("bases/abstract-types/care.graphql"),
    ),
];

pub fn load(repository: &Path) -> Result<Vec<Base>> {
    let list = repository.join("subgraphs/schema/subgraphs.yaml");
    let demo = read_subgraph_list(&list).with_context(|| format!("reading {}", list.display()))?;
    let mut bases = vec![Base {
        name: "demo",
        subgraphs: demo,
        mutable: true,
    }];
    for name in ["fed2-entities", "fed1", "abstract-types"] {
        let subgraphs = WRITTEN
            .iter()
            .filter(|(set, _, _)| *set == name)
            .map(|(_, subgraph, sdl)| SubgraphInput {
                name: (*subgraph).to_string(),
                url: format!("http://{subgraph}.example/graphql"),
                sdl: (*sdl).to_string(),
            })
            .collect();
        bases.push(Base {
            name,
            subgraphs,
            mutable: true,
        });
    }
    Ok(bases)
}
