//! Interfaces and unions whose shape differs between subgraphs, in the
//! shapes of the federation gateway audit: an object that implements an
//! interface in one subgraph only, an interface field that returns the
//! interface again (with a provided field), and one field name with
//! different nullability in two members of a union.
//!
//! Each subgraph knows its types (and, where it matters, its fields'
//! types) and rejects what a real server would reject.

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};

use crate::common::audit_helpers::check;
use crate::common::fixture_subgraph::{field_error, Federation, Subgraph};

/// In a, `Oven` implements nothing; in b it implements `Node` and
/// `WithWarranty`, and has the warranty.
const APPLIANCES: &str = r#"
interface Node @join__type(graph: A) @join__type(graph: B) {
  id: ID!
}

type Oven implements Node & WithWarranty
  @join__implements(graph: B, interface: "Node") @join__implements(graph: B, interface: "WithWarranty")
  @join__type(graph: A, key: "id") @join__type(graph: B, key: "id")
{
  id: ID!
  warranty: Int @join__field(graph: B)
}

union Product @join__type(graph: A) @join__unionMember(graph: A, member: "Oven") @join__unionMember(graph: A, member: "Toaster") = Oven | Toaster

type Query @join__type(graph: A) @join__type(graph: B) {
  products: [Product] @join__field(graph: A)
  node(id: ID!): Node @join__field(graph: A)
  nodes: [Node] @join__field(graph: A)
  toasters: [Toaster] @join__field(graph: A)
}

type Toaster implements Node & WithWarranty
  @join__implements(graph: A, interface: "Node") @join__implements(graph: A, interface: "WithWarranty")
  @join__type(graph: A, key: "id")
{
  id: ID!
  warranty: Int
}

interface WithWarranty @join__type(graph: A) @join__type(graph: B) {
  warranty: Int
}
"#;

/// What a's `node` answers for an oven, which is no `Node` there.
const OVEN_IS_NO_NODE: &str = "Runtime Object type \"Oven\" is not a possible type for \"Node\".";

fn appliances() -> Vec<Subgraph> {
    let oven = |id: &str| json!({ "__typename": "Oven", "id": id });
    let toaster = |id: &str, warranty: u32| json!({ "__typename": "Toaster", "id": id, "warranty": warranty });
    let toasters = json!([toaster("toaster1", 3), toaster("toaster2", 4)]);
    let products = json!([oven("oven1"), oven("oven2"), toasters[0], toasters[1]]);
    let (nodes, list, by_id) = (toasters.clone(), toasters, products.clone());
    let a = Subgraph::new("a")
        .possible_types("Product", &["Oven", "Toaster"])
        .possible_types("Node", &["Toaster"])
        .possible_types("WithWarranty", &["Toaster"])
        .root("Query.products", move |_| products.clone())
        .root("Query.nodes", move |_| nodes.clone())
        .root("Query.toasters", move |_| list.clone())
        .root("Query.node", move |args| {
            let found = by_id
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["id"] == args["id"]);
            match found {
                // Here an oven is no `Node`: it cannot be a value of `node`.
                Some(oven) if oven["__typename"] == "Oven" => field_error(OVEN_IS_NO_NODE),
                Some(toaster) => toaster.clone().into(),
                None => Value::Null.into(),
            }
        })
        .entity("Oven", move |rep| oven(rep["id"].as_str().unwrap()))
        .entity("Toaster", move |rep| match rep["id"].as_str() {
            Some("toaster1") => toaster("toaster1", 3),
            Some("toaster2") => toaster("toaster2", 4),
            _ => Value::Null,
        });
    let b = Subgraph::new("b")
        .possible_types("Node", &["Oven"])
        .possible_types("WithWarranty", &["Oven"])
        .entity("Oven", |rep| json!({ "id": rep["id"], "warranty": 1 }));
    vec![a, b]
}

/// audit: union-interface-distributed
#[tokio::test]
async fn interface_implemented_in_another_subgraph_is_matched_by_its_members() {
    let fed = Federation::start(APPLIANCES, appliances()).await;
    let toaster_ids = json!([{ "id": "toaster1" }, { "id": "toaster2" }]);
    let warranties = json!([{ "warranty": 3 }, { "warranty": 4 }]);
    let cases = [
        (
            "products_as_node",
            "{ products { ... on Node { id } } }",
            json!({ "products": [{ "id": "oven1" }, { "id": "oven2" }, { "id": "toaster1" }, { "id": "toaster2" }] }),
        ),
        (
            "nodes_as_toaster_or_oven",
            "{ nodes { ... on Toaster { warranty } ... on Oven { id } } }",
            json!({ "nodes": warranties }),
        ),
        (
            "nodes_id",
            "{ nodes { id } }",
            json!({ "nodes": toaster_ids }),
        ),
        (
            "nodes_as_node",
            "{ nodes { ... on Node { id } } }",
            json!({ "nodes": toaster_ids }),
        ),
        (
            "nodes_as_node_with_warranty",
            "{ nodes { ... on Node { ... on WithWarranty { warranty } } } }",
            json!({ "nodes": warranties }),
        ),
        (
            "nodes_nested_fragments",
            "{ nodes { ... on Node { id ... on Node { id ... on WithWarranty { warranty } } } } }",
            json!({ "nodes": [{ "id": "toaster1", "warranty": 3 }, { "id": "toaster2", "warranty": 4 }] }),
        ),
        (
            "toasters_named_fragments",
            "{ toasters { ...ToasterFragment ...NodeFragment } }
             fragment ToasterFragment on Toaster { id }
             fragment NodeFragment on Node { id __typename }",
            json!({ "toasters": [
                { "id": "toaster1", "__typename": "Toaster" },
                { "id": "toaster2", "__typename": "Toaster" },
            ] }),
        ),
        (
            "toaster_node",
            r#"{ node(id: "toaster1") { ... on Toaster { warranty } } }"#,
            json!({ "node": { "warranty": 3 } }),
        ),
    ];
    for (name, query, data) in cases {
        let name = format!("union_interface_distributed_{name}");
        check!(&fed, &name, query, json!({ "data": data })).await;
    }
}

/// audit: union-interface-distributed
#[tokio::test]
async fn node_that_its_subgraph_cannot_type_as_the_interface_is_null_with_an_error() {
    let fed = Federation::start(APPLIANCES, appliances()).await;
    let oven_is_no_node = json!({
        "errors": [{
            "message": OVEN_IS_NO_NODE,
            "path": ["node"],
        }],
        "data": { "node": null },
    });
    check!(
        &fed,
        "union_interface_distributed_oven_node_as_oven",
        r#"{ node(id: "oven1") { ... on Oven { warranty } } }"#,
        oven_is_no_node.clone(),
    )
    .await;
    check!(
        &fed,
        "union_interface_distributed_oven_node_as_toaster",
        r#"{ node(id: "oven1") { ... on Toaster { warranty } } }"#,
        oven_is_no_node,
    )
    .await;
}

/// a's `Product` interface returns itself from `samePriceProduct`, which
/// provides the price b owns.
const SAME_PRICE_BOOKS: &str = r#"
type Book implements Product @join__implements(graph: A, interface: "Product") @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  samePriceProduct: Book @join__field(graph: A, provides: "price")
  price: Float @join__field(graph: A, external: true) @join__field(graph: B)
}

interface Product @join__type(graph: A) {
  samePriceProduct: Product
}

type Query @join__type(graph: A) @join__type(graph: B) {
  product: Product @join__field(graph: A)
}
"#;

/// audit: circular-reference-interface
#[tokio::test]
async fn interface_field_returning_its_own_interface_nests_with_provided_fields() {
    let books = json!([
        { "__typename": "Book", "id": "1", "price": 10.99 },
        { "__typename": "Book", "id": "2", "price": 5.99 },
        { "__typename": "Book", "id": "3", "price": 10.99 },
    ]);
    let (first, same_price, by_id) = (books[0].clone(), books.clone(), books);
    let a = Subgraph::new("a")
        .possible_types("Product", &["Book"])
        .root("Query.product", move |_| first.clone())
        // Without a reference resolver: the representation itself.
        .entity("Book", |rep| rep.clone())
        .field("Book.samePriceProduct", move |book, _| {
            let books = same_price.as_array().unwrap().iter();
            let mut same = books.filter(|b| b["price"] == book["price"] && b["id"] != book["id"]);
            same.next().cloned().unwrap_or(Value::Null)
        });
    let b = Subgraph::new("b").entity("Book", move |rep| {
        let books = by_id.as_array().unwrap().iter();
        books
            .clone()
            .find(|b| b["id"] == rep["id"])
            .cloned()
            .unwrap_or(Value::Null)
    });
    let fed = Federation::start(SAME_PRICE_BOOKS, vec![a, b]).await;
    check!(
        &fed,
        "circular_reference_interface_nested",
        "{ product { samePriceProduct { ... on Product { samePriceProduct { __typename } } } } }",
        json!({ "data": { "product": { "samePriceProduct": { "samePriceProduct": { "__typename": "Book" } } } } }),
    )
    .await;
    check!(
        &fed,
        "circular_reference_interface_with_book_fields",
        "{ product {
            __typename
            samePriceProduct { __typename ... on Book { id } samePriceProduct { __typename ... on Book { id } } }
            ... on Book { __typename id price samePriceProduct { id price } }
        } }",
        json!({ "data": { "product": {
            "__typename": "Book",
            "samePriceProduct": {
                "__typename": "Book",
                "id": "3",
                "samePriceProduct": { "__typename": "Book", "id": "1" },
                "price": 10.99,
            },
            "id": "1",
            "price": 10.99,
        } } }),
    )
    .await;
}

/// a lists users (without a key); b has users (keyed, `id: ID!`) and
/// admins (`id: ID`) in a union, each with similar accounts.
const ACCOUNTS: &str = r#"
union Account @join__type(graph: B) @join__unionMember(graph: B, member: "User") @join__unionMember(graph: B, member: "Admin") = User | Admin

type Admin @join__type(graph: B) {
  id: ID
  name: String
  similarAccounts: [Account!]!
}

type Query @join__type(graph: A) @join__type(graph: B) {
  users: [User!]! @join__field(graph: A)
  accounts: [Account!]! @join__field(graph: B)
}

type User @join__type(graph: A) @join__type(graph: B, key: "id") {
  id: ID @join__field(graph: A, type: "ID") @join__field(graph: B, type: "ID!")
  name: String @join__field(graph: B)
  similarAccounts: [Account!]! @join__field(graph: B)
}
"#;

fn accounts() -> Vec<Subgraph> {
    let user = json!({ "__typename": "User", "id": "u1", "name": "u1-name" });
    let accounts = json!([user, { "__typename": "Admin", "id": "a1", "name": "a1-name" }]);
    let a = Subgraph::new("a").root(
        "Query.users",
        |_| json!([{ "__typename": "User", "id": "u1" }]),
    );
    let (list, of_user, of_admin) = (accounts.clone(), accounts.clone(), accounts);
    let b = Subgraph::new("b")
        .possible_types("Account", &["User", "Admin"])
        .root("Query.accounts", move |_| list.clone())
        .entity("User", move |rep| {
            if rep["id"] == "u1" {
                user.clone()
            } else {
                Value::Null
            }
        })
        .field("User.similarAccounts", move |_, _| of_user.clone())
        .field("Admin.similarAccounts", move |_, _| of_admin.clone());
    vec![a, b]
}

/// `... on User { <fields> } ... on Admin { <fields> }`, each with
/// `similarAccounts` of the same `depth` levels further down.
fn account_members(fields: &str, depth: usize) -> String {
    let similar = match depth {
        0 => String::new(),
        _ => format!(
            " similarAccounts {{ {} }}",
            account_members(fields, depth - 1)
        ),
    };
    format!("... on User {{ {fields}{similar} }} ... on Admin {{ {fields}{similar} }}")
}

/// The two accounts with their `name`, `id` when `with_id`, and `depth`
/// levels of similar accounts.
fn account_values(with_id: bool, depth: usize) -> Value {
    let account = |id: &str| {
        let mut account = json!({ "name": format!("{id}-name") });
        if with_id {
            account = json!({ "id": id, "name": format!("{id}-name") });
        }
        if depth > 0 {
            account["similarAccounts"] = account_values(with_id, depth - 1);
        }
        account
    };
    json!([account("u1"), account("a1")])
}

/// audit: child-type-mismatch
#[tokio::test]
async fn one_field_name_of_different_types_in_union_members_is_told_apart() {
    let fed = Federation::start(ACCOUNTS, accounts()).await;
    let users = json!([{ "id": "u1", "name": "u1-name" }]);
    for depth in 0..=2 {
        check!(
            &fed,
            &format!("child_type_mismatch_with_ids_depth_{depth}"),
            &format!(
                "{{ users {{ id name }} accounts {{ {} }} }}",
                account_members("id name", depth)
            ),
            json!({ "data": { "users": users, "accounts": account_values(true, depth) } }),
        )
        .await;
    }
    check!(
        &fed,
        "child_type_mismatch_names_depth_2",
        &format!("{{ accounts {{ {} }} }}", account_members("name", 2)),
        json!({ "data": { "accounts": account_values(false, 2) } }),
    )
    .await;
}
