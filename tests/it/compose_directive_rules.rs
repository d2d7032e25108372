//! Composition enforces the rules of the access-control directives
//! (`@authenticated`, `@requiresScopes`, `@policy`), the demand-control
//! directives (`@cost`, `@listSize`), `@context` names, and the keys of
//! entity interfaces on their implementations.
//!
//! One test per rule: a small set breaking it, the code Apollo's composer
//! gives first for the same set, the quoted element in the message and
//! where (`subgraph:line:column`); the accepting tests are the boundary
//! cases Apollo accepts. Every set was checked against Apollo's composer
//! (`@apollo/composition` 2.14).

use crate::common::{assert_composes, assert_rejected};

/// The federation v2.9 `@link` importing every directive used here.
const LINK: &str = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable", "@external", "@requires", "@interfaceObject", "@authenticated", "@requiresScopes", "@policy", "@cost", "@listSize", "@context", "@fromContext"])"#;

/// A subgraph: the `@link` on line 1, `body` from line 2.
fn fed(body: &str) -> String {
    format!("{LINK}\n{body}")
}

#[test]
fn rejects_access_directives_on_an_interface_and_its_fields() {
    let sdl = fed(
        "type Query { i: I }\ninterface I @authenticated { id: ID }\ntype T implements I { id: ID }",
    );
    assert_rejected(
        &[("a", &sdl)],
        "AUTH_REQUIREMENTS_APPLIED_ON_INTERFACE",
        "I",
        "a:3:11",
    );
    let sdl = fed(
        "type Query { i: I }\ninterface I { id: ID @requiresScopes(scopes: [[\"s\"]]) }\ntype T implements I { id: ID }",
    );
    assert_rejected(
        &[("a", &sdl)],
        "AUTH_REQUIREMENTS_APPLIED_ON_INTERFACE",
        "I.id",
        "a:3:15",
    );
}

#[test]
fn rejects_access_directives_on_an_interface_object() {
    let sdl_a = fed(
        "type Query { i: I }\ninterface I @key(fields: \"id\") { id: ID! }\ntype T implements I @key(fields: \"id\") { id: ID! }",
    );
    let sdl_b = fed(
        "type Query { j: I }\ntype I @key(fields: \"id\") @interfaceObject @policy(policies: [[\"p\"]]) { id: ID! }",
    );
    assert_rejected(
        &[("a", &sdl_a), ("b", &sdl_b)],
        "AUTH_REQUIREMENTS_APPLIED_ON_INTERFACE",
        "I",
        "b:3:6",
    );
}

#[test]
fn accepts_access_directives_on_implementations_and_interface_object_fields() {
    let sdl_a = fed(
        "type Query { i: I }\ninterface I @key(fields: \"id\") { id: ID! }\ntype T implements I @key(fields: \"id\") @authenticated { id: ID! @requiresScopes(scopes: [[\"s\"]]) }",
    );
    let sdl_b = fed(
        "type Query { j: I }\ntype I @key(fields: \"id\") @interfaceObject { id: ID! x: Int @authenticated @policy(policies: [[\"p\"]]) }",
    );
    assert_composes(&[("a", &sdl_a), ("b", &sdl_b)]);
}

/// `T.x` in `a` carries `x_access`; `T.y` in `b` requires it carrying `y_access`.
fn requiring(x_access: &str, y_access: &str) -> (String, String) {
    let a = fed(&format!(
        "type Query {{ t: T }}\ntype T @key(fields: \"id\") {{ id: ID! x: Int {x_access} }}"
    ));
    let b = fed(&format!(
        "type T @key(fields: \"id\") {{ id: ID! x: Int @external y: Int @requires(fields: \"x\") {y_access} }}"
    ));
    (a, b)
}

#[test]
fn rejects_a_requires_reading_a_field_with_stronger_requirements() {
    for (x_access, y_access) in [
        ("@authenticated", ""),
        ("@authenticated", "@requiresScopes(scopes: [[\"s\"]])"),
        ("@requiresScopes(scopes: [[\"s1\"]])", "@authenticated"),
        (
            "@requiresScopes(scopes: [[\"s1\"]])",
            "@requiresScopes(scopes: [[\"s1\"], [\"s2\"]])",
        ),
        (
            "@policy(policies: [[\"p1\", \"p2\"]])",
            "@policy(policies: [[\"p1\"]])",
        ),
    ] {
        let (a, b) = requiring(x_access, y_access);
        assert_rejected(
            &[("a", &a), ("b", &b)],
            "MISSING_TRANSITIVE_AUTH_REQUIREMENTS",
            "T.y",
            "b:2:54",
        );
    }
}

#[test]
fn rejects_a_requires_reading_a_nested_field_or_type_with_requirements() {
    let a = fed("type Query { t: T }\ntype T @key(fields: \"id\") { id: ID! o: O }\ntype O @shareable { z: Int @authenticated }");
    let b = fed("type T @key(fields: \"id\") { id: ID! o: O @external y: Int @requires(fields: \"o { z }\") }\ntype O @shareable { z: Int }");
    assert_rejected(
        &[("a", &a), ("b", &b)],
        "MISSING_TRANSITIVE_AUTH_REQUIREMENTS",
        "O.z",
        "b:2:52",
    );
    let a = fed("type Query { t: T }\ntype T @key(fields: \"id\") { id: ID! o: O }\ntype O @shareable @authenticated { z: Int }");
    let b = fed("type T @key(fields: \"id\") { id: ID! o: O @external y: Int @requires(fields: \"o { z }\") }\ntype O @shareable { z: Int }");
    assert_rejected(
        &[("a", &a), ("b", &b)],
        "MISSING_TRANSITIVE_AUTH_REQUIREMENTS",
        "T.o",
        "b:2:52",
    );
}

#[test]
fn accepts_a_requires_whose_field_demands_as_much_or_more() {
    for (x_access, y_access) in [
        ("@authenticated", "@authenticated"),
        (
            "@requiresScopes(scopes: [[\"s1\"]])",
            "@requiresScopes(scopes: [[\"s1\", \"s2\"]])",
        ),
        (
            "@requiresScopes(scopes: [[\"s1\"], [\"s2\"]])",
            "@requiresScopes(scopes: [[\"s1\"]])",
        ),
        ("", "@policy(policies: [[\"p\"]])"),
    ] {
        let (a, b) = requiring(x_access, y_access);
        assert_composes(&[("a", &a), ("b", &b)]);
    }
    // The requiring field's type carries the requirement.
    let a =
        fed("type Query { t: T }\ntype T @key(fields: \"id\") { id: ID! x: Int @authenticated }");
    let b = fed("type T @key(fields: \"id\") @authenticated { id: ID! x: Int @external y: Int @requires(fields: \"x\") }");
    assert_composes(&[("a", &a), ("b", &b)]);
}

#[test]
fn rejects_cost_on_an_interface_field() {
    let sdl = fed(
        "type Query { i: I }\ninterface I { id: ID @cost(weight: 5) }\ntype T implements I { id: ID }",
    );
    assert_rejected(
        &[("a", &sdl)],
        "COST_APPLIED_TO_INTERFACE_FIELD",
        "I.id",
        "a:3:15",
    );
}

#[test]
fn accepts_cost_on_implementations_interface_arguments_and_interface_objects() {
    let sdl_a = fed(
        "type Query { i: I }\ninterface I @key(fields: \"id\") { id: ID! x(a: Int @cost(weight: 2)): Int ids: [ID] @listSize(assumedSize: 5) }\ntype T implements I @key(fields: \"id\") { id: ID! @cost(weight: 3) x(a: Int): Int ids: [ID] }",
    );
    let sdl_b = fed(
        "type Query { j: I }\ntype I @key(fields: \"id\") @interfaceObject { id: ID! y: Int @cost(weight: -1) }",
    );
    assert_composes(&[("a", &sdl_a), ("b", &sdl_b)]);
}

#[test]
fn rejects_list_size_on_a_field_that_is_no_list() {
    let sdl = fed("type Query { a: Int @listSize(assumedSize: 5) }");
    assert_rejected(
        &[("a", &sdl)],
        "LIST_SIZE_APPLIED_TO_NON_LIST",
        "Query.a",
        "a:2:14",
    );
    let sdl =
        fed("type Query { c: Conn @listSize(sizedFields: [\"count\"]) }\ntype Conn { count: Int }");
    assert_rejected(
        &[("a", &sdl)],
        "LIST_SIZE_APPLIED_TO_NON_LIST",
        "Conn.count",
        "a:2:14",
    );
}

#[test]
fn rejects_an_invalid_slicing_argument() {
    let sdl = fed("type Query { c(first: Int): [Int] @listSize(slicingArguments: [\"last\"]) }");
    assert_rejected(
        &[("a", &sdl)],
        "LIST_SIZE_INVALID_SLICING_ARGUMENT",
        "last",
        "a:2:14",
    );
    let sdl =
        fed("type Query { c(first: String): [Int] @listSize(slicingArguments: [\"first\"]) }");
    assert_rejected(
        &[("a", &sdl)],
        "LIST_SIZE_INVALID_SLICING_ARGUMENT",
        "Query.c(first:)",
        "a:2:14",
    );
}

#[test]
fn rejects_an_invalid_sized_field() {
    let sdl = fed(
        "type Query { c: Conn @listSize(sizedFields: [\"nope\"]) }\ntype Conn { items: [Int] }",
    );
    assert_rejected(
        &[("a", &sdl)],
        "LIST_SIZE_INVALID_SIZED_FIELD",
        "nope",
        "a:2:14",
    );
    let sdl = fed("type Query { c: Int @listSize(sizedFields: [\"items\"]) }");
    assert_rejected(
        &[("a", &sdl)],
        "LIST_SIZE_INVALID_SIZED_FIELD",
        "Query.c",
        "a:2:14",
    );
}

#[test]
fn rejects_a_negative_assumed_size() {
    let sdl = fed("type Query { c: [Int] @listSize(assumedSize: -1) }");
    assert_rejected(
        &[("a", &sdl)],
        "LIST_SIZE_INVALID_ASSUMED_SIZE",
        "Query.c",
        "a:2:14",
    );
}

#[test]
fn accepts_list_size_used_as_apollo_allows() {
    let sdl = fed(
        "type Query {\n  a(first: Int!): [Int]! @listSize(slicingArguments: [\"first\"], assumedSize: 0)\n  b(first: Int, last: Int): [[Int!]!] @listSize(slicingArguments: [\"first\", \"last\"], requireOneSlicingArgument: false)\n  c(first: Int): Conn @listSize(slicingArguments: [\"first\"], sizedFields: [\"items\", \"more\"])\n  d: I @listSize(sizedFields: [\"items\"])\n  e: [Int] @listSize\n}\ntype Conn { items: [Int]! more: [[Conn]] }\ninterface I { items: [Int] }\ntype Impl implements I { items: [Int] }",
    );
    assert_composes(&[("a", &sdl)]);
}

#[test]
fn rejects_a_context_name_with_an_underscore_or_not_alphanumeric() {
    for name in ["my_ctx", "1abc", "a-b"] {
        let sdl = fed(&format!(
            "type Query {{ t: T }}\ntype T @key(fields: \"id\") @context(name: \"{name}\") {{ id: ID! }}"
        ));
        assert_rejected(&[("a", &sdl)], "CONTEXT_NAME_INVALID", name, "a:3:6");
    }
}

#[test]
fn accepts_a_context_name_of_letters_and_digits() {
    let sdl = fed(
        "type Query { t: T }\ntype T @key(fields: \"id\") @context(name: \"Ctx9\") { id: ID! u: U }\ntype U @key(fields: \"id\") { id: ID! v(x: ID @fromContext(field: \"$Ctx9 { id }\")): Int }",
    );
    assert_composes(&[("a", &sdl)]);
}

#[test]
fn rejects_an_implementation_whose_copy_of_a_resolvable_interface_key_is_not_resolvable() {
    let sdl = fed(
        "type Query { i: I }\ninterface I @key(fields: \"id\") { id: ID! }\ntype T implements I @key(fields: \"id\", resolvable: false) { id: ID! }",
    );
    assert_rejected(
        &[("a", &sdl)],
        "INTERFACE_KEY_NOT_ON_IMPLEMENTATION",
        "T",
        "a:4:6",
    );
}

#[test]
fn rejects_an_implementation_missing_a_non_resolvable_interface_key() {
    let sdl = fed(
        "type Query { i: I }\ninterface I @key(fields: \"id\", resolvable: false) { id: ID! }\ntype T implements I { id: ID! }",
    );
    assert_rejected(
        &[("a", &sdl)],
        "INTERFACE_KEY_NOT_ON_IMPLEMENTATION",
        "T",
        "a:4:6",
    );
}

#[test]
fn accepts_interface_keys_repeated_in_any_order_or_resolvability_apollo_allows() {
    let sdl = fed(
        "type Query { i: I }\ninterface I @key(fields: \"id o { a b }\") @key(fields: \"id\", resolvable: false) { id: ID! o: O! }\ntype T implements I @key(fields: \"o { b a } id\") @key(fields: \"id\", resolvable: false) { id: ID! o: O! }\ntype U implements I @key(fields: \"id o { a b }\") @key(fields: \"id o { a b }\", resolvable: false) @key(fields: \"id\") { id: ID! o: O! }\ntype O { a: Int! b: Int! }",
    );
    assert_composes(&[("a", &sdl)]);
}
