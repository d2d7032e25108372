//! Introspection answers from the API schema: no federation machinery
//! (`join__*`, `link__*`, their directives), nothing `@inaccessible`; the
//! gateway answers it without asking subgraphs, and refuses it when
//! introspection is disabled.

#![allow(clippy::unwrap_used)]

use junction::pipeline::GatewaySettings;
use serde_json::json;

use crate::common::fixture_subgraph::{Federation, Subgraph};

const DIRECTORY: &str = r#"
type Query @join__type(graph: PEOPLE) @join__type(graph: VAULT) {
  users: [User] @join__field(graph: PEOPLE)
  secrets: [Secret] @inaccessible @join__field(graph: VAULT)
}

type User @join__type(graph: PEOPLE, key: "id") @join__type(graph: VAULT, key: "id") {
  id: ID!
  name: String @join__field(graph: PEOPLE)
  role: Role @join__field(graph: PEOPLE)
  ssn: String @inaccessible @join__field(graph: VAULT)
}

type Secret @inaccessible @join__type(graph: VAULT) {
  value: String
}

enum Role @join__type(graph: PEOPLE) {
  ADMIN @join__enumValue(graph: PEOPLE)
  MEMBER @join__enumValue(graph: PEOPLE)
  ROOT @inaccessible @join__enumValue(graph: PEOPLE)
}
"#;

fn subgraphs() -> Vec<Subgraph> {
    vec![
        Subgraph::new("people").root(
            "Query.users",
            |_| json!([{ "__typename": "User", "id": "u1", "name": "Ada", "role": "ADMIN" }]),
        ),
        Subgraph::new("vault"),
    ]
}

async fn directory(settings: GatewaySettings) -> Federation {
    Federation::start_with(settings, DIRECTORY, subgraphs()).await
}

fn no_subgraph_requests(fed: &Federation) -> bool {
    fed.server.requests("people").is_empty() && fed.server.requests("vault").is_empty()
}

#[tokio::test]
async fn schema_lists_only_api_types_and_directives() {
    let fed = directory(GatewaySettings::dev()).await;
    let body = fed
        .query("{ __schema { queryType { name } mutationType { name } types { name } directives { name } } }")
        .await;
    assert_eq!(
        body,
        json!({ "data": { "__schema": {
            "queryType": { "name": "Query" },
            "mutationType": null,
            "types": [
                { "name": "__Schema" }, { "name": "__Type" }, { "name": "__TypeKind" }, { "name": "__Field" },
                { "name": "__InputValue" }, { "name": "__EnumValue" }, { "name": "__Directive" },
                { "name": "__DirectiveLocation" }, { "name": "String" }, { "name": "Boolean" }, { "name": "ID" },
                { "name": "Query" }, { "name": "User" }, { "name": "Role" },
            ],
            "directives": [
                { "name": "skip" }, { "name": "include" }, { "name": "deprecated" }, { "name": "specifiedBy" },
                { "name": "defer" },
            ],
        } } })
    );
    assert!(no_subgraph_requests(&fed));
}

#[tokio::test]
async fn type_lookup_hides_inaccessible_fields_and_enum_values() {
    let fed = directory(GatewaySettings::dev()).await;
    let query = r#"{
        user: __type(name: "User") { name kind fields { name } }
        role: __type(name: "Role") { kind enumValues { name } }
        query: __type(name: "Query") { fields { name } }
    }"#;
    assert_eq!(
        fed.query(query).await,
        json!({ "data": {
            "user": { "name": "User", "kind": "OBJECT", "fields": [{ "name": "id" }, { "name": "name" }, { "name": "role" }] },
            "role": { "kind": "ENUM", "enumValues": [{ "name": "ADMIN" }, { "name": "MEMBER" }] },
            "query": { "fields": [{ "name": "users" }] },
        } })
    );
}

#[tokio::test]
async fn inaccessible_and_machinery_types_cannot_be_looked_up() {
    let fed = directory(GatewaySettings::dev()).await;
    let query = r#"{
        secret: __type(name: "Secret") { name }
        graph: __type(name: "join__Graph") { name }
        fieldSet: __type(name: "join__FieldSet") { name }
        purpose: __type(name: "link__Purpose") { name }
    }"#;
    assert_eq!(
        fed.query(query).await,
        json!({ "data": { "secret": null, "graph": null, "fieldSet": null, "purpose": null } })
    );
}

#[tokio::test]
async fn typename_at_the_root_is_answered_without_subgraphs() {
    let fed = directory(GatewaySettings::dev()).await;
    assert_eq!(
        fed.query("{ __typename alias: __typename }").await,
        json!({ "data": { "__typename": "Query", "alias": "Query" } })
    );
    assert!(no_subgraph_requests(&fed));
}

#[tokio::test]
async fn introspection_and_data_are_answered_together() {
    let fed = directory(GatewaySettings::dev()).await;
    assert_eq!(
        fed.query(r#"{ __type(name: "Role") { name } users { name role } }"#)
            .await,
        json!({ "data": { "__type": { "name": "Role" }, "users": [{ "name": "Ada", "role": "ADMIN" }] } })
    );
}

/// Production settings (the default) refuse introspection.
#[tokio::test]
async fn introspection_is_off_by_default_and_refused_with_its_own_code() {
    let fed = directory(GatewaySettings::default()).await;
    assert_eq!(
        fed.query("{ __schema { queryType { name } } }").await,
        json!({ "errors": [{
            "message": "GraphQL introspection is not allowed, but the query contained __schema or __type.",
            "extensions": { "code": "INTROSPECTION_DISABLED" },
        }] })
    );
    assert_eq!(
        fed.query(r#"{ users { name } __type(name: "User") { name } }"#)
            .await,
        json!({ "errors": [{
            "message": "GraphQL introspection is not allowed, but the query contained __schema or __type.",
            "extensions": { "code": "INTROSPECTION_DISABLED" },
        }] })
    );
    assert!(no_subgraph_requests(&fed));
}

#[tokio::test]
async fn typename_is_still_answered_when_introspection_is_disabled() {
    let fed = directory(GatewaySettings {
        introspection: false,
        ..Default::default()
    })
    .await;
    assert_eq!(
        fed.query("{ __typename users { __typename name } }").await,
        json!({ "data": { "__typename": "Query", "users": [{ "__typename": "User", "name": "Ada" }] } })
    );
}

const SEARCH: &str = r#"
type Query @join__type(graph: PEOPLE) {
  users(filter: UserFilter): [User] @join__field(graph: PEOPLE)
}

type User @join__type(graph: PEOPLE) {
  id: ID!
}

input UserFilter @join__type(graph: PEOPLE) {
  name: String
}
"#;

#[tokio::test]
async fn is_one_of_is_false_for_input_objects_and_null_for_other_types() {
    let fed = Federation::start_with(
        GatewaySettings::dev(),
        SEARCH,
        vec![Subgraph::new("people")],
    )
    .await;
    let body = fed
        .query(
            "{ f: __type(name: \"UserFilter\") { kind isOneOf } q: __type(name: \"Query\") { one: isOneOf ...N }
               __schema { queryType { fields { args { type { isOneOf } } } } } }
             fragment N on __Type { name isOneOf }",
        )
        .await;
    assert_eq!(
        body,
        json!({ "data": {
            "f": { "kind": "INPUT_OBJECT", "isOneOf": false },
            "q": { "one": null, "name": "Query", "isOneOf": null },
            "__schema": { "queryType": { "fields": [{ "args": [{ "type": { "isOneOf": false } }] }] } },
        } })
    );
    let fields = fed
        .query("{ __type(name: \"__Type\") { fields { name } } }")
        .await;
    let names = fields["data"]["__type"]["fields"].as_array().unwrap();
    assert!(names.contains(&json!({ "name": "isOneOf" })), "{fields}");
}
