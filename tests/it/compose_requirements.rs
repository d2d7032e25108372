//! Composition: what a field set and a `@requires` need to be served.
//! A field selected by a `@key`, `@requires`, `@provides` or `@fromContext`
//! selection must be given every required argument (as Apollo: the
//! directive's INVALID_FIELDS code, not KEY_FIELDS_HAS_ARGS), and a field
//! with `@requires` only resolves where its required fields are reachable
//! from the requiring subgraph itself (SATISFIABILITY_ERROR otherwise).

#![allow(clippy::unwrap_used)]

use crate::common::{assert_first_compose_error as assert_first_error, compose_set};

const FED2: &str = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.8", import: ["@key", "@external", "@requires", "@provides", "@override", "@context", "@fromContext"])"#;

fn fed2(body: &str) -> String {
    format!("{FED2}\n{body}")
}

#[test]
fn a_key_field_with_a_required_argument_is_an_invalid_key() {
    let a = fed2(
        r#"type Query { t: T }
type T @key(fields: "id") { id(x: Int!): ID! }"#,
    );
    assert_first_error(
        &[("a", &a)],
        "KEY_INVALID_FIELDS",
        "\"T.id\" without a value for its required argument \"x\"",
        "a:3",
    );
}

#[test]
fn a_key_field_with_only_optional_arguments_takes_arguments_all_the_same() {
    let a = fed2(
        r#"type Query { t: T }
type T @key(fields: "id") { id(x: Int, y: Int! = 1): ID! }"#,
    );
    assert_first_error(&[("a", &a)], "KEY_FIELDS_HAS_ARGS", "\"T.id\"", "a:3");
}

/// `b` resolves `T.a(x: Int!)`; `a` requires it with `requires`.
fn requiring(requires: &str) -> Vec<(&'static str, String)> {
    let a = fed2(&format!(
        r#"type Query {{ t: T }}
type T @key(fields: "id") {{ id: ID! a(x: Int!): Int @external b: Int @requires(fields: "{requires}") }}"#
    ));
    let b = fed2(r#"type T @key(fields: "id") { id: ID! a(x: Int!): Int }"#);
    vec![("a", a), ("b", b)]
}

fn as_refs<'a>(set: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    set.iter()
        .map(|(name, sdl)| (*name, sdl.as_str()))
        .collect()
}

#[test]
fn a_required_field_must_be_given_its_required_arguments() {
    let set = requiring("a");
    assert_first_error(
        &as_refs(&set),
        "REQUIRES_INVALID_FIELDS",
        "\"T.a\" without a value for its required argument \"x\"",
        "a:3",
    );
    let given = requiring("a(x: 1)");
    assert!(compose_set(&as_refs(&given)).is_ok());
}

#[test]
fn a_context_selection_must_give_required_arguments() {
    let a = fed2(
        r#"type Query { t: T }
type T @key(fields: "id") @context(name: "ctx") { id: ID! prop(secret: Int!): String u: U }
type U @key(fields: "id") { id: ID! f(a: String @fromContext(field: "$ctx { prop }")): Int }"#,
    );
    assert_first_error(
        &[("a", &a)],
        "CONTEXT_INVALID_SELECTION",
        "\"T.prop\" is selected without a value for its required argument \"secret\"",
        "a:4",
    );
}

/// `products` takes the key field `upc` over from `inventory`, whose
/// `shippingEstimate` requires `price` from `products`: with its own `upc`
/// overridden, `inventory` has no key to reach `products` by, so the
/// requirement cannot be met from there (Apollo: SATISFIABILITY_ERROR).
#[test]
fn a_requires_unreachable_from_the_requiring_subgraph_is_unsatisfiable() {
    let products = fed2(
        r#"type Query { product: Product }
type Product @key(fields: "upc") { upc: String! @override(from: "inventory") price: Int }"#,
    );
    let inventory = fed2(
        r#"type Product @key(fields: "upc") { upc: String! price: Int @external shippingEstimate: Int @requires(fields: "price") }"#,
    );
    assert_first_error(
        &[("products", &products), ("inventory", &inventory)],
        "SATISFIABILITY_ERROR",
        "cannot satisfy its @requires",
        "products:3",
    );
    let without_override = products.replace(r#" @override(from: "inventory")"#, "");
    assert!(compose_set(&[("products", &without_override), ("inventory", &inventory)]).is_ok());
}
