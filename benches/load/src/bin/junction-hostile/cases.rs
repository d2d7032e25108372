//! The hostile requests: each case is a named builder of request bodies (most cases
//! send one; case 4 sends a hundred) and what the gateway is expected to answer with
//! its default configuration. The builders are plain functions of their sizes, so the
//! tests below can check each document's shape on a small instance.

use bytes::Bytes;
use serde_json::json;

use crate::send::{Answer, Data};

/// What `limits.max_errors` allows by default, plus the one error saying how many
/// were left out.
const CAPPED_ERRORS: usize = 100 + 1;

/// One hostile case.
pub struct Case {
    /// Its short name in the report: `1`, `3b`, …
    pub id: &'static str,
    /// What it sends.
    pub title: &'static str,
    /// What the gateway should answer, in words.
    pub expected: &'static str,
    /// How many requests it sends, one after another.
    pub requests: usize,
    /// The body of request `i`.
    pub body: fn(usize) -> Bytes,
    /// Whether an answer is the expected one.
    pub accepts: fn(&Answer) -> bool,
}

/// Every case, in the order they run.
pub fn all() -> Vec<Case> {
    vec![
        Case {
            id: "1",
            title: "fragment bomb, 24 levels (2^24 expanded selections)",
            expected: "refused: OPERATION_LIMIT_EXCEEDED",
            requests: 1,
            body: |_| query_body(&fragment_bomb(24)),
            accepts: |answer| answer.first_code() == "OPERATION_LIMIT_EXCEEDED",
        },
        Case {
            id: "2",
            title: "1.9 MB syntax error: 1,900,000 `)`",
            expected: "refused fast: OPERATION_LIMIT_EXCEEDED (tokens), or \
                       GRAPHQL_PARSE_FAILED with at most max_errors + 1 errors",
            requests: 1,
            body: |_| query_body(&closing_parens(1_900_000)),
            accepts: |answer| {
                let code = answer.first_code();
                answer.errors <= CAPPED_ERRORS
                    && (code == "OPERATION_LIMIT_EXCEEDED" || code == "GRAPHQL_PARSE_FAILED")
            },
        },
        Case {
            id: "3",
            title: "800 aliases × 4,096 entities",
            expected: "refused: OPERATION_LIMIT_EXCEEDED (aliases)",
            requests: 1,
            body: |_| query_body(&aliased_fan_out(800, 4096, Ids::Distinct)),
            accepts: |answer| answer.first_code() == "OPERATION_LIMIT_EXCEEDED",
        },
        Case {
            id: "3b",
            title: "200 aliases × 4,096 entities (819,200 distinct representations)",
            expected: "data with errors (entity representation limit) or refused; \
                       no memory blow-up",
            requests: 1,
            body: |_| query_body(&aliased_fan_out(200, 4096, Ids::Distinct)),
            accepts: |answer| answer.is_clear() && answer.errors > 0,
        },
        Case {
            id: "3c",
            title: "200 aliases × the same 4,096 entities (4,096 distinct representations)",
            expected: "data (representations deduplicated) or refused; no memory blow-up",
            requests: 1,
            body: |_| query_body(&aliased_fan_out(200, 4096, Ids::Shared)),
            accepts: Answer::is_clear,
        },
        Case {
            id: "3d",
            title: "40,000 items × 1 KiB payload (a 41 MB subgraph response)",
            expected: "data null with SUBGRAPH_RESPONSE_TOO_LARGE (32 MiB limit)",
            requests: 1,
            body: |_| query_body(&large_response(40_000)),
            accepts: |answer| answer.has_code("SUBGRAPH_RESPONSE_TOO_LARGE"),
        },
        Case {
            id: "4",
            title: "100 distinct valid operations of 600 KB",
            expected: "each refused (OPERATION_LIMIT_EXCEEDED, tokens) or answered",
            requests: 100,
            body: |i| query_body(&wide_selection(i, 600_000)),
            accepts: Answer::is_clear,
        },
        Case {
            id: "5",
            title: "list variable of 1,000,000 items",
            expected: "refused: OPERATION_LIMIT_EXCEEDED (variables)",
            requests: 1,
            body: |_| list_variable_body(1_000_000),
            accepts: |answer| answer.first_code() == "OPERATION_LIMIT_EXCEEDED",
        },
        Case {
            id: "6",
            title: "20,000 non-null violations from a subgraph, in `[Item!]!`",
            expected: "data null (the first violation nulls the whole list), at most \
                       max_errors errors + TOO_MANY_ERRORS",
            requests: 1,
            body: |_| query_body(&non_null_violations("items", 20_000)),
            accepts: |answer| answer.data == Data::Null && capped(answer),
        },
        Case {
            id: "6b",
            title: "20,000 non-null violations from a subgraph, in `[Item]!`",
            expected: "partial data (each violation nulls one item), errors capped: \
                       max_errors + TOO_MANY_ERRORS",
            requests: 1,
            body: |_| query_body(&non_null_violations("nullableItems", 20_000)),
            accepts: |answer| {
                answer.data == Data::Present
                    && answer.errors == CAPPED_ERRORS
                    && answer.last_code() == Some("TOO_MANY_ERRORS")
            },
        },
    ]
}

/// `{"query": text}`.
pub fn query_body(query: &str) -> Bytes {
    Bytes::from(json!({ "query": query }).to_string())
}

/// `levels` fragments on `Item`, each selecting the one below it twice under two
/// different aliases (`l` and `r`), so no validator can merge the two: `F{levels}`
/// expands to 2^levels selections of `id`, nested `levels + 2` deep (below the depth
/// limit, so only the expansion limits can refuse it). The fragments are on `Item`
/// rather than `Query` because only a field returning the fragment's own type
/// (`Item.next`) makes a spread under an alias possible.
pub fn fragment_bomb(levels: u32) -> String {
    let mut query = format!("query FragmentBomb {{ items(n: 1) {{ ...F{levels} }} }}\n");
    query.push_str("fragment F0 on Item { id }\n");
    for level in 1..=levels {
        let below = level - 1;
        query.push_str(&format!(
            "fragment F{level} on Item {{ l: next {{ ...F{below} }} r: next {{ ...F{below} }} }}\n"
        ));
    }
    query
}

/// `count` closing parentheses: a document that is a syntax error at its first byte.
pub fn closing_parens(count: usize) -> String {
    ")".repeat(count)
}

/// Whether the aliases of a fan-out select different entities or the same ones.
#[derive(Debug, Clone, Copy)]
pub enum Ids {
    /// Each alias starts its ids where the previous one ended.
    Distinct,
    /// Every alias has ids `0..per_alias`.
    Shared,
}

/// One item whose `children` are fetched under `aliases` aliases, `per_alias` each,
/// selecting `detail` (from the other subgraph, so each child is an entity to fetch).
/// The aliases sit one level down, under a single root field, so that only the alias
/// limit (not the root-field limit) applies.
pub fn aliased_fan_out(aliases: usize, per_alias: usize, ids: Ids) -> String {
    let mut query = String::from("{ items(n: 1) {");
    for alias in 0..aliases {
        let from = match ids {
            Ids::Distinct => alias * per_alias,
            Ids::Shared => 0,
        };
        query.push_str(&format!(
            " a{alias}: children(n: {per_alias}, from: {from}) {{ detail }}"
        ));
    }
    query.push_str(" } }");
    query
}

/// `{ items(n: count) { id payload } }`: a subgraph response of about `count` KiB.
pub fn large_response(count: usize) -> String {
    format!("{{ items(n: {count}) {{ id payload }} }}")
}

/// A valid operation of at least `min_bytes`, distinct for each `index` (its alias):
/// one root field selecting `id` over and over.
pub fn wide_selection(index: usize, min_bytes: usize) -> String {
    let head = format!("{{ q{index}: items(n: 1) {{");
    let repeats = min_bytes.saturating_sub(head.len()).div_ceil(3);
    let mut query = String::with_capacity(head.len() + 3 * repeats + 4);
    query.push_str(&head);
    for _ in 0..repeats {
        query.push_str(" id");
    }
    query.push_str(" } }");
    query
}

/// `byIds(ids: $ids)` with a list variable of `count` single-digit items, written
/// by hand so that it stays as short as JSON allows (2 bytes an item).
pub fn list_variable_body(count: usize) -> Bytes {
    let query = "query ByIds($ids: [ID!]!) { byIds(ids: $ids) { id } }";
    let items = vec!["1"; count].join(",");
    let body = format!(
        r#"{{"query":{},"variables":{{"ids":[{items}]}}}}"#,
        json!(query)
    );
    Bytes::from(body)
}

/// `count` items of the list `field` whose `value`, declared `String!`, the
/// subgraph answers null.
pub fn non_null_violations(field: &str, count: usize) -> String {
    format!("{{ {field}(n: {count}) {{ id value }} }}")
}

/// Whether an answer has errors, no more than `max_errors` of them and, past that,
/// one saying how many were left out.
fn capped(answer: &Answer) -> bool {
    match answer.errors {
        0 => false,
        n if n < CAPPED_ERRORS => true,
        n => n == CAPPED_ERRORS && answer.last_code() == Some("TOO_MANY_ERRORS"),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    /// The gateway's default `body_limit_bytes`: every body must fit.
    const BODY_LIMIT: usize = 2 * 1024 * 1024;

    #[test]
    fn a_fragment_bomb_doubles_under_distinct_aliases_at_each_level() {
        assert_eq!(
            fragment_bomb(2),
            "query FragmentBomb { items(n: 1) { ...F2 } }\n\
             fragment F0 on Item { id }\n\
             fragment F1 on Item { l: next { ...F0 } r: next { ...F0 } }\n\
             fragment F2 on Item { l: next { ...F1 } r: next { ...F1 } }\n"
        );
    }

    #[test]
    fn fan_out_aliases_take_distinct_or_shared_id_ranges() {
        assert_eq!(
            aliased_fan_out(2, 10, Ids::Distinct),
            "{ items(n: 1) { a0: children(n: 10, from: 0) { detail } \
             a1: children(n: 10, from: 10) { detail } } }"
        );
        assert_eq!(
            aliased_fan_out(2, 10, Ids::Shared),
            "{ items(n: 1) { a0: children(n: 10, from: 0) { detail } \
             a1: children(n: 10, from: 0) { detail } } }"
        );
    }

    #[test]
    fn wide_selections_are_distinct_and_as_long_as_asked() {
        let first = wide_selection(0, 600_000);
        let second = wide_selection(1, 600_000);
        assert_ne!(first, second);
        assert!(first.len() >= 600_000 && first.len() < 600_010);
        assert!(first.starts_with("{ q0: items(n: 1) { id id"));
        assert!(first.ends_with(" id } }"));
    }

    #[test]
    fn a_list_variable_of_a_million_items_is_json_under_the_body_limit() -> anyhow::Result<()> {
        let body = list_variable_body(1_000_000);
        assert!(body.len() < BODY_LIMIT, "{} bytes", body.len());
        let value: Value = serde_json::from_slice(&body)?;
        assert_eq!(
            value["variables"]["ids"].as_array().map(Vec::len),
            Some(1_000_000)
        );
        assert_eq!(
            value["query"],
            "query ByIds($ids: [ID!]!) { byIds(ids: $ids) { id } }"
        );
        Ok(())
    }

    #[test]
    fn every_request_fits_the_default_body_limit() {
        for case in all() {
            for i in 0..case.requests {
                let size = (case.body)(i).len();
                assert!(size < BODY_LIMIT, "case {}: {size} bytes", case.id);
            }
        }
    }
}
