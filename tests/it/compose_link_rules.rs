//! Composition checks a subgraph's `@link`s: every url names a feature
//! and its version, the federation `@link` imports only what its version
//! defines (`@interfaceObject` from v2.3, `@authenticated` from v2.5,
//! `@context` from v2.8, `@cost`/`@listSize` from v2.9 …), directives are
//! imported with their `@`, and `@override(label:)` needs v2.7.
//!
//! One test per rule: a small set of subgraphs breaking it, the code
//! Apollo's composer gives for the same set, the quoted element in the
//! message, and where (`subgraph:line:column`). The accepting tests are
//! the boundaries Apollo accepts. Every set was checked against Apollo's
//! composer (`@apollo/composition` 2.14).

use crate::common::{assert_composes, assert_rejected};

/// A subgraph linking `federation/<version>` with `imports` (on line 2,
/// the `@link` at column 15), then `body`.
fn linked(version: &str, imports: &str, body: &str) -> String {
    format!(
        "\nextend schema @link(url: \"https://specs.apollo.dev/federation/{version}\", import: [{imports}])\n{body}"
    )
}

const QUERY: &str = "type Query { a: Int }";

#[test]
fn rejects_importing_an_element_the_federation_spec_does_not_define() {
    let sdl = linked("v2.3", r#""@key", "@foo""#, QUERY);
    assert_rejected(
        &[("a", &sdl)],
        "INVALID_LINK_DIRECTIVE_USAGE",
        "@foo",
        "a:2:15",
    );
}

#[test]
fn rejects_importing_a_directive_without_its_at() {
    let sdl = linked("v2.3", r#""key""#, QUERY);
    assert_rejected(
        &[("a", &sdl)],
        "INVALID_LINK_DIRECTIVE_USAGE",
        "key",
        "a:2:15",
    );
}

#[test]
fn rejects_a_type_the_federation_spec_does_not_define() {
    let sdl = linked("v2.3", r#""_FieldSet""#, QUERY);
    assert_rejected(
        &[("a", &sdl)],
        "INVALID_LINK_DIRECTIVE_USAGE",
        "_FieldSet",
        "a:2:15",
    );
}

#[test]
fn rejects_interface_object_imported_from_v2_2() {
    let sdl = linked("v2.2", r#""@key", "@interfaceObject""#, QUERY);
    assert_rejected(
        &[("a", &sdl)],
        "INVALID_LINK_DIRECTIVE_USAGE",
        "@interfaceObject",
        "a:2:15",
    );
}

#[test]
fn accepts_interface_object_imported_from_v2_3() {
    let sdl_a = linked(
        "v2.3",
        r#""@key""#,
        "type Query { i: I }\ninterface I @key(fields: \"id\") { id: ID! }\ntype T implements I @key(fields: \"id\") { id: ID! }",
    );
    let sdl_b = linked(
        "v2.3",
        r#""@key", "@interfaceObject""#,
        "type I @key(fields: \"id\") @interfaceObject { id: ID! x: Int }",
    );
    assert_composes(&[("a", &sdl_a), ("b", &sdl_b)]);
}

#[test]
fn rejects_a_namespaced_directive_newer_than_the_linked_version() {
    let sdl = linked(
        "v2.2",
        r#""@key""#,
        "type Query { t: T }\ntype T @key(fields: \"id\") @federation__interfaceObject { id: ID! }",
    );
    assert_rejected(
        &[("a", &sdl)],
        "INVALID_GRAPHQL",
        "@federation__interfaceObject",
        "a:4:27",
    );
}

#[test]
fn rejects_access_directives_imported_before_v2_5_and_policy_before_v2_6() {
    let sdl = linked("v2.4", r#""@authenticated""#, QUERY);
    assert_rejected(
        &[("a", &sdl)],
        "INVALID_LINK_DIRECTIVE_USAGE",
        "@authenticated",
        "a:2:15",
    );
    let sdl = linked("v2.4", r#""@requiresScopes", "Scope""#, QUERY);
    assert_rejected(
        &[("a", &sdl)],
        "INVALID_LINK_DIRECTIVE_USAGE",
        "@requiresScopes",
        "a:2:15",
    );
    let sdl = linked("v2.5", r#""@policy""#, QUERY);
    assert_rejected(
        &[("a", &sdl)],
        "INVALID_LINK_DIRECTIVE_USAGE",
        "@policy",
        "a:2:15",
    );
}

#[test]
fn accepts_access_directives_from_the_versions_that_bring_them() {
    let sdl = linked(
        "v2.5",
        r#""@authenticated", "@requiresScopes", "Scope""#,
        "type Query { a: Int @authenticated b: Int @requiresScopes(scopes: [[\"s\"]]) }",
    );
    assert_composes(&[("a", &sdl)]);
    let sdl = linked(
        "v2.6",
        r#""@policy", "Policy""#,
        "type Query { a: Int @policy(policies: [[\"p\"]]) }",
    );
    assert_composes(&[("a", &sdl)]);
}

#[test]
fn rejects_progressive_override_before_v2_7() {
    let sdl_a = linked(
        "v2.6",
        r#""@key", "@override""#,
        "type Query { t: T }\ntype T @key(fields: \"id\") { id: ID! x: Int @override(from: \"b\", label: \"percent(5)\") }",
    );
    let sdl_b = linked(
        "v2.6",
        r#""@key""#,
        "type T @key(fields: \"id\") { id: ID! x: Int }",
    );
    // The schema check finds it: v2.6's @override has no `label` argument.
    assert_rejected(
        &[("a", &sdl_a), ("b", &sdl_b)],
        "INVALID_GRAPHQL",
        "label",
        "a:4:65",
    );
}

#[test]
fn accepts_progressive_override_from_v2_7() {
    let sdl_a = linked(
        "v2.7",
        r#""@key", "@override""#,
        "type Query { t: T }\ntype T @key(fields: \"id\") { id: ID! x: Int @override(from: \"b\", label: \"percent(5)\") }",
    );
    let sdl_b = linked(
        "v2.7",
        r#""@key""#,
        "type T @key(fields: \"id\") { id: ID! x: Int }",
    );
    assert_composes(&[("a", &sdl_a), ("b", &sdl_b)]);
}

#[test]
fn rejects_context_imported_before_v2_8() {
    let sdl = linked("v2.7", r#""@context", "@fromContext""#, QUERY);
    assert_rejected(
        &[("a", &sdl)],
        "INVALID_LINK_DIRECTIVE_USAGE",
        "@context",
        "a:2:15",
    );
}

#[test]
fn accepts_context_imported_from_v2_8() {
    let sdl = linked(
        "v2.8",
        r#""@key", "@context", "@fromContext""#,
        "type Query { t: T }\ntype T @key(fields: \"id\") @context(name: \"ctx\") { id: ID! u: U }\ntype U @key(fields: \"id\") { id: ID! v(x: ID @fromContext(field: \"$ctx { id }\")): Int }",
    );
    assert_composes(&[("a", &sdl)]);
}

#[test]
fn rejects_cost_and_list_size_imported_before_v2_9() {
    let sdl = linked("v2.8", r#""@cost""#, QUERY);
    assert_rejected(
        &[("a", &sdl)],
        "INVALID_LINK_DIRECTIVE_USAGE",
        "@cost",
        "a:2:15",
    );
    let sdl = linked("v2.8", r#""@listSize""#, QUERY);
    assert_rejected(
        &[("a", &sdl)],
        "INVALID_LINK_DIRECTIVE_USAGE",
        "@listSize",
        "a:2:15",
    );
}

#[test]
fn accepts_cost_and_list_size_from_v2_9_and_the_newest_versions() {
    let body = "type Query { a: Int @cost(weight: 2) b: [Int] @listSize(assumedSize: 10) }";
    for version in ["v2.9", "v2.12", "v2.14"] {
        let sdl = linked(version, r#""@cost", "@listSize""#, body);
        assert_composes(&[("a", &sdl)]);
    }
}

#[test]
fn rejects_a_link_url_without_a_version() {
    for url in [
        "https://specs.apollo.dev/federation",
        "https://specs.apollo.dev/federation/",
        "https://specs.apollo.dev/federation/v2",
        "https://specs.apollo.dev/federation/v2.3/",
    ] {
        let sdl = format!("\nextend schema @link(url: \"{url}\")\ntype Query {{ a: Int }}");
        assert_rejected(&[("a", &sdl)], "INVALID_LINK_IDENTIFIER", url, "a:2:15");
    }
}

#[test]
fn rejects_another_feature_url_without_a_version_next_to_the_federation_link() {
    let url = "https://example.com/feature";
    let sdl = linked(
        "v2.3",
        r#""@key""#,
        &format!("extend schema @link(url: \"{url}\")\n{QUERY}"),
    );
    assert_rejected(&[("a", &sdl)], "INVALID_LINK_IDENTIFIER", url, "a:3:15");
}

#[test]
fn rejects_a_link_url_without_a_feature_name() {
    let url = "https://example.com/v1.0";
    let sdl = format!(
        "\nextend schema @link(url: \"https://specs.apollo.dev/link/v1.0\")\n  @link(url: \"{url}\")\ntype Query {{ a: Int }}"
    );
    assert_rejected(&[("a", &sdl)], "INVALID_LINK_IDENTIFIER", url, "a:3:3");
}

#[test]
fn rejects_importing_from_the_link_spec_anything_but_link() {
    let sdl = "\nextend schema @link(url: \"https://specs.apollo.dev/link/v1.0\", import: [\"@foo\"])\ntype Query { a: Int }";
    assert_rejected(
        &[("a", sdl)],
        "INVALID_LINK_DIRECTIVE_USAGE",
        "@foo",
        "a:2:15",
    );
}

#[test]
fn accepts_links_apollo_accepts() {
    let sdl = "\nextend schema\n  @link(url: \"https://specs.apollo.dev/federation/v2.3?tag=x#top\", import: [\"@key\"])\n  @link(url: \"https://specs.apollo.dev/link/v1.0\", import: [\"@link\"])\n  @link(url: \"https://example.com/feature/v1.0\")\ntype Query { t: T }\ntype T @key(fields: \"id\") { id: ID! }";
    assert_composes(&[("a", sdl)]);
}

#[test]
fn accepts_any_link_url_in_a_federation_1_subgraph() {
    let sdl = "\nextend schema @link(url: \"https://example.com/feature\") @link(url: \"https://example.com/v1.0\")\ntype Query { a: Int }";
    assert_composes(&[("a", sdl)]);
}
