#![allow(clippy::unwrap_used)]

use apollo_compiler::validation::Valid;
use serde_json::json;

use super::*;
use crate::operation::prepare;

/// A schema with the cost spec linked and `@listSize` imported.
const SCHEMA: &str = r#"
schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"]) { query: Query }
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION

type Query {
  book: Book
  books(first: Int, last: Int): [Book] @listSize(slicingArguments: ["first", "last"], requireOneSlicingArgument: false)
  pages(first: Int, last: Int): [Book] @listSize(slicingArguments: ["first", "last"])
  shelf: [Book] @listSize(assumedSize: 3)
  anything: [Book]
  search(term: String @cost(weight: 7)): Int @cost(weight: 20)
  page(first: Int): Page @listSize(slicingArguments: ["first"], sizedFields: ["items"])
  expensive: Vault
  tagged: [Book] @cost(weight: 9)
}

type Book { title: String author: Author }
type Author { name: String }
type Page { items: [Book] total: Int }
type Vault @cost(weight: 50) { gold: Int }
"#;

fn cost(query: &str, variables: serde_json::Value) -> u64 {
    estimate(query, variables).unwrap()
}

fn estimate(query: &str, variables: serde_json::Value) -> Result<u64, String> {
    let schema = Schema::parse_and_validate(SCHEMA, "s.graphql").unwrap();
    let model = CostModel::of(&schema, 10);
    let operation = prepare(&schema, query, None).unwrap();
    let variables = variables.as_object().cloned().unwrap_or_default();
    let variable = |name: &str| variables.get(name)?.as_i64();
    let schema: &Valid<Schema> = &schema;
    model.estimate(
        schema,
        &operation.root_type,
        &operation.selections,
        &variable,
    )
}

#[test]
fn objects_cost_one_and_leaves_nothing() {
    assert_eq!(cost("{ book { title } }", json!({})), 1);
    assert_eq!(cost("{ book { title author { name } } }", json!({})), 2);
    assert_eq!(cost("{ __typename book { __typename } }", json!({})), 1);
}

#[test]
fn lists_multiply_by_their_slicing_argument_or_assumed_or_default_size() {
    assert_eq!(cost("{ books(first: 5) { title } }", json!({})), 5);
    assert_eq!(
        cost(
            "{ books(first: 5, last: 8) { author { name } } }",
            json!({})
        ),
        16
    );
    assert_eq!(
        cost(
            "query($n: Int) { books(first: $n) { title } }",
            json!({ "n": 40 })
        ),
        40
    );
    assert_eq!(cost("{ shelf { title } }", json!({})), 3);
    assert_eq!(
        cost("{ anything { title } }", json!({})),
        10,
        "the default size"
    );
    assert_eq!(
        cost("{ books { title } }", json!({})),
        10,
        "no slicing argument given"
    );
}

#[test]
fn declared_weights_replace_the_defaults_and_arguments_add_theirs() {
    assert_eq!(cost("{ search(term: \"x\") }", json!({})), 27);
    assert_eq!(cost("{ search }", json!({})), 20);
    assert_eq!(
        cost("{ expensive { gold } }", json!({})),
        50,
        "the type's weight"
    );
    // A field's own weight counts once, not per item.
    assert_eq!(cost("{ tagged { title } }", json!({})), 9);
}

#[test]
fn sized_fields_take_the_size_instead_of_their_parent() {
    // page: 1; items: 4 books of 1 each; total: 0.
    assert_eq!(
        cost("{ page(first: 4) { items { title } total } }", json!({})),
        5
    );
}

#[test]
fn exactly_one_slicing_argument_is_required_unless_the_schema_says_otherwise() {
    assert_eq!(cost("{ pages(first: 4) { title } }", json!({})), 4);
    assert_eq!(
        cost(
            "query($n: Int) { pages(last: $n) { title } }",
            json!({ "n": 2 })
        ),
        2
    );
    for (query, given) in [
        ("{ pages { title } }", 0),
        ("{ pages(first: 1, last: 2) { title } }", 2),
        ("query($n: Int) { pages(first: $n) { title } }", 0),
    ] {
        let problem = estimate(query, json!({})).unwrap_err();
        assert_eq!(
            problem,
            format!("Query.pages needs exactly one of its slicing arguments (first, last), given {given}."),
            "{query}"
        );
    }
}
