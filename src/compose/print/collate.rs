//! The order Apollo's supergraph lists directive and type definitions in:
//! JavaScript `localeCompare` (ICU root collation), not byte order.
//!
//! For GraphQL names (`[_A-Za-z0-9]`) the root collation reduces to two
//! passes. Primary: characters compared one by one with `_` before digits
//! before letters, letters ignoring case and digits by value (no numeric
//! collation: `a10 < a9`), a prefix before what extends it. Tertiary, only
//! when every primary weight is equal: case left to right, lowercase first
//! (`ab < aB < Ab < AB`). Other characters (never in a GraphQL name) sort
//! after letters by code point, so the order stays total.

use std::cmp::Ordering;

/// Compares two GraphQL names the way Apollo's output orders them (JS
/// `localeCompare`, root collation).
pub(in crate::compose) fn collate(a: &str, b: &str) -> Ordering {
    let primary = a
        .chars()
        .map(primary_weight)
        .cmp(b.chars().map(primary_weight));
    primary
        .then_with(|| a.chars().map(is_upper).cmp(b.chars().map(is_upper)))
        .then_with(|| a.cmp(b))
}

/// The base weight: `_`, then digits, then letters (case folded), then the rest.
fn primary_weight(c: char) -> (u8, u32) {
    match c {
        '_' => (0, 0),
        '0'..='9' => (1, u32::from(c)),
        'a'..='z' | 'A'..='Z' => (2, u32::from(c.to_ascii_lowercase())),
        _ => (3, u32::from(c)),
    }
}

/// The tertiary weight: lowercase (and caseless) before uppercase.
fn is_upper(c: char) -> bool {
    c.is_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

    use super::collate;

    #[test]
    fn collates_like_locale_compare() {
        let orders = [
            &[
                "_x",
                "a_b",
                "A1",
                "A2",
                "AB",
                "apple",
                "Banana",
                "jo_a",
                "join__Graph",
                "Joiner",
                "Query",
                "Zeta",
                "zeta2",
            ][..],
            &[
                "A_", "A__", "a10", "a9", "ab", "aB", "Ab", "AB", "Ab_c", "Abc",
            ][..],
        ];
        for order in orders {
            for (i, a) in order.iter().enumerate() {
                for b in &order[i + 1..] {
                    assert_eq!(collate(a, b), Ordering::Less, "{a} < {b}");
                    assert_eq!(collate(b, a), Ordering::Greater, "{b} > {a}");
                }
            }
        }
        assert_eq!(collate("Abc", "Abc"), Ordering::Equal);
    }
}
