//! What each caller receives, field by field, under the seed policy: the
//! demo behind Junction, callers with real JWTs (`admin`, `editor`,
//! `viewer`, `api_user`) and an anonymous one (treated as `viewer`), the
//! benchmark's heavy query and targeted ones, in filter and reject mode.
//! Each (mode, query) is one snapshot of every caller's status and whole
//! response; for the heavy query, the callers who must get exactly the
//! benchmark's answer are checked against `tests/fixtures/heavy_response.json`
//! and named in the snapshot instead of repeating it.

#![allow(clippy::unwrap_used)]

use junction::access::AccessMode;
use serde_json::{json, Map, Value};

use crate::access::{ask, setup_with, Options, Setup};

const HEAVY_QUERY: &str = include_str!("../fixtures/heavy_query.graphql");
const HEAVY_RESPONSE: &str = include_str!("../fixtures/heavy_response.json");

/// Every caller, by the name the snapshots give it, and its roles (none:
/// anonymous).
const CALLERS: [(&str, Option<&[&str]>); 5] = [
    ("admin", Some(&["admin"])),
    ("editor", Some(&["editor"])),
    ("viewer", Some(&["viewer"])),
    ("api_user", Some(&["api_user"])),
    ("anonymous", None),
];

const PROFILE: &str = "{ me { id name username birthday email phone } }";
const USERS: &str = "{ users { id name email phone birthday } }";
const CATALOGUE: &str =
    "{ topProducts(first: 2) { upc name price reviews { body author { username email } } } }";
const WRITE: &str =
    "mutation { createReview(upc: \"1\", body: \"Sturdy.\") { id body product { upc } } }";

/// Every caller's status and response to `query`.
async fn answers(setup: &Setup, query: &str) -> Map<String, Value> {
    let mut all = Map::new();
    for (name, roles) in CALLERS {
        let (status, body) = ask(setup, query, roles).await;
        all.insert(name.to_string(), json!({ "status": status, "body": body }));
    }
    all
}

/// The answers to the heavy query, with those equal to the benchmark's
/// answer replaced by a note saying so (after checking they are).
async fn heavy_answers(setup: &Setup, same_as_benchmark: &[&str]) -> Map<String, Value> {
    let expected: Value = serde_json::from_str(HEAVY_RESPONSE).unwrap();
    let mut all = answers(setup, HEAVY_QUERY).await;
    for name in same_as_benchmark {
        let answer = &all[*name];
        assert_eq!(answer["status"], 200, "{name}");
        assert_eq!(answer["body"], expected, "{name}");
        all.insert(
            name.to_string(),
            json!("200, exactly tests/fixtures/heavy_response.json"),
        );
    }
    all
}

fn mode_name(mode: AccessMode) -> &'static str {
    match mode {
        AccessMode::Filter => "filter",
        AccessMode::Reject => "reject",
    }
}

async fn snapshot_every_query(mode: AccessMode) {
    let setup = setup_with(Options::new(mode)).await;
    let everyone_but_api_user = ["admin", "editor", "viewer", "anonymous"];
    let heavy = heavy_answers(&setup, &everyone_but_api_user).await;
    let mode = mode_name(mode);
    insta::assert_json_snapshot!(format!("{mode}_heavy_query"), heavy);
    for (name, query) in [
        ("profile", PROFILE),
        ("users", USERS),
        ("catalogue", CATALOGUE),
        ("write", WRITE),
    ] {
        let all = answers(&setup, query).await;
        insta::assert_json_snapshot!(format!("{mode}_{name}"), all);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_in_filter_mode() {
    snapshot_every_query(AccessMode::Filter).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_in_reject_mode() {
    snapshot_every_query(AccessMode::Reject).await;
}
