//! Composition rejects invalid subgraph sets with the right error code.
//!
//! One test per code: a minimal set of subgraphs (inline SDL) that breaks
//! exactly one rule, and the code (and, where it helps, the offending
//! `Type.field`) the composer must report. The last test composes a valid
//! set that uses every validated feature, so the rules do not overreach.

#![allow(clippy::unwrap_used)]

use junction::compose::CompositionError;

use crate::common::compose_set;

/// The federation 2.3 `@link` every fed2 case starts with.
const FED2_LINK: &str = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@override", "@inaccessible", "@interfaceObject", "@tag", "@composeDirective"])"#;

/// A Federation 2.3 subgraph with the usual imports.
fn fed2(body: &str) -> String {
    format!("{FED2_LINK}\n{body}")
}

/// The set must fail with `code`, its message naming `names` when given.
fn assert_rejected(subgraphs: &[(&str, &str)], code: &str, names: Option<&str>) {
    let errors = match compose_set(subgraphs) {
        Ok(supergraph) => panic!("expected {code}, but composed:\n{supergraph}"),
        Err(errors) => errors,
    };
    let matching: Vec<&CompositionError> = errors.iter().filter(|e| e.code == code).collect();
    assert!(!matching.is_empty(), "expected {code}, got {errors:#?}");
    if let Some(names) = names {
        let quoted = format!("\"{names}\"");
        assert!(
            matching.iter().any(|e| e.message.contains(&quoted)),
            "no {code} message names {quoted}: {matching:#?}"
        );
        assert!(
            matching.iter().any(|e| !e.locations.is_empty()),
            "no {code} error has a location: {matching:#?}"
        );
    }
}

#[test]
fn rejects_default_value_uses_inaccessible() {
    let sdl_a = fed2(
        r#"
    type Query { a(e: E = B): Int }
    enum E { A B @inaccessible }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str())],
        "DEFAULT_VALUE_USES_INACCESSIBLE",
        Some("Query.a(e:)"),
    );
}

#[test]
fn rejects_empty_merged_enum_type() {
    let sdl_a = fed2(
        r#"
    type Query { a(e: E): Int }
    enum E { A }
"#,
    );
    let sdl_b = fed2(
        r#"
    type Query { b(e: E): Int }
    enum E { B }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "EMPTY_MERGED_ENUM_TYPE",
        None,
    );
}

#[test]
fn rejects_empty_merged_input_type() {
    let sdl_a = fed2(
        r#"
    type Query { a(i: I): Int }
    input I { x: Int }
"#,
    );
    let sdl_b = fed2(
        r#"
    type Query { b(i: I): Int }
    input I { y: Int }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "EMPTY_MERGED_INPUT_TYPE",
        None,
    );
}

#[test]
fn rejects_enum_value_mismatch() {
    let sdl_a = fed2(
        r#"
    type Query { a(e: E): E }
    enum E { A B }
"#,
    );
    let sdl_b = fed2(
        r#"
    type Query { b: E }
    enum E { A }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "ENUM_VALUE_MISMATCH",
        None,
    );
}

#[test]
fn rejects_extension_with_no_base() {
    let sdl_a = fed2(
        r#"
    type Query { a: Int }
    extend type T @key(fields: "id") { id: ID! x: Int }
"#,
    );
    let sdl_b = fed2(
        r#"
    type Query { b: Int }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "EXTENSION_WITH_NO_BASE",
        Some("T"),
    );
}

#[test]
fn rejects_external_argument_default_mismatch() {
    let sdl_a = fed2(
        r#"
    type Query { a: T }
    type T @key(fields: "id") { id: ID! x(arg: Int = 1): Int @external y: Int @requires(fields: "x") }
"#,
    );
    let sdl_b = fed2(
        r#"
    type T @key(fields: "id") { id: ID! x(arg: Int = 2): Int }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "EXTERNAL_ARGUMENT_DEFAULT_MISMATCH",
        Some("T.x"),
    );
}

#[test]
fn rejects_external_argument_missing() {
    let sdl_a = fed2(
        r#"
    type Query { a: T }
    type T @key(fields: "id") { id: ID! x: Int @external y: Int @requires(fields: "x") }
"#,
    );
    let sdl_b = fed2(
        r#"
    type T @key(fields: "id") { id: ID! x(arg: Int): Int }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "EXTERNAL_ARGUMENT_MISSING",
        Some("T.x"),
    );
}

#[test]
fn rejects_external_argument_type_mismatch() {
    let sdl_a = fed2(
        r#"
    type Query { a: T }
    type T @key(fields: "id") { id: ID! x(arg: String): Int @external y: Int @requires(fields: "x(arg: \"1\")") }
"#,
    );
    let sdl_b = fed2(
        r#"
    type T @key(fields: "id") { id: ID! x(arg: Int): Int }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "EXTERNAL_ARGUMENT_TYPE_MISMATCH",
        Some("T.x"),
    );
}

#[test]
fn rejects_external_collision_with_another_directive() {
    let sdl_a = fed2(
        r#"
    type Query { a: T }
    type T @key(fields: "id") { id: ID! x: Int @external @provides(fields: "y") y: Int }
"#,
    );
    let sdl_b = fed2(
        r#"
    type T @key(fields: "id") { id: ID! x: Int }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "EXTERNAL_COLLISION_WITH_ANOTHER_DIRECTIVE",
        Some("T.x"),
    );
}

#[test]
fn rejects_external_missing_on_base() {
    let sdl_a = fed2(
        r#"
    type Query { a: T }
    type T @key(fields: "id") { id: ID! x: Int @external y: Int @requires(fields: "x") }
"#,
    );
    let sdl_b = fed2(
        r#"
    type T @key(fields: "id") { id: ID! }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "EXTERNAL_MISSING_ON_BASE",
        Some("T.x"),
    );
}

#[test]
fn rejects_external_on_interface() {
    let sdl_a = fed2(
        r#"
    type Query { a: I }
    interface I { x: Int @external }
    type T implements I { x: Int }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str())],
        "EXTERNAL_ON_INTERFACE",
        Some("I.x"),
    );
}

#[test]
fn rejects_external_type_mismatch() {
    let sdl_a = fed2(
        r#"
    type Query { a: T }
    type T @key(fields: "id") { id: ID! x: String @external y: Int @requires(fields: "x") }
"#,
    );
    let sdl_b = fed2(
        r#"
    type T @key(fields: "id") { id: ID! x: Int }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "EXTERNAL_TYPE_MISMATCH",
        Some("T.x"),
    );
}

#[test]
fn rejects_external_unused() {
    let sdl_a = fed2(
        r#"
    type Query { a: T }
    type T @key(fields: "id") { id: ID! x: Int @external }
"#,
    );
    let sdl_b = fed2(
        r#"
    type T @key(fields: "id") { id: ID! x: Int }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "EXTERNAL_UNUSED",
        Some("T.x"),
    );
}

#[test]
fn rejects_field_argument_default_mismatch() {
    let sdl_a = fed2(
        r#"
    type Query { f(x: Int = 1): Int @shareable }
"#,
    );
    let sdl_b = fed2(
        r#"
    type Query { f(x: Int = 2): Int @shareable }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "FIELD_ARGUMENT_DEFAULT_MISMATCH",
        None,
    );
}

#[test]
fn rejects_field_argument_type_mismatch() {
    let sdl_a = fed2(
        r#"
    type Query { f(x: Int): Int @shareable }
"#,
    );
    let sdl_b = fed2(
        r#"
    type Query { f(x: String): Int @shareable }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "FIELD_ARGUMENT_TYPE_MISMATCH",
        None,
    );
}

#[test]
fn rejects_field_type_mismatch() {
    let sdl_a = fed2(
        r#"
    type Query { a: T @shareable }
    type T @shareable { x: Int }
"#,
    );
    let sdl_b = fed2(
        r#"
    type Query { a: T @shareable }
    type T @shareable { x: String }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "FIELD_TYPE_MISMATCH",
        Some("T.x"),
    );
}

#[test]
fn rejects_implemented_by_inaccessible() {
    let sdl_a = fed2(
        r#"
    type Query { a: I }
    interface I { x: Int }
    type T implements I { x: Int @inaccessible }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str())],
        "IMPLEMENTED_BY_INACCESSIBLE",
        Some("T.x"),
    );
}

#[test]
fn rejects_input_field_default_mismatch() {
    let sdl_a = fed2(
        r#"
    type Query { a(i: I): Int }
    input I { x: Int = 1 }
"#,
    );
    let sdl_b = fed2(
        r#"
    type Query { b(i: I): Int }
    input I { x: Int = 2 }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "INPUT_FIELD_DEFAULT_MISMATCH",
        None,
    );
}

#[test]
fn rejects_interface_field_no_implem() {
    let sdl_a = fed2(
        r#"
    type Query { a: I }
    interface I { id: ID! }
    type T implements I @key(fields: "id") { id: ID! }
"#,
    );
    let sdl_b = fed2(
        r#"
    interface I { id: ID! name: String }
    type U implements I { id: ID! name: String }
    type Query { b: U }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "INTERFACE_FIELD_NO_IMPLEM",
        Some("I.name"),
    );
}

#[test]
fn rejects_interface_key_missing_implementation_type() {
    let sdl_a = fed2(
        r#"
    type Query { a: I }
    interface I @key(fields: "id") { id: ID! }
"#,
    );
    let sdl_b = fed2(
        r#"
    interface I @key(fields: "id") { id: ID! }
    type T implements I @key(fields: "id") { id: ID! }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "INTERFACE_KEY_MISSING_IMPLEMENTATION_TYPE",
        Some("I"),
    );
}

#[test]
fn rejects_interface_key_not_on_implementation() {
    let sdl_a = fed2(
        r#"
    type Query { a: I }
    interface I @key(fields: "id") { id: ID! }
    type T implements I { id: ID! }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str())],
        "INTERFACE_KEY_NOT_ON_IMPLEMENTATION",
        Some("T"),
    );
}

#[test]
fn rejects_interface_object_usage_error() {
    let sdl_a = fed2(
        r#"
    type Query { a: I }
    type I @key(fields: "id") @interfaceObject { id: ID! }
"#,
    );
    let sdl_b = fed2(
        r#"
    type Query { b: Int }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "INTERFACE_OBJECT_USAGE_ERROR",
        Some("I"),
    );
}

#[test]
fn rejects_invalid_field_sharing() {
    let sdl_a = fed2(
        r#"
    type Query { a: T }
    type T { x: Int }
"#,
    );
    let sdl_b = fed2(
        r#"
    type Query { b: T }
    type T { x: Int }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "INVALID_FIELD_SHARING",
        Some("T.x"),
    );
}

#[test]
fn rejects_invalid_graphql() {
    let sdl_a = fed2(
        r#"
    type Query { a: Missing }
"#,
    );
    assert_rejected(&[("a", sdl_a.as_str())], "INVALID_GRAPHQL", None);
}

#[test]
fn rejects_invalid_link_directive_usage() {
    let sdl_a = r#"
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"]) @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@shareable"])
    type Query { a: Int }
"#;
    assert_rejected(&[("a", sdl_a)], "INVALID_LINK_DIRECTIVE_USAGE", None);
}

#[test]
fn rejects_invalid_link_identifier() {
    let sdl_a = r#"
    extend schema @link(url: "https://specs.apollo.dev/federation/vx", import: ["@key"])
    type Query { a: Int }
"#;
    assert_rejected(&[("a", sdl_a)], "INVALID_LINK_IDENTIFIER", None);
}

#[test]
fn rejects_invalid_shareable_usage() {
    let sdl_a = fed2(
        r#"
    type Query { a: I }
    interface I { x: Int @shareable }
    type T implements I { x: Int }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str())],
        "INVALID_SHAREABLE_USAGE",
        Some("I.x"),
    );
}

#[test]
fn rejects_invalid_subgraph_name() {
    let reserved = fed2(
        r#"
    type Query { a: Int }
"#,
    );
    assert_rejected(&[("_", reserved.as_str())], "INVALID_SUBGRAPH_NAME", None);
}

#[test]
fn rejects_key_directive_in_fields_arg() {
    let sdl_a = fed2(
        r#"
    type Query { a: T }
    type T @key(fields: "id @include(if: true)") { id: ID! }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str())],
        "KEY_DIRECTIVE_IN_FIELDS_ARG",
        Some("T"),
    );
}

#[test]
fn rejects_key_fields_has_args() {
    let sdl_a = fed2(
        r#"
    type Query { a: T }
    type T @key(fields: "id") { id(x: Int): ID! }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str())],
        "KEY_FIELDS_HAS_ARGS",
        Some("T.id"),
    );
}

#[test]
fn rejects_key_fields_select_invalid_type() {
    let sdl_a = fed2(
        r#"
    type Query { a: T }
    type T @key(fields: "i { id }") { i: I }
    interface I { id: ID! }
    type X implements I { id: ID! }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str())],
        "KEY_FIELDS_SELECT_INVALID_TYPE",
        Some("T.i"),
    );
}

#[test]
fn rejects_key_invalid_fields() {
    let sdl_a = fed2(
        r#"
    type Query { a: T }
    type T @key(fields: "nope") { id: ID! }
"#,
    );
    assert_rejected(&[("a", sdl_a.as_str())], "KEY_INVALID_FIELDS", Some("T"));
}

#[test]
fn rejects_key_invalid_fields_type() {
    let sdl_a = fed2(
        r#"
    type Query { a: T }
    type T @key(fields: 1) { id: ID! }
"#,
    );
    assert_rejected(&[("a", sdl_a.as_str())], "KEY_INVALID_FIELDS_TYPE", None);
}

#[test]
fn rejects_key_unsupported_on_interface() {
    let sdl_a = r#"
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.2", import: ["@key"])
    type Query { a: I }
    interface I @key(fields: "id") { id: ID! }
    type T implements I @key(fields: "id") { id: ID! }
"#;
    assert_rejected(&[("a", sdl_a)], "KEY_UNSUPPORTED_ON_INTERFACE", Some("I"));
}

#[test]
fn rejects_no_queries() {
    let sdl_a = fed2(
        r#"
    type T { x: Int }
"#,
    );
    assert_rejected(&[("a", sdl_a.as_str())], "NO_QUERIES", None);
}

#[test]
fn rejects_only_inaccessible_children() {
    let sdl_a = fed2(
        r#"
    type Query { a: T }
    type T { x: Int @inaccessible }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str())],
        "ONLY_INACCESSIBLE_CHILDREN",
        Some("T"),
    );
}

#[test]
fn rejects_override_collision_with_another_directive() {
    let sdl_a = fed2(
        r#"
    type Query { a: T }
    type T @key(fields: "id") { id: ID! x: Int @override(from: "b") @external  y: Int @requires(fields: "x") }
"#,
    );
    let sdl_b = fed2(
        r#"
    type T @key(fields: "id") { id: ID! x: Int }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE",
        Some("T.x"),
    );
}

#[test]
fn rejects_override_from_self_error() {
    let sdl_a = fed2(
        r#"
    type Query { a: T }
    type T @key(fields: "id") { id: ID! x: Int @override(from: "a") }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str())],
        "OVERRIDE_FROM_SELF_ERROR",
        Some("T.x"),
    );
}

#[test]
fn rejects_override_label_invalid() {
    let sdl_a = r#"
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@override"])
    type Query { a: T }
    type T @key(fields: "id") { id: ID! x: Int @override(from: "b", label: "percent(150)") }
"#;
    let sdl_b = r#"
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type T @key(fields: "id") { id: ID! x: Int }
"#;
    assert_rejected(
        &[("a", sdl_a), ("b", sdl_b)],
        "OVERRIDE_LABEL_INVALID",
        Some("T.x"),
    );
}

#[test]
fn rejects_override_on_interface() {
    let sdl_a = fed2(
        r#"
    type Query { a: I }
    interface I @key(fields: "id") { id: ID! x: Int @override(from: "b") }
    type T implements I @key(fields: "id") { id: ID! x: Int }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str())],
        "OVERRIDE_ON_INTERFACE",
        Some("I.x"),
    );
}

#[test]
fn rejects_override_source_has_override() {
    let sdl_a = fed2(
        r#"
    type Query { a: T }
    type T @key(fields: "id") { id: ID! x: Int @override(from: "b") }
"#,
    );
    let sdl_b = fed2(
        r#"
    type T @key(fields: "id") { id: ID! x: Int @override(from: "a") }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "OVERRIDE_SOURCE_HAS_OVERRIDE",
        Some("T.x"),
    );
}

#[test]
fn rejects_provides_fields_has_args() {
    let sdl_a = fed2(
        r#"
    type Query { a: T @provides(fields: "x") }
    type T @key(fields: "id") { id: ID! x(a: Int): Int @external }
"#,
    );
    let sdl_b = fed2(
        r#"
    type T @key(fields: "id") { id: ID! x(a: Int): Int @shareable }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "PROVIDES_FIELDS_HAS_ARGS",
        Some("T.x"),
    );
}

#[test]
fn rejects_provides_fields_missing_external() {
    let sdl_a = fed2(
        r#"
    type Query { a: T @provides(fields: "x") }
    type T @key(fields: "id") { id: ID! x: Int }
"#,
    );
    let sdl_b = fed2(
        r#"
    type T @key(fields: "id") { id: ID! }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "PROVIDES_FIELDS_MISSING_EXTERNAL",
        Some("T.x"),
    );
}

#[test]
fn rejects_provides_invalid_fields() {
    let sdl_a = fed2(
        r#"
    type Query { a: T @provides(fields: "nope") }
    type T @key(fields: "id") { id: ID! }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str())],
        "PROVIDES_INVALID_FIELDS",
        Some("Query.a"),
    );
}

#[test]
fn rejects_provides_on_non_object_field() {
    let sdl_a = fed2(
        r#"
    type Query { a: Int @provides(fields: "x") }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str())],
        "PROVIDES_ON_NON_OBJECT_FIELD",
        Some("Query.a"),
    );
}

#[test]
fn rejects_provides_unsupported_on_interface() {
    let sdl_a = fed2(
        r#"
    type Query { a: I }
    interface I { t: T @provides(fields: "x") }
    type T @key(fields: "id") { id: ID! x: Int @external }
    type Impl implements I { t: T }
"#,
    );
    let sdl_b = fed2(
        r#"
    type T @key(fields: "id") { id: ID! x: Int @shareable }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "PROVIDES_UNSUPPORTED_ON_INTERFACE",
        Some("I.t"),
    );
}

#[test]
fn rejects_query_root_type_inaccessible() {
    let sdl_a = fed2(
        r#"
    type Query @inaccessible { a: Int }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str())],
        "QUERY_ROOT_TYPE_INACCESSIBLE",
        Some("Query"),
    );
}

#[test]
fn rejects_referenced_inaccessible() {
    let sdl_a = fed2(
        r#"
    type Query { a: T ok: Int }
    type T @inaccessible { x: Int }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str())],
        "REFERENCED_INACCESSIBLE",
        Some("Query.a"),
    );
}

#[test]
fn rejects_required_argument_missing_in_some_subgraph() {
    let sdl_a = fed2(
        r#"
    type Query { f(x: Int!): Int @shareable }
"#,
    );
    let sdl_b = fed2(
        r#"
    type Query { f: Int @shareable }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
        None,
    );
}

#[test]
fn rejects_required_inaccessible() {
    let sdl_a = fed2(
        r#"
    type Query { a(x: Int! @inaccessible): Int }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str())],
        "REQUIRED_INACCESSIBLE",
        Some("Query.a(x:)"),
    );
}

#[test]
fn rejects_required_input_field_missing_in_some_subgraph() {
    let sdl_a = fed2(
        r#"
    type Query { a(i: I): Int }
    input I { x: Int! y: Int }
"#,
    );
    let sdl_b = fed2(
        r#"
    type Query { b(i: I): Int }
    input I { y: Int }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
        None,
    );
}

#[test]
fn rejects_requires_directive_in_fields_arg() {
    let sdl_a = fed2(
        r#"
    type Query { a: T }
    type T @key(fields: "id") { id: ID! x: Int @external y: Int @requires(fields: "x @include(if: true)") }
"#,
    );
    let sdl_b = fed2(
        r#"
    type T @key(fields: "id") { id: ID! x: Int }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "REQUIRES_DIRECTIVE_IN_FIELDS_ARG",
        Some("T.y"),
    );
}

#[test]
fn rejects_requires_fields_missing_external() {
    let sdl_a = fed2(
        r#"
    type Query { a: T }
    type T @key(fields: "id") { id: ID! x: Int y: Int @requires(fields: "x") }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str())],
        "REQUIRES_FIELDS_MISSING_EXTERNAL",
        Some("T.x"),
    );
}

#[test]
fn rejects_requires_invalid_fields() {
    let sdl_a = fed2(
        r#"
    type Query { a: T }
    type T @key(fields: "id") { id: ID! y: Int @requires(fields: "nope") }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str())],
        "REQUIRES_INVALID_FIELDS",
        Some("T.y"),
    );
}

#[test]
fn rejects_requires_unsupported_on_interface() {
    let sdl_a = fed2(
        r#"
    type Query { a: I }
    interface I { x: Int @external y: Int @requires(fields: "x") }
    type T implements I @key(fields: "id") { id: ID! x: Int y: Int }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str())],
        "REQUIRES_UNSUPPORTED_ON_INTERFACE",
        Some("I.y"),
    );
}

#[test]
fn rejects_root_query_used() {
    let sdl_a = r#"
    schema { query: MyQuery }
    type MyQuery { a: Int }
    type Query { b: Int }
"#;
    assert_rejected(&[("a", sdl_a)], "ROOT_QUERY_USED", None);
}

#[test]
fn rejects_type_kind_mismatch() {
    let sdl_a = fed2(
        r#"
    type Query { a: T }
    type T { x: Int }
"#,
    );
    let sdl_b = fed2(
        r#"
    type Query { b: T }
    interface T { x: Int }
"#,
    );
    assert_rejected(
        &[("a", sdl_a.as_str()), ("b", sdl_b.as_str())],
        "TYPE_KIND_MISMATCH",
        None,
    );
}

#[test]
fn rejects_type_with_only_unused_external() {
    let sdl_a = r#"
    type Query { a: T u: U }
    type T @key(fields: "id") { id: ID! }
    type U { x: Int @external }
"#;
    let sdl_b = r#"
    type T @key(fields: "id") { id: ID! }
    type U { x: Int }
"#;
    assert_rejected(
        &[("a", sdl_a), ("b", sdl_b)],
        "TYPE_WITH_ONLY_UNUSED_EXTERNAL",
        Some("U"),
    );
}

#[test]
fn rejects_unknown_federation_link_version() {
    let sdl_a = r#"
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.99", import: ["@key"])
    type Query { a: Int }
"#;
    assert_rejected(&[("a", sdl_a)], "UNKNOWN_FEDERATION_LINK_VERSION", None);
}

#[test]
fn composes_a_valid_set_using_every_validated_feature() {
    let products = fed2(
        r#"
    type Query {
      products: [Product] @provides(fields: "vendor { name }")
      media: [Media]
      internal(code: Code = OPEN): Int @inaccessible
    }
    enum Code { OPEN SECRET @inaccessible }
    interface Media @key(fields: "id") { id: ID! title: String }
    type Book implements Media @key(fields: "id") { id: ID! title: String }
    type Product @key(fields: "upc") @key(fields: "sku { region code }") {
      upc: String!
      sku: Sku!
      price: Int
      weight: Int
      vendor: Vendor
      legacyCode: String @inaccessible
    }
    type Sku { region: String! code: String! }
    type Vendor @key(fields: "id") { id: ID! name: String @external }
"#,
    );
    // `@override(label:)` exists from federation v2.7 on.
    let shipping = FED2_LINK.replace("v2.3", "v2.7")
        + r#"
    type Product @key(fields: "upc") {
      upc: String!
      price: Int @external
      weight: Int @external
      shippingCost: Int @requires(fields: "price weight")
      stock: Int @override(from: "inventory", label: "percent(25)")
    }
    type Media @key(fields: "id") @interfaceObject { id: ID! reviews: Int }
"#;
    let inventory = fed2(
        r#"
    type Query { vendors: [Vendor] }
    type Vendor @key(fields: "id") { id: ID! name: String @shareable }
    type Product @key(fields: "upc") { upc: String! stock: Int }
"#,
    );
    let result = compose_set(&[
        ("products", products.as_str()),
        ("shipping", shipping.as_str()),
        ("inventory", inventory.as_str()),
    ]);
    if let Err(errors) = result {
        panic!("a valid set was rejected: {errors:#?}");
    }
}

/// A shareable value type with a field only one subgraph has, returned by
/// the other: `{ a { y } }` cannot be planned.
#[test]
fn rejects_satisfiability_error() {
    let a = fed2("type Query { a: P } type P @shareable { x: Int }");
    let b = fed2("type Query { b: P } type P @shareable { x: Int y: Int }");
    assert_rejected(&[("a", &a), ("b", &b)], "SATISFIABILITY_ERROR", Some("P.y"));
}

/// The same field reached through an entity is fine: a `@key` leads to the
/// subgraph that has it; and a shared root field may be fetched from either.
#[test]
fn entities_and_shared_roots_are_satisfiable() {
    let a = fed2(
        r#"type Query { a: P @shareable } type P @key(fields: "id") { id: ID! x: Int @shareable }"#,
    );
    let b = fed2(
        r#"type Query { a: P @shareable b: P } type P @key(fields: "id") { id: ID! x: Int @shareable y: Int }"#,
    );
    if let Err(errors) = compose_set(&[("a", &a), ("b", &b)]) {
        panic!("expected to compose, got {errors:#?}");
    }
}

/// A subgraph that links the `lowercase` feature at `version`, imports its
/// directive as `@name` and composes it, with `body` after the definition.
fn composing(version: &str, import: &str, name: &str, body: &str) -> String {
    fed2(&format!(
        r#"extend schema @link(url: "https://example.dev/lowercase/{version}", import: [{import}]) @composeDirective(name: "@{name}")
directive @{name}(k: Int = 1) repeatable on FIELD_DEFINITION | OBJECT
{body}"#
    ))
}

#[test]
fn rejects_composed_directive_without_at_sign() {
    let a = fed2(
        r#"extend schema @link(url: "https://example.dev/lowercase/v1.0", import: ["@lowercase"]) @composeDirective(name: "lowercase")
directive @lowercase on FIELD_DEFINITION
type Query { a: Int @lowercase }"#,
    );
    assert_rejected(
        &[("a", &a)],
        "DIRECTIVE_COMPOSITION_ERROR",
        Some("lowercase"),
    );
}

#[test]
fn rejects_composed_directive_not_imported_by_a_link() {
    let a = fed2(
        r#"extend schema @composeDirective(name: "@lowercase")
directive @lowercase on FIELD_DEFINITION
type Query { a: Int @lowercase }"#,
    );
    assert_rejected(
        &[("a", &a)],
        "DIRECTIVE_COMPOSITION_ERROR",
        Some("@lowercase"),
    );
}

#[test]
fn rejects_composed_directive_without_definition() {
    let a = fed2(
        r#"extend schema @link(url: "https://example.dev/lowercase/v1.0", import: ["@lowercase"]) @composeDirective(name: "@lowercase")
type Query { a: Int }"#,
    );
    assert_rejected(
        &[("a", &a)],
        "DIRECTIVE_COMPOSITION_ERROR",
        Some("@lowercase"),
    );
}

#[test]
fn rejects_composing_a_federation_directive() {
    let a = fed2(r#"extend schema @composeDirective(name: "@key") type Query { a: Int }"#);
    assert_rejected(&[("a", &a)], "DIRECTIVE_COMPOSITION_ERROR", Some("@key"));
}

#[test]
fn rejects_composed_directive_from_two_features() {
    let a = composing(
        "v1.0",
        r#""@lowercase""#,
        "lowercase",
        "type Query { a: Int @lowercase }",
    );
    let b = composing(
        "v1.0",
        r#""@lowercase""#,
        "lowercase",
        "type Query { b: Int }",
    )
    .replace("example.dev/lowercase", "other.dev/lowercase");
    assert_rejected(
        &[("a", &a), ("b", &b)],
        "DIRECTIVE_COMPOSITION_ERROR",
        Some("@lowercase"),
    );
}

#[test]
fn rejects_composed_feature_at_two_major_versions() {
    let a = composing(
        "v1.0",
        r#""@lowercase""#,
        "lowercase",
        "type Query { a: Int }",
    );
    let b = composing(
        "v2.0",
        r#""@lowercase""#,
        "lowercase",
        "type Query { b: Int }",
    );
    assert_rejected(
        &[("a", &a), ("b", &b)],
        "DIRECTIVE_COMPOSITION_ERROR",
        Some("https://example.dev/lowercase"),
    );
}

#[test]
fn rejects_composed_directive_under_two_names() {
    let a = composing(
        "v1.0",
        r#""@lowercase""#,
        "lowercase",
        "type Query { a: Int }",
    );
    let b = composing(
        "v1.0",
        r#"{name: "@lowercase", as: "@lc"}"#,
        "lc",
        "type Query { b: Int @lc }",
    );
    assert_rejected(
        &[("a", &a), ("b", &b)],
        "DIRECTIVE_COMPOSITION_ERROR",
        Some("@lc"),
    );
}

/// Composed directives reach the supergraph: the feature's `@link` at the
/// newest minor version, the definition linked there, every distinct
/// application of a repeatable directive, nothing from a subgraph that
/// does not compose it; and our own loader accepts the result.
#[test]
fn composed_directives_are_kept_in_the_supergraph() {
    let a = composing(
        "v1.0",
        r#""@lowercase""#,
        "lowercase",
        r#"type Query { a: String @lowercase(k: 2) @lowercase t: T }
type T @key(fields: "id") @lowercase { id: ID! }"#,
    );
    let b = composing(
        "v1.2",
        r#""@lowercase""#,
        "lowercase",
        r#"type Query { b: String @lowercase(k: 2) }
type T @key(fields: "id") @lowercase(k: 3) { id: ID! x: Int @lowercase }"#,
    );
    let c = fed2(
        r#"directive @lowercase(k: Int) on FIELD_DEFINITION
type Query { c: String @lowercase(k: 9) }"#,
    );
    let supergraph = compose_set(&[("a", &a), ("b", &b), ("c", &c)])
        .unwrap_or_else(|errors| panic!("expected to compose, got {errors:#?}"));
    let lines: Vec<&str> = supergraph.lines().map(str::trim).collect();
    for expected in [
        r#"@link(url: "https://example.dev/lowercase/v1.2", import: ["@lowercase"])"#,
        "directive @lowercase(k: Int = 1) repeatable on FIELD_DEFINITION | OBJECT",
        "a: String @join__field(graph: A) @lowercase(k: 2) @lowercase",
        "b: String @join__field(graph: B) @lowercase(k: 2)",
        "c: String @join__field(graph: C)",
        "x: Int @join__field(graph: B) @lowercase",
        "@lowercase(k: 3)",
    ] {
        assert!(
            lines.contains(&expected),
            "no line {expected:?} in:\n{supergraph}"
        );
    }
    let type_t = supergraph.split("type T").nth(1).unwrap_or_default();
    assert!(
        type_t.contains("  @lowercase\n  @lowercase(k: 3)\n{"),
        "{supergraph}"
    );
    junction::supergraph::Supergraph::parse(&supergraph)
        .unwrap_or_else(|e| panic!("our loader rejects the supergraph: {e}\n{supergraph}"));
}

/// `@authenticated`, `@requiresScopes`, `@policy`, `@cost` and `@listSize`
/// reach the supergraph with their features linked; on a field two
/// subgraphs share, both subgraphs' requirements hold (scopes and policies
/// joined pairwise), the highest cost wins and list sizes widen.
#[test]
fn access_and_cost_directives_are_merged_into_the_supergraph() {
    let link = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable", {name: "@authenticated", as: "@authn"}, "@requiresScopes", "@policy", "@cost", "@listSize"])"#;
    let a = format!(
        r#"{link}
type Query {{ a: [Int] @shareable @requiresScopes(scopes: [["x"], ["y", "z"]]) @policy(policies: [["p1"]]) @cost(weight: 3) @listSize(assumedSize: 10) @authn }}
type T @key(fields: "id") @requiresScopes(scopes: [["read:t"]]) {{ id: ID! }}"#
    );
    let b = format!(
        r#"{link}
type Query {{ a: [Int] @shareable @requiresScopes(scopes: [["w"]]) @policy(policies: [["p2"], ["p3"]]) @cost(weight: 5) @listSize(assumedSize: 5, slicingArguments: []) t: T }}
type T @key(fields: "id") @authn {{ id: ID! n(first: Int @cost(weight: 2)): [Int] }}"#
    );
    let supergraph = compose_set(&[("a", &a), ("b", &b)])
        .unwrap_or_else(|errors| panic!("expected to compose, got {errors:#?}"));
    let lines: Vec<&str> = supergraph.lines().map(str::trim).collect();
    for expected in [
        r#"@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)"#,
        r#"@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)"#,
        r#"@link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)"#,
        r#"@link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])"#,
        "directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM",
        "scalar policy__Policy",
        r#"a: [Int] @authenticated @requiresScopes(scopes: [["w", "x"], ["w", "y", "z"]]) @policy(policies: [["p1", "p2"], ["p1", "p3"]]) @cost(weight: 5) @listSize(assumedSize: 10, slicingArguments: [])"#,
        "n(first: Int @cost(weight: 2)): [Int] @join__field(graph: B)",
        r#"@requiresScopes(scopes: [["read:t"]])"#,
        "@authenticated",
    ] {
        assert!(lines.contains(&expected), "no line {expected:?} in:\n{supergraph}");
    }
    junction::supergraph::Supergraph::parse(&supergraph)
        .unwrap_or_else(|e| panic!("our loader rejects the supergraph: {e}\n{supergraph}"));
}

/// A federation 2.8 subgraph where `T` declares context `ctx` and `U.f`
/// takes argument `a` from it by `selection`.
fn with_context(argument: &str) -> String {
    format!(
        r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.8", import: ["@key", "@context", "@fromContext"])
type Query {{ t: T }}
type T @key(fields: "id") @context(name: "ctx") {{ id: ID! prop: String u: U }}
type U @key(fields: "id") {{ id: ID! f({argument}, b: Int): Int }}"#
    )
}

#[test]
fn rejects_context_not_set() {
    let a = with_context(r#"a: String @fromContext(field: "$nope { prop }")"#);
    assert_rejected(&[("a", &a)], "CONTEXT_NOT_SET", Some("nope"));
}

/// The router fills a contextual argument, so a default would never be
/// used: Apollo refuses it as CONTEXT_NOT_SET.
#[test]
fn rejects_a_context_argument_with_a_default() {
    let a = with_context(r#"a: String = "x" @fromContext(field: "$ctx { prop }")"#);
    assert_rejected(&[("a", &a)], "CONTEXT_NOT_SET", Some("U.f(a:)"));
}

#[test]
fn rejects_no_context_in_selection() {
    let a = with_context(r#"a: String @fromContext(field: "{ prop }")"#);
    assert_rejected(&[("a", &a)], "NO_CONTEXT_IN_SELECTION", Some("U.f(a:)"));
}

#[test]
fn rejects_context_invalid_selection() {
    let missing = with_context(r#"a: String @fromContext(field: "$ctx { nope }")"#);
    assert_rejected(&[("a", &missing)], "CONTEXT_INVALID_SELECTION", Some("ctx"));
    let wrong_type = with_context(r#"a: Int @fromContext(field: "$ctx { prop }")"#);
    assert_rejected(
        &[("a", &wrong_type)],
        "CONTEXT_INVALID_SELECTION",
        Some("T.prop"),
    );
}

/// A contextual argument leaves the supergraph field and becomes a
/// `contextArguments` entry of the subgraph's `@join__field`; the context is
/// named after its subgraph.
#[test]
fn context_arguments_are_joined_into_the_supergraph() {
    let a = with_context(r#"a: String @fromContext(field: "$ctx { prop }")"#);
    let b = fed2(r#"type Query { b: Int } type U @key(fields: "id") { id: ID! other: Int }"#);
    let supergraph = compose_set(&[("a", &a), ("b", &b)])
        .unwrap_or_else(|errors| panic!("expected to compose, got {errors:#?}"));
    let lines: Vec<&str> = supergraph.lines().map(str::trim).collect();
    for expected in [
        r#"@link(url: "https://specs.apollo.dev/context/v0.1", for: SECURITY)"#,
        "directive @context(name: String!) repeatable on INTERFACE | OBJECT | UNION",
        r#"@context(name: "a__ctx")"#,
        r#"f(b: Int): Int @join__field(graph: A, contextArguments: [{context: "a__ctx", name: "a", type: "String", selection: " { prop }"}])"#,
        "scalar context__ContextFieldValue",
    ] {
        assert!(
            lines.contains(&expected),
            "no line {expected:?} in:\n{supergraph}"
        );
    }
    let loaded = junction::supergraph::Supergraph::parse(&supergraph)
        .unwrap_or_else(|e| panic!("our loader rejects the supergraph: {e}\n{supergraph}"));
    // Junction does not fill context arguments yet: asking for the field
    // is refused at planning instead of calling the subgraph without `a`.
    let plan = |query: &str| {
        let operation = junction::operation::prepare(&loaded.api_schema, query, None).unwrap();
        junction::plan::plan_operation(&loaded, &operation)
    };
    assert!(plan("{ t { u { other } } }").is_ok());
    let refused = plan("{ t { u { f(b: 1) } } }").unwrap_err().to_string();
    assert!(refused.contains("U.f"), "{refused}");
}

#[test]
fn rejects_merged_directive_application_on_external() {
    let a = fed2(
        r#"type Query { t: T }
type T @key(fields: "id") { id: ID! x: Int @external @tag(name: "a") y: Int @requires(fields: "x") }"#,
    );
    let b = fed2(r#"type Query { b: Int } type T @key(fields: "id") { id: ID! x: Int }"#);
    assert_rejected(
        &[("a", &a), ("b", &b)],
        "MERGED_DIRECTIVE_APPLICATION_ON_EXTERNAL",
        Some("T.x"),
    );
}

#[test]
fn rejects_directive_definition_invalid() {
    let a = fed2("directive @key(fields: Int) on OBJECT\ntype Query { a: Int }");
    assert_rejected(&[("a", &a)], "DIRECTIVE_DEFINITION_INVALID", Some("@key"));
    let b = fed2(
        "directive @tag(name: Int!) repeatable on FIELD_DEFINITION\ntype Query { a: Int @tag(name: 1) }",
    );
    assert_rejected(&[("b", &b)], "DIRECTIVE_DEFINITION_INVALID", Some("@tag"));
}

/// Federation 1 subgraphs commonly define the directives themselves.
#[test]
fn federation_1_directive_definitions_are_accepted() {
    let a = r#"directive @key(fields: _FieldSet!) repeatable on OBJECT | INTERFACE
directive @external on FIELD_DEFINITION
scalar _FieldSet
type Query { t: T }
type T @key(fields: "id") { id: ID! }"#;
    if let Err(errors) = compose_set(&[("a", a)]) {
        panic!("expected to compose, got {errors:#?}");
    }
}

#[test]
fn rejects_a_type_import_renamed_like_a_directive() {
    let a = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", {name: "FieldSet", as: "@FS"}])
type Query { a: Int }"#;
    assert_rejected(
        &[("a", a)],
        "INVALID_LINK_DIRECTIVE_USAGE",
        Some("FieldSet"),
    );
}
