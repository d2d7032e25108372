//! Abstract types across subgraphs (interfaces, unions, `@interfaceObject`),
//! what `@inaccessible` hides from clients, and the operation features that
//! reshape a selection: fragments, aliases, `@skip`/`@include`.

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};

use crate::common::fixture_subgraph::{Federation, Subgraph};

/// catalog lists items; books and movies own their types' fields; the
/// `Result` union has different members in catalog and movies.
const MEDIA: &str = r#"
type Query @join__type(graph: BOOKS) @join__type(graph: CATALOG) @join__type(graph: MOVIES) {
  catalog: [Item] @join__field(graph: CATALOG)
  search(term: String!): [Result] @join__field(graph: CATALOG)
  credits: [Result] @join__field(graph: MOVIES)
  shelf(format: Format!): [Book] @join__field(graph: BOOKS)
}

interface Item @join__type(graph: BOOKS) @join__type(graph: CATALOG) @join__type(graph: MOVIES) {
  id: ID!
  title: String @join__field(graph: BOOKS) @join__field(graph: MOVIES)
}

type Book implements Item
  @join__implements(graph: BOOKS, interface: "Item")
  @join__implements(graph: CATALOG, interface: "Item")
  @join__type(graph: BOOKS, key: "id")
  @join__type(graph: CATALOG, key: "id")
{
  id: ID!
  title: String @join__field(graph: BOOKS)
  pages: Int @join__field(graph: BOOKS)
  excerpt(length: Int!): String @join__field(graph: BOOKS)
  format: Format @join__field(graph: BOOKS)
  isbn: String @inaccessible @join__field(graph: BOOKS)
}

type Draft implements Item
  @inaccessible
  @join__implements(graph: BOOKS, interface: "Item")
  @join__type(graph: BOOKS, key: "id")
{
  id: ID!
  title: String
}

type Movie implements Item
  @join__implements(graph: CATALOG, interface: "Item")
  @join__implements(graph: MOVIES, interface: "Item")
  @join__type(graph: CATALOG, key: "id")
  @join__type(graph: MOVIES, key: "id")
{
  id: ID!
  title: String @join__field(graph: MOVIES)
  minutes: Int @join__field(graph: MOVIES)
}

type Person @join__type(graph: MOVIES) {
  name: String
}

union Result
  @join__type(graph: CATALOG)
  @join__type(graph: MOVIES)
  @join__unionMember(graph: CATALOG, member: "Book")
  @join__unionMember(graph: CATALOG, member: "Movie")
  @join__unionMember(graph: MOVIES, member: "Movie")
  @join__unionMember(graph: MOVIES, member: "Person")
 = Book | Movie | Person

enum Format @join__type(graph: BOOKS) {
  HARDCOVER @join__enumValue(graph: BOOKS)
  PAPERBACK @join__enumValue(graph: BOOKS)
  MANUSCRIPT @inaccessible @join__enumValue(graph: BOOKS)
}
"#;

fn media() -> Vec<Subgraph> {
    let book = |id: &str| json!({ "__typename": "Book", "id": id });
    let movie = |id: &str| json!({ "__typename": "Movie", "id": id });
    let catalog = Subgraph::new("catalog")
        .root("Query.catalog", move |_| {
            json!([book("b1"), movie("m1"), book("b2")])
        })
        .root("Query.search", move |args| match args["term"].as_str() {
            Some("dune") => json!([book("b1"), movie("m1")]),
            _ => json!([book("b2")]),
        });
    let books = Subgraph::new("books")
        .root("Query.shelf", |_| json!([{ "__typename": "Book", "id": "b1" }]))
        .entity("Book", |rep| match rep["id"].as_str() {
            Some("b1") => json!({ "id": "b1", "title": "Dune", "pages": 412, "format": "PAPERBACK", "text": "A beginning is a very delicate time." }),
            Some("b2") => json!({ "id": "b2", "title": "Emma", "pages": 474, "format": "HARDCOVER", "text": "Emma Woodhouse, handsome, clever, and rich" }),
            _ => Value::Null,
        })
        .field("Book.excerpt", |book, args| {
            let length = args["length"].as_u64().unwrap() as usize;
            json!(book["text"].as_str().unwrap()[..length])
        });
    let dune = json!({ "__typename": "Movie", "id": "m1", "title": "Dune", "minutes": 155 });
    let credits = json!([dune, { "__typename": "Person", "name": "Denis Villeneuve" }]);
    let movies = Subgraph::new("movies")
        .root("Query.credits", move |_| credits.clone())
        .entity("Movie", move |rep| {
            if rep["id"] == "m1" {
                dune.clone()
            } else {
                Value::Null
            }
        });
    vec![books, catalog, movies]
}

#[tokio::test]
async fn interface_fields_come_from_the_subgraph_of_each_implementation() {
    let fed = Federation::start(MEDIA, media()).await;
    let query =
        "{ catalog { __typename id title ... on Book { pages } ... on Movie { minutes } } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "catalog": [
            { "__typename": "Book", "id": "b1", "title": "Dune", "pages": 412 },
            { "__typename": "Movie", "id": "m1", "title": "Dune", "minutes": 155 },
            { "__typename": "Book", "id": "b2", "title": "Emma", "pages": 474 },
        ] } }),
        "{}",
        fed.plan(query)
    );
    assert_eq!(
        fed.server.requests("books")[0].representations(),
        vec![
            json!({ "__typename": "Book", "id": "b1" }),
            json!({ "__typename": "Book", "id": "b2" })
        ]
    );
    assert_eq!(
        fed.server.requests("movies")[0].representations(),
        vec![json!({ "__typename": "Movie", "id": "m1" })]
    );
}

#[tokio::test]
async fn union_members_are_completed_by_their_own_subgraphs() {
    let fed = Federation::start(MEDIA, media()).await;
    let query = r#"{ search(term: "dune") { __typename ... on Book { title pages } ... on Movie { title minutes } ... on Person { name } } }"#;
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "search": [
            { "__typename": "Book", "title": "Dune", "pages": 412 },
            { "__typename": "Movie", "title": "Dune", "minutes": 155 },
        ] } }),
        "{}",
        fed.plan(query)
    );
    let catalog = fed.server.requests("catalog");
    assert!(
        !catalog[0].query.contains("Person"),
        "Person is no member of Result in catalog: {}",
        catalog[0].query
    );
}

#[tokio::test]
async fn union_member_known_to_one_subgraph_only_is_answered_there() {
    let fed = Federation::start(MEDIA, media()).await;
    let query = "{ credits { __typename ... on Movie { title } ... on Person { name } } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "credits": [
            { "__typename": "Movie", "title": "Dune" },
            { "__typename": "Person", "name": "Denis Villeneuve" },
        ] } }),
        "{}",
        fed.plan(query)
    );
    assert_eq!(fed.server.requests("catalog"), vec![]);
}

#[tokio::test]
async fn named_and_inline_fragments_nest_across_subgraph_boundaries() {
    let fed = Federation::start(MEDIA, media()).await;
    let query = r#"
        query { catalog { ...ItemParts } }
        fragment ItemParts on Item { id ... on Book { ...BookParts } ... { title } }
        fragment BookParts on Book { pages ... on Item { __typename } }
    "#;
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "catalog": [
            { "id": "b1", "pages": 412, "__typename": "Book", "title": "Dune" },
            { "id": "m1", "title": "Dune" },
            { "id": "b2", "pages": 474, "__typename": "Book", "title": "Emma" },
        ] } }),
        "{}",
        fed.plan(query)
    );
}

#[tokio::test]
async fn aliases_of_one_field_with_different_arguments_keep_their_own_values() {
    let fed = Federation::start(MEDIA, media()).await;
    let query = r#"{
        dune: search(term: "dune") { ... on Book { short: excerpt(length: 11) long: excerpt(length: 22) name: title } }
        other: search(term: "emma") { ... on Book { short: excerpt(length: 4) } }
    }"#;
    assert_eq!(
        fed.query(query).await,
        json!({ "data": {
            "dune": [{ "short": "A beginning", "long": "A beginning is a very ", "name": "Dune" }, {}],
            "other": [{ "short": "Emma" }],
        } }),
        "{}",
        fed.plan(query)
    );
}

#[tokio::test]
async fn skip_and_include_follow_variables_and_their_defaults() {
    let fed = Federation::start(MEDIA, media()).await;
    let query = "query ($withPages: Boolean = false, $noTitle: Boolean!) {
        catalog { id title @skip(if: $noTitle) ... on Book @include(if: $withPages) { pages } }
    }";
    assert_eq!(
        fed.query_with(query, json!({ "noTitle": true })).await,
        json!({ "data": { "catalog": [{ "id": "b1" }, { "id": "m1" }, { "id": "b2" }] } }),
        "{}",
        fed.plan(query)
    );
    assert_eq!(
        fed.server.requests("books"),
        vec![],
        "nothing was needed from books"
    );
    assert_eq!(
        fed.query_with(query, json!({ "noTitle": false, "withPages": true }))
            .await,
        json!({ "data": { "catalog": [
            { "id": "b1", "title": "Dune", "pages": 412 },
            { "id": "m1", "title": "Dune" },
            { "id": "b2", "title": "Emma", "pages": 474 },
        ] } })
    );
}

fn validation_error(message: &str, line: u64, column: u64) -> Value {
    json!({ "errors": [{
        "message": message,
        "locations": [{ "line": line, "column": column }],
        "extensions": { "code": "GRAPHQL_VALIDATION_FAILED" },
    }] })
}

#[tokio::test]
async fn inaccessible_field_is_not_part_of_the_api() {
    let fed = Federation::start(MEDIA, media()).await;
    assert_eq!(
        fed.query("{ catalog { ... on Book { isbn } } }").await,
        validation_error("type `Book` does not have a field `isbn`", 1, 27)
    );
}

#[tokio::test]
async fn inaccessible_type_is_not_part_of_the_api() {
    let fed = Federation::start(MEDIA, media()).await;
    assert_eq!(
        fed.query("{ catalog { id ... on Draft { title } } }").await,
        validation_error(
            "type condition `Draft` of inline fragment is not a type defined in the schema",
            1,
            23
        )
    );
}

#[tokio::test]
async fn inaccessible_enum_value_is_not_part_of_the_api() {
    let fed = Federation::start(MEDIA, media()).await;
    assert_eq!(
        fed.query("{ shelf(format: MANUSCRIPT) { id } }").await,
        validation_error("value `MANUSCRIPT` does not exist on `Format`", 1, 17)
    );
}

/// identity owns the account types; billing adds `plan` to every account
/// through an `@interfaceObject` without knowing the concrete types.
const ACCOUNTS: &str = r#"
type Query @join__type(graph: BILLING) @join__type(graph: IDENTITY) {
  accounts: [Account] @join__field(graph: IDENTITY)
  overdue: [Account] @join__field(graph: BILLING)
}

interface Account @join__type(graph: BILLING, key: "id", isInterfaceObject: true) @join__type(graph: IDENTITY, key: "id") {
  id: ID!
  email: String @join__field(graph: IDENTITY)
  plan: String @join__field(graph: BILLING)
}

type Person implements Account @join__implements(graph: IDENTITY, interface: "Account") @join__type(graph: IDENTITY, key: "id") {
  id: ID!
  email: String
  plan: String @join__field
}

type Company implements Account @join__implements(graph: IDENTITY, interface: "Account") @join__type(graph: IDENTITY, key: "id") {
  id: ID!
  email: String
  taxId: String
  plan: String @join__field
}
"#;

fn identity_and_billing() -> Vec<Subgraph> {
    let accounts = json!([
        { "__typename": "Person", "id": "a1", "email": "ada@example.com" },
        { "__typename": "Company", "id": "a2", "email": "billing@acme.test", "taxId": "DE123" },
    ]);
    let table = accounts.clone();
    let identity = Subgraph::new("identity")
        .possible_types("Account", &["Person", "Company"])
        .root("Query.accounts", move |_| accounts.clone())
        .entity("Account", move |rep| {
            table
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["id"] == rep["id"])
                .cloned()
                .unwrap_or(Value::Null)
        });
    let billing = Subgraph::new("billing")
        .root(
            "Query.overdue",
            |_| json!([{ "__typename": "Account", "id": "a2", "plan": "enterprise" }]),
        )
        .entity("Account", |rep| {
            let plan = if rep["id"] == "a1" {
                "free"
            } else {
                "enterprise"
            };
            json!({ "__typename": "Account", "id": rep["id"], "plan": plan })
        });
    vec![billing, identity]
}

#[tokio::test]
async fn interface_object_field_is_added_to_every_implementation() {
    let fed = Federation::start(ACCOUNTS, identity_and_billing()).await;
    let query = "{ accounts { __typename id email plan } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "accounts": [
            { "__typename": "Person", "id": "a1", "email": "ada@example.com", "plan": "free" },
            { "__typename": "Company", "id": "a2", "email": "billing@acme.test", "plan": "enterprise" },
        ] } }),
        "{}",
        fed.plan(query)
    );
    assert_eq!(
        fed.server.requests("billing")[0].representations(),
        vec![
            json!({ "__typename": "Account", "id": "a1" }),
            json!({ "__typename": "Account", "id": "a2" })
        ]
    );
}

#[tokio::test]
async fn interface_object_from_its_own_subgraph_resolves_the_concrete_type() {
    let fed = Federation::start(ACCOUNTS, identity_and_billing()).await;
    let query = "{ overdue { __typename plan ... on Company { taxId } } }";
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "overdue": [{ "__typename": "Company", "plan": "enterprise", "taxId": "DE123" }] } }),
        "{}",
        fed.plan(query)
    );
    assert_eq!(
        fed.server.requests("identity")[0].representations(),
        vec![json!({ "__typename": "Account", "id": "a2" })]
    );
}
