//! `junction compose` and `junction serve --subgraphs` end to end: the
//! supergraph on stdout or one error per line on stderr with exit status
//! 1; composition at start and again when a schema file changes, the old
//! supergraph serving while a change does not compose.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use crate::common::*;

const LINK: &str = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])"#;

#[tokio::test]
async fn compose_prints_the_demo_supergraph() {
    let (code, stdout, stderr) =
        run(&["compose", "--subgraphs", "subgraphs/schema/subgraphs.yaml"]).await;
    assert_eq!(code, 0, "{stderr}");
    let expected = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/supergraph.graphql"),
    )
    .unwrap();
    assert_eq!(stdout.trim_end(), expected.trim_end());
}

#[tokio::test]
async fn compose_reports_each_error_on_one_line_with_code_and_location() {
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("subgraphs.yaml");
    let a = format!("{LINK}\ntype Query {{ a: T }}\ntype T {{ x: Int }}");
    let b = format!("{LINK}\ntype Query {{ b: T }}\ntype T {{ x: Int }}");
    std::fs::write(dir.path().join("a.graphql"), a).unwrap();
    std::fs::write(dir.path().join("b.graphql"), b).unwrap();
    std::fs::write(
        &list,
        "- {name: a, url: 'http://a/graphql', schema: a.graphql}\n- {name: b, url: 'http://b/graphql', schema: b.graphql}\n",
    )
    .unwrap();
    let (code, stdout, stderr) = run(&["compose", "--subgraphs", list.to_str().unwrap()]).await;
    assert_eq!(code, 1);
    assert!(stdout.is_empty(), "{stdout}");
    let line = stderr
        .lines()
        .find(|l| l.starts_with("INVALID_FIELD_SHARING: "))
        .unwrap_or_else(|| panic!("no INVALID_FIELD_SHARING line in {stderr}"));
    assert!(line.contains("\"T.x\""), "{line}");
    assert!(line.contains("(at a:3:") && line.contains("b:3:"), "{line}");
    // Every line has the same shape: no summary line a script must skip.
    for line in stderr.lines() {
        let (code, rest) = line.split_once(": ").unwrap_or_else(|| panic!("{line}"));
        assert!(
            !code.is_empty() && code.chars().all(|c| c.is_ascii_uppercase() || c == '_'),
            "not CODE: message: {line}"
        );
        assert!(rest.ends_with(')') && rest.contains(" (at "), "{line}");
    }
}

#[tokio::test]
async fn serve_composes_at_start_and_again_when_a_schema_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("products.graphql");
    std::fs::write(&schema, format!("{LINK}\ntype Query {{ a: Int }}")).unwrap();
    let list = dir.path().join("subgraphs.yaml");
    // Nothing listens on port 9: fetches fail fast, validation tells the schemas apart.
    std::fs::write(
        &list,
        "- name: products\n  url: http://127.0.0.1:9/products\n  schema: products.graphql\n",
    )
    .unwrap();
    let mut junction = JunctionProcess::spawn(&[
        "serve",
        "--subgraphs",
        list.to_str().unwrap(),
        "--listen",
        "127.0.0.1:0",
    ]);
    let graphql = format!("{}/graphql", junction.base_url().await);
    let ask_b = r#"{"query":"{ b }"}"#;
    assert_eq!(post(&graphql, ask_b, None).await.status().as_u16(), 400);

    save(&schema, &format!("{LINK}\ntype Query {{ a: Int b: Int }}"));
    junction.wait_for_line("supergraph reloaded").await;
    assert_eq!(post(&graphql, ask_b, None).await.status().as_u16(), 200);

    // A change that does not compose: logged, and the last supergraph keeps serving.
    save(
        &schema,
        &format!("{LINK}\ntype Query {{ a: Int b: Missing }}"),
    );
    let line = junction.wait_for_line("do not compose").await;
    assert!(line.contains("keeps serving"), "{line}");
    junction.wait_for_line("INVALID_GRAPHQL").await;
    assert_eq!(post(&graphql, ask_b, None).await.status().as_u16(), 200);
    junction.terminate().await;
}
