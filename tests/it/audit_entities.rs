//! Entity calls in the shapes of the federation gateway audit: a key owned
//! by another subgraph, nested and list-valued compound keys across four
//! subgraphs, going back to a parent entity for a field of a keyless value
//! type, mixes of resolvable and unresolvable keys, and an entity that one
//! subgraph in the middle of a key chain does not know.

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};

use crate::common::audit_helpers::{check, row};
use crate::common::fixture_subgraph::{field_error, Federation, Resolved, Subgraph};

/// email owns users by id; nickname knows them by email only.
const USERS_BY_EMAIL: &str = r#"
type Query @join__type(graph: EMAIL) @join__type(graph: NICKNAME) {
  user: User @join__field(graph: EMAIL)
}

type User @join__type(graph: EMAIL, key: "id") @join__type(graph: NICKNAME, key: "email") {
  id: ID! @join__field(graph: EMAIL)
  email: String! @join__field(graph: EMAIL) @join__field(graph: NICKNAME, external: true)
  nickname: String! @join__field(graph: NICKNAME)
}
"#;

/// audit: simple-entity-call
#[tokio::test]
async fn entity_is_entered_by_a_key_field_of_another_subgraph() {
    let users = json!([
        { "__typename": "User", "id": "1", "email": "user1@gmail.com", "nickname": "user1" },
        { "__typename": "User", "id": "2", "email": "user2@gmail.com", "nickname": "user2" },
    ]);
    let (first, by_id, by_email) = (users[0].clone(), users.clone(), users);
    let email = Subgraph::new("email")
        .root(
            "Query.user",
            move |_| json!({ "__typename": "User", "id": first["id"], "email": first["email"] }),
        )
        .entity("User", move |rep| row(&by_id, "id", &rep["id"]));
    let nickname = Subgraph::new("nickname").entity(
        "User",
        move |rep| json!({ "nickname": row(&by_email, "email", &rep["email"])["nickname"] }),
    );
    let fed = Federation::start(USERS_BY_EMAIL, vec![email, nickname]).await;
    check!(
        &fed,
        "simple_entity_call",
        "{ user { id nickname } }",
        json!({ "data": { "user": { "id": "1", "nickname": "user1" } } }),
    )
    .await;
}

/// products lists a `ProductList` keyed by its products' ids; list and
/// price know lists and products by larger keys (price's include each
/// product's category and the selected product); link adds `pid`.
const PRODUCT_LISTS: &str = r#"
type Category @join__type(graph: PRICE, key: "id tag") @join__type(graph: PRODUCTS, key: "id") {
  id: String!
  tag: String
  mainProduct: Product! @join__field(graph: PRODUCTS)
}

type Price @join__type(graph: PRICE) {
  price: Float!
}

type Product
  @join__type(graph: LINK, key: "id")
  @join__type(graph: LINK, key: "id pid")
  @join__type(graph: LIST, key: "id pid")
  @join__type(graph: PRICE, key: "id pid category{id tag}")
  @join__type(graph: PRODUCTS, key: "id", extension: true)
{
  id: String!
  pid: String @join__field(graph: LINK, type: "String!") @join__field(graph: LIST, type: "String") @join__field(graph: PRICE, type: "String")
  price: Price @join__field(graph: PRICE)
  category: Category @join__field(graph: PRICE) @join__field(graph: PRODUCTS)
}

type ProductList
  @join__type(graph: LIST, key: "products{id pid}")
  @join__type(graph: PRICE, key: "products{id pid category{id tag}} selected{id}")
  @join__type(graph: PRODUCTS, key: "products{id}")
{
  products: [Product!]!
  first: Product @join__field(graph: LIST) @join__field(graph: PRICE)
  selected: Product @join__field(graph: LIST) @join__field(graph: PRICE)
}

type Query @join__type(graph: LINK) @join__type(graph: LIST) @join__type(graph: PRICE) @join__type(graph: PRODUCTS) {
  topProducts: ProductList! @join__field(graph: PRODUCTS)
}
"#;

fn product_lists() -> Vec<Subgraph> {
    let products = json!([
        { "__typename": "Product", "id": "1", "pid": "p1", "categoryId": "c1", "price": 100 },
        { "__typename": "Product", "id": "2", "pid": "p2", "categoryId": "c2", "price": 200 },
    ]);
    let categories = json!([
        { "__typename": "Category", "id": "c1", "tag": "t1", "mainProduct": "1" },
        { "__typename": "Category", "id": "c2", "tag": "t2", "mainProduct": "2" },
    ]);
    let all = |table: &Value| table.as_array().unwrap().clone();
    // The products a list key names: each key's fields must all match.
    let (p, c) = (products.clone(), categories.clone());
    let keyed = move |keys: &Value| -> Vec<Value> {
        let keys = keys.as_array().unwrap();
        let matches = |product: &Value, key: &Value| {
            let category = row(&c, "id", &product["categoryId"]);
            key["id"] == product["id"]
                && key.get("pid").is_none_or(|pid| *pid == product["pid"])
                && key
                    .get("category")
                    .is_none_or(|k| k["id"] == category["id"] && k["tag"] == category["tag"])
        };
        all(&p)
            .into_iter()
            .filter(|p| keys.iter().any(|k| matches(p, k)))
            .collect()
    };
    let category_of = {
        let c = categories.clone();
        move |product: &Value, _: &_| row(&c, "id", &product["categoryId"])
    };

    let (p, c) = (products.clone(), categories.clone());
    let (by_id, main) = (products.clone(), products.clone());
    let list_of = keyed.clone();
    let products_subgraph = Subgraph::new("products")
        .root(
            "Query.topProducts",
            move |_| json!({ "__typename": "ProductList", "products": p }),
        )
        .entity(
            "ProductList",
            move |rep| json!({ "products": list_of(&rep["products"]) }),
        )
        .entity("Product", move |rep| row(&by_id, "id", &rep["id"]))
        .entity("Category", move |rep| row(&c, "id", &rep["id"]))
        .field("Product.category", category_of.clone())
        .field("Category.mainProduct", move |category, _| {
            row(&main, "id", &category["mainProduct"])
        });

    let list_of = keyed.clone();
    let list_product = keyed.clone();
    let list = Subgraph::new("list")
        .entity("ProductList", move |rep| {
            let products = list_of(&rep["products"]);
            json!({ "products": products, "first": products.first(), "selected": products.get(1) })
        })
        .entity("Product", move |rep| {
            list_product(&json!([rep])).pop().unwrap_or(Value::Null)
        });

    let (list_of, price_product) = (keyed.clone(), keyed);
    let (c, selected) = (categories, products.clone());
    let price = Subgraph::new("price")
        .entity("ProductList", move |rep| {
            let products = list_of(&rep["products"]);
            let selected = row(&selected, "id", &rep["selected"]["id"]);
            json!({ "products": products, "first": products.first(), "selected": selected })
        })
        .entity("Product", move |rep| {
            price_product(&json!([rep])).pop().unwrap_or(Value::Null)
        })
        .entity("Category", move |rep| row(&c, "id", &rep["id"]))
        .field(
            "Product.price",
            |product, _| json!({ "__typename": "Price", "price": product["price"] }),
        )
        .field("Product.category", category_of);

    let link = Subgraph::new("link").entity("Product", move |rep| {
        let product = row(&products, "id", &rep["id"]);
        match rep.get("pid") {
            Some(pid) if *pid != product["pid"] => Value::Null,
            _ => product,
        }
    });
    vec![link, list, price, products_subgraph]
}

/// audit: complex-entity-call
#[tokio::test]
async fn nested_list_keys_are_built_from_several_subgraphs_before_the_entity_call() {
    let fed = Federation::start(PRODUCT_LISTS, product_lists()).await;
    let product = |id: &str, pid: &str, price: u32, category: &str, tag: &str| {
        json!({ "id": id, "pid": pid, "price": { "price": price },
                "category": { "mainProduct": { "id": id }, "id": category, "tag": tag } })
    };
    check!(
        &fed,
        "complex_entity_call",
        "{ topProducts {
             products { id pid price { price } category { mainProduct { id } id tag } }
             selected { id }
             first { id }
           } }",
        json!({ "data": { "topProducts": {
            "products": [product("1", "p1", 100, "c1", "t1"), product("2", "p2", 200, "c2", "t2")],
            "selected": { "id": "2" },
            "first": { "id": "1" },
        } } }),
    )
    .await;
}

/// a lists products and names categories; c adds `details` to a category
/// but has no key for it, so it is reached through `Product.category` of c.
const CATEGORY_DETAILS: &str = r#"
type Category @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") @join__type(graph: C) {
  id: ID! @join__field(graph: A) @join__field(graph: B)
  name: String! @join__field(graph: A) @join__field(graph: B)
  details: CategoryDetails @join__field(graph: C)
}

type CategoryDetails @join__type(graph: C) {
  products: Int
}

type Product
  @join__type(graph: A, key: "id") @join__type(graph: A, key: "id pid")
  @join__type(graph: B, key: "id pid") @join__type(graph: C, key: "id pid")
{
  id: ID!
  pid: ID!
  category: Category
}

type Query @join__type(graph: A) @join__type(graph: B) @join__type(graph: C) {
  products: [Product!]! @join__field(graph: A)
}
"#;

fn category_details() -> Vec<Subgraph> {
    let products = json!([
        { "__typename": "Product", "id": "p1", "pid": "p1-pid", "categoryId": "c1" },
        { "__typename": "Product", "id": "p2", "pid": "p2-pid", "categoryId": "c2" },
        { "__typename": "Product", "id": "p3", "pid": "p3-pid", "categoryId": "c1" },
    ]);
    let categories = json!([
        { "__typename": "Category", "id": "c1", "name": "c1-name",
          "details": { "__typename": "CategoryDetails", "products": 2 } },
        { "__typename": "Category", "id": "c2", "name": "c2-name",
          "details": { "__typename": "CategoryDetails", "products": 1 } },
    ]);
    // A product by `id` and, when the key has it, `pid`.
    let by_key = |products: Value| {
        move |rep: &Value| {
            let product = row(&products, "id", &rep["id"]);
            match rep.get("pid") {
                Some(pid) if *pid != product["pid"] => Value::Null,
                _ => product,
            }
        }
    };
    // `Product.category` of a and b: the category's id and name.
    let named = |categories: Value| {
        move |product: &Value, _: &_| {
            let category = row(&categories, "id", &product["categoryId"]);
            json!({ "__typename": "Category", "id": category["id"], "name": category["name"] })
        }
    };
    let (list, c_categories) = (products.clone(), categories.clone());
    let a = Subgraph::new("a")
        .root("Query.products", move |_| list.clone())
        .entity("Product", by_key(products.clone()))
        .entity("Category", {
            let categories = categories.clone();
            move |rep| row(&categories, "id", &rep["id"])
        })
        .field("Product.category", named(categories.clone()));
    let b = Subgraph::new("b")
        .entity("Product", by_key(products.clone()))
        .entity("Category", {
            let categories = categories.clone();
            move |rep| row(&categories, "id", &rep["id"])
        })
        .field("Product.category", named(categories));
    let c = Subgraph::new("c")
        .entity("Product", by_key(products))
        .field("Product.category", move |product, _| {
            let category = row(&c_categories, "id", &product["categoryId"]);
            json!({ "__typename": "Category", "details": category["details"] })
        });
    vec![a, b, c]
}

/// audit: parent-entity-call
#[tokio::test]
async fn field_of_a_keyless_type_is_fetched_through_its_parent_entity() {
    let fed = Federation::start(CATEGORY_DETAILS, category_details()).await;
    let product = |id: &str, category: &str, count: u32| json!({ "id": id, "category": { "id": category, "details": { "products": count } } });
    check!(
        &fed,
        "parent_entity_call",
        "{ products { id category { id details { products } } } }",
        json!({ "data": { "products": [
            product("p1", "c1", 2),
            product("p2", "c2", 1),
            product("p3", "c1", 2),
        ] } }),
    )
    .await;
}

/// d serves products; a and b each know a part of a product's keyless
/// category (a its details, b its id); c names categories by id.
const PRODUCT_CATEGORY_PARTS: &str = r#"
type Category @join__type(graph: A) @join__type(graph: B) @join__type(graph: C, key: "id") {
  details: String @join__field(graph: A)
  id: ID @join__field(graph: B) @join__field(graph: C)
  name: String @join__field(graph: C)
}

type Product @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") @join__type(graph: D, key: "id") {
  id: ID @join__field(graph: A, external: true) @join__field(graph: B, external: true) @join__field(graph: D)
  category: Category @join__field(graph: A) @join__field(graph: B)
  name: String @join__field(graph: D)
}

type Query @join__type(graph: A) @join__type(graph: B) @join__type(graph: C) @join__type(graph: D) {
  productFromD(id: ID!): Product @join__field(graph: D)
}
"#;

/// audit: parent-entity-call-complex
#[tokio::test]
async fn keyless_value_type_is_completed_from_two_parents_and_its_own_key() {
    let product = |id: &Value| json!({ "__typename": "Product", "id": id, "name": format!("Product#{}", id.as_str().unwrap()) });
    let d = Subgraph::new("d")
        .root("Query.productFromD", move |args| product(&args["id"]))
        .entity("Product", move |rep| product(&rep["id"]));
    let a = Subgraph::new("a").entity("Product", |rep| {
        let details = format!("Details for Product#{}", rep["id"].as_str().unwrap());
        json!({ "id": rep["id"], "category": { "__typename": "Category", "details": details } })
    });
    let b = Subgraph::new("b").entity(
        "Product",
        |rep| json!({ "id": rep["id"], "category": { "__typename": "Category", "id": "3" } }),
    );
    let c = Subgraph::new("c").entity("Category", |rep| {
        json!({ "id": rep["id"], "name": format!("Category#{}", rep["id"].as_str().unwrap()) })
    });
    let fed = Federation::start(PRODUCT_CATEGORY_PARTS, vec![a, b, c, d]).await;
    check!(
        &fed,
        "parent_entity_call_complex",
        r#"{ productFromD(id: "1") { id name category { id name details } } }"#,
        json!({ "data": { "productFromD": {
            "id": "1",
            "name": "Product#1",
            "category": { "id": "3", "name": "Category#3", "details": "Details for Product#1" },
        } } }),
    )
    .await;
}

/// Four keys on `A` in each subgraph, most unresolvable: a resolves `A` by
/// `id`, b by `id compositeId { two three }`, and b's `nameInB` requires a's
/// `name`.
const KEYS_MASHUP: &str = r#"
type A
  @join__type(graph: A, key: "id", resolvable: true)
  @join__type(graph: A, key: "pId", resolvable: false)
  @join__type(graph: A, key: "compositeId { one two }", resolvable: false)
  @join__type(graph: A, key: "id compositeId { two three }", resolvable: false)
  @join__type(graph: B, key: "compositeId { one two }", resolvable: false)
  @join__type(graph: B, key: "id compositeId { two three }", resolvable: true)
  @join__type(graph: B, key: "pId", resolvable: false)
  @join__type(graph: B, key: "id", resolvable: false)
{
  id: ID!
  pId: ID!
  compositeId: CompositeID!
  name: String! @join__field(graph: A) @join__field(graph: B, external: true)
  nameInB: String! @join__field(graph: B, requires: "name")
}

type B @join__type(graph: B, key: "id") {
  id: ID!
  a: [A!]!
}

type CompositeID @join__type(graph: A) @join__type(graph: B) {
  one: ID!
  two: ID!
  three: ID!
}

type Query @join__type(graph: A) @join__type(graph: B) {
  b: B @join__field(graph: B)
}
"#;

/// audit: keys-mashup
#[tokio::test]
async fn only_resolvable_keys_are_used_among_many_declared_ones() {
    let composite = |id: &str| {
        json!({ "__typename": "CompositeID", "one": format!("a.{id}.compositeId.one"),
                "two": format!("a.{id}.compositeId.two"), "three": format!("a.{id}.compositeId.three") })
    };
    let a_one =
        json!({ "__typename": "A", "id": "1", "pId": "a.1.pId", "compositeId": composite("1") });
    let (in_b, rep_a) = (a_one.clone(), a_one.clone());
    let a = Subgraph::new("a").entity("A", move |rep| {
        let mut a = a_one.clone();
        a["name"] = json!("a.1");
        if rep["id"] == "1" {
            a
        } else {
            Value::Null
        }
    });
    let b = Subgraph::new("b")
        .root(
            "Query.b",
            move |_| json!({ "__typename": "B", "id": "100", "a": [in_b] }),
        )
        .entity("A", move |rep| {
            let mut a = rep_a.clone();
            let key_sent = rep["compositeId"]["two"] == a["compositeId"]["two"]
                && rep["compositeId"]["three"] == a["compositeId"]["three"];
            if rep["id"] != "1" || !key_sent {
                return field_error("no A with this key");
            }
            a["name"] = rep["name"].clone();
            a.into()
        })
        .field("A.nameInB", |a, _| -> Resolved {
            match a["name"].as_str() {
                Some(name) => json!(format!("b.a.nameInB {name}")).into(),
                None => field_error("A.name was not provided"),
            }
        });
    let fed = Federation::start(KEYS_MASHUP, vec![a, b]).await;
    check!(
        &fed,
        "keys_mashup",
        "{ b { id a { id name nameInB } } }",
        json!({ "data": { "b": { "id": "100", "a": [
            { "id": "1", "name": "a.1", "nameInB": "b.a.nameInB a.1" },
        ] } } }),
    )
    .await;
}

/// a holds books by upc; b maps upc to id but does not know book b3; c
/// has authors by book id.
const BOOK_AUTHORS: &str = r#"
type Author @join__type(graph: C) {
  id: ID!
  name: String
}

type Book @join__type(graph: A, key: "upc") @join__type(graph: B, key: "id") @join__type(graph: B, key: "upc") @join__type(graph: C, key: "id") {
  upc: ID! @join__field(graph: A) @join__field(graph: B)
  id: ID! @join__field(graph: B) @join__field(graph: C)
  author: Author @join__field(graph: C)
}

type BookContainer @join__type(graph: A) {
  book: Book
}

type Query @join__type(graph: A) @join__type(graph: B) @join__type(graph: C) {
  bookContainers: [BookContainer] @join__field(graph: A)
}
"#;

/// audit: null-keys
#[tokio::test]
async fn entity_missing_in_the_middle_of_a_key_chain_nulls_only_its_own_fields() {
    let books = json!([
        { "__typename": "Book", "id": "1", "upc": "b1", "author": { "__typename": "Author", "id": "a1", "name": "Alice" } },
        { "__typename": "Book", "id": "2", "upc": "b2", "author": { "__typename": "Author", "id": "a2", "name": "Bob" } },
        { "__typename": "Book", "id": "3", "upc": "b3", "author": { "__typename": "Author", "id": "a3", "name": "Jack" } },
    ]);
    let (in_a, in_b, in_c) = (books.clone(), books.clone(), books);
    let a = Subgraph::new("a")
        .root("Query.bookContainers", |_| {
            let container = |upc: &str| json!({ "__typename": "BookContainer", "book": { "__typename": "Book", "upc": upc } });
            json!([container("b1"), container("b2"), container("b3")])
        })
        .entity("Book", move |rep| match row(&in_a, "upc", &rep["upc"]) {
            Value::Null => field_error("Invalid reference"),
            book => json!({ "upc": book["upc"] }).into(),
        });
    let b = Subgraph::new("b").entity("Book", move |rep| {
        let book = match rep.get("id") {
            Some(id) => row(&in_b, "id", id),
            None => row(&in_b, "upc", &rep["upc"]),
        };
        match book {
            Value::Null => field_error("Invalid reference"),
            book if book["id"] == "3" => Value::Null.into(),
            book => json!({ "id": book["id"], "upc": book["upc"] }).into(),
        }
    });
    let c = Subgraph::new("c").entity("Book", move |rep| match row(&in_c, "id", &rep["id"]) {
        Value::Null => field_error("Invalid reference"),
        book => json!({ "id": book["id"], "author": book["author"] }).into(),
    });
    let fed = Federation::start(BOOK_AUTHORS, vec![a, b, c]).await;
    check!(
        &fed,
        "null_keys",
        "{ bookContainers { book { upc author { name } } } }",
        json!({ "data": { "bookContainers": [
            { "book": { "upc": "b1", "author": { "name": "Alice" } } },
            { "book": { "upc": "b2", "author": { "name": "Bob" } } },
            { "book": { "upc": "b3", "author": null } },
        ] } }),
    )
    .await;
}
