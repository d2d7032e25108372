//! The printer against hand-built supergraphs: whole texts, so each test
//! reads as the format it specifies.

use apollo_compiler::ast::{IntValue, Type, Value};
use apollo_compiler::{Name, Node};
use pretty_assertions::assert_eq;

use super::types::print_type;
use super::{graph_enum_values, print_supergraph};
use crate::compose::model::{
    Common, Graph, JoinField, JoinType, JoinVersion, SuperArgument, SuperEnumValue, SuperField,
    SuperType, Supergraph, TypeKind,
};

fn name(text: &str) -> Name {
    Name::new(text).expect("valid name")
}

fn ty(text: &str) -> Type {
    Type::parse(text, "type.graphql").expect("valid type")
}

fn graphs(names: &[&str]) -> Vec<Graph> {
    let values = graph_enum_values(names);
    names
        .iter()
        .zip(values)
        .map(|(n, enum_value)| Graph {
            name: n.to_string(),
            url: format!("http://{n}"),
            enum_value,
        })
        .collect()
}

fn supergraph(graph_names: &[&str], types: Vec<SuperType>) -> Supergraph {
    Supergraph {
        graphs: graphs(graph_names),
        join_version: JoinVersion::V0_3,
        has_mutation: false,
        has_subscription: false,
        uses_inaccessible: false,
        uses_tag: false,
        uses_access: Default::default(),
        uses_context: false,
        uses_one_of: false,
        features: Vec::new(),
        types,
    }
}

fn super_type(type_name: &str, kind: TypeKind, graphs: &[usize]) -> SuperType {
    SuperType {
        name: name(type_name),
        kind,
        common: Common::default(),
        implements: Vec::new(),
        join_implements: Vec::new(),
        join_types: graphs.iter().map(|&graph| join_type(graph, None)).collect(),
        fields: Vec::new(),
        members: Vec::new(),
        join_members: Vec::new(),
        values: Vec::new(),
        specified_by: None,
        one_of: false,
        contexts: Vec::new(),
    }
}

fn join_type(graph: usize, key: Option<&str>) -> JoinType {
    JoinType {
        graph,
        key: key.map(str::to_string),
        extension: false,
        resolvable: None,
        interface_object: false,
    }
}

fn field(field_name: &str, field_type: &str) -> SuperField {
    SuperField {
        name: name(field_name),
        ty: ty(field_type),
        common: Common::default(),
        args: Vec::new(),
        default: None,
        join_fields: Vec::new(),
    }
}

fn argument(arg_name: &str, arg_type: &str, default: Option<Value>) -> SuperArgument {
    SuperArgument {
        name: name(arg_name),
        ty: ty(arg_type),
        default: default.map(Node::new),
        common: Common::default(),
    }
}

fn on_graph(graph: usize) -> JoinField {
    JoinField {
        graph: Some(graph),
        ..JoinField::default()
    }
}

fn described(text: &str) -> Common {
    Common {
        description: Some(text.to_string()),
        ..Common::default()
    }
}

fn enum_value(value_name: &str, graphs: &[usize]) -> SuperEnumValue {
    SuperEnumValue {
        name: name(value_name),
        common: Common::default(),
        graphs: graphs.to_vec(),
    }
}

fn int(text: &str) -> Value {
    Value::Int(IntValue::new_parsed(text))
}

fn string(text: &str) -> Value {
    Value::String(text.to_string())
}

fn query(graphs: &[usize], fields: Vec<SuperField>) -> SuperType {
    SuperType {
        fields,
        ..super_type("Query", TypeKind::Object, graphs)
    }
}

const JOIN_V03_DEFINITIONS: &str = r#"directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION

directive @join__graph(name: String!, url: String!) on ENUM_VALUE

directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE

directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR

directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION

directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA"#;

const LINK_PURPOSE: &str = r#"enum link__Purpose {
  """
  `SECURITY` features provide metadata necessary to securely resolve fields.
  """
  SECURITY

  """
  `EXECUTION` features provide metadata necessary for operation execution.
  """
  EXECUTION
}"#;

#[test]
fn prints_a_one_graph_supergraph_with_all_machinery() {
    let supergraph = supergraph(
        &["all-products"],
        vec![query(&[0], vec![field("a", "Int")])],
    );
    let expected = format!(
        r#"schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
{{
  query: Query
}}

{JOIN_V03_DEFINITIONS}

scalar join__FieldSet

enum join__Graph {{
  ALL_PRODUCTS @join__graph(name: "all-products", url: "http://all-products")
}}

scalar link__Import

{LINK_PURPOSE}

type Query
  @join__type(graph: ALL_PRODUCTS)
{{
  a: Int
}}"#
    );
    assert_eq!(print_supergraph(&supergraph), expected);
}

#[test]
fn links_and_defines_inaccessible_and_tag_when_used() {
    let mut supergraph = supergraph(&["a"], vec![query(&[0], vec![field("a", "Int")])]);
    supergraph.uses_inaccessible = true;
    supergraph.uses_tag = true;
    supergraph.has_mutation = true;
    supergraph.has_subscription = true;
    let printed = print_supergraph(&supergraph);
    let schema = r#"schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/tag/v0.3")
  @link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)
{
  query: Query
  mutation: Mutation
  subscription: Subscription
}

directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION

directive @join__enumValue"#;
    assert!(printed.starts_with(schema), "{printed}");
    let tag = "directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA\n\n\
        directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION | SCHEMA\n\n\
        scalar join__FieldSet";
    assert!(printed.contains(tag), "{printed}");
}

/// The names of the top-level definitions, in printed order.
fn definition_names(printed: &str) -> Vec<String> {
    const KEYWORDS: [&str; 8] = [
        "schema",
        "directive",
        "type",
        "interface",
        "union",
        "enum",
        "input",
        "scalar",
    ];
    printed
        .lines()
        .filter_map(|line| {
            let mut words = line.split([' ', '(']);
            let keyword = words.next().filter(|word| KEYWORDS.contains(word))?;
            let name = words.next().unwrap_or(keyword);
            Some(name.trim_start_matches('@').to_string())
        })
        .collect()
}

#[test]
fn join_v04_and_v05_add_their_definitions_and_machinery() {
    let mut supergraph = supergraph(&["a"], vec![query(&[0], vec![field("a", "Int")])]);
    supergraph.join_version = JoinVersion::V0_4;
    let printed = print_supergraph(&supergraph);
    assert!(printed.contains("usedOverridden: Boolean, overrideLabel: String) repeatable"));
    assert!(
        printed.contains("  @link(url: \"https://specs.apollo.dev/join/v0.4\", for: EXECUTION)")
    );

    supergraph.join_version = JoinVersion::V0_5;
    let printed = print_supergraph(&supergraph);
    assert!(printed
        .contains("overrideLabel: String, contextArguments: [join__ContextArgument!]) repeatable"));
    assert!(printed.contains(
        "input join__ContextArgument {\n  name: String!\n  type: String!\n  context: String!\n  selection: join__FieldValue!\n}"
    ));
    let expected = [
        "schema",
        "join__directive",
        "join__enumValue",
        "join__field",
        "join__graph",
        "join__implements",
        "join__type",
        "join__unionMember",
        "link",
        "join__ContextArgument",
        "join__DirectiveArguments",
        "join__FieldSet",
        "join__FieldValue",
        "join__Graph",
        "link__Import",
        "link__Purpose",
        "Query",
    ];
    assert_eq!(definition_names(&printed), expected);
}

#[test]
fn sorts_types_by_collation_among_the_machinery() {
    let types = [
        "zeta", "Query", "Book", "jo_a", "Joiner", "Magazine", "_Any", "a_b",
    ]
    .iter()
    .map(|n| super_type(n, TypeKind::Scalar, &[0]))
    .collect();
    let printed = print_supergraph(&supergraph(&["a"], types));
    let names = definition_names(&printed);
    let types: Vec<&str> = names.iter().skip(8).map(String::as_str).collect();
    let expected = [
        "_Any",
        "a_b",
        "Book",
        "jo_a",
        "join__FieldSet",
        "join__Graph",
        "Joiner",
        "link__Import",
        "link__Purpose",
        "Magazine",
        "Query",
        "zeta",
    ];
    assert_eq!(types, expected);
}

#[test]
fn prints_an_entity_with_its_join_directives_in_order() {
    let mut book = super_type("Book", TypeKind::Object, &[]);
    book.common = Common {
        description: Some("A book".to_string()),
        inaccessible: true,
        tags: vec!["public".to_string(), "x".to_string()],
        ..Common::default()
    };
    book.implements = vec![name("Node"), name("Product")];
    book.join_implements = vec![(0, name("Node")), (1, name("Node")), (1, name("Product"))];
    book.join_types = vec![
        JoinType {
            extension: true,
            ..join_type(0, Some("id"))
        },
        JoinType {
            resolvable: Some(false),
            ..join_type(1, Some("isbn { code }"))
        },
        join_type(1, Some("id")),
        JoinType {
            interface_object: true,
            ..join_type(2, Some("id"))
        },
    ];
    let mut title = field("title", "String");
    title.common = Common {
        inaccessible: true,
        tags: vec!["t".to_string()],
        deprecated: Some(Some("use \"name\"".to_string())),
        ..described("The title")
    };
    title.join_fields = vec![
        JoinField {
            ty: Some("String!".to_string()),
            ..on_graph(0)
        },
        JoinField {
            ty: Some("String".to_string()),
            override_from: Some("a".to_string()),
            override_label: Some("percent(5)".to_string()),
            ..on_graph(1)
        },
    ];
    let mut price = field("price", "Float");
    price.common = described("Price,\nin cents");
    price.join_fields = vec![
        JoinField {
            requires: Some("weight(unit: \"kg\") { value }".to_string()),
            provides: Some("a\nb".to_string()),
            external: true,
            used_overridden: true,
            ..on_graph(0)
        },
        JoinField::default(),
    ];
    let mut old = field("old", "Int");
    old.common.deprecated = Some(None);
    book.fields = vec![field("id", "ID!"), title, price, old];
    let graphs = graphs(&["a", "b", "c"]);
    let expected = r#""""A book"""
type Book implements Node & Product
  @join__implements(graph: A, interface: "Node")
  @join__implements(graph: B, interface: "Node")
  @join__implements(graph: B, interface: "Product")
  @join__type(graph: A, key: "id", extension: true)
  @join__type(graph: B, key: "isbn { code }", resolvable: false)
  @join__type(graph: B, key: "id")
  @join__type(graph: C, key: "id", isInterfaceObject: true)
  @inaccessible
  @tag(name: "public")
  @tag(name: "x")
{
  id: ID!

  """The title"""
  title: String @inaccessible @join__field(graph: A, type: "String!") @join__field(graph: B, type: "String", override: "a", overrideLabel: "percent(5)") @tag(name: "t") @deprecated(reason: "use \"name\"")

  """
  Price,
  in cents
  """
  price: Float @join__field(graph: A, requires: "weight(unit: \"kg\") { value }", provides: "a\nb", external: true, usedOverridden: true) @join__field
  old: Int @deprecated
}"#;
    assert_eq!(print_type(&graphs, &book), expected);
}

#[test]
fn prints_a_union_with_members_after_its_directives() {
    let mut union = super_type("Media", TypeKind::Union, &[0, 1]);
    union.common.inaccessible = true;
    union.common.tags = vec!["m".to_string()];
    union.members = vec![name("Song"), name("Book")];
    union.join_members = vec![(0, name("Song")), (1, name("Song")), (0, name("Book"))];
    let expected = r#"union Media
  @join__type(graph: A)
  @join__type(graph: B)
  @inaccessible
  @join__unionMember(graph: A, member: "Song")
  @join__unionMember(graph: B, member: "Song")
  @join__unionMember(graph: A, member: "Book")
  @tag(name: "m")
 = Song | Book"#;
    assert_eq!(print_type(&graphs(&["a", "b"]), &union), expected);
}

#[test]
fn prints_enum_values_with_their_graphs() {
    let mut kind = super_type("Kind", TypeKind::Enum, &[0, 1]);
    let mut anonymous = enum_value("ANONYMOUS", &[1]);
    anonymous.common = Common {
        inaccessible: true,
        tags: vec!["a".to_string()],
        deprecated: Some(Some("gone".to_string())),
        ..described("Nobody")
    };
    kind.values = vec![enum_value("REGULAR", &[0, 1]), anonymous];
    let expected = r#"enum Kind
  @join__type(graph: A)
  @join__type(graph: B)
{
  REGULAR @join__enumValue(graph: A) @join__enumValue(graph: B)

  """Nobody"""
  ANONYMOUS @inaccessible @join__enumValue(graph: B) @tag(name: "a") @deprecated(reason: "gone")
}"#;
    assert_eq!(print_type(&graphs(&["a", "b"]), &kind), expected);
}

#[test]
fn prints_input_fields_with_defaults_before_directives() {
    let mut filter = super_type("Filter", TypeKind::InputObject, &[0, 1]);
    let mut first = field("first", "Int!");
    first.default = Some(Node::new(int("10")));
    first.common.inaccessible = true;
    first.common.tags = vec!["f".to_string()];
    first.join_fields = vec![
        JoinField {
            ty: Some("Int".to_string()),
            ..on_graph(0)
        },
        JoinField {
            ty: Some("Int!".to_string()),
            ..on_graph(1)
        },
    ];
    let mut names = field("names", "[String!]");
    let list = Value::List(vec![Node::new(string("a")), Node::new(string("b\"c"))]);
    names.default = Some(Node::new(list));
    filter.fields = vec![first, names];
    let expected = r#"input Filter
  @join__type(graph: A)
  @join__type(graph: B)
{
  first: Int! = 10 @inaccessible @join__field(graph: A, type: "Int") @join__field(graph: B, type: "Int!") @tag(name: "f")
  names: [String!] = ["a", "b\"c"]
}"#;
    assert_eq!(print_type(&graphs(&["a", "b"]), &filter), expected);
}

#[test]
fn prints_arguments_inline_unless_one_is_described() {
    let mut friends = field("friends", "[User]");
    let mut kind = argument("kind", "Kind", Some(Value::Enum(name("FAMILY"))));
    kind.common.inaccessible = true;
    kind.common.tags = vec!["k".to_string()];
    kind.common.deprecated = Some(Some("r".to_string()));
    friends.args = vec![kind, argument("first", "Int", Some(int("5")))];
    let mut search = field("search", "Int");
    let mut by = argument("by", "In", None);
    by.common = described("how");
    let mut limit = argument("limit", "Int", None);
    limit.common = described("at most");
    let object = Value::Object(vec![
        (name("a"), Node::new(int("1"))),
        (name("b"), Node::new(Value::Null)),
    ]);
    search.args = vec![by, limit, argument("o", "In", Some(object))];
    let user = SuperType {
        fields: vec![friends, search],
        ..super_type("User", TypeKind::Interface, &[0])
    };
    let expected = r#"interface User
  @join__type(graph: A)
{
  friends(kind: Kind = FAMILY @inaccessible @tag(name: "k") @deprecated(reason: "r"), first: Int = 5): [User]
  search(
    """how"""
    by: In

    """at most"""
    limit: Int
    o: In = {a: 1, b: null}
  ): Int
}"#;
    assert_eq!(print_type(&graphs(&["a"]), &user), expected);
}

#[test]
fn prints_a_scalar_without_braces() {
    let mut date = super_type("Date", TypeKind::Scalar, &[0]);
    date.common.inaccessible = true;
    date.common.tags = vec!["d".to_string()];
    date.specified_by = Some("https://example.com".to_string());
    let expected = r#"scalar Date
  @join__type(graph: A)
  @inaccessible
  @specifiedBy(url: "https://example.com")
  @tag(name: "d")"#;
    assert_eq!(print_type(&graphs(&["a"]), &date), expected);
}
