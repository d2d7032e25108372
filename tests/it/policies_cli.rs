//! `junction policies check`: the seed policy fits the demo supergraph; a
//! rule naming a renamed field, a missing type or an unknown name is an
//! error with its line; malformed lines are refused; `--json` says the same.

#![allow(clippy::unwrap_used)]

use serde_json::Value;

use crate::common::run;

#[tokio::test]
async fn the_seed_policy_fits_the_demo_supergraph() {
    let (code, stdout, stderr) = run(&[
        "policies",
        "check",
        "--policy",
        "policies/policy.csv",
        "--supergraph",
        "schema/supergraph.graphql",
        "--pii",
        "policies/pii.yaml",
    ])
    .await;
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("every rule fits the supergraph"),
        "{stdout}"
    );
}

#[tokio::test]
async fn rules_naming_nothing_are_errors_with_their_lines() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.csv");
    let text = "# ok\np, viewer, *, User.name, read\np, viewer, *, User.emial, read\np, viewer, *, Person.*, read\np, viewer, *, hr, read\ng, admin, viewer\np, admin, *, *, *\n";
    std::fs::write(&policy, text).unwrap();
    let args = [
        "policies",
        "check",
        "--policy",
        policy.to_str().unwrap(),
        "--supergraph",
        "schema/supergraph.graphql",
    ];
    let (code, stdout, stderr) = run(&args).await;
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains(":3: User has no field emial"), "{stdout}");
    assert!(
        stdout.contains(":4: the supergraph has no type Person"),
        "{stdout}"
    );
    assert!(
        stdout.contains(":5: \"hr\" is neither a coordinate"),
        "{stdout}"
    );
    assert!(stderr.contains("3 rule(s) name nothing"), "{stderr}");

    let mut json_args = args.to_vec();
    json_args.push("--json");
    let (code, stdout, _) = run(&json_args).await;
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(report["ok"], false);
    assert_eq!(report["problems"].as_array().unwrap().len(), 3);
    assert_eq!(report["problems"][0]["line"], 3);

    std::fs::write(&policy, "p, viewer, *, User.name\n").unwrap();
    let (code, _, stderr) = run(&args).await;
    assert_eq!(code, 1);
    assert!(stderr.contains("policy line 1"), "{stderr}");
}

#[tokio::test]
async fn pii_rules_naming_no_field_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let pii = dir.path().join("pii.yaml");
    std::fs::write(
        &pii,
        "User.name: { kind: NAME }\nUser.mail: { kind: EMAIL }\nUser.birthday: { kind: FREE_TEXT }\n",
    )
    .unwrap();
    let (code, stdout, _) = run(&[
        "policies",
        "check",
        "--supergraph",
        "schema/supergraph.graphql",
        "--pii",
        pii.to_str().unwrap(),
    ])
    .await;
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("User has no field mail"), "{stdout}");
    assert!(stdout.contains("User.birthday is of type Int"), "{stdout}");
    assert!(!stdout.contains("User.name"), "{stdout}");
}

#[tokio::test]
async fn org_scoped_types_must_be_objects_with_a_string_org_field() {
    let dir = tempfile::tempdir().unwrap();
    let org = dir.path().join("org_scoped.yaml");
    std::fs::write(&org, "User: username\nProduct: price\nInvoice: orgId\n").unwrap();
    let (code, stdout, _) = run(&[
        "policies",
        "check",
        "--supergraph",
        "schema/supergraph.graphql",
        "--org-scoped",
        org.to_str().unwrap(),
    ])
    .await;
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("Product.price is of type Int"), "{stdout}");
    assert!(
        stdout.contains("the supergraph has no type Invoice"),
        "{stdout}"
    );
    assert!(!stdout.contains("User"), "{stdout}");
}
