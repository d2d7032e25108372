//! Org isolation in the gateway (`access.org_scoped`): invoices belong to
//! an org (`Invoice: orgId`); the billing subgraph returns every org's,
//! and Junction shows a caller (a real JWT with an `org_id` claim) only its
//! own org's — in lists, behind a union, as entities reached through a
//! second subgraph, whether or not the client selects the org field — and
//! null with `FORBIDDEN` for the rest, propagating from a non-null field.
//! A global admin (the admin role, no org) sees every org's; a caller with
//! no org sees none; the reserved response key cannot be forged.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use jsonwebtoken::Algorithm;
use junction::access::{Access, AccessPolicy, AccessSettings, OrgScoped, DEFAULT_MODEL};
use junction::http::{self, HttpSettings};
use junction::identity::jwt::{JwtSettings, JwtVerifier};
use junction::pipeline::{Gateway, GatewaySettings};
use serde_json::{json, Value};

use crate::auth_jwt::{claims, jwks, provider, sign, with, JwksServer, KEYS};
use crate::common::fixture_subgraph::{FixtureServer, Subgraph};
use crate::common::{ask_graphql, TestServer};

const TYPES: &str = r#"
type Query @join__type(graph: BILLING) @join__type(graph: CRM) {
  invoices: [Invoice] @join__field(graph: BILLING)
  invoice(id: ID!): Invoice! @join__field(graph: BILLING)
  documents: [Document] @join__field(graph: BILLING)
  customers: [Customer] @join__field(graph: CRM)
}

union Document @join__type(graph: BILLING) @join__unionMember(graph: BILLING, member: "Invoice") @join__unionMember(graph: BILLING, member: "Memo") = Invoice | Memo

type Memo @join__type(graph: BILLING) {
  text: String
}

type Invoice @join__type(graph: BILLING, key: "id") @join__type(graph: CRM, key: "id") {
  id: ID!
  orgId: String @join__field(graph: BILLING)
  total: Int @join__field(graph: BILLING)
}

type Customer @join__type(graph: CRM) {
  name: String
  invoices: [Invoice]
}
"#;

const RULES: &str = "p, staff, *, *, read\np, admin, *, *, *\n";

fn invoices() -> Value {
    json!([
        { "__typename": "Invoice", "id": "1", "orgId": "acme", "total": 100 },
        { "__typename": "Invoice", "id": "2", "orgId": "globex", "total": 200 },
        { "__typename": "Invoice", "id": "3", "orgId": "acme", "total": 300 },
    ])
}

fn by_id(id: &Value) -> Value {
    invoices()
        .as_array()
        .unwrap()
        .iter()
        .find(|invoice| &invoice["id"] == id)
        .cloned()
        .unwrap_or(Value::Null)
}

struct Setup {
    server: TestServer,
    fixture: FixtureServer,
    _jwks: JwksServer,
}

async fn setup() -> Setup {
    let jwks_server = JwksServer::start(jwks(&[&KEYS.rsa])).await;
    let billing = Subgraph::new("billing")
        .root("Query.invoices", |_| invoices())
        .root("Query.invoice", |args| by_id(&args["id"]))
        .root("Query.documents", |_| {
            let mut all = invoices().as_array().unwrap().clone();
            all.push(json!({ "__typename": "Memo", "text": "hello" }));
            Value::Array(all)
        })
        .entity("Invoice", |rep| by_id(&rep["id"]));
    let crm = Subgraph::new("crm").root("Query.customers", |_| {
        json!([{ "__typename": "Customer", "name": "Wile E.",
                 "invoices": [{ "__typename": "Invoice", "id": "2" }, { "__typename": "Invoice", "id": "3" }] }])
    });
    let fixture = FixtureServer::start(TYPES, vec![billing, crm]).await;
    let jwt = JwtSettings {
        providers: vec![provider(&jwks_server.url)],
        ..JwtSettings::default()
    };
    let verifier = Arc::new(JwtVerifier::new(jwt, reqwest::Client::new()).unwrap());
    let settings = AccessSettings {
        org_scoped: Arc::new(OrgScoped::from_yaml("Invoice: orgId\n").unwrap()),
        ..AccessSettings::default()
    };
    let policy = AccessPolicy::load(DEFAULT_MODEL, RULES).await.unwrap();
    let gateway = Gateway::new(GatewaySettings::default())
        .with_token_verifier(verifier)
        .with_access(Arc::new(Access::new(settings, policy)));
    let gateway = Arc::new(gateway);
    gateway.load_supergraph(fixture.supergraph()).unwrap();
    let router = http::router(Arc::clone(&gateway), &HttpSettings::default());
    let server = TestServer::serve(gateway, router, Duration::from_secs(5)).await;
    Setup {
        server,
        fixture,
        _jwks: jwks_server,
    }
}

/// The answer to `query` for a caller with `role` in `org` (none: no
/// `org_id` claim).
async fn ask(setup: &Setup, query: &str, role: &str, org: Option<&str>) -> Value {
    let mut extra = json!({ "realm_access": { "roles": [role] } });
    if let Some(org) = org {
        extra["org_id"] = json!(org);
    }
    let mut claims = with(claims(), extra);
    if org.is_none() {
        claims.as_object_mut().unwrap().remove("org_id");
    }
    let token = sign(&KEYS.rsa, Algorithm::RS256, &claims);
    ask_graphql(&setup.server.url("/graphql"), query, Some(&token)).await
}

fn foreign(path: Value) -> Value {
    json!({
        "message": "Access to this Invoice is denied: it belongs to another organisation.",
        "path": path,
        "extensions": { "code": "FORBIDDEN" },
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_sees_only_its_own_orgs_objects_in_lists() {
    let setup = setup().await;
    let body = ask(&setup, "{ invoices { id total } }", "staff", Some("acme")).await;
    assert_eq!(
        body,
        json!({
            "data": { "invoices": [{ "id": "1", "total": 100 }, null, { "id": "3", "total": 300 }] },
            "errors": [foreign(json!(["invoices", 1]))],
        })
    );
    // The gateway asked for the org itself, though the client did not.
    let asked = setup.fixture.requests("billing");
    assert!(
        asked
            .iter()
            .any(|r| r.query.contains("junction__org: orgId")),
        "{:?}",
        asked.iter().map(|r| r.query.clone()).collect::<Vec<_>>()
    );

    let globex = ask(&setup, "{ invoices { id orgId } }", "staff", Some("globex")).await;
    assert_eq!(
        globex["data"]["invoices"],
        json!([null, { "id": "2", "orgId": "globex" }, null])
    );
    assert_eq!(globex["errors"].as_array().unwrap().len(), 2, "{globex}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_object_in_a_non_null_field_nulls_its_parent() {
    let setup = setup().await;
    let body = ask(
        &setup,
        "{ invoice(id: \"2\") { id } }",
        "staff",
        Some("acme"),
    )
    .await;
    assert_eq!(
        body,
        json!({ "data": null, "errors": [foreign(json!(["invoice"]))] })
    );
    let own = ask(
        &setup,
        "{ invoice(id: \"1\") { id } }",
        "staff",
        Some("acme"),
    )
    .await;
    assert_eq!(own, json!({ "data": { "invoice": { "id": "1" } } }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unions_and_entities_from_another_subgraph_are_checked_too() {
    let setup = setup().await;
    let query = "{ documents { ... on Invoice { id } ... on Memo { text } } }";
    let body = ask(&setup, query, "staff", Some("acme")).await;
    assert_eq!(
        body["data"]["documents"],
        json!([{ "id": "1" }, null, { "id": "3" }, { "text": "hello" }])
    );
    assert_eq!(body["errors"], json!([foreign(json!(["documents", 1]))]));

    let query = "{ customers { name invoices { id total } } }";
    let body = ask(&setup, query, "staff", Some("acme")).await;
    assert_eq!(
        body["data"]["customers"],
        json!([{ "name": "Wile E.", "invoices": [null, { "id": "3", "total": 300 }] }])
    );
    assert_eq!(
        body["errors"],
        json!([foreign(json!(["customers", 0, "invoices", 0]))])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_global_admin_sees_every_org_and_a_caller_without_an_org_sees_none() {
    let setup = setup().await;
    let query = "{ invoices { id } }";
    let admin = ask(&setup, query, "admin", None).await;
    assert_eq!(
        admin,
        json!({ "data": { "invoices": [{ "id": "1" }, { "id": "2" }, { "id": "3" }] } })
    );
    let org_admin = ask(&setup, query, "admin", Some("globex")).await;
    assert_eq!(
        org_admin["data"]["invoices"],
        json!([null, { "id": "2" }, null])
    );
    let nobody = ask(&setup, query, "staff", None).await;
    assert_eq!(nobody["data"]["invoices"], json!([null, null, null]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reserved_response_key_cannot_be_forged() {
    let setup = setup().await;
    // An alias that would hand the check a value of the client's choosing:
    // it is refused (its type is non-null: the invoice becomes null), and
    // the org compared is still the subgraph's — invoices 1 and 3 pass the
    // org check and only then meet the refused key; 2 is another org's.
    let query = "{ invoices { junction__org: id id } }";
    let body = ask(&setup, query, "staff", Some("acme")).await;
    let reserved = |i: usize| {
        json!({
            "message": "Access to the response key junction__org (reserved) is denied.",
            "path": ["invoices", i, "junction__org"],
            "extensions": { "code": "FORBIDDEN" },
        })
    };
    assert_eq!(
        body,
        json!({
            "data": { "invoices": [null, null, null] },
            "errors": [reserved(0), foreign(json!(["invoices", 1])), reserved(2)],
        })
    );
}
