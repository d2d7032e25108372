//! Property tests (proptest) of the operation path. The limit check counts
//! an operation's fields without expanding its fragments; these properties
//! compare it with a straightforward expansion of random documents whose
//! fragments spread each other, and check that whatever text a client sends,
//! preparing and planning it ends in a plan or in a GraphQL error, never in
//! a panic. Case counts are kept small so `cargo test` stays quick.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::sync::LazyLock;

use apollo_compiler::validation::Valid;
use apollo_compiler::Schema;
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::Config;

use super::{prepare_within, Limits, OperationError, Selection, SelectionSet};
use crate::plan::{plan_within, DEFAULT_MAX_PLAN_FIELDS};
use crate::supergraph::Supergraph;

/// A schema with one recursive type: any nesting of fields is valid in it.
const NODE_SDL: &str =
    "type Query { node: Node } type Node { id: ID! child: Node children: [Node] name: String }";

static NODE_SCHEMA: LazyLock<Valid<Schema>> =
    LazyLock::new(|| Schema::parse_and_validate(NODE_SDL, "node.graphql").unwrap());

static DEMO: LazyLock<Supergraph> =
    LazyLock::new(|| Supergraph::parse(crate::loader::DEMO_SUPERGRAPH).unwrap());

/// No regression files: a failing case is printed, shrunk, with the test's
/// output, and a test run should not write into the source tree.
fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

// ---------------------------------------------------------------------------
// Random documents over NODE_SDL.

/// `@skip(if:)` and `@include(if:)`, each present or not (neither is
/// repeatable, so at most one of each).
#[derive(Debug, Clone, Copy)]
struct Conditions {
    skip: Option<bool>,
    include: Option<bool>,
}

/// A generated selection. A spread names its fragment by a number that is
/// resolved later, against the fragments the spread may see.
#[derive(Debug, Clone)]
enum Gen {
    Leaf(&'static str, Option<u8>, Conditions),
    Object(&'static str, Option<u8>, Conditions, Vec<Gen>),
    Inline(bool, Conditions, Vec<Gen>),
    Spread(u8, Conditions),
}

/// A selection with its spread resolved to a fragment index. A field's
/// response key always names the same field (`child_1` is always `child`),
/// so any two selections can be merged and the document is always valid.
#[derive(Debug, Clone)]
enum Item {
    Field {
        name: &'static str,
        alias: Option<u8>,
        conditions: Conditions,
        children: Vec<Item>,
    },
    Inline {
        typed: bool,
        conditions: Conditions,
        children: Vec<Item>,
    },
    Spread {
        fragment: usize,
        conditions: Conditions,
    },
}

/// A document: `query { <root fields> }` and fragments `F0…` on `Node`,
/// where `Fi` spreads only `Fj` with `j > i` (so there is no cycle) and
/// every fragment is used.
#[derive(Debug, Clone)]
struct Document {
    roots: Vec<Item>,
    fragments: Vec<Vec<Item>>,
}

fn conditions() -> impl Strategy<Value = Conditions> {
    let one = || prop::option::weighted(0.2, any::<bool>());
    (one(), one()).prop_map(|(skip, include)| Conditions { skip, include })
}

fn alias() -> impl Strategy<Value = Option<u8>> {
    prop::option::weighted(0.3, 0u8..3)
}

/// Selections inside a `Node`: leaves, spreads, and (nested) object fields
/// and inline fragments.
fn selection(depth: u32, size: u32) -> impl Strategy<Value = Gen> {
    let leaf = prop_oneof![
        3 => (select(&["id", "name"][..]), alias(), conditions())
            .prop_map(|(name, alias, c)| Gen::Leaf(name, alias, c)),
        2 => (any::<u8>(), conditions()).prop_map(|(pick, c)| Gen::Spread(pick, c)),
    ];
    leaf.prop_recursive(depth, size, 3, |inner| {
        let children = prop::collection::vec(inner, 1..4);
        prop_oneof![
            (
                select(&["child", "children"][..]),
                alias(),
                conditions(),
                children.clone()
            )
                .prop_map(|(name, alias, c, children)| Gen::Object(name, alias, c, children)),
            (any::<bool>(), conditions(), children)
                .prop_map(|(typed, c, children)| Gen::Inline(typed, c, children)),
        ]
    })
}

fn document() -> impl Strategy<Value = Document> {
    let roots = prop::collection::vec(
        (alias(), prop::collection::vec(selection(3, 16), 1..4)),
        1..3,
    );
    let fragments = prop::collection::vec(prop::collection::vec(selection(3, 12), 1..4), 0..6);
    (roots, fragments).prop_map(|(roots, fragments)| resolve(roots, fragments))
}

/// Resolves spreads (in fragment `i`, to a fragment after it; in the
/// operation, to any) and spreads every fragment nobody spreads at the first
/// root field, so that none is unused.
fn resolve(roots: Vec<(Option<u8>, Vec<Gen>)>, fragments: Vec<Vec<Gen>>) -> Document {
    let count = fragments.len();
    let mut document = Document {
        roots: roots
            .into_iter()
            .map(|(alias, body)| Item::Field {
                name: "node",
                alias,
                conditions: Conditions {
                    skip: None,
                    include: None,
                },
                children: resolve_all(&body, 0, count),
            })
            .collect(),
        fragments: fragments
            .iter()
            .enumerate()
            .map(|(i, body)| resolve_all(body, i + 1, count))
            .collect(),
    };
    let mut spread = BTreeSet::new();
    for items in document.fragments.iter().chain([&document.roots]) {
        collect_spreads(items, &mut spread);
    }
    if let Some(Item::Field { children, .. }) = document.roots.first_mut() {
        for fragment in (0..count).filter(|f| !spread.contains(f)) {
            children.push(Item::Spread {
                fragment,
                conditions: Conditions {
                    skip: None,
                    include: None,
                },
            });
        }
    }
    document
}

/// Resolves selections that may spread fragments `first..count`; a spread
/// with none to spread becomes an `id` field.
fn resolve_all(body: &[Gen], first: usize, count: usize) -> Vec<Item> {
    let field = |name, alias, conditions, children| Item::Field {
        name,
        alias,
        conditions,
        children,
    };
    body.iter()
        .map(|gen| match gen {
            Gen::Leaf(name, alias, c) => field(name, *alias, *c, Vec::new()),
            Gen::Object(name, alias, c, body) => {
                field(name, *alias, *c, resolve_all(body, first, count))
            }
            Gen::Inline(typed, c, body) => Item::Inline {
                typed: *typed,
                conditions: *c,
                children: resolve_all(body, first, count),
            },
            Gen::Spread(pick, c) if first < count => Item::Spread {
                fragment: first + usize::from(*pick) % (count - first),
                conditions: *c,
            },
            Gen::Spread(_, c) => field("id", None, *c, Vec::new()),
        })
        .collect()
}

fn collect_spreads(items: &[Item], out: &mut BTreeSet<usize>) {
    for item in items {
        match item {
            Item::Field { children, .. } | Item::Inline { children, .. } => {
                collect_spreads(children, out)
            }
            Item::Spread { fragment, .. } => {
                out.insert(*fragment);
            }
        }
    }
}

impl Document {
    fn text(&self) -> String {
        let mut out = String::from("query ");
        print_items(&mut out, &self.roots);
        for (i, fragment) in self.fragments.iter().enumerate() {
            out.push_str(&format!("\nfragment F{i} on Node "));
            print_items(&mut out, fragment);
        }
        out
    }

    /// Fields and fragments (inline and spread) of the operation and its
    /// depth in nested fields, found by expanding every spread where it is.
    fn expanded(&self) -> (usize, usize) {
        self.expand(&self.roots)
    }

    fn expand(&self, items: &[Item]) -> (usize, usize) {
        let mut total = (0, 0);
        for item in items {
            let (nodes, depth) = match item {
                Item::Field { children, .. } => {
                    let (nodes, depth) = self.expand(children);
                    (nodes + 1, depth + 1)
                }
                Item::Inline { children, .. } => {
                    let (nodes, depth) = self.expand(children);
                    (nodes + 1, depth)
                }
                Item::Spread { fragment, .. } => {
                    let (nodes, depth) = self.expand(&self.fragments[*fragment]);
                    (nodes + 1, depth)
                }
            };
            total = (total.0 + nodes, total.1.max(depth));
        }
        total
    }
}

fn print_items(out: &mut String, items: &[Item]) {
    out.push('{');
    for item in items {
        out.push(' ');
        match item {
            Item::Field {
                name,
                alias,
                conditions,
                children,
            } => {
                if let Some(alias) = alias {
                    out.push_str(&format!("{name}_{alias}: "));
                }
                out.push_str(name);
                print_conditions(out, conditions);
                if !children.is_empty() {
                    out.push(' ');
                    print_items(out, children);
                }
            }
            Item::Inline {
                typed,
                conditions,
                children,
            } => {
                out.push_str(if *typed { "... on Node" } else { "..." });
                print_conditions(out, conditions);
                out.push(' ');
                print_items(out, children);
            }
            Item::Spread {
                fragment,
                conditions,
            } => {
                out.push_str(&format!("...F{fragment}"));
                print_conditions(out, conditions);
            }
        }
    }
    out.push_str(" }");
}

fn print_conditions(out: &mut String, conditions: &Conditions) {
    if let Some(value) = conditions.skip {
        out.push_str(&format!(" @skip(if: {value})"));
    }
    if let Some(value) = conditions.include {
        out.push_str(&format!(" @include(if: {value})"));
    }
}

// ---------------------------------------------------------------------------
// The normalised tree's figures.

/// Fields and inline fragments, all levels.
fn node_count(set: &SelectionSet) -> usize {
    set.iter()
        .map(|selection| 1 + node_count(children(selection)))
        .sum()
}

/// Levels of nested fields; fragments add none (as `limits.max_depth` counts).
fn depth(set: &SelectionSet) -> usize {
    set.iter()
        .map(|selection| match selection {
            Selection::Field(field) => 1 + depth(&field.selections),
            Selection::InlineFragment(fragment) => depth(&fragment.selections),
        })
        .max()
        .unwrap_or(0)
}

fn children(selection: &Selection) -> &SelectionSet {
    match selection {
        Selection::Field(field) => &field.selections,
        Selection::InlineFragment(fragment) => &fragment.selections,
    }
}

/// Limits where only fields and depth can refuse a generated document.
fn field_limits(max_fields: usize, max_depth: usize) -> Limits {
    Limits {
        max_fields,
        max_depth,
        max_aliases: usize::MAX,
        max_root_fields: usize::MAX,
        ..Limits::default()
    }
}

/// Prepares `document` within `max_fields` and `max_depth` and checks the
/// answer against its expanded figures: refused over a limit (depth is
/// checked first, each refusal carrying the true figure), otherwise
/// accepted with a normalised tree of exactly those figures.
fn check_against_expansion(
    document: &Document,
    max_fields: usize,
    max_depth: usize,
) -> Result<(), TestCaseError> {
    let (nodes, levels) = document.expanded();
    let text = document.text();
    let limits = field_limits(max_fields, max_depth);
    let result = prepare_within(&NODE_SCHEMA, &text, None, &limits);
    let expected = if levels > max_depth {
        Some(("max_depth", levels))
    } else if nodes > max_fields {
        Some(("max_fields", nodes))
    } else {
        None
    };
    match (result, expected) {
        (Ok(operation), None) => {
            let tree = &operation.selections;
            prop_assert!(node_count(tree) <= max_fields && depth(tree) <= max_depth);
            // Selections a literal `@include(if: false)` or `@skip(if: true)`
            // turns off are dropped by normalisation: the tree may be smaller
            // than the expansion the limits counted, never larger.
            prop_assert!(
                node_count(tree) <= nodes && depth(tree) <= levels,
                "{}",
                text
            );
        }
        (Err(OperationError::Limit(error)), Some((limit, actual))) => {
            prop_assert_eq!(error.limit, limit, "{}", text);
            prop_assert_eq!(error.actual, actual as u64, "{}", text);
        }
        (result, expected) => {
            prop_assert!(
                false,
                "expected {expected:?} for {nodes} nodes, {levels} levels:\n{text}\ngot {result:?}"
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    /// Normalisation never grows past the limits: for random documents
    /// whose fragments spread each other (acyclic, random fan-out, nesting,
    /// aliases, inline fragments, `@skip`/`@include`) and random small
    /// limits, `prepare_within` either refuses with `OperationError::Limit`
    /// or returns a normalised tree within `max_fields` nodes and
    /// `max_depth` levels; and it refuses exactly when the document,
    /// expanded spread by spread, is over a limit. The check is also made at
    /// the boundary, with the limits equal to the expanded figures (accepted)
    /// and one below them (refused).
    #[test]
    fn normalisation_stays_within_the_limits_it_was_checked_against(
        document in document(),
        max_fields in 1usize..200,
        max_depth in 1usize..10,
    ) {
        check_against_expansion(&document, max_fields, max_depth)?;
        let (nodes, levels) = document.expanded();
        // Large expansions are only refused above: validating them would
        // slow the test down without checking anything new.
        if nodes <= 500 {
            check_against_expansion(&document, nodes, levels)?;
            check_against_expansion(&document, nodes - 1, levels)?;
            check_against_expansion(&document, nodes, levels - 1)?;
        }
    }
}

// ---------------------------------------------------------------------------
// Any text against the demo supergraph.

/// Valid operations on the demo supergraph, to be mutated.
const VALID: &[&str] = &[
    "{ topProducts { name reviews { body author { username } } } }",
    "query Q($id: ID!) { user(id: $id) { name reviews { product { name price inStock shippingEstimate } } } }",
    "query { me { id ...U } } fragment U on User { username birthday reviews { id body } }",
    "{ users { ... on User @include(if: true) { name } reviews @skip(if: false) { body } } }",
    "{ topProducts(first: 2) { upc ... @defer(label: \"d\") { shippingEstimate } } }",
    "{ __typename t: topProducts { __typename weight } }",
    "{ __schema { types { name } } }",
    "query A { me { id } } query B { users { name } }",
];

/// Pieces of GraphQL to build and mutate documents from.
#[rustfmt::skip]
const TOKENS: &[&str] = &[
    "{", "}", "(", ")", "[", "]", ":", "...", "$id", "$x", "@skip(if: true)",
    "@include(if: $x)", "@defer", "query", "mutation", "subscription", "fragment",
    "on", "F", "Product", "User", "Review", "Query", "topProducts", "me", "user",
    "users", "reviews", "author", "product", "name", "username", "upc", "price",
    "weight", "shippingEstimate", "inStock", "id", "body", "first:", "id:", "5",
    "\"1\"", "ID!", "Int", "null", "__typename", "__schema", "__type(name: \"User\")",
    "a:", "\"\"\"", "#", ",", "=", "!", "|", "&", "\\u{0}", "\u{feff}", "é",
];

/// A change to a document: cut a span, insert a token, or repeat a span.
#[derive(Debug, Clone)]
enum Edit {
    Cut(Index, usize),
    Insert(Index, &'static str),
    Repeat(Index, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<Index>(), 1usize..8).prop_map(|(at, len)| Edit::Cut(at, len)),
        (any::<Index>(), select(TOKENS)).prop_map(|(at, token)| Edit::Insert(at, token)),
        (any::<Index>(), 1usize..24).prop_map(|(at, len)| Edit::Repeat(at, len)),
    ]
}

/// Applies the edits to the text, on character boundaries.
fn mutate(text: &str, edits: &[Edit]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for edit in edits {
        let at = |index: &Index| index.index(chars.len() + 1);
        match edit {
            Edit::Cut(index, len) => {
                let start = at(index);
                let end = (start + len).min(chars.len());
                chars.drain(start..end);
            }
            Edit::Insert(index, token) => {
                let start = at(index);
                let token: Vec<char> = format!(" {token} ").chars().collect();
                chars.splice(start..start, token);
            }
            Edit::Repeat(index, len) => {
                let start = at(index);
                let end = (start + len).min(chars.len());
                let span = chars[start..end].to_vec();
                chars.splice(end..end, span);
            }
        }
    }
    chars.into_iter().collect()
}

/// Any text: arbitrary strings, token soup, and mutated valid operations.
fn any_text() -> impl Strategy<Value = String> {
    let soup = prop::collection::vec(select(TOKENS), 0..60).prop_map(|t| t.join(" "));
    let mutated = (select(VALID), prop::collection::vec(edit(), 1..5))
        .prop_map(|(text, edits)| mutate(text, &edits));
    prop_oneof![
        any::<String>(),
        soup,
        mutated,
        select(VALID).prop_map(String::from)
    ]
}

proptest! {
    #![proptest_config(config(512))]

    /// Any input either plans or gives a GraphQL error: arbitrary strings,
    /// token soup and mutated valid operations, prepared against the demo
    /// supergraph's API schema and planned, never panic; every refusal
    /// converts to at least one GraphQL error with a message, and every
    /// planning error has a message.
    #[test]
    fn any_text_plans_or_gives_a_graphql_error(
        text in any_text(),
        operation_name in select(&[None, Some("Q"), Some("A"), Some("")][..]),
    ) {
        match prepare_within(&DEMO.api_schema, &text, operation_name, &Limits::default()) {
            Ok(operation) => {
                if let Err(error) = plan_within(&DEMO, &operation, DEFAULT_MAX_PLAN_FIELDS) {
                    prop_assert!(!error.to_string().is_empty(), "{:?}", error);
                }
            }
            Err(error) => {
                let errors = error.to_graphql_errors();
                prop_assert!(!errors.is_empty(), "{:?}", error);
                prop_assert!(errors.iter().all(|e| !e.message.is_empty()), "{:?}", error);
            }
        }
    }
}
