//! Subgraphs are validated as GraphQL schemas before composition: each
//! type system rule of the spec broken by a small set is reported as
//! `INVALID_GRAPHQL` (or, for a bad `@link` import,
//! `INVALID_LINK_DIRECTIVE_USAGE`), naming the subgraph and the line and
//! column in its SDL. Every rejected set was checked against Apollo's
//! composition (`@apollo/composition` 2.14), which gives the same first
//! code. The last tests compose valid sets that look suspicious to a
//! plain GraphQL validator (renamed and namespaced federation
//! directives, Federation 1 extensions without a base, a subgraph that
//! defines federation's own definitions, composed custom directives).

use crate::common::{assert_composes, compose_set};

/// `extend schema @link(…federation/v2.{minor}, import: [imports])` on
/// line 1, `body` from line 2 on.
fn fed2(minor: u32, imports: &str, body: &str) -> String {
    format!(
        "extend schema @link(url: \"https://specs.apollo.dev/federation/v2.{minor}\", import: [{imports}])\n{body}"
    )
}

/// The first error is `code`, its message contains `message`, and it is
/// located at `subgraph`:`line`:`column`.
fn assert_first_error(
    subgraphs: &[(&str, &str)],
    code: &str,
    message: &str,
    (subgraph, line, column): (&str, usize, usize),
) {
    let errors = match compose_set(subgraphs) {
        Ok(supergraph) => panic!("expected {code}, but composed:\n{supergraph}"),
        Err(errors) => errors,
    };
    let first = &errors[0];
    assert_eq!(first.code, code, "{errors:#?}");
    assert!(
        first.message.contains(message),
        "{:?} does not contain {message:?}",
        first.message
    );
    let located: Vec<(&str, usize, usize)> = first
        .locations
        .iter()
        .map(|l| (l.subgraph.as_str(), l.line, l.column))
        .collect();
    assert_eq!(located, vec![(subgraph, line, column)], "{first:#?}");
}

fn assert_invalid(sdl: &str, message: &str, line: usize, column: usize) {
    assert_first_error(
        &[("a", sdl)],
        "INVALID_GRAPHQL",
        message,
        ("a", line, column),
    );
}

#[test]
fn object_missing_an_interface_field_is_invalid() {
    let sdl = fed2(
        3,
        r#""@key""#,
        "type Query { a: I }\ninterface I { id: ID! name: String }\ntype T implements I { id: ID! }",
    );
    assert_invalid(
        &sdl,
        "Interface field I.name expected but T does not provide it",
        4,
        1,
    );
}

#[test]
fn interface_field_of_an_incompatible_type_is_invalid() {
    let sdl = fed2(
        3,
        r#""@key""#,
        "type Query { a: I }\ninterface I { id: ID! }\ntype T implements I { id: String! }",
    );
    assert_invalid(&sdl, "Interface field I.id expects type ID!", 4, 23);
}

#[test]
fn interface_field_made_nullable_is_invalid() {
    let sdl = fed2(
        3,
        r#""@key""#,
        "type Query { a: I }\ninterface I { id: ID! }\ntype T implements I { id: ID }",
    );
    assert_invalid(&sdl, "but T.id of type ID is not a proper subtype", 4, 23);
}

#[test]
fn interface_field_missing_an_argument_is_invalid() {
    let sdl = fed2(
        3,
        r#""@key""#,
        "type Query { a: I }\ninterface I { f(x: Int): Int }\ntype T implements I { f: Int }",
    );
    assert_invalid(
        &sdl,
        "Interface field argument I.f(x:) expected but T.f does not provide it",
        4,
        23,
    );
}

#[test]
fn implementation_missing_a_transitive_interface_is_invalid() {
    let sdl = fed2(
        3,
        r#""@key""#,
        "type Query { a: T }\ninterface A { x: Int }\ninterface B implements A { x: Int }\ntype T implements B { x: Int }",
    );
    assert_invalid(
        &sdl,
        "Type T must implement A because it is implemented by B.",
        5,
        1,
    );
}

#[test]
fn argument_default_of_the_wrong_type_is_invalid() {
    let sdl = fed2(3, r#""@key""#, "type Query { a(x: Int = \"s\"): Int }");
    assert_invalid(
        &sdl,
        "Invalid default value (got: \"s\") provided for argument Query.a(x:) of type Int.",
        2,
        25,
    );
}

#[test]
fn input_field_default_of_the_wrong_type_is_invalid() {
    let sdl = fed2(
        3,
        r#""@key""#,
        "type Query { a(x: In): Int }\ninput In { v: Boolean = 3 e: E = C }\nenum E { A B }",
    );
    assert_invalid(
        &sdl,
        "Invalid default value (got: 3) provided for input field In.v of type Boolean.",
        3,
        25,
    );
}

#[test]
fn unknown_type_is_invalid() {
    let sdl = fed2(3, r#""@key""#, "type Query { a: Missing }");
    assert_invalid(&sdl, "Unknown type Missing", 2, 17);
}

#[test]
fn type_defined_twice_is_invalid() {
    let sdl = fed2(
        3,
        r#""@key""#,
        "type Query { a: Int }\ntype Query { b: Int }",
    );
    assert_invalid(&sdl, "`Query` is defined multiple times", 3, 6);
}

#[test]
fn field_defined_twice_is_invalid() {
    let sdl = fed2(3, r#""@key""#, "type Query { a: Int a: String }");
    assert_invalid(&sdl, "`a` field of object type `Query`", 2, 21);
}

#[test]
fn directive_with_an_unknown_argument_is_invalid() {
    let sdl = fed2(
        3,
        r#""@key""#,
        "type Query { a: T }\ntype T @key(fields: \"id\", foo: 1) { id: ID! }",
    );
    assert_invalid(
        &sdl,
        "Unknown argument \"foo\" on directive \"@key\"",
        3,
        27,
    );
}

#[test]
fn directive_missing_a_required_argument_is_invalid() {
    let sdl = fed2(
        3,
        r#""@key""#,
        "type Query { a: T }\ntype T @key { id: ID! }",
    );
    assert_invalid(
        &sdl,
        "Directive \"@key\" argument \"fields\" of type \"federation__FieldSet!\" is required",
        3,
        8,
    );
}

#[test]
fn directive_argument_of_the_wrong_type_is_invalid() {
    let sdl = fed2(
        3,
        r#""@key""#,
        "type Query { a: T }\ntype T @key(fields: \"id\", resolvable: \"no\") { id: ID! }",
    );
    assert_invalid(&sdl, "Boolean cannot represent value: \"no\"", 3, 39);
}

#[test]
fn directive_in_the_wrong_location_is_invalid() {
    let sdl = fed2(
        3,
        r#""@key""#,
        "type Query { a: T @key(fields: \"id\") }\ntype T { id: ID! }",
    );
    assert_invalid(
        &sdl,
        "Directive \"@key\" may not be used on FIELD_DEFINITION",
        2,
        19,
    );
}

#[test]
fn location_the_linked_version_lacks_is_invalid() {
    // `@tag` may go on the schema from federation v2.3 on.
    let sdl = fed2(
        0,
        r#""@key", "@tag""#,
        "extend schema @tag(name: \"x\")\ntype Query { a: Int }",
    );
    assert_invalid(&sdl, "Directive \"@tag\" may not be used on SCHEMA", 2, 15);
}

#[test]
fn non_repeatable_directive_repeated_is_invalid() {
    // `@shareable` is repeatable from federation v2.2 on.
    let sdl = fed2(
        0,
        r#""@key", "@shareable""#,
        "type Query { a: P }\ntype P @shareable { a: Int }\nextend type P @shareable { b: Int }",
    );
    assert_invalid(
        &sdl,
        "The directive \"@shareable\" can only be used once at this location",
        4,
        15,
    );
}

#[test]
fn unknown_directive_is_invalid() {
    let sdl = fed2(3, r#""@key""#, "type Query { a: Int @foo }");
    assert_invalid(&sdl, "Unknown directive \"@foo\"", 2, 21);
}

#[test]
fn federation_directive_not_imported_is_invalid() {
    let sdl = fed2(3, r#""@key""#, "type Query { a: Int @shareable }");
    assert_invalid(&sdl, "\"@federation__shareable\"", 2, 21);
}

#[test]
fn federation_directive_under_its_spec_name_when_renamed_is_invalid() {
    let sdl = fed2(
        3,
        r#"{name: "@key", as: "@myKey"}"#,
        "type Query { a: P }\ntype P @key(fields: \"id\") { id: ID! }",
    );
    assert_invalid(&sdl, "under the name \"@myKey\"", 3, 8);
}

#[test]
fn federation_2_directive_in_a_federation_1_subgraph_is_invalid() {
    let sdl = "type Query { a: Int @override(from: \"b\") }";
    assert_invalid(sdl, "federation 1 schema", 1, 21);
}

#[test]
fn override_label_before_federation_2_7_is_invalid() {
    let a = fed2(
        6,
        r#""@key", "@override""#,
        "type Query { p: Int @override(from: \"b\", label: \"percent(5)\") }",
    );
    let b = fed2(6, r#""@key""#, "type Query { q: Int }");
    assert_first_error(
        &[("a", &a), ("b", &b)],
        "INVALID_GRAPHQL",
        "Unknown argument \"label\" on directive \"@override\"",
        ("a", 2, 42),
    );
}

#[test]
fn import_the_linked_version_lacks_is_an_invalid_link() {
    let sdl = fed2(
        4,
        r#""@key", "@authenticated""#,
        "type Query { a: Int @authenticated }",
    );
    assert_first_error(
        &[("a", &sdl)],
        "INVALID_LINK_DIRECTIVE_USAGE",
        "\"@authenticated\"",
        ("a", 1, 15),
    );
}

#[test]
fn argument_of_an_output_type_is_invalid() {
    let sdl = fed2(
        3,
        r#""@key""#,
        "type Query { a(x: Q2): Int }\ntype Q2 { b: Int }",
    );
    assert_invalid(&sdl, "`x` field must be of an input type", 2, 16);
}

#[test]
fn union_of_a_scalar_is_invalid() {
    let sdl = fed2(3, r#""@key""#, "type Query { a: U }\nunion U = Int");
    assert_invalid(&sdl, "Union member `Int` must be an object type", 3, 11);
}

#[test]
fn reserved_name_is_invalid() {
    let sdl = fed2(3, r#""@key""#, "type Query { __a: Int }");
    assert_invalid(&sdl, "`__a`", 2, 14);
}

#[test]
fn required_argument_deprecated_is_invalid() {
    let sdl = fed2(3, r#""@key""#, "type Query { a(x: Int! @deprecated): Int }");
    assert_invalid(
        &sdl,
        "Required argument Query.a(x:) cannot be deprecated",
        2,
        16,
    );
}

#[test]
fn extension_of_a_built_in_scalar_is_invalid() {
    let sdl = fed2(
        3,
        r#""@key", "@tag""#,
        "extend scalar String @tag(name: \"x\")\ntype Query { a: String }",
    );
    assert_invalid(&sdl, "Cannot extend built-in type \"String\"", 2, 15);
}

#[test]
fn namespaced_name_of_an_imported_directive_is_invalid() {
    // An imported directive goes by its imported name only.
    let sdl = fed2(
        3,
        r#""@key""#,
        "type Query { p: P }\ntype P @federation__key(fields: \"id\") { id: ID! }",
    );
    assert_invalid(&sdl, "Unknown directive \"@federation__key\"", 3, 8);
}

#[test]
fn renamed_namespaced_and_as_prefixed_federation_directives_compose() {
    let a = fed2(
        3,
        r#"{name: "@key", as: "@myKey"}, {name: "@shareable", as: "@share"}"#,
        "type Query { p: P @share }\ntype P @myKey(fields: \"id\") @federation__tag(name: \"t\") { id: ID! x: Int @share }",
    );
    let b = "extend schema @link(url: \"https://specs.apollo.dev/federation/v2.3\", as: \"fed\")\ntype P @fed__key(fields: \"id\") { id: ID! x: Int @fed__shareable }";
    assert_composes(&[("a", &a), ("b", b)]);
}

#[test]
fn federation_1_extensions_without_a_base_in_their_subgraph_compose() {
    let a = "extend type Product @key(fields: \"id\") { id: ID! @external name: String }\nextend type Query { p: Product }";
    let b = "type Product @key(fields: \"id\") { id: ID! }\ntype Query { q: Product }";
    assert_composes(&[("a", a), ("b", b)]);
}

#[test]
fn subgraph_defining_federation_machinery_itself_composes() {
    let fed1 = r#"scalar _FieldSet
scalar _Any
type _Service { sdl: String }
union _Entity = Product
directive @key(fields: _FieldSet!) repeatable on OBJECT | INTERFACE
directive @external on FIELD_DEFINITION
type Product @key(fields: "id") { id: ID! }
type Query { p: Product _entities(representations: [_Any!]!): [_Entity]! _service: _Service! }"#;
    let fed2_sdl = fed2(
        3,
        r#""@key", "FieldSet""#,
        "scalar FieldSet\ndirective @key(fields: FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE\ntype Product @key(fields: \"id\") { id: ID! name: String }",
    );
    assert_composes(&[("a", fed1), ("b", &fed2_sdl)]);
}

#[test]
fn composed_custom_directive_composes() {
    let sdl = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@composeDirective"])
  @link(url: "https://myspecs.dev/hello/v1.0", import: ["@hello"])
  @composeDirective(name: "@hello")
directive @hello on FIELD_DEFINITION
type Query { p: Int @hello }"#;
    assert_composes(&[("a", sdl)]);
}

#[test]
fn lenient_defaults_and_newer_federation_directives_compose() {
    // Apollo accepts an out-of-range Int and an enum value as a string.
    let a = fed2(
        12,
        r#""@key", "@cacheTag", "@cost", "@listSize""#,
        "type Query @cacheTag(format: \"q\") { a(x: Int = 9999999999, e: E = \"A\"): [Int] @cost(weight: 2) @listSize(assumedSize: 5) }\nenum E { A B }",
    );
    // No query type at all: federation adds one.
    let b = fed2(3, r#""@key""#, "type T @key(fields: \"id\") { id: ID! }");
    assert_composes(&[("a", &a), ("b", &b)]);
}

#[test]
fn field_set_argument_defined_with_another_required_type_composes() {
    // Apollo only insists that `fields:` be required.
    let sdl = fed2(
        3,
        r#""@key""#,
        "directive @key(fields: String!) repeatable on OBJECT | INTERFACE\ntype Query { p: P }\ntype P @key(fields: \"id\") { id: ID! }",
    );
    assert_composes(&[("a", &sdl)]);
}
