//! Composition: who may resolve a field (`@shareable`, `@provides`,
//! subscriptions), shared fields' runtime types, and the sets Apollo's
//! composer accepts that a stricter reading would refuse (Federation 1
//! tolerances, `@extends`, defaults given in one subgraph only).

#![allow(clippy::unwrap_used)]

use crate::common::{assert_first_compose_error, compose_set};

const FED2: &str = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@provides", "@extends"])"#;

fn fed2(body: &str) -> String {
    format!("{FED2}\n{body}")
}

/// The set fails with `code`, first, naming `coordinate`, located at `at`
/// (`subgraph:line`).
fn assert_first_error(subgraphs: &[(&str, &str)], code: &str, coordinate: &str, at: &str) {
    assert_first_compose_error(subgraphs, code, &format!("\"{coordinate}\""), at);
}

#[test]
fn a_provided_field_is_resolved_by_the_providing_subgraph_so_the_other_must_share_it() {
    let a = fed2(
        r#"type Query { w: W }
type W { t: T @provides(fields: "x") }
type T @key(fields: "id") { id: ID! x: Int @external }"#,
    );
    let b = fed2(r#"type T @key(fields: "id") { id: ID! x: Int }"#);
    assert_first_error(
        &[("a", &a), ("b", &b)],
        "INVALID_FIELD_SHARING",
        "T.x",
        "b:2",
    );
    let b_shared = fed2(r#"type T @key(fields: "id") { id: ID! x: Int @shareable }"#);
    assert!(compose_set(&[("a", &a), ("b", &b_shared)]).is_ok());
}

#[test]
fn a_field_provided_below_the_providing_field_counts_too() {
    let a = fed2(
        r#"type Query { t: T @provides(fields: "u { y }") }
type T @key(fields: "id") { id: ID! u: U @external }
type U @key(fields: "id") { id: ID! y: Int @external }"#,
    );
    let b = fed2(
        r#"type T @key(fields: "id") { id: ID! u: U @shareable }
type U @key(fields: "id") { id: ID! y: Int }"#,
    );
    assert_first_error(
        &[("a", &a), ("b", &b)],
        "INVALID_FIELD_SHARING",
        "U.y",
        "b:3",
    );
}

#[test]
fn subscription_root_fields_cannot_be_shareable() {
    let a = fed2("type Query { a: Int }\ntype Subscription { s: Int @shareable }");
    assert_first_error(
        &[("a", &a)],
        "INVALID_FIELD_SHARING",
        "Subscription.s",
        "a:3",
    );
}

#[test]
fn a_shared_field_whose_subgraphs_have_no_runtime_type_in_common_is_refused() {
    let a = fed2(
        r#"type Query { t: T }
type T @key(fields: "id") { id: ID! u: U @shareable }
union U = B
type B { y: Int }"#,
    );
    let b = fed2(
        r#"type T @key(fields: "id") { id: ID! u: U @shareable }
union U = C
type C { z: Int }"#,
    );
    assert_first_error(
        &[("a", &a), ("b", &b)],
        "SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES",
        "T.u",
        "a:3",
    );
}

#[test]
fn shared_interface_fields_need_a_common_implementation() {
    let a = fed2(
        r#"type Query { i: I @shareable }
interface I { x: Int }
type B implements I { x: Int @shareable }"#,
    );
    let b = fed2(
        r#"type Query { i: I @shareable }
interface I { x: Int }
type C implements I { x: Int @shareable }"#,
    );
    assert_first_error(
        &[("a", &a), ("b", &b)],
        "SHAREABLE_HAS_MISMATCHED_RUNTIME_TYPES",
        "Query.i",
        "b:2",
    );
    // One type in common is enough, whatever else each subgraph has.
    let b_overlapping = fed2(
        r#"type Query { i: I @shareable }
interface I { x: Int }
type B implements I { x: Int @shareable }
type C implements I { x: Int @shareable }"#,
    );
    assert!(compose_set(&[("a", &a), ("b", &b_overlapping)]).is_ok());
}

#[test]
fn federation_1_provides_and_requires_of_fields_resolved_locally_are_accepted_and_left_out() {
    let a = r#"type Query { t: T @provides(fields: "x y") }
extend type T @key(fields: "id") {
  id: ID! @external
  x: Int
  y: Int @external
  z: Int @requires(fields: "x")
}"#;
    let b = r#"type T @key(fields: "id") { id: ID! x: Int y: Int }"#;
    let supergraph = compose_set(&[("a", a), ("b", b)]).unwrap();
    assert!(
        supergraph.contains(r#"t: T @join__field(graph: A, provides: "y")"#),
        "{supergraph}"
    );
    assert!(
        supergraph.contains("  z: Int @join__field(graph: A)\n"),
        "{supergraph}"
    );
}

#[test]
fn federation_2_extends_counts_as_a_definition_next_to_extend_type() {
    let a = fed2(r#"type Query { t: T } type T @key(fields: "id") @extends { id: ID! y: Int }"#);
    let b =
        r#"type Query { u: Int } extend type T @key(fields: "id") { id: ID! @external z: Int }"#;
    let supergraph = compose_set(&[("a", &a), ("b", b)]).unwrap();
    assert!(supergraph.contains("type T"), "{supergraph}");
    // In Federation 1 both are extensions: nothing defines T.
    let a_fed1 =
        r#"type Query { t: T } type T @key(fields: "id") @extends { id: ID! @external y: Int }"#;
    assert_first_error(
        &[("a", a_fed1), ("b", b)],
        "EXTENSION_WITH_NO_BASE",
        "T",
        "a:1",
    );
}

#[test]
fn a_default_given_in_one_subgraph_only_is_left_out_and_different_ones_are_refused() {
    let a =
        fed2("type Query { a(i: I): Int f(x: Int = 1): Int @shareable }\ninput I { x: Int = 1 }");
    let b = fed2("type Query { b(i: I): Int f(x: Int): Int @shareable }\ninput I { x: Int }");
    let supergraph = compose_set(&[("a", &a), ("b", &b)]).unwrap();
    assert!(!supergraph.contains("= 1"), "{supergraph}");
    let c = fed2("type Query { c(i: I): Int }\ninput I { x: Int = 2 }");
    let errors = compose_set(&[("a", &a), ("c", &c)]).unwrap_err();
    assert_eq!(
        errors[0].code, "INPUT_FIELD_DEFAULT_MISMATCH",
        "{errors:#?}"
    );
    assert!(
        errors[0]
            .message
            .contains("default value 1 in subgraph \"a\""),
        "{errors:#?}"
    );
}

#[test]
fn override_from_a_missing_subgraph_is_kept_in_the_supergraph() {
    let a = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@override"])
type Query { t: T } type T @key(fields: "id") { id: ID! x: Int @override(from: "gone") }"#;
    let b = fed2(r#"type T @key(fields: "id") { id: ID! y: Int }"#);
    let supergraph = compose_set(&[("a", a), ("b", &b)]).unwrap();
    assert!(
        supergraph.contains(r#"x: Int @join__field(graph: A, override: "gone")"#),
        "{supergraph}"
    );
}

#[test]
fn shareable_twice_on_one_field_or_one_type_block_is_refused() {
    let link = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@shareable"])"#;
    let on_field =
        format!("{link}\ntype Query {{ a: Int }}\ntype T {{ x: Int @shareable @shareable }}");
    assert_first_error(&[("a", &on_field)], "INVALID_SHAREABLE_USAGE", "T.x", "a:3");
    let on_type =
        format!("{link}\ntype Query {{ t: T }}\ntype T @shareable @shareable {{ x: Int }}");
    assert_first_error(&[("a", &on_type)], "INVALID_SHAREABLE_USAGE", "T", "a:3");
    // Once on the definition and once on an extension is allowed.
    let split = format!("{link}\ntype Query {{ t: T }}\ntype T @shareable {{ x: Int }}\nextend type T @shareable {{ y: Int }}");
    assert!(compose_set(&[("a", &split)]).is_ok());
}

#[test]
fn federation_1_provides_of_a_field_the_type_does_not_have_is_still_refused() {
    let a = r#"type Query { t: T @provides(fields: "nope") }
extend type T @key(fields: "id") { id: ID! @external }"#;
    let b = r#"type T @key(fields: "id") { id: ID! x: Int }"#;
    let errors = compose_set(&[("a", a), ("b", b)]).unwrap_err();
    assert_eq!(errors[0].code, "PROVIDES_INVALID_FIELDS", "{errors:#?}");
}

#[test]
fn federation_1_provides_on_a_leaf_field_is_accepted_and_dropped() {
    let a = r#"type Query { t: T }
extend type T @key(fields: "id") { id: ID! @external total: Int @provides(fields: "id") }"#;
    let b = r#"type T @key(fields: "id") { id: ID! x: Int }"#;
    let supergraph = compose_set(&[("a", a), ("b", b)]).unwrap();
    assert!(
        supergraph.contains("  total: Int @join__field(graph: A)\n"),
        "{supergraph}"
    );
}

#[test]
fn an_empty_override_label_is_a_plain_override() {
    let link = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@override"])"#;
    let a = format!(
        "{link}\ntype Query {{ t: T }} type T @key(fields: \"id\") {{ id: ID! x: Int @override(from: \"b\", label: \"\") }}"
    );
    let b = format!("{link}\ntype T @key(fields: \"id\") {{ id: ID! x: Int }}");
    let supergraph = compose_set(&[("a", &a), ("b", &b)]).unwrap();
    assert!(
        supergraph.contains(r#"  x: Int @join__field(graph: A, override: "b")"#),
        "{supergraph}"
    );
}
