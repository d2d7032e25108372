//! Operation limits over HTTP: each refusal names its limit, the limit's
//! value and the operation's figure, and comes before the work it bounds
//! (a fragment bomb is never expanded, a 1.9 MB syntax error is not read
//! past the token limit, a long list variable is not built).

use serde_json::{json, Value};

use crate::common::{start_junction, start_junction_with, DEMO_SUPERGRAPH};
use crate::hardening::support::post_graphql;
use junction::http::HttpSettings;
use junction::pipeline::GatewaySettings;

/// `{ me { ...F<levels> } }` where each fragment spreads the one below
/// twice, once at its level and once two fields deeper: 2^levels fields
/// once expanded.
fn fragment_bomb(levels: usize) -> String {
    let mut text =
        format!("query Bomb {{ me {{ ...F{levels} }} }}\nfragment F0 on User {{ id }}\n");
    for level in 1..=levels {
        let below = level - 1;
        text.push_str(&format!(
            "fragment F{level} on User {{ ...F{below} reviews {{ author {{ ...F{below} }} }} }}\n"
        ));
    }
    text
}

/// The one error of a refused request: its `extensions`, and its message.
fn refusal(status: u16, body: &Value) -> (Value, String) {
    assert_eq!(status, 400, "{body}");
    assert!(body.get("data").is_none(), "no execution: {body}");
    let errors = body["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{body}");
    let message = errors[0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    (errors[0]["extensions"].clone(), message)
}

#[tokio::test]
async fn a_fragment_bomb_of_24_levels_is_refused_without_being_expanded() {
    let server = start_junction(Some(DEMO_SUPERGRAPH)).await;
    let query = fragment_bomb(24);
    assert!(query.len() < 4096, "a small document");
    let (status, body) = post_graphql(&server.url("/graphql"), &query, json!({})).await;
    let (extensions, message) = refusal(status, &body);
    assert_eq!(extensions["code"], "OPERATION_LIMIT_EXCEEDED");
    assert_eq!(extensions["limit"], "max_fields");
    assert_eq!(extensions["max"], 10_000);
    let actual = extensions["actual"].as_u64().unwrap();
    // me, the spread of F24, and F24: 5 · 2^24 − 4 fields and fragments.
    assert_eq!(actual, 83_886_078);
    assert_eq!(
        message,
        format!("The operation has {actual} fields and fragments once its fragments are expanded, over the limit of 10000 (limits.max_fields).")
    );
    // Refused again from the cache, with the same answer.
    let again = post_graphql(&server.url("/graphql"), &query, json!({})).await;
    assert_eq!(again, (status, body));
}

/// Sends `query` to a demo gateway with default limits and returns the
/// refusal's limit and figure.
async fn refused(query: &str, variables: Value) -> (String, u64, String) {
    let server = start_junction(Some(DEMO_SUPERGRAPH)).await;
    let (status, body) = post_graphql(&server.url("/graphql"), query, variables).await;
    let (extensions, message) = refusal(status, &body);
    assert_eq!(extensions["code"], "OPERATION_LIMIT_EXCEEDED", "{body}");
    let limit = extensions["limit"].as_str().unwrap().to_string();
    (limit, extensions["actual"].as_u64().unwrap(), message)
}

#[tokio::test]
async fn too_deep_an_operation_is_refused() {
    // me, 32 times reviews and author, id: 66 levels.
    let query = format!(
        "{{ me {{ {}id{} }} }}",
        "reviews { author { ".repeat(32),
        " } }".repeat(32)
    );
    let (limit, actual, message) = refused(&query, json!({})).await;
    assert_eq!((limit.as_str(), actual), ("max_depth", 66));
    assert!(message.contains("66 levels of nested fields"), "{message}");
}

#[tokio::test]
async fn too_many_aliases_root_fields_or_directives_are_refused() {
    let aliases: String = (0..257).map(|i| format!("a{i}: id ")).collect();
    let (limit, actual, _) = refused(&format!("{{ me {{ {aliases} }} }}"), json!({})).await;
    assert_eq!((limit.as_str(), actual), ("max_aliases", 257));

    let roots = "me { id } ".repeat(65);
    let (limit, actual, _) = refused(&format!("{{ {roots} }}"), json!({})).await;
    assert_eq!((limit.as_str(), actual), ("max_root_fields", 65));

    let directives = "@include(if: true) ".repeat(17);
    let (limit, actual, _) = refused(&format!("{{ me {directives} {{ id }} }}"), json!({})).await;
    assert_eq!((limit.as_str(), actual), ("max_directives", 17));
}

#[tokio::test]
async fn a_document_of_1_9_mb_of_parentheses_is_refused_at_the_token_limit() {
    let query = ")".repeat(1_900_000);
    let (limit, actual, message) = refused(&query, json!({})).await;
    assert_eq!(limit, "max_tokens");
    assert_eq!(
        actual, 30_001,
        "the parser stopped one token past the limit"
    );
    assert_eq!(
        message,
        "The operation has more than 30000 tokens, over the limit of 30000 (limits.max_tokens)."
    );
}

#[tokio::test]
async fn a_document_of_100000_syntax_errors_reports_the_first_only() {
    let mut settings = GatewaySettings::default();
    settings.limits.max_tokens = 1_000_000;
    let server =
        start_junction_with(Some(DEMO_SUPERGRAPH), settings, HttpSettings::default()).await;
    let query = format!("{{ me {{ id }} }}{}", ")".repeat(100_000));
    let (status, body) = post_graphql(&server.url("/graphql"), &query, json!({})).await;
    assert_eq!(status, 400);
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{body}");
    assert_eq!(errors[0]["extensions"]["code"], "GRAPHQL_PARSE_FAILED");
    assert_eq!(errors[0]["locations"], json!([{ "line": 1, "column": 14 }]));
}

#[tokio::test]
async fn variables_too_large_or_with_too_long_a_list_are_refused_before_they_are_read() {
    let query = "query($id: ID!) { user(id: $id) { id } }";
    let large = json!({ "id": "x".repeat(600 * 1024) });
    let (limit, actual, message) = refused(query, large).await;
    assert_eq!(limit, "max_variables_bytes");
    assert!(actual > 600 * 1024, "{actual}");
    assert!(message.starts_with("The variables take "), "{message}");

    // Refused while the variables are read, before they are coerced (where
    // a list for an ID would be refused too, but only once built).
    let long = json!({ "id": vec![1; 10_001] });
    let (limit, actual, message) = refused(query, long).await;
    assert_eq!((limit.as_str(), actual), ("max_list_length", 10_001));
    assert_eq!(
        message,
        "A list in the variables has more than 10000 items, over the limit of 10000 (limits.max_list_length)."
    );
}

#[tokio::test]
async fn a_query_plan_asking_subgraphs_for_too_many_fields_is_refused() {
    let settings = GatewaySettings {
        max_plan_fields: 10,
        ..GatewaySettings::default()
    };
    let server =
        start_junction_with(Some(DEMO_SUPERGRAPH), settings, HttpSettings::default()).await;
    let query =
        "{ topProducts { upc name price weight reviews { id body author { id name username } } } }";
    let (status, body) = post_graphql(&server.url("/graphql"), query, json!({})).await;
    let (extensions, message) = refusal(status, &body);
    assert_eq!(extensions["code"], "OPERATION_LIMIT_EXCEEDED");
    assert_eq!(extensions["limit"], "max_plan_fields");
    assert!(message.contains("(limits.max_plan_fields)"), "{message}");
}
