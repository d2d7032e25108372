//! Unions whose members differ between subgraphs, in the shapes of the
//! federation gateway audit: a partial union under a shareable type, a
//! partial union below shareable fields and entity hops, and two unions of
//! the same name with different members under shareable root fields.
//!
//! Each subgraph knows its types and rejects fragments on any other, as a
//! real server does, so a plan that sends a member to a subgraph that does
//! not have it fails the assertion.

#![allow(clippy::unwrap_used)]

use serde_json::{json, Value};

use crate::common::audit_helpers::check;
use crate::common::fixture_subgraph::{Federation, Subgraph};

/// a has the whole `Action` union and the only root field; b shares
/// `Response` but knows only `Alpha`.
const PARTIAL_UNION: &str = r#"
union Action
  @join__type(graph: A) @join__type(graph: B)
  @join__unionMember(graph: A, member: "Alpha") @join__unionMember(graph: B, member: "Alpha")
  @join__unionMember(graph: A, member: "Beta") @join__unionMember(graph: A, member: "Gamma")
 = Alpha | Beta | Gamma

type Alpha @join__type(graph: A) @join__type(graph: B) {
  id: ID!
  value: String
}

type Beta @join__type(graph: A) {
  id: ID!
  name: String
  details: String
}

type Gamma @join__type(graph: A) {
  id: ID!
  label: String
}

type Query @join__type(graph: A) @join__type(graph: B) {
  getResponse: Response @join__field(graph: A)
}

type Response @join__type(graph: A) @join__type(graph: B) {
  actions: [Action!]!
  message: String
}
"#;

/// audit: partial-union
#[tokio::test]
async fn members_missing_from_a_sharing_subgraph_are_kept_where_the_field_resolves() {
    let a = Subgraph::new("a")
        .possible_types("Action", &["Alpha", "Beta", "Gamma"])
        .root("Query.getResponse", |_| {
            json!({ "__typename": "Response", "message": "Hello, Federation!", "actions": [
                { "__typename": "Alpha", "id": "alpha-1", "value": "alpha value" },
                { "__typename": "Beta", "id": "beta-1", "name": "beta name", "details": "beta details" },
                { "__typename": "Gamma", "id": "gamma-1", "label": "gamma label" },
            ] })
        });
    let b = Subgraph::new("b").possible_types("Action", &["Alpha"]);
    let fed = Federation::start(PARTIAL_UNION, vec![a, b]).await;
    check!(
        &fed,
        "partial_union_all_members",
        "{ getResponse { message actions { __typename
            ... on Alpha { id value } ... on Beta { id name details } ... on Gamma { id label } } } }",
        json!({ "data": { "getResponse": { "message": "Hello, Federation!", "actions": [
            { "__typename": "Alpha", "id": "alpha-1", "value": "alpha value" },
            { "__typename": "Beta", "id": "beta-1", "name": "beta name", "details": "beta details" },
            { "__typename": "Gamma", "id": "gamma-1", "label": "gamma label" },
        ] } } }),
    )
    .await;
    check!(
        &fed,
        "partial_union_missing_members_only",
        "{ getResponse { actions { __typename ... on Beta { name } ... on Gamma { label } } } }",
        json!({ "data": { "getResponse": { "actions": [
            { "__typename": "Alpha" },
            { "__typename": "Beta", "name": "beta name" },
            { "__typename": "Gamma", "label": "gamma label" },
        ] } } }),
    )
    .await;
}

/// a and b share `Container.wrapper` and `Query.shared`, but `Action` has
/// `OnlyA` in a and `OnlyB` in b; only b has `bWrapper`.
const PARTIAL_UNION_COMPLEX: &str = r#"
union Action
  @join__type(graph: A) @join__type(graph: B)
  @join__unionMember(graph: A, member: "Common") @join__unionMember(graph: B, member: "Common")
  @join__unionMember(graph: A, member: "OnlyA") @join__unionMember(graph: B, member: "OnlyB")
 = Common | OnlyA | OnlyB

type Common @join__type(graph: A) @join__type(graph: B) {
  label: String
}

type Container @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  wrapper: Wrapper
  bWrapper: Wrapper @join__field(graph: B)
}

type OnlyA @join__type(graph: A) {
  a: String
}

type OnlyB @join__type(graph: B) {
  b: String
}

type Query @join__type(graph: A) @join__type(graph: B) {
  rootA: Container @join__field(graph: A)
  shared: Container
  rootB: Container @join__field(graph: B)
}

type Wrapper @join__type(graph: A) @join__type(graph: B) {
  actions: [Action!]!
}
"#;

fn partial_union_complex() -> Vec<Subgraph> {
    let common = json!({ "__typename": "Common", "label": "common label" });
    let only_a = json!([common, { "__typename": "OnlyA", "a": "only a" }]);
    let only_b = json!([common, { "__typename": "OnlyB", "b": "only b" }]);
    let container = |actions: &Value| json!({ "__typename": "Container", "id": "container-1", "actions": actions });
    // Each subgraph: its root, `shared` (with the common action only), its
    // entity (with its own actions) and `wrapper` over the parent's actions.
    let serve = |name: &str, member: &str, own: Value| {
        let (root, entity) = (own.clone(), own.clone());
        let shared = json!([common]);
        Subgraph::new(name)
            .possible_types("Action", &["Common", member])
            .root(&format!("Query.root{}", name.to_uppercase()), move |_| {
                container(&root)
            })
            .root("Query.shared", move |_| container(&shared))
            .entity("Container", move |rep| {
                if rep["id"] == "container-1" {
                    container(&entity)
                } else {
                    Value::Null
                }
            })
            .field(
                "Container.wrapper",
                |parent, _| json!({ "__typename": "Wrapper", "actions": parent["actions"] }),
            )
    };
    let a = serve("a", "OnlyA", only_a);
    let b_wrapper = only_b.clone();
    let b = serve("b", "OnlyB", only_b).field(
        "Container.bWrapper",
        move |_, _| json!({ "__typename": "Wrapper", "actions": b_wrapper }),
    );
    vec![a, b]
}

const ALL_MEMBERS: &str =
    "actions { __typename ... on Common { label } ... on OnlyA { a } ... on OnlyB { b } }";

/// audit: partial-union-complex
#[tokio::test]
async fn partial_union_below_an_entity_hop_uses_the_target_subgraphs_members() {
    let fed = Federation::start(PARTIAL_UNION_COMPLEX, partial_union_complex()).await;
    let common = json!({ "__typename": "Common", "label": "common label" });
    check!(
        &fed,
        "partial_union_complex_other_members_only",
        "{ rootA { wrapper { actions { __typename ... on OnlyB { b } } } } }",
        json!({ "data": { "rootA": { "wrapper": { "actions": [
            { "__typename": "Common" },
            { "__typename": "OnlyA" },
        ] } } } }),
    )
    .await;
    check!(
        &fed,
        "partial_union_complex_shared_root",
        &format!("{{ shared {{ wrapper {{ {ALL_MEMBERS} }} }} }}"),
        json!({ "data": { "shared": { "wrapper": { "actions": [common] } } } }),
    )
    .await;
    check!(
        &fed,
        "partial_union_complex_entity_hop",
        &format!("{{ rootA {{ bWrapper {{ {ALL_MEMBERS} }} }} }}"),
        json!({ "data": { "rootA": { "bWrapper": { "actions": [
            common,
            { "__typename": "OnlyB", "b": "only b" },
        ] } } } }),
    )
    .await;
}

/// audit: partial-union-complex
#[tokio::test]
async fn partial_union_under_a_shareable_path_keeps_only_members_common_to_its_subgraphs() {
    let fed = Federation::start(PARTIAL_UNION_COMPLEX, partial_union_complex()).await;
    let common = json!({ "__typename": "Common", "label": "common label" });
    check!(
        &fed,
        "partial_union_complex_root_a",
        &format!("{{ rootA {{ wrapper {{ {ALL_MEMBERS} }} }} }}"),
        json!({ "data": { "rootA": { "wrapper": { "actions": [common, { "__typename": "OnlyA", "a": null }] } } } }),
    )
    .await;
    check!(
        &fed,
        "partial_union_complex_root_b",
        &format!("{{ rootB {{ wrapper {{ {ALL_MEMBERS} }} }} }}"),
        json!({ "data": { "rootB": { "wrapper": { "actions": [common, { "__typename": "OnlyB", "b": null }] } } } }),
    )
    .await;
}
