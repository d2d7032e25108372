//! What subgraphs are told about the caller: the `x-junction-*` identity
//! headers Junction sets, never the client's own copies of them, and the
//! client's `Authorization` only for the subgraphs configured to take it.

#![allow(clippy::unwrap_used)]

use axum::http::{HeaderMap, HeaderValue};
use junction::execute::SubgraphPolicy;
use junction::pipeline::{Delivery, GatewaySettings, GraphQLRequest, RequestMethod};
use serde_json::{json, Value};

use crate::common::fixture_subgraph::{Federation, Subgraph};

const TYPES: &str = r#"
type Query @join__type(graph: PEOPLE) @join__type(graph: VAULT) {
  me: User @join__field(graph: PEOPLE)
}

type User @join__type(graph: PEOPLE, key: "id") @join__type(graph: VAULT, key: "id") {
  id: ID!
  name: String @join__field(graph: PEOPLE)
  secret: String @join__field(graph: VAULT)
}
"#;

async fn federation() -> Federation {
    let mut settings = GatewaySettings::dev();
    let vault = SubgraphPolicy {
        forward_authorization: true,
        ..SubgraphPolicy::default()
    };
    settings.client.subgraphs.insert("vault".to_string(), vault);
    let people = Subgraph::new("people").root(
        "Query.me",
        |_| json!({ "__typename": "User", "id": "u1", "name": "Ada" }),
    );
    let vault = Subgraph::new("vault").entity(
        "User",
        |rep| json!({ "__typename": "User", "id": rep["id"], "secret": "s" }),
    );
    Federation::start_with(settings, TYPES, vec![people, vault]).await
}

fn client_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("x-junction-org", "someone-elses-org"),
        ("x-junction-subject", "admin"),
        ("x-junction-roles", "admin"),
        ("x-junction-caller-kind", "user"),
        ("authorization", "Bearer for-the-vault"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    headers
}

#[tokio::test]
async fn a_client_cannot_claim_an_identity_and_authorization_goes_only_where_asked() {
    let fed = federation().await;
    let request = GraphQLRequest::new("{ me { name secret } }", &json!({}));
    let response = fed
        .gateway
        .execute_for(
            request,
            &client_headers(),
            None,
            RequestMethod::Post,
            Delivery::Complete,
        )
        .await;
    let body: Value = serde_json::from_slice(&response.body).unwrap();
    assert_eq!(
        body,
        json!({ "data": { "me": { "name": "Ada", "secret": "s" } } })
    );

    for subgraph in ["people", "vault"] {
        let requests = fed.server.requests(subgraph);
        assert_eq!(requests.len(), 1, "{subgraph}");
        let headers = &requests[0].headers;
        // Anonymous (no verifier is configured): Junction says so, and none
        // of the client's claims gets through.
        assert_eq!(headers.get("x-junction-caller-kind").unwrap(), "anonymous");
        for claimed in ["x-junction-org", "x-junction-subject", "x-junction-roles"] {
            assert!(headers.get(claimed).is_none(), "{subgraph} got {claimed}");
        }
        let authorization = headers.get("authorization").map(|v| v.to_str().unwrap());
        let expected = (subgraph == "vault").then_some("Bearer for-the-vault");
        assert_eq!(authorization, expected, "{subgraph}");
    }
}
