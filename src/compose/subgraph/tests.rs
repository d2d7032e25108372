//! Behaviour of `read_subgraph` on small hand-written subgraphs.

#![allow(clippy::unwrap_used)]

use super::*;
use crate::compose::model::FederationVersion;
use apollo_compiler::name;

fn read(sdl: &str) -> Result<Subgraph, Vec<CompositionError>> {
    read_subgraph(&SubgraphInput {
        name: "a".to_string(),
        url: "http://a".to_string(),
        sdl: sdl.to_string(),
    })
}

fn fed2(imports: &str, body: &str) -> String {
    format!(
        "extend schema @link(url: \"https://specs.apollo.dev/federation/v2.3\", import: [{imports}])\n{body}"
    )
}

fn error_codes(sdl: &str) -> Vec<&'static str> {
    read(sdl).unwrap_err().iter().map(|e| e.code).collect()
}

fn type_names(subgraph: &Subgraph) -> Vec<&str> {
    subgraph.types.keys().map(Name::as_str).collect()
}

/// (field, shareable, external) of every field of `ty`.
fn field_flags<'s>(subgraph: &'s Subgraph, ty: &str) -> Vec<(&'s str, bool, bool)> {
    subgraph.types[ty]
        .fields
        .values()
        .map(|f| (f.name.as_str(), f.shareable, f.external))
        .collect()
}

/// (extension, only_extensions) of `ty`.
fn extension_flags(subgraph: &Subgraph, ty: &str) -> (bool, bool) {
    let ty = &subgraph.types[ty];
    (ty.extension, ty.only_extensions)
}

#[test]
fn no_federation_link_is_fed1_and_every_field_shareable() {
    let subgraph = read("type Query { a: T } type T { x: Int }").unwrap();
    assert_eq!(subgraph.federation, FederationVersion::FED1);
    assert_eq!(field_flags(&subgraph, "T"), vec![("x", true, false)]);
}

#[test]
fn federation_link_gives_the_version_and_no_implicit_sharing() {
    let sdl = "extend schema @link(url: \"https://specs.apollo.dev/federation/v2.5\", import: [\"@key\"])\ntype Query { a: Int }";
    let subgraph = read(sdl).unwrap();
    assert_eq!(subgraph.federation, FederationVersion { minor: Some(5) });
    assert_eq!(field_flags(&subgraph, "Query"), vec![("a", false, false)]);
}

#[test]
fn renamed_imports_and_namespaced_directives_keep_their_meaning() {
    let sdl = fed2(
        r#"{name: "@key", as: "@myKey"}"#,
        r#"type Query { t: T @federation__shareable }
           type T @myKey(fields: "id") @federation__tag(name: "team") { id: ID! x: Int @federation__shareable }"#,
    );
    let subgraph = read(&sdl).unwrap();
    let t = &subgraph.types["T"];
    assert_eq!(
        t.keys,
        vec![Key {
            fields: "id".to_string(),
            resolvable: None,
            location: t.keys[0].location
        }]
    );
    assert_eq!(t.common.tags, vec!["team".to_string()]);
    assert_eq!(
        field_flags(&subgraph, "T"),
        vec![("id", true, false), ("x", true, false)]
    );
    assert_eq!(field_flags(&subgraph, "Query"), vec![("t", true, false)]);
}

#[test]
fn unimported_federation_directive_is_invalid_graphql() {
    let sdl = fed2(r#""@key""#, "type Query { a: Int @shareable }");
    assert_eq!(error_codes(&sdl), vec!["INVALID_GRAPHQL"]);
}

#[test]
fn unknown_types_are_invalid_graphql() {
    let errors = read("type Query { a: Missing b(x: [In!]): Int }").unwrap_err();
    let messages: Vec<_> = errors
        .iter()
        .map(|e| (e.code, e.message.as_str()))
        .collect();
    assert_eq!(
        messages,
        vec![
            ("INVALID_GRAPHQL", "Unknown type Missing"),
            ("INVALID_GRAPHQL", "Unknown type In")
        ]
    );
}

#[test]
fn syntax_errors_are_invalid_graphql_with_a_location() {
    let errors = read("type Query {\n  a: Int\n  b:\n}").unwrap_err();
    assert_eq!(errors[0].code, "INVALID_GRAPHQL");
    assert_eq!(errors[0].locations[0].subgraph, "a");
    assert_eq!(errors[0].locations[0].line, 4);
}

#[test]
fn root_types_are_renamed_everywhere() {
    let sdl = "schema { query: RootQuery mutation: RootMutation }
        type RootQuery { me: RootQuery, list: [RootQuery!]! _service: _Service! }
        type RootMutation { a(x: Int = 1): Int }
        union Everything = RootQuery | RootMutation
        type _Service { sdl: String }";
    let subgraph = read(sdl).unwrap();
    assert_eq!(
        type_names(&subgraph),
        vec!["Query", "Mutation", "Everything"]
    );
    let query = &subgraph.types["Query"];
    assert_eq!(
        query.fields.keys().map(Name::as_str).collect::<Vec<_>>(),
        vec!["me", "list"]
    );
    assert_eq!(query.fields["me"].ty.to_string(), "Query");
    assert_eq!(query.fields["list"].ty.to_string(), "[Query!]!");
    assert_eq!(
        subgraph.types["Everything"].members,
        vec![name!("Query"), name!("Mutation")]
    );
}

#[test]
fn a_root_type_under_another_name_beside_a_query_type_is_an_error() {
    let sdl = "schema { query: MyQuery } type MyQuery { a: Int } type Query { b: Int }";
    assert_eq!(error_codes(sdl), vec!["ROOT_QUERY_USED"]);
}

#[test]
fn extensions_fold_into_their_type() {
    let sdl = fed2(
        r#""@key", "@inaccessible""#,
        r#"type Query { t: T }
           type T implements I @key(fields: "id") { id: ID! }
           extend type T @key(fields: "x") @inaccessible { x: Int }
           interface I { id: ID! }
           enum E { A } extend enum E { B }
           union U = T extend union U = Query"#,
    );
    let subgraph = read(&sdl).unwrap();
    let t = &subgraph.types["T"];
    assert_eq!(
        t.fields.keys().map(Name::as_str).collect::<Vec<_>>(),
        vec!["id", "x"]
    );
    assert_eq!(
        t.keys.iter().map(|k| k.fields.as_str()).collect::<Vec<_>>(),
        vec!["id", "x"]
    );
    assert!(t.common.inaccessible);
    assert_eq!(t.implements, vec![name!("I")]);
    assert_eq!(extension_flags(&subgraph, "T"), (false, false));
    let values = &subgraph.types["E"].values;
    assert_eq!(
        values.iter().map(|v| v.name.as_str()).collect::<Vec<_>>(),
        vec!["A", "B"]
    );
    assert_eq!(
        subgraph.types["U"].members,
        vec![name!("T"), name!("Query")]
    );
}

#[test]
fn extension_flag_follows_extends_and_the_fed2_extend_keyword() {
    let body = r#"extend type Query { a: A b: B }
        extend type A @key(fields: "id") { id: ID! }
        type B @extends @key(fields: "id") { id: ID! }
        extend type V { v: Int }"#;
    let fed2 = read(&fed2(r#""@key", "@extends""#, body)).unwrap();
    assert_eq!(extension_flags(&fed2, "A"), (true, true));
    // A Federation 2 `@extends` marks an extension, yet defines the type
    // (Apollo counts it as a base for EXTENSION_WITH_NO_BASE).
    assert_eq!(extension_flags(&fed2, "B"), (true, false));
    assert_eq!(extension_flags(&fed2, "V"), (true, true));
    assert_eq!(extension_flags(&fed2, "Query"), (false, false));
    let fed1 = read(body).unwrap();
    assert_eq!(extension_flags(&fed1, "A"), (false, true));
    assert_eq!(extension_flags(&fed1, "B"), (true, true));
    assert_eq!(extension_flags(&fed1, "Query"), (false, false));
}

#[test]
fn fields_selected_by_a_key_are_shareable_and_type_shareable_covers_its_block() {
    let sdl = fed2(
        r#""@key", "@shareable""#,
        r#"type Query { u: U }
           type U @key(fields: "id p { sku }") { id: ID! p: P name: String }
           type P { sku: ID other: Int }
           type S @shareable { a: Int }
           extend type S { b: Int }"#,
    );
    let subgraph = read(&sdl).unwrap();
    assert_eq!(
        field_flags(&subgraph, "U"),
        vec![
            ("id", true, false),
            ("p", true, false),
            ("name", false, false)
        ]
    );
    assert_eq!(
        field_flags(&subgraph, "P"),
        vec![("sku", true, false), ("other", false, false)]
    );
    assert_eq!(
        field_flags(&subgraph, "S"),
        vec![("a", true, false), ("b", false, false)]
    );
}

#[test]
fn external_is_dropped_on_key_fields_of_extension_types_only() {
    let sdl = fed2(
        r#""@key", "@external", "@extends", "@provides""#,
        r#"type Query { u: User @provides(fields: "name") c: Chat }
           type User @extends @key(fields: "id") { id: ID! @external name: String @external }
           extend type Account @key(fields: "id") { id: ID! @external }
           type Chat @key(fields: "id") { id: ID! @external text: String }"#,
    );
    let subgraph = read(&sdl).unwrap();
    assert_eq!(
        field_flags(&subgraph, "User"),
        vec![("id", true, false), ("name", false, true)]
    );
    assert_eq!(field_flags(&subgraph, "Account"), vec![("id", true, false)]);
    assert_eq!(
        field_flags(&subgraph, "Chat"),
        vec![("id", true, true), ("text", false, false)]
    );
}

#[test]
fn fed1_unused_externals_are_removed() {
    let sdl = r#"extend type Query { t: T }
        extend type T @key(fields: "id") {
          id: ID! @external
          name: String @external
          unused: Int @external
          other: Int @requires(fields: "name")
        }"#;
    let subgraph = read(sdl).unwrap();
    assert_eq!(
        field_flags(&subgraph, "T"),
        vec![
            ("id", true, false),
            ("name", true, true),
            ("other", true, false)
        ]
    );
    assert_eq!(
        subgraph.types["T"].fields["other"].requires.as_deref(),
        Some("name")
    );
}

#[test]
fn fed1_externals_used_by_provides_or_an_interface_stay() {
    let sdl = r#"type Query { t: T @provides(fields: "name") }
        interface Named { label: String }
        type T implements Named @key(fields: "id") { id: ID! name: String @external label: String @external }"#;
    let subgraph = read(sdl).unwrap();
    let names: Vec<_> = subgraph.types["T"]
        .fields
        .keys()
        .map(Name::as_str)
        .collect();
    assert_eq!(names, vec!["id", "name", "label"]);
}

#[test]
fn fed1_type_with_only_unused_externals_is_an_error() {
    let sdl = "type Query { u: U } type U { x: Int @external }";
    assert_eq!(error_codes(sdl), vec!["TYPE_WITH_ONLY_UNUSED_EXTERNAL"]);
}

#[test]
fn federation_machinery_is_left_out() {
    let sdl = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.0", import: ["@key", "FieldSet"])
        directive @key(fields: FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
        directive @custom on FIELD_DEFINITION
        scalar FieldSet
        scalar link__Import
        enum link__Purpose { SECURITY EXECUTION }
        scalar _Any
        union _Entity = T
        type _Service { sdl: String }
        type Query { _entities(representations: [_Any!]!): [_Entity]! _service: _Service! t: T @custom }
        type T @key(fields: "id") { id: ID! }"#;
    let subgraph = read(sdl).unwrap();
    assert_eq!(type_names(&subgraph), vec!["Query", "T"]);
    assert_eq!(subgraph.types["Query"].fields.len(), 1);
}

#[test]
fn keys_keep_their_fields_verbatim_and_resolvable_only_when_spelled() {
    // A block string counts by its value: common indentation removed.
    let sdl = fed2(
        r#""@key""#,
        "type Query { t: T }\ntype T @key(fields: \"\"\"id\n  sub { a }\"\"\", resolvable: false) @key(fields: \"x\", resolvable: true) @key(fields: \"y\") { id: ID! sub: S x: ID y: ID }\ntype S { a: Int }",
    );
    let subgraph = read(&sdl).unwrap();
    let keys: Vec<_> = subgraph.types["T"]
        .keys
        .iter()
        .map(|k| (k.fields.as_str(), k.resolvable))
        .collect();
    assert_eq!(
        keys,
        vec![
            ("id\nsub { a }", Some(false)),
            ("x", Some(true)),
            ("y", None)
        ]
    );
}

#[test]
fn non_string_key_fields_are_an_error() {
    let sdl = fed2(
        r#""@key""#,
        "type Query { t: T } type T @key(fields: 1) { id: ID! }",
    );
    assert_eq!(error_codes(&sdl), vec!["KEY_INVALID_FIELDS_TYPE"]);
}

#[test]
fn field_directives_and_standard_directives_are_read() {
    // `@override(label:)` exists from federation v2.7 on.
    let sdl = fed2(
        r#""@key", "@override", "@inaccessible", "@tag", "@interfaceObject", "@requires", "@external""#,
        r#"type Query {
             "the answer"
             a(x: Int = 1 @deprecated(reason: "no"), y: In): Int @override(from: "b", label: "percent(5)") @tag(name: "t") @tag(name: "t") @deprecated
           }
           input In { f: E = ONE @inaccessible }
           enum E { ONE @deprecated(reason: "old") TWO }
           scalar Url @specifiedBy(url: "https://url.spec")
           type Obj @key(fields: "id") @interfaceObject { id: ID! w: Int @external v: Int @requires(fields: "w") }"#,
    )
    .replace("v2.3", "v2.7");
    let subgraph = read(&sdl).unwrap();
    let a = &subgraph.types["Query"].fields["a"];
    assert_eq!(a.common.description.as_deref(), Some("the answer"));
    assert_eq!(a.common.tags, vec!["t".to_string()]);
    assert_eq!(a.common.deprecated, Some(None));
    assert_eq!(
        (a.override_from.as_deref(), a.override_label.as_deref()),
        (Some("b"), Some("percent(5)"))
    );
    assert_eq!(
        a.args[0].default.as_ref().map(|v| v.to_string()).as_deref(),
        Some("1")
    );
    assert_eq!(a.args[0].common.deprecated, Some(Some("no".to_string())));
    let f = &subgraph.types["In"].fields["f"];
    assert!(f.common.inaccessible);
    assert_eq!(
        f.default.as_ref().map(|v| v.to_string()).as_deref(),
        Some("ONE")
    );
    assert_eq!(
        subgraph.types["E"].values[0].common.deprecated,
        Some(Some("old".to_string()))
    );
    assert_eq!(
        subgraph.types["Url"].specified_by.as_deref(),
        Some("https://url.spec")
    );
    let obj = &subgraph.types["Obj"];
    assert!(obj.interface_object);
    assert_eq!(obj.fields["v"].requires.as_deref(), Some("w"));
    assert_eq!(field_flags(&subgraph, "Obj")[1], ("w", false, true));
}

#[test]
fn locations_point_at_the_names() {
    let subgraph = read("type Query {\n  a: Int\n}").unwrap();
    let query = &subgraph.types["Query"];
    assert_eq!(query.common.location, Location { line: 1, column: 6 });
    assert_eq!(
        query.fields["a"].common.location,
        Location { line: 2, column: 3 }
    );
}
