//! The breaking-change report rule by rule: `diff_api_schemas` on two small
//! API schemas, asserting the whole list of (coordinate, kind, breaking), so
//! a change reported too many or too few fails; and `junction subgraph
//! check --fail-on-breaking` against a private Redis, failing on a breaking
//! change and passing a safe one.

use junction::registry::{diff_api_schemas, ChangeKind, SchemaChange};

use crate::common::redis_server::RedisServer;

use ChangeKind::{Added, Changed, Removed};

fn changes(old: &str, new: &str) -> Vec<SchemaChange> {
    let old = apollo_compiler::Schema::parse_and_validate(old, "old.graphql").unwrap();
    let new = apollo_compiler::Schema::parse_and_validate(new, "new.graphql").unwrap();
    diff_api_schemas(&old, &new)
}

/// (coordinate, kind, breaking) of every change from `old` to `new`.
fn diff(old: &str, new: &str) -> Vec<(String, ChangeKind, bool)> {
    changes(old, new)
        .into_iter()
        .map(|c| (c.coordinate, c.kind, c.breaking))
        .collect()
}

/// The details of every change from `old` to `new`.
fn details(old: &str, new: &str) -> Vec<String> {
    changes(old, new).into_iter().map(|c| c.detail).collect()
}

fn change(coordinate: &str, kind: ChangeKind, breaking: bool) -> (String, ChangeKind, bool) {
    (coordinate.to_string(), kind, breaking)
}

#[test]
fn identical_schemas_have_no_changes() {
    let sdl = "type Query { a(n: Int = 1): [String!] @deprecated } enum E { X Y } union U = Query";
    assert_eq!(diff(sdl, sdl), vec![]);
}

#[test]
fn a_type_added_is_safe_and_a_type_removed_is_breaking() {
    let old = "type Query { a: Int } type Gone { x: Int }";
    let new = "type Query { a: Int } type Fresh { x: Int } enum Mood { HAPPY }";
    assert_eq!(
        diff(old, new),
        vec![
            change("Fresh", Added, false),
            change("Gone", Removed, true),
            change("Mood", Added, false),
        ]
    );
}

#[test]
fn a_type_whose_kind_changes_is_breaking() {
    let old = "type Query { a: T } type T { x: Int } scalar S";
    let new = "type Query { a: T } interface T { x: Int } enum S { X }";
    assert_eq!(
        diff(old, new),
        vec![change("S", Changed, true), change("T", Changed, true)]
    );
    assert_eq!(
        details(old, new),
        ["scalar → enum", "object type → interface"]
    );
}

#[test]
fn a_field_added_is_safe_and_a_field_removed_is_breaking() {
    let old = "type Query { a: Int b: Int } interface I { x: Int y: Int }";
    let new = "type Query { a: Int c: Int } interface I { x: Int z: Int }";
    assert_eq!(
        diff(old, new),
        vec![
            change("I.y", Removed, true),
            change("I.z", Added, false),
            change("Query.b", Removed, true),
            change("Query.c", Added, false),
        ]
    );
}

#[test]
fn an_output_field_made_non_null_is_safe_and_made_nullable_is_breaking() {
    let old = "type Query { tightened: String loosened: String! items: [String] list: [String!]! }";
    let new =
        "type Query { tightened: String! loosened: String items: [String!]! list: [String]! }";
    assert_eq!(
        diff(old, new),
        vec![
            change("Query.items", Changed, false),
            change("Query.list", Changed, true),
            change("Query.loosened", Changed, true),
            change("Query.tightened", Changed, false),
        ]
    );
    assert_eq!(
        details(old, new)[2],
        "type String! → String (clients may now receive null)"
    );
}

#[test]
fn an_output_field_of_another_type_or_list_wrapping_is_breaking() {
    let old = "type Query { renamed: Int wrapped: String unwrapped: [String] deeper: [String] }";
    let new =
        "type Query { renamed: Float wrapped: [String] unwrapped: String deeper: [[String]] }";
    assert_eq!(
        diff(old, new),
        vec![
            change("Query.deeper", Changed, true),
            change("Query.renamed", Changed, true),
            change("Query.unwrapped", Changed, true),
            change("Query.wrapped", Changed, true),
        ]
    );
    assert_eq!(
        details(old, new),
        [
            "type [String] → [[String]] (list wrapping changed)",
            "type Int → Float (another type)",
            "type [String] → String (list wrapping changed)",
            "type String → [String] (list wrapping changed)",
        ]
    );
}

#[test]
fn an_optional_argument_added_is_safe_and_a_required_one_is_breaking() {
    let old = "type Query { a: Int }";
    let new = "type Query { a(optional: Int, defaulted: Int! = 1, required: Int!): Int }";
    assert_eq!(
        diff(old, new),
        vec![
            change("Query.a(defaulted:)", Added, false),
            change("Query.a(optional:)", Added, false),
            change("Query.a(required:)", Added, true),
        ]
    );
}

#[test]
fn an_argument_removed_is_breaking() {
    let old = "type Query { a(x: Int, y: Int): Int } interface I { f(z: Int): Int }";
    let new = "type Query { a(y: Int): Int } interface I { f: Int }";
    assert_eq!(
        diff(old, new),
        vec![
            change("I.f(z:)", Removed, true),
            change("Query.a(x:)", Removed, true),
        ]
    );
}

#[test]
fn an_argument_made_non_null_is_breaking_and_made_nullable_is_safe() {
    let old = "type Query { a(tightened: Int, loosened: Int!, items: [Int!], list: [Int], other: Int): Int }";
    let new =
        "type Query { a(tightened: Int!, loosened: Int, items: [Int], list: Int, other: ID): Int }";
    assert_eq!(
        diff(old, new),
        vec![
            change("Query.a(items:)", Changed, false),
            change("Query.a(list:)", Changed, true),
            change("Query.a(loosened:)", Changed, false),
            change("Query.a(other:)", Changed, true),
            change("Query.a(tightened:)", Changed, true),
        ]
    );
    assert_eq!(
        details(old, new)[4],
        "type Int → Int! (clients must now send a value)"
    );
}

#[test]
fn an_argument_default_changed_is_reported_as_dangerous_not_breaking() {
    let old = "type Query { a(changed: Int = 1, added: Int, dropped: Int = 2, lost: Int! = 3, made: Int!): Int }";
    let new = "type Query { a(changed: Int = 5, added: Int = 4, dropped: Int, lost: Int!, made: Int! = 6): Int }";
    assert_eq!(
        diff(old, new),
        vec![
            change("Query.a(added:)", Changed, false),
            change("Query.a(changed:)", Changed, false),
            change("Query.a(dropped:)", Changed, false),
            change("Query.a(lost:)", Changed, true),
            change("Query.a(made:)", Changed, false),
        ]
    );
    assert_eq!(
        details(old, new),
        [
            "default 4 added (dangerous: clients that omit it get 4, not null)",
            "default 1 → 5 (dangerous: clients that omit it get the new default)",
            "default 2 removed (dangerous: clients that omit it get null)",
            "default 3 removed (now required)",
            "default 6 added",
        ]
    );
}

#[test]
fn an_input_field_added_is_breaking_only_when_required() {
    let old = "type Query { a(in: In): Int } input In { x: Int }";
    let new = "type Query { a(in: In): Int } input In { x: Int optional: Int defaulted: Int! = 1 required: Int! }";
    assert_eq!(
        diff(old, new),
        vec![
            change("In.defaulted", Added, false),
            change("In.optional", Added, false),
            change("In.required", Added, true),
        ]
    );
    assert_eq!(details(old, new)[2], "required input field added");
}

#[test]
fn an_input_field_removed_is_breaking() {
    let old = "type Query { a(in: In): Int } input In { x: Int y: Int }";
    let new = "type Query { a(in: In): Int } input In { x: Int }";
    assert_eq!(diff(old, new), vec![change("In.y", Removed, true)]);
}

#[test]
fn an_input_field_made_non_null_is_breaking_and_made_nullable_is_safe() {
    let old =
        "type Query { a(in: In): Int } input In { tightened: Int loosened: Int! other: [Int] }";
    let new =
        "type Query { a(in: In): Int } input In { tightened: Int! loosened: Int other: [Int!] }";
    assert_eq!(
        diff(old, new),
        vec![
            change("In.loosened", Changed, false),
            change("In.other", Changed, true),
            change("In.tightened", Changed, true),
        ]
    );
}

#[test]
fn an_input_field_default_changed_is_dangerous_not_breaking() {
    let old = r#"type Query { a(in: In): Int } input In { x: String = "a" y: [Int!]! = [1] }"#;
    let new = r#"type Query { a(in: In): Int } input In { x: String = "b" y: [Int!]! }"#;
    assert_eq!(
        diff(old, new),
        vec![
            change("In.x", Changed, false),
            change("In.y", Changed, true)
        ]
    );
    assert_eq!(
        details(old, new),
        [
            r#"default "a" → "b" (dangerous: clients that omit it get the new default)"#,
            "default [1] removed (now required)",
        ]
    );
}

#[test]
fn one_of_added_to_an_input_type_is_breaking_and_removed_is_safe() {
    let one_of = "directive @oneOf on INPUT_OBJECT type Query { a(x: X, y: Y): Int }";
    let old = format!("{one_of} input X {{ a: Int b: Int }} input Y @oneOf {{ a: Int b: Int }}");
    let new = format!("{one_of} input X @oneOf {{ a: Int b: Int }} input Y {{ a: Int b: Int }}");
    assert_eq!(
        diff(&old, &new),
        vec![change("X", Changed, true), change("Y", Changed, false)]
    );
}

#[test]
fn an_enum_value_added_is_dangerous_and_one_removed_is_breaking() {
    let old = "type Query { e: E } enum E { A B }";
    let new = "type Query { e: E } enum E { A C }";
    assert_eq!(
        diff(old, new),
        vec![change("E.B", Removed, true), change("E.C", Added, false)]
    );
    assert_eq!(
        details(old, new),
        [
            "enum value removed",
            "enum value added (dangerous: clients may receive a value they do not know)",
        ]
    );
}

#[test]
fn a_union_member_added_is_dangerous_and_one_removed_is_breaking() {
    let old =
        "type Query { u: U } type A { a: Int } type B { b: Int } type C { c: Int } union U = A | B";
    let new =
        "type Query { u: U } type A { a: Int } type B { b: Int } type C { c: Int } union U = A | C";
    assert_eq!(
        diff(old, new),
        vec![change("U", Removed, true), change("U", Added, false)]
    );
    assert_eq!(
        details(old, new),
        [
            "member B removed",
            "member C added (dangerous: clients may receive a type they do not handle)",
        ]
    );
}

#[test]
fn an_interface_dropped_from_implements_is_breaking_and_one_added_is_dangerous() {
    let old = "type Query { t: T } interface I { id: ID } interface J { id: ID } type T implements I { id: ID } interface K implements I { id: ID }";
    let new = "type Query { t: T } interface I { id: ID } interface J { id: ID } type T implements J { id: ID } interface K implements I & J { id: ID }";
    assert_eq!(
        diff(old, new),
        vec![
            change("K", Added, false),
            change("T", Removed, true),
            change("T", Added, false),
        ]
    );
    assert_eq!(
        details(old, new),
        [
            "implements J added (dangerous: fragments on the interface now match it)",
            "implements I removed",
            "implements J added (dangerous: fragments on the interface now match it)",
        ]
    );
}

#[test]
fn deprecated_added_or_removed_is_reported_and_never_breaking() {
    let old = r#"
        type Query { f(arg: Int): Int g: Int @deprecated h: Int @deprecated(reason: "old") e: E i(in: In): Int }
        enum E { A B @deprecated }
        input In { x: Int }
    "#;
    let new = r#"
        type Query { f(arg: Int @deprecated): Int @deprecated(reason: "use g") g: Int h: Int @deprecated(reason: "older") e: E i(in: In): Int }
        enum E { A @deprecated B }
        input In { x: Int @deprecated }
    "#;
    assert_eq!(
        diff(old, new),
        vec![
            change("E.A", Changed, false),
            change("E.B", Changed, false),
            change("In.x", Changed, false),
            change("Query.f", Changed, false),
            change("Query.f(arg:)", Changed, false),
            change("Query.g", Changed, false),
            change("Query.h", Changed, false),
        ]
    );
    assert_eq!(
        details(old, new),
        [
            "deprecated: No longer supported",
            "no longer deprecated",
            "deprecated: No longer supported",
            "deprecated: use g",
            "deprecated: No longer supported",
            "no longer deprecated",
            "deprecation reason changed: old → older",
        ]
    );
}

#[test]
fn description_changes_are_ignored() {
    let old = r#""a query" type Query { "a field" f("an arg" a: Int): Int } "an enum" enum E { "a value" A }"#;
    let new = r#""the query" type Query { "the field" f("the arg" a: Int): Int } enum E { A }"#;
    assert_eq!(diff(old, new), vec![]);
}

/// `subgraph publish` of `sdl` as subgraph `a` to `redis`, then `subgraph
/// check … --fail-on-breaking` of `candidate`: (exit status, stdout, stderr).
async fn check_against_redis(sdl: &str, candidate: &str) -> (i32, String, String) {
    let redis = RedisServer::start();
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_str().unwrap().to_string()
    };
    let (published, candidate) = (write("a.graphql", sdl), write("a2.graphql", candidate));
    let url = redis.url();
    let target = ["--url", "http://127.0.0.1:9/graphql", "--redis", &url];
    let publish = [
        &["subgraph", "publish", "--name", "a", "--schema", &published][..],
        &target[..],
    ]
    .concat();
    let (code, _, err) = crate::common::run(&publish).await;
    assert_eq!(code, 0, "{err}");
    let check = [
        &["subgraph", "check", "--name", "a", "--schema", &candidate][..],
        &target[..],
        &["--fail-on-breaking"],
    ]
    .concat();
    crate::common::run(&check).await
}

const PRODUCTS: &str = r#"
    type Query { products(first: Int = 10): [Product!]! }
    type Product { id: ID! name: String! kind: Kind }
    enum Kind { BOOK FILM }
"#;

#[tokio::test]
async fn subgraph_check_fails_on_a_breaking_change_and_lists_it() {
    let candidate = PRODUCTS.replace("name: String!", "name: String");
    let (code, out, err) = check_against_redis(PRODUCTS, &candidate).await;
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("1 change(s) to the API schema"), "{out}");
    let line = out.lines().find(|l| l.contains("Product.name")).unwrap();
    assert!(line.contains("CHANGED"), "{line}");
    assert!(line.contains("type String! → String"), "{line}");
    assert!(line.ends_with("BREAKING"), "{line}");
    assert!(err.contains("could break existing clients"), "{err}");
}

#[tokio::test]
async fn subgraph_check_passes_a_safe_change() {
    let candidate = PRODUCTS
        .replace(
            "kind: Kind",
            "kind: Kind @deprecated(reason: \"use tags\") tags: [String!]",
        )
        .replace("(first: Int = 10)", "(first: Int = 10, after: ID)");
    let (code, out, err) = check_against_redis(PRODUCTS, &candidate).await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("3 change(s) to the API schema"), "{out}");
    assert!(!out.contains("BREAKING"), "{out}");
    for expected in [
        "Product.kind",
        "deprecated: use tags",
        "Product.tags",
        "Query.products(after:)",
    ] {
        assert!(out.contains(expected), "{expected} missing from {out}");
    }
}
