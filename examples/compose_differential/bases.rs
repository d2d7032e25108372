//! The base sets mutations start from: the demo subgraphs of
//! `subgraphs/schema/subgraphs.yaml` (as they are, and with the one
//! `@shareable` Apollo asks of them, see below), and three sets written
//! for the harness under `bases/`: Federation 2 entities using every
//! federation directive, a Federation 1 set, and interfaces and unions.

use std::path::Path;

use anyhow::{anyhow, Context, Result};
use junction::compose::{read_subgraph_list, SubgraphInput};

use crate::link::ensure_import;
use crate::sdl::{self, Work};

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
    let mut bases = vec![
        Base {
            name: "demo",
            subgraphs: demo.clone(),
            mutable: false,
        },
        Base {
            name: "demo-shareable",
            subgraphs: provided_username_shareable(&demo)?,
            mutable: true,
        },
    ];
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

/// The demo set with `User.username` shareable in accounts. Reviews
/// provides `author { username }`; under Federation 2 a provided field
/// must be shareable where it is resolved, so Apollo rejects the demo set
/// as it is (INVALID_FIELD_SHARING). Mutations start from the fixed copy.
fn provided_username_shareable(demo: &[SubgraphInput]) -> Result<Vec<SubgraphInput>> {
    let missing = || anyhow!("the demo set no longer has accounts' User.username");
    let mut work = Work::parse(demo).ok_or_else(|| anyhow!("a demo subgraph does not parse"))?;
    let doc = work
        .docs
        .iter()
        .position(|d| d.name == "accounts")
        .ok_or_else(missing)?;
    let local = ensure_import(&mut work.docs[doc], "shareable").ok_or_else(missing)?;
    let site = *work
        .field_sites(|d, def, f| {
            d.name == "accounts" && sdl::type_name(def) == "User" && f.name == "username"
        })
        .first()
        .ok_or_else(missing)?;
    let shareable = sdl::directive(&format!("@{local}")).ok_or_else(missing)?;
    work.field_mut(site)
        .ok_or_else(missing)?
        .directives
        .push(shareable);
    Ok(work.print())
}
