//! `@oneOf` input objects: a value with other than exactly one field, or
//! with its one field null, is refused before any subgraph is asked —
//! as a literal (validation), through a variable filling a literal's field,
//! or inside a variable's value — and introspection says which input
//! objects are `@oneOf`.

#![allow(clippy::unwrap_used)]

use junction::pipeline::GatewaySettings;
use serde_json::{json, Value};

use crate::common::fixture_subgraph::{Federation, Subgraph};

const PEOPLE: &str = r#"
directive @oneOf on INPUT_OBJECT

type Query @join__type(graph: PEOPLE) {
  user(by: UserBy!): User @join__field(graph: PEOPLE)
  users(filter: [UserBy!], page: Page): [User] @join__field(graph: PEOPLE)
}

type User @join__type(graph: PEOPLE) {
  id: ID!
}

input UserBy @oneOf @join__type(graph: PEOPLE) {
  id: ID
  email: String
}

input Page @join__type(graph: PEOPLE) {
  size: Int
  after: String
}
"#;

async fn people() -> Federation {
    let people = Subgraph::new("people")
        .root("Query.user", |args| {
            let id = args["by"]["id"].as_str().unwrap_or("by-email").to_string();
            json!({ "__typename": "User", "id": id })
        })
        .root(
            "Query.users",
            |_| json!([{ "__typename": "User", "id": "u1" }]),
        );
    Federation::start_with(GatewaySettings::dev(), PEOPLE, vec![people]).await
}

fn messages(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            let message = |e: &Value| e["message"].as_str().unwrap_or_default().to_string();
            errors.iter().map(message).collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_literal_with_exactly_one_non_null_field_runs() {
    let fed = people().await;
    let body = fed.query("{ user(by: { id: \"u7\" }) { id } }").await;
    assert_eq!(body, json!({ "data": { "user": { "id": "u7" } } }));
    let body = fed
        .query("{ users(filter: [{ email: \"a@b\" }]) { id } }")
        .await;
    assert_eq!(body, json!({ "data": { "users": [{ "id": "u1" }] } }));
}

#[tokio::test]
async fn literals_with_two_fields_none_or_a_null_field_are_refused_before_subgraphs() {
    let fed = people().await;
    let cases = [
        (
            "{ user(by: { id: \"u1\", email: \"a@b\" }) { id } }",
            "OneOf Input Object \"UserBy\" must specify exactly one key.",
        ),
        (
            "{ user(by: {}) { id } }",
            "OneOf Input Object \"UserBy\" must specify exactly one key.",
        ),
        (
            "{ user(by: { id: null }) { id } }",
            "Field \"UserBy.id\" must be non-null.",
        ),
        (
            "{ users(filter: [{ id: \"u1\" }, { id: \"u2\", email: \"x\" }]) { id } }",
            "OneOf Input Object \"UserBy\" must specify exactly one key.",
        ),
        (
            "query ($f: [UserBy!] = [{ id: null }]) { users(filter: $f) { id } }",
            "Field \"UserBy.id\" must be non-null.",
        ),
    ];
    for (query, expected) in cases {
        let body = fed.query(query).await;
        assert_eq!(messages(&body), vec![expected.to_string()], "{query}");
        assert_eq!(
            body["errors"][0]["extensions"]["code"],
            "GRAPHQL_VALIDATION_FAILED"
        );
        assert!(body["errors"][0]["locations"].is_array(), "{body}");
    }
    // A plain input object keeps its usual rules: two fields are fine.
    let body = fed
        .query("{ users(page: { size: 2, after: \"c\" }) { id } }")
        .await;
    assert_eq!(body, json!({ "data": { "users": [{ "id": "u1" }] } }));
    assert_eq!(fed.server.requests("people").len(), 1);
}

#[tokio::test]
async fn a_variable_filling_a_one_of_field_must_be_given_and_non_null() {
    let fed = people().await;
    let query = "query ($id: ID) { user(by: { id: $id }) { id } }";
    for variables in [json!({}), json!({ "id": null })] {
        let body = fed.query_with(query, variables.clone()).await;
        assert_eq!(
            messages(&body),
            vec!["Variable \"$id\" fills OneOf Input Object field \"UserBy.id\", which must be given and non-null.".to_string()],
            "{variables}"
        );
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
    assert!(fed.server.requests("people").is_empty());
    let body = fed.query_with(query, json!({ "id": "u3" })).await;
    assert_eq!(body, json!({ "data": { "user": { "id": "u3" } } }));
}

#[tokio::test]
async fn one_of_objects_inside_variables_are_checked() {
    let fed = people().await;
    let one = "query ($by: UserBy!) { user(by: $by) { id } }";
    let list = "query ($f: [UserBy!]) { users(filter: $f) { id } }";
    let refused = [
        (
            one,
            json!({ "by": { "id": "u1", "email": "a@b" } }),
            "OneOf Input Object \"UserBy\" must specify exactly one key.",
        ),
        (
            one,
            json!({ "by": {} }),
            "OneOf Input Object \"UserBy\" must specify exactly one key.",
        ),
        (
            one,
            json!({ "by": { "email": null } }),
            "Field \"UserBy.email\" must be non-null.",
        ),
        (
            list,
            json!({ "f": [{ "id": "u1" }, { "id": null }] }),
            "Field \"UserBy.id\" must be non-null.",
        ),
    ];
    for (query, variables, expected) in refused {
        let body = fed.query_with(query, variables.clone()).await;
        let variable = if query == one { "by" } else { "f" };
        assert_eq!(
            messages(&body),
            vec![format!(
                "Variable \"${variable}\" got invalid value: {expected}"
            )],
            "{variables}"
        );
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
    assert!(fed.server.requests("people").is_empty());
    let body = fed
        .query_with(one, json!({ "by": { "email": "a@b" } }))
        .await;
    assert_eq!(body, json!({ "data": { "user": { "id": "by-email" } } }));
}

#[tokio::test]
async fn introspection_says_which_input_objects_are_one_of() {
    let fed = people().await;
    let body = fed
        .query(
            "{ by: __type(name: \"UserBy\") { isOneOf } page: __type(name: \"Page\") { isOneOf }
               user: __type(name: \"User\") { isOneOf }
               __schema { directives { name } } }",
        )
        .await;
    assert_eq!(body["data"]["by"], json!({ "isOneOf": true }));
    assert_eq!(body["data"]["page"], json!({ "isOneOf": false }));
    assert_eq!(body["data"]["user"], json!({ "isOneOf": null }));
    let directives = body["data"]["__schema"]["directives"].to_string();
    assert!(directives.contains("\"oneOf\""), "{directives}");
}

#[test]
fn composition_carries_one_of_into_a_supergraph_the_gateway_loads() {
    use junction::compose::{compose, SubgraphInput};
    let link =
        r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])"#;
    let a = format!(
        "{link}\ndirective @oneOf on INPUT_OBJECT\ntype Query {{ user(by: UserBy!): User }}\ntype User @key(fields: \"id\") {{ id: ID! }}\ninput UserBy @oneOf {{ id: ID email: String }}"
    );
    let b = format!(
        "{link}\ntype Query {{ users(filter: UserBy, page: Page): [User] }}\ntype User @key(fields: \"id\") {{ id: ID! name: String }}\ninput UserBy {{ id: ID email: String }}\ninput Page {{ size: Int }}"
    );
    let inputs: Vec<SubgraphInput> = [("a", a), ("b", b)]
        .into_iter()
        .map(|(name, sdl)| SubgraphInput {
            name: name.to_string(),
            url: format!("http://{name}.example/graphql"),
            sdl,
        })
        .collect();
    let supergraph = compose(&inputs).unwrap();
    assert!(
        supergraph.contains("directive @oneOf on INPUT_OBJECT"),
        "{supergraph}"
    );
    // A definition's head: from its keyword to its opening brace.
    let head = |start: &str| {
        let from = supergraph.find(start).unwrap();
        let to = from + supergraph[from..].find('{').unwrap();
        supergraph[from..to].to_string()
    };
    assert!(head("input UserBy").contains("@oneOf"), "{supergraph}");
    assert!(!head("input Page").contains("@oneOf"), "{supergraph}");
    let loaded = junction::supergraph::Supergraph::parse(&supergraph).unwrap();
    let schema = &loaded.api_schema;
    let one_of = |name: &str| match schema.types.get(name) {
        Some(apollo_compiler::schema::ExtendedType::InputObject(o)) => o.directives.has("oneOf"),
        _ => panic!("{name} is not an input object"),
    };
    assert!(one_of("UserBy"));
    assert!(!one_of("Page"));
}
