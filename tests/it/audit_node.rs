//! `Node`-style interfaces in the shapes of the federation gateway audit:
//! an interface root field whose implementations get their fields from
//! another subgraph, and a shareable `node(id:)` root field served by two
//! subgraphs that each hold one implementation's `id` as `@external` (and
//! answer "never" for it).

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};

use crate::common::audit_helpers::check;
use crate::common::fixture_subgraph::{Federation, Subgraph};

/// node serves `Node`s; node_two knows them too; types owns their fields.
const NODES: &str = r#"
type Category implements Node
  @join__implements(graph: NODE, interface: "Node") @join__implements(graph: NODE_TWO, interface: "Node") @join__implements(graph: TYPES, interface: "Node")
  @join__type(graph: NODE, key: "id") @join__type(graph: NODE_TWO, key: "id") @join__type(graph: TYPES, key: "id")
{
  id: ID!
  name: String! @join__field(graph: TYPES)
}

interface Node @join__type(graph: NODE) @join__type(graph: NODE_TWO) @join__type(graph: TYPES) {
  id: ID!
}

type Product implements Node
  @join__implements(graph: NODE, interface: "Node") @join__implements(graph: NODE_TWO, interface: "Node") @join__implements(graph: TYPES, interface: "Node")
  @join__type(graph: NODE, key: "id") @join__type(graph: NODE_TWO, key: "id") @join__type(graph: TYPES, key: "id")
{
  id: ID!
  name: String! @join__field(graph: TYPES)
  price: Float! @join__field(graph: TYPES)
}

type Query @join__type(graph: NODE) @join__type(graph: NODE_TWO) @join__type(graph: TYPES) {
  productNode: Node @join__field(graph: NODE)
  categoryNode: Node @join__field(graph: NODE)
}
"#;

/// audit: node
#[tokio::test]
async fn interface_root_value_is_completed_by_the_subgraph_owning_its_fields() {
    let id_only = |rep: &Value| json!({ "id": rep["id"] });
    let node = Subgraph::new("node")
        .possible_types("Node", &["Product", "Category"])
        .root(
            "Query.productNode",
            |_| json!({ "__typename": "Product", "id": "p-1" }),
        )
        .root(
            "Query.categoryNode",
            |_| json!({ "__typename": "Category", "id": "pc-1" }),
        )
        .entity("Product", id_only)
        .entity("Category", id_only);
    let node_two = Subgraph::new("node_two")
        .possible_types("Node", &["Product", "Category"])
        .entity("Product", id_only)
        .entity("Category", id_only);
    let owner = Subgraph::new("types")
        .possible_types("Node", &["Product", "Category"])
        .entity("Product", |rep| match rep["id"].as_str() {
            Some("p-1") => json!({ "id": "p-1", "name": "Product 1", "price": 10 }),
            Some("p-2") => json!({ "id": "p-2", "name": "Product 2", "price": 20 }),
            _ => Value::Null,
        })
        .entity("Category", |rep| match rep["id"].as_str() {
            Some("pc-1") => json!({ "id": "pc-1", "name": "Category 1" }),
            Some("c-2") => json!({ "id": "c-2", "name": "Category 2" }),
            _ => Value::Null,
        });
    let fed = Federation::start(NODES, vec![node, node_two, owner]).await;
    check!(
        &fed,
        "node_product",
        "{ productNode { ... on Product { id name __typename price } } }",
        json!({ "data": { "productNode": { "id": "p-1", "name": "Product 1", "__typename": "Product", "price": 10 } } }),
    )
    .await;
}

/// Both subgraphs serve `node(id:)`; a owns accounts and holds the chat id
/// as `@external`, b owns chats and holds the account id as `@external`.
const ACCOUNTS_AND_CHATS: &str = r#"
type Account implements Node
  @join__implements(graph: A, interface: "Node") @join__implements(graph: B, interface: "Node")
  @join__type(graph: A, key: "id") @join__type(graph: B, key: "id")
{
  id: ID! @join__field(graph: A) @join__field(graph: B, external: true)
  username: String! @join__field(graph: A)
  chats: [Chat!]! @join__field(graph: B)
}

type Chat implements Node
  @join__implements(graph: A, interface: "Node") @join__implements(graph: B, interface: "Node")
  @join__type(graph: A, key: "id") @join__type(graph: B, key: "id")
{
  id: ID! @join__field(graph: A, external: true) @join__field(graph: B)
  account: Account! @join__field(graph: A)
  text: String! @join__field(graph: B)
}

interface Node @join__type(graph: A) @join__type(graph: B) {
  id: ID!
}

type Query @join__type(graph: A) @join__type(graph: B) {
  node(id: ID!): Node
  account(id: String!): Account @join__field(graph: A)
  chat(id: String!): Chat @join__field(graph: B)
}
"#;

fn accounts_and_chats() -> Vec<Subgraph> {
    let account = json!({ "__typename": "Account", "id": "a1", "username": "a1-username" });
    let chat = json!({ "__typename": "Chat", "id": "c1", "text": "c1-text" });
    let (a_node, a_root, a_entity, a_chat_account) =
        (account.clone(), account.clone(), account.clone(), account);
    let a = Subgraph::new("a")
        .possible_types("Node", &["Account", "Chat"])
        .root("Query.node", move |args| match args["id"].as_str() {
            Some("a1") => a_node.clone(),
            // The chat's id is external here: this subgraph cannot know it.
            Some("c1") => json!({ "__typename": "Chat", "id": "never", "accountId": "a1" }),
            _ => Value::Null,
        })
        .root("Query.account", move |args| {
            if args["id"] == "a1" {
                a_root.clone()
            } else {
                Value::Null
            }
        })
        .entity("Account", move |rep| {
            if rep["id"] == "a1" {
                a_entity.clone()
            } else {
                Value::Null
            }
        })
        .entity("Chat", |rep| {
            if rep["id"] == "c1" {
                json!({ "id": "c1", "accountId": "a1" })
            } else {
                Value::Null
            }
        })
        .field("Chat.account", move |_, _| a_chat_account.clone());
    let (b_node, b_root, b_entity, b_chats) = (chat.clone(), chat.clone(), chat.clone(), chat);
    let b = Subgraph::new("b")
        .possible_types("Node", &["Account", "Chat"])
        .root("Query.node", move |args| match args["id"].as_str() {
            // The account's id is external here: this subgraph cannot know it.
            Some("a1") => json!({ "__typename": "Account", "id": "never", "chatIds": ["c1"] }),
            Some("c1") => b_node.clone(),
            _ => Value::Null,
        })
        .root("Query.chat", move |args| {
            if args["id"] == "c1" {
                b_root.clone()
            } else {
                Value::Null
            }
        })
        .entity("Chat", move |rep| {
            if rep["id"] == "c1" {
                b_entity.clone()
            } else {
                Value::Null
            }
        })
        .entity("Account", |rep| {
            if rep["id"] == "a1" {
                json!({ "id": "a1", "chatIds": ["c1"] })
            } else {
                Value::Null
            }
        })
        .field("Account.chats", move |_, _| json!([b_chats]));
    vec![a, b]
}

/// audit: corrupted-supergraph-node-id
#[tokio::test]
async fn shared_node_field_answers_each_implementations_fields_from_its_owner() {
    let fed = Federation::start(ACCOUNTS_AND_CHATS, accounts_and_chats()).await;
    let cases = [
        (
            "typenames",
            r#"{ account: node(id: "a1") { __typename } chat: node(id: "c1") { __typename } }"#,
            json!({ "account": { "__typename": "Account" }, "chat": { "__typename": "Chat" } }),
        ),
        (
            "own_fields",
            r#"{ account: node(id: "a1") { ... on Account { id username } } chat: node(id: "c1") { ... on Chat { id text } } }"#,
            json!({ "account": { "id": "a1", "username": "a1-username" }, "chat": { "id": "c1", "text": "c1-text" } }),
        ),
        (
            "other_types_fields",
            r#"{ account: node(id: "a1") { ... on Chat { id } } chat: node(id: "c1") { ... on Account { id } } }"#,
            json!({ "account": {}, "chat": {} }),
        ),
        (
            "typenames_and_other_types_fields",
            r#"{ account: node(id: "a1") { __typename ... on Chat { id } } chat: node(id: "c1") { __typename ... on Account { id } } }"#,
            json!({ "account": { "__typename": "Account" }, "chat": { "__typename": "Chat" } }),
        ),
        (
            "chat_id",
            r#"{ chat(id: "c1") { id } }"#,
            json!({ "chat": { "id": "c1" } }),
        ),
        (
            "account_id",
            r#"{ account(id: "a1") { id } }"#,
            json!({ "account": { "id": "a1" } }),
        ),
        (
            "chat_with_account",
            r#"{ chat(id: "c1") { id text account { id } } }"#,
            json!({ "chat": { "id": "c1", "text": "c1-text", "account": { "id": "a1" } } }),
        ),
        (
            "account_with_chats",
            r#"{ account(id: "a1") { id username chats { id } } }"#,
            json!({ "account": { "id": "a1", "username": "a1-username", "chats": [{ "id": "c1" }] } }),
        ),
    ];
    for (name, query, data) in cases {
        let name = format!("corrupted_supergraph_node_id_{name}");
        check!(&fed, &name, query, json!({ "data": data })).await;
    }
}

/// audit: corrupted-supergraph-node-id
#[tokio::test]
async fn interface_id_that_no_subgraph_can_answer_for_every_implementation_is_an_error() {
    let fed = Federation::start(ACCOUNTS_AND_CHATS, accounts_and_chats()).await;
    let planning_failed = |field: &str, from: &str| {
        json!({ "errors": [{
            "message": format!("no subgraph can resolve field \"{field}\": reaching it from subgraph '{from}' would come back to the same subgraph for the same selection (a cycle)"),
            "extensions": { "code": "QUERY_PLANNING_FAILED" },
        }] })
    };
    check!(
        &fed,
        "corrupted_supergraph_node_id_id",
        r#"{ node(id: "a1") { id } }"#,
        planning_failed("Chat.id", "a"),
    )
    .await;
    check!(
        &fed,
        "corrupted_supergraph_node_id_id_and_other_types_id",
        r#"{ account: node(id: "a1") { id ... on Chat { id } } chat: node(id: "c1") { __typename ... on Account { id } } }"#,
        planning_failed("Account.id", "b"),
    )
    .await;
}
