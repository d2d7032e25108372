//! Interfaces and unions across seven subgraphs, in the shape of the
//! federation gateway audit's abstract-types suite: interface fields owned
//! by different subgraphs per implementation, `@requires` on an interface
//! implementation's field with arguments, `@skip`/`@include` on type
//! conditions, an `@inaccessible` interface field, and a union whose
//! members differ between subgraphs under a named fragment.
//!
//! Each subgraph knows its types and rejects fragments on any other, as a
//! real server does.

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};

use crate::common::audit_helpers::check;
use crate::common::fixture_subgraph::{Federation, Subgraph};

/// The rows of `table` matching `keep`.
fn filter(table: &Value, keep: impl Fn(&Value) -> bool) -> Value {
    Value::Array(
        table
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| keep(r))
            .cloned()
            .collect(),
    )
}

/// The first row of `table` whose `field` is `value`, or null.
fn row(table: &Value, field: &str, value: &Value) -> Value {
    let found = table
        .as_array()
        .unwrap()
        .iter()
        .find(|r| &r[field] == value);
    found.cloned().unwrap_or(Value::Null)
}

const SUPERGRAPH: &str = include_str!("../fixtures/audit_abstract_types.graphql");

/// products: two books and two magazines as the products subgraph has them.
fn products() -> Value {
    let product = |typename: &str,
                   n: u32,
                   title: &str,
                   user: &str,
                   weight: f64,
                   publisher: Value,
                   hidden: bool| {
        json!({ "__typename": typename, "id": format!("p{n}"), "sku": format!("sku-{n}"), "title": title,
                "createdBy": user, "hidden": hidden, "publisherType": publisher,
                "dimensions": { "__typename": "ProductDimension", "size": "small", "weight": weight } })
    };
    let self_published = json!({ "__typename": "Self", "email": "u1@example.com" });
    let agency = json!({ "__typename": "Agency", "id": "a1" });
    json!([
        product(
            "Book",
            1,
            "Book 1",
            "u1",
            0.5,
            self_published.clone(),
            false
        ),
        product("Book", 3, "Book 2", "u2", 0.6, agency.clone(), false),
        product("Magazine", 2, "Magazine 1", "u1", 0.2, agency, false),
        product("Magazine", 4, "Magazine 2", "u2", 0.3, self_published, true),
    ])
}

fn reviews() -> Value {
    let review = |id: u32, product: &str, typename: &str| {
        json!({ "__typename": "Review", "id": id, "body": format!("review {id}"),
                "product": { "__typename": typename, "id": product } })
    };
    json!([
        review(1, "p1", "Book"),
        review(2, "p1", "Book"),
        review(3, "p2", "Magazine")
    ])
}

fn users() -> Value {
    let user = |n: u32| json!({ "__typename": "User", "id": format!("u{n}"), "email": format!("u{n}@example.com"), "name": format!("u{n}-name") });
    json!([user(1), user(2), user(3)])
}

fn agency() -> Subgraph {
    Subgraph::new("agency")
        .possible_types("PublisherType", &["Agency", "Group"])
        .entity("Agency", |rep| {
            if rep["id"] == "a1" {
                json!({ "id": "a1", "companyName": "Agency 1", "email": { "__typename": "Email", "address": "a1@example.com" } })
            } else {
                Value::Null
            }
        })
        .entity("Group", |rep| {
            let id = rep["id"].as_str().unwrap();
            json!({ "id": id, "name": format!("Group {id}"), "email": format!("group{id}@example.com") })
        })
}

/// books or magazines: the root list and entities with titles.
fn titles(name: &str, typename: &'static str, root: &str) -> Subgraph {
    let all = products();
    let of_type = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["__typename"] == typename);
    let titled: Vec<Value> = of_type
        .map(|p| json!({ "__typename": typename, "id": p["id"], "title": p["title"] }))
        .collect();
    let (list, by_id) = (json!(titled), json!(titled));
    Subgraph::new(name)
        .root(&format!("Query.{root}"), move |_| list.clone())
        .entity(typename, move |rep| row(&by_id, "id", &rep["id"]))
}

fn inventory() -> Subgraph {
    let known = |typename: &'static str| {
        move |rep: &Value| match row(&products(), "id", &rep["id"]) {
            p if p["__typename"] == typename => {
                json!({ "id": rep["id"], "dimensions": rep.get("dimensions") })
            }
            _ => Value::Null,
        }
    };
    let delivery = |product: &Value, args: &serde_json::Map<String, Value>| {
        let dimensions = &product["dimensions"];
        let (size, weight) = (dimensions["size"].as_str(), dimensions["weight"].as_f64());
        match (args.get("zip"), size, weight) {
            (Some(Value::String(_)), Some("small"), Some(w)) if w < 1.0 => {
                json!({ "__typename": "DeliveryEstimates", "estimatedDelivery": "1 day", "fastestDelivery": "same day" })
            }
            (Some(Value::String(_)), Some("large"), Some(w)) if w >= 1.0 => {
                json!({ "__typename": "DeliveryEstimates", "estimatedDelivery": "3 days", "fastestDelivery": "2 days" })
            }
            _ => Value::Null,
        }
    };
    Subgraph::new("inventory")
        .possible_types("Product", &["Book", "Magazine"])
        .entity("Book", known("Book"))
        .entity("Magazine", known("Magazine"))
        .field("Book.delivery", delivery)
        .field("Magazine.delivery", delivery)
}

fn products_subgraph() -> Subgraph {
    // The products subgraph's view: no titles.
    let mut own = products();
    for product in own.as_array_mut().unwrap() {
        product.as_object_mut().unwrap().remove("title");
    }
    let (list, similar_to, by_id, similar) = (own.clone(), own.clone(), own.clone(), own);
    let created_by = |product: &Value, _: &_| {
        let user = row(&users(), "id", &product["createdBy"]);
        json!({ "__typename": "User", "id": user["id"], "email": user["email"] })
    };
    let others = move |product: &Value, _: &_| {
        filter(&similar, |p| {
            p["__typename"] == product["__typename"] && p["id"] != product["id"]
        })
    };
    Subgraph::new("products")
        .possible_types("Product", &["Book", "Magazine"])
        .possible_types("Similar", &["Book", "Magazine"])
        .possible_types("PublisherType", &["Agency", "Self"])
        .root("Query.products", move |_| list.clone())
        .root("Query.similar", move |args| {
            match row(&similar_to, "id", &args["id"]) {
                Value::Null => json!([]),
                product => filter(&similar_to, |p| {
                    p["__typename"] == product["__typename"] && p["id"] != product["id"]
                }),
            }
        })
        .entity("Book", {
            let by_id = by_id.clone();
            move |rep| row(&by_id, "id", &rep["id"])
        })
        .entity("Magazine", move |rep| row(&by_id, "id", &rep["id"]))
        .entity("User", |rep| {
            let user = row(&users(), "email", &rep["email"]);
            json!({ "id": user["id"], "email": user["email"] })
        })
        .field("Book.similar", others.clone())
        .field("Magazine.similar", others)
        .field("Book.createdBy", created_by)
        .field("Magazine.createdBy", created_by)
        .field("User.totalProductsCreated", |user, _| {
            json!(filter(&products(), |p| p["createdBy"] == user["id"])
                .as_array()
                .unwrap()
                .len())
        })
}

fn reviews_subgraph() -> Subgraph {
    let entity = |rep: &Value| match row(&products(), "id", &rep["id"]) {
        Value::Null => Value::Null,
        p => json!({ "__typename": p["__typename"], "id": p["id"], "similar": rep.get("similar") }),
    };
    let of = |product: &Value| filter(&reviews(), |r| r["product"]["id"] == product["id"]);
    let count = move |product: &Value, _: &_| json!(of(product).as_array().unwrap().len());
    let score = move |product: &Value, _: &_| {
        let scores: Vec<f64> = of(product)
            .as_array()
            .unwrap()
            .iter()
            .map(|r| match r["id"].as_u64() {
                Some(1) => 3.0,
                Some(2) => 4.0,
                _ => 5.0,
            })
            .collect();
        json!(if scores.is_empty() {
            0.0
        } else {
            scores.iter().sum::<f64>() / scores.len() as f64
        })
    };
    let of_similar = |product: &Value, _: &_| {
        let similar = product["similar"].as_array().cloned().unwrap_or_default();
        filter(&reviews(), |r| {
            similar.iter().any(|s| s["id"] == r["product"]["id"])
        })
    };
    let mut reviews_subgraph = Subgraph::new("reviews")
        .possible_types("Product", &["Book", "Magazine"])
        .possible_types("Similar", &["Book", "Magazine"])
        .root("Query.review", |args| row(&reviews(), "id", &args["id"]));
    for typename in ["Book", "Magazine"] {
        reviews_subgraph = reviews_subgraph
            .entity(typename, entity)
            .field(&format!("{typename}.reviews"), move |product, _| {
                of(product)
            })
            .field(&format!("{typename}.reviewsCount"), count)
            .field(&format!("{typename}.reviewsScore"), score)
            .field(&format!("{typename}.reviewsOfSimilar"), of_similar);
    }
    reviews_subgraph
}

fn users_subgraph() -> Subgraph {
    Subgraph::new("users")
        .entity("User", |rep| row(&users(), "email", &rep["email"]))
        .field("User.totalProductsCreated", |user, _| {
            json!(filter(&products(), |p| p["createdBy"] == user["id"])
                .as_array()
                .unwrap()
                .len())
        })
}

fn abstract_types() -> Vec<Subgraph> {
    vec![
        agency(),
        titles("books", "Book", "books"),
        inventory(),
        titles("magazines", "Magazine", "magazines"),
        products_subgraph(),
        reviews_subgraph(),
        users_subgraph(),
    ]
}

/// `products { id reviews { product { … } } }`'s answer: the book p1 has
/// two reviews, the magazine p2 one, the others none.
fn reviewed(book: Value, magazine: Value) -> Value {
    json!({ "data": { "products": [
        { "id": "p1", "reviews": [{ "product": book }, { "product": book }] },
        { "id": "p3", "reviews": [] },
        { "id": "p2", "reviews": [{ "product": magazine }] },
        { "id": "p4", "reviews": [] },
    ] } })
}

/// `products { id reviews { product { id <selection> } } }` under `$title`.
fn reviewed_query(title: bool, selection: &str) -> String {
    format!("query ($title: Boolean = {title}) {{ products {{ id reviews {{ product {{ id {selection} }} }} }} }}")
}

/// audit: abstract-types
#[tokio::test]
async fn interface_fields_come_from_each_implementations_subgraphs() {
    let fed = Federation::start(SUPERGRAPH, abstract_types()).await;
    let dimensions = |id: &str, weight: f64| json!({ "id": id, "dimensions": { "size": "small", "weight": weight } });
    check!(
        &fed,
        "abstract_types_dimensions",
        "{ products { id dimensions { size weight } } }",
        json!({ "data": { "products": [dimensions("p1", 0.5), dimensions("p3", 0.6), dimensions("p2", 0.2), dimensions("p4", 0.3)] } }),
    )
    .await;
    check!(
        &fed,
        "abstract_types_similar",
        r#"{ similar(id: "p1") { id sku } }"#,
        json!({ "data": { "similar": [{ "id": "p3", "sku": "sku-3" }] } }),
    )
    .await;
    let delivery = json!({ "fastestDelivery": "same day", "estimatedDelivery": "1 day" });
    check!(
        &fed,
        "abstract_types_similar_delivery",
        r#"{
            book: similar(id: "p1") { id sku delivery(zip: "1234") { fastestDelivery estimatedDelivery } }
            magazine: similar(id: "p2") { id sku delivery(zip: "1234") { fastestDelivery estimatedDelivery } }
        }"#,
        json!({ "data": {
            "book": [{ "id": "p3", "sku": "sku-3", "delivery": delivery }],
            "magazine": [{ "id": "p4", "sku": "sku-4", "delivery": delivery }],
        } }),
    )
    .await;
    let typed =
        |sku: &str, typename: &str| json!({ "sku": sku, "__typename": typename, "type": typename });
    check!(
        &fed,
        "abstract_types_sku_in_fragments",
        "{ products { sku ... on Product { sku } ... on Book { sku } ... on Magazine { sku }
                      ... on Similar { __typename type: __typename } } }",
        json!({ "data": { "products": [
            typed("sku-1", "Book"), typed("sku-3", "Book"), typed("sku-2", "Magazine"), typed("sku-4", "Magazine"),
        ] } }),
    )
    .await;
    let author =
        |n: u32| json!({ "email": format!("u{n}@example.com"), "totalProductsCreated": 2 });
    check!(
        &fed,
        "abstract_types_authors",
        "{ products { author: createdBy { email totalProductsCreated } ... on Magazine { title } } }",
        json!({ "data": { "products": [
            { "author": author(1) },
            { "author": author(2) },
            { "author": author(1), "title": "Magazine 1" },
            { "author": author(2), "title": "Magazine 2" },
        ] } }),
    )
    .await;
    check!(
        &fed,
        "abstract_types_reviewed_products",
        "{ products { id reviews { product { sku ... on Magazine { title } ... on Book { reviewsCount } } } } }",
        reviewed(json!({ "sku": "sku-1", "reviewsCount": 2 }), json!({ "sku": "sku-2", "title": "Magazine 1" })),
    )
    .await;
    check!(
        &fed,
        "abstract_types_review_ids",
        "{ products { id reviews { id } } }",
        json!({ "data": { "products": [
            { "id": "p1", "reviews": [{ "id": 1 }, { "id": 2 }] },
            { "id": "p3", "reviews": [] },
            { "id": "p2", "reviews": [{ "id": 3 }] },
            { "id": "p4", "reviews": [] },
        ] } }),
    )
    .await;
}

/// audit: abstract-types
#[tokio::test]
async fn skip_and_include_on_type_conditions_decide_what_each_subgraph_is_asked() {
    let fed = Federation::start(SUPERGRAPH, abstract_types()).await;
    let book = |fields: Value| {
        let mut book = json!({ "id": "p1" });
        book.as_object_mut()
            .unwrap()
            .extend(fields.as_object().unwrap().clone());
        book
    };
    let magazine = json!({ "id": "p2", "sku": "sku-2" });
    let magazine_sku = "... on Magazine { sku }";
    let cases = [
        ("include_true", reviewed_query(true, &format!("... on Book @include(if: $title) {{ title }} {magazine_sku}")), json!({ "title": "Book 1" })),
        ("include_false", reviewed_query(false, &format!("... on Book @include(if: $title) {{ title }} {magazine_sku}")), json!({})),
        ("skip_false", reviewed_query(false, &format!("... on Book @skip(if: $title) {{ title }} {magazine_sku}")), json!({ "title": "Book 1" })),
        ("skip_true", reviewed_query(true, &format!("... on Book @skip(if: $title) {{ title }} {magazine_sku}")), json!({})),
        (
            "skip_true_next_to_book_sku",
            reviewed_query(true, &format!("... on Book @skip(if: $title) {{ title }} ... on Book {{ sku }} {magazine_sku}")),
            json!({ "sku": "sku-1" }),
        ),
        (
            "skip_false_next_to_book_sku",
            reviewed_query(false, &format!("... on Book @skip(if: $title) {{ title }} ... on Book {{ sku }} {magazine_sku}")),
            json!({ "title": "Book 1", "sku": "sku-1" }),
        ),
        (
            "include_true_around_book_sku",
            reviewed_query(true, &format!("... on Book @include(if: $title) {{ title ... on Book {{ sku }} }} {magazine_sku}")),
            json!({ "title": "Book 1", "sku": "sku-1" }),
        ),
        (
            "include_true_around_skipped_book_sku",
            reviewed_query(true, &format!("... on Book @include(if: $title) {{ title ... on Book @skip(if: $title) {{ sku }} }} {magazine_sku}")),
            json!({ "title": "Book 1" }),
        ),
    ];
    for (name, query, book_fields) in cases {
        let name = format!("abstract_types_{name}");
        check!(
            &fed,
            &name,
            &query,
            reviewed(book(book_fields), magazine.clone()),
        )
        .await;
    }
}

/// audit: abstract-types
#[tokio::test]
async fn union_fragment_is_split_between_the_subgraphs_of_its_members() {
    let fed = Federation::start(SUPERGRAPH, abstract_types()).await;
    let publisher_query = |fragment: &str| {
        format!(
            "{{ products {{ id reviews {{ product {{ id
                ... on Magazine {{ publisherType {{ ...Publisher }} }}
                ... on Book {{ publisherType {{ ...Publisher }} }} }} }} }} }}
             fragment Publisher on PublisherType {{ {fragment} }}"
        )
    };
    let published = |book: Value, magazine: Value| {
        reviewed(
            json!({ "id": "p1", "publisherType": book }),
            json!({ "id": "p2", "publisherType": magazine }),
        )
    };
    let agency_and_self = "... on Agency { id companyName } ... on Self { email }";
    check!(
        &fed,
        "abstract_types_publishers",
        &publisher_query(agency_and_self),
        published(
            json!({ "email": "u1@example.com" }),
            json!({ "id": "a1", "companyName": "Agency 1" }),
        ),
    )
    .await;
    check!(
        &fed,
        "abstract_types_publishers_with_group",
        &publisher_query(&format!("{agency_and_self} ... on Group {{ name }}")),
        published(
            json!({ "email": "u1@example.com" }),
            json!({ "id": "a1", "companyName": "Agency 1" }),
        ),
    )
    .await;
    check!(
        &fed,
        "abstract_types_publisher_emails",
        &publisher_query(
            "... on Agency { emailObj: email { address } } ... on Self { emailStr: email } ... on Group { emailStr: email }",
        ),
        published(json!({ "emailStr": "u1@example.com" }), json!({ "emailObj": { "address": "a1@example.com" } })),
    )
    .await;
}
