//! The `join__Graph` enum value naming each subgraph (brief §1.6, black
//! box): every character outside `[A-Za-z0-9_]` becomes `_` (one per
//! UTF-16 unit: `über` → `_BER`), a leading digit gets a `_` prefix, a
//! trailing `_<digits>` gets a `_` suffix (so it cannot clash with the
//! de-duplication suffixes), then upper case; names that still collide
//! are numbered `_1`, `_2`, … in graph order.

use std::collections::HashMap;

/// The `join__Graph` value of each subgraph name, in the given (graph) order.
pub(in crate::compose) fn graph_enum_values(names: &[&str]) -> Vec<String> {
    let bases: Vec<String> = names.iter().map(|name| base_value(name)).collect();
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for base in &bases {
        *counts.entry(base.as_str()).or_default() += 1;
    }
    let mut seen: HashMap<&str, usize> = HashMap::new();
    bases
        .iter()
        .map(|base| {
            if counts.get(base.as_str()).copied().unwrap_or(0) < 2 {
                return base.clone();
            }
            let n = seen.entry(base.as_str()).or_default();
            *n += 1;
            format!("{base}_{n}")
        })
        .collect()
}

/// One name's value before de-duplication.
fn base_value(name: &str) -> String {
    let mut value: String = name
        .chars()
        .flat_map(|c| {
            let replaced = if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            };
            let units = if replaced == c { 1 } else { c.len_utf16() };
            std::iter::repeat_n(replaced, units)
        })
        .collect();
    if value.starts_with(|c: char| c.is_ascii_digit()) {
        value.insert(0, '_');
    }
    if ends_with_underscore_digits(&value) {
        value.push('_');
    }
    value.to_ascii_uppercase()
}

/// Whether `value` ends with `_` followed by one or more digits.
fn ends_with_underscore_digits(value: &str) -> bool {
    let without_digits = value.trim_end_matches(|c: char| c.is_ascii_digit());
    without_digits.len() < value.len() && without_digits.ends_with('_')
}

#[cfg(test)]
mod tests {
    use super::graph_enum_values;

    #[test]
    fn names_graphs_like_apollo() {
        let cases: [(&[&str], &[&str]); 9] = [
            (&["all-products", "node-two"], &["ALL_PRODUCTS", "NODE_TWO"]),
            (&["1abc", "1"], &["_1ABC", "_1_"]),
            (&["a_1", "a__1", "a1"], &["A_1_", "A__1_", "A1"]),
            (&["A", "a"], &["A_1", "A_2"]),
            (&["über", "é", "a😀"], &["_BER", "_", "A__"]),
            (&["é", "ß"], &["__1", "__2"]),
            (&["x-12", "x_12"], &["X_12__1", "X_12__2"]),
            (
                &["A", "a", "a-b", "a_1", "a_b"],
                &["A_1", "A_2", "A_B_1", "A_1_", "A_B_2"],
            ),
            (&["sub.v2", "_x"], &["SUB_V2", "_X"]),
        ];
        for (names, expected) in cases {
            assert_eq!(graph_enum_values(names), expected, "{names:?}");
        }
    }
}
