//! Rules over the root types: a root field resolved by two subgraphs, a
//! shareable subscription field, a query root under another name, a type
//! named `Query` that is not the root, no query root at all.

use apollo_compiler::ast::Definition;
use apollo_compiler::{Name, Node};
use rand::rngs::StdRng;

use super::{choose, pick_field, Rule};
use crate::link::ensure_import;
use crate::sdl::{self, is_builtin_scalar, Work};

pub const RULES: &[Rule] = &[
    Rule {
        name: "root-field-in-two-subgraphs",
        apply: root_field_in_two_subgraphs,
    },
    Rule {
        name: "shareable-on-subscription",
        apply: shareable_on_subscription,
    },
    Rule {
        name: "rename-root-query",
        apply: rename_root_query,
    },
    Rule {
        name: "query-type-not-root",
        apply: query_type_not_root,
    },
    Rule {
        name: "no-query-root",
        apply: no_query_root,
    },
];

fn query_index(w: &Work, doc: usize) -> Option<usize> {
    w.docs[doc]
        .ast
        .definitions
        .iter()
        .position(|d| sdl::is_object(d) && d.name().is_some_and(|n| n == "Query"))
}

fn has_schema_definition(w: &Work, doc: usize) -> bool {
    w.docs[doc]
        .ast
        .definitions
        .iter()
        .any(|d| matches!(d, Definition::SchemaDefinition(_)))
}

/// Copies a scalar query field (without its directives) into another subgraph's query type.
fn root_field_in_two_subgraphs(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = pick_field(w, rng, |w, s| {
        w.parent_name(s) == "Query"
            && w.field(s)
                .is_some_and(|f| is_builtin_scalar(f.ty.inner_named_type()) || w.docs.len() > 1)
    })?;
    let mut copy = w.field(site)?.clone();
    copy.directives.clear();
    let others: Vec<usize> = (0..w.docs.len())
        .filter(|d| *d != site.doc && query_index(w, *d).is_some())
        .filter(|d| {
            let named = copy.ty.inner_named_type();
            is_builtin_scalar(named) || w.find_def(*d, named).is_some()
        })
        .collect();
    let target = choose(rng, &others)?;
    let index = query_index(w, target)?;
    sdl::fields_mut(&mut w.docs[target].ast.definitions[index])?.push(Node::new(copy));
    Some(())
}

/// A `Subscription` field marked `@shareable`, in one or two subgraphs.
fn shareable_on_subscription(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let candidates: Vec<usize> = (0..w.docs.len())
        .filter(|d| w.find_def(*d, "Subscription").is_none())
        .collect();
    let first = choose(rng, &candidates)?;
    let twice = choose(rng, &[false, true])? && candidates.len() > 1;
    for doc in candidates.into_iter().filter(|d| *d == first || twice) {
        let local = ensure_import(&mut w.docs[doc], "shareable")?;
        let added = sdl::definitions(&format!("type Subscription {{ ticks: Int @{local} }}"))?;
        w.docs[doc].ast.definitions.extend(added);
    }
    Some(())
}

/// `schema { query: RootQuery }` with the query type renamed to match.
fn rename_root_query(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let docs: Vec<usize> = (0..w.docs.len())
        .filter(|d| query_index(w, *d).is_some() && !has_schema_definition(w, *d))
        .collect();
    let doc = choose(rng, &docs)?;
    let index = query_index(w, doc)?;
    let Definition::ObjectTypeDefinition(query) = &mut w.docs[doc].ast.definitions[index] else {
        return None;
    };
    Node::make_mut(query).name = Name::new_unchecked("RootQuery");
    let mut roots = String::from("query: RootQuery");
    for (root, field) in [("Mutation", "mutation"), ("Subscription", "subscription")] {
        if w.find_def(doc, root).is_some() {
            roots.push_str(&format!(" {field}: {root}"));
        }
    }
    let schema = sdl::definitions(&format!("schema {{ {roots} }}"))?;
    w.docs[doc].ast.definitions.extend(schema);
    Some(())
}

/// A schema definition naming another query root, leaving a type named `Query` that is not it.
fn query_type_not_root(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let docs: Vec<usize> = (0..w.docs.len())
        .filter(|d| query_index(w, *d).is_some() && !has_schema_definition(w, *d))
        .collect();
    let doc = choose(rng, &docs)?;
    let mut roots = String::from("query: RootQuery");
    for (root, field) in [("Mutation", "mutation"), ("Subscription", "subscription")] {
        if w.find_def(doc, root).is_some() {
            roots.push_str(&format!(" {field}: {root}"));
        }
    }
    let added = sdl::definitions(&format!(
        "schema {{ {roots} }} type RootQuery {{ root: Int }}"
    ))?;
    w.docs[doc].ast.definitions.extend(added);
    Some(())
}

/// Every subgraph's query type removed (fields elsewhere that return types stay).
fn no_query_root(w: &mut Work, _rng: &mut StdRng) -> Option<()> {
    let mut removed = false;
    for doc in &mut w.docs {
        let before = doc.ast.definitions.len();
        doc.ast
            .definitions
            .retain(|d| d.name().is_none_or(|n| n != "Query"));
        removed |= doc.ast.definitions.len() != before;
    }
    removed.then_some(())
}
