//! Cross-origin resource sharing: which browser origins may call the
//! gateway. tower-http's layer answers preflights (they never reach a
//! handler) and adds the `Access-Control-*` headers; this module decides
//! which origins it allows: exact ones, and patterns whose `*` stands for
//! one or more letters, digits, dots and hyphens, so that a pattern's
//! wildcard cannot reach across the `:` of a port or the `//` of a scheme.

use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, Method};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// What cross-origin callers may do.
#[derive(Debug, Clone, Default)]
pub struct CorsSettings {
    /// Allowed origins: exact, patterns with `*`, or `"*"` for any.
    pub origins: Vec<String>,
    pub methods: Vec<String>,
    pub headers: Vec<String>,
    pub expose_headers: Vec<String>,
    pub credentials: bool,
    pub max_age: Duration,
}

/// The CORS layer, or `None` when no origin is allowed (then no
/// `Access-Control-*` header is ever sent and browsers refuse every
/// cross-origin call).
pub fn layer(settings: &CorsSettings) -> Option<CorsLayer> {
    if settings.origins.is_empty() {
        return None;
    }
    let origins = AllowedOrigins::new(&settings.origins);
    let allow_origin = match origins.any {
        true if !settings.credentials => AllowOrigin::any(),
        _ => AllowOrigin::predicate(move |origin, _| origins.allows(origin)),
    };
    let methods: Vec<Method> = parsed(&settings.methods, |m| Method::from_bytes(m.as_bytes()));
    let headers: Vec<HeaderName> = parsed(&settings.headers, |h| HeaderName::try_from(h.as_str()));
    let exposed: Vec<HeaderName> = parsed(&settings.expose_headers, |h| {
        HeaderName::try_from(h.as_str())
    });
    Some(
        CorsLayer::new()
            .allow_origin(allow_origin)
            .allow_methods(methods)
            .allow_headers(headers)
            .expose_headers(exposed)
            .allow_credentials(settings.credentials)
            .max_age(settings.max_age),
    )
}

/// The items that parse (the configuration was validated before).
fn parsed<T, E>(items: &[String], parse: impl Fn(&String) -> Result<T, E>) -> Vec<T> {
    items.iter().filter_map(|item| parse(item).ok()).collect()
}

/// The allowed origins, ready to be matched.
#[derive(Debug, Clone)]
struct AllowedOrigins {
    any: bool,
    exact: Vec<String>,
    patterns: Vec<Vec<Piece>>,
}

/// A pattern as literal runs and wildcards.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(Vec<u8>),
    Wildcard,
}

/// Origins longer than this are not matched against patterns (no real
/// origin is this long).
const MAX_ORIGIN: usize = 512;

impl AllowedOrigins {
    fn new(origins: &[String]) -> Self {
        let (patterns, exact): (Vec<&String>, Vec<&String>) = origins
            .iter()
            .partition(|o| o.contains('*') && o.as_str() != "*");
        Self {
            any: origins.iter().any(|o| o == "*"),
            exact: exact.into_iter().map(|o| o.to_ascii_lowercase()).collect(),
            patterns: patterns.into_iter().map(|p| pieces(p)).collect(),
        }
    }

    fn allows(&self, origin: &HeaderValue) -> bool {
        if self.any {
            return true;
        }
        let origin = origin.as_bytes().to_ascii_lowercase();
        if self.exact.iter().any(|o| o.as_bytes() == origin) {
            return true;
        }
        origin.len() <= MAX_ORIGIN && self.patterns.iter().any(|p| matches(p, &origin))
    }
}

fn pieces(pattern: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    for (i, literal) in pattern.to_ascii_lowercase().split('*').enumerate() {
        if i > 0 {
            pieces.push(Piece::Wildcard);
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal.as_bytes().to_vec()));
        }
    }
    pieces
}

fn is_wildcard_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'.' || byte == b'-'
}

/// Does `text` match the pattern? Each wildcard takes one or more
/// [`is_wildcard_byte`]s. Every way of matching is followed at once, as
/// the set of text positions the pieces so far can end at: one pass over
/// the text per piece (a literal is compared at each reachable position),
/// never the exponential backtracking of trying splits one by one.
fn matches(pieces: &[Piece], text: &[u8]) -> bool {
    // reachable[j]: the pieces so far can match text[..j].
    let mut reachable = vec![false; text.len() + 1];
    reachable[0] = true;
    for piece in pieces {
        let mut next = vec![false; text.len() + 1];
        match piece {
            Piece::Literal(literal) => {
                for start in (0..=text.len()).filter(|&j| reachable[j]) {
                    if text[start..].starts_with(literal) {
                        next[start + literal.len()] = true;
                    }
                }
            }
            Piece::Wildcard => {
                // next[j + 1]: some reachable start s <= j has text[s..=j]
                // all wildcard bytes; `open` carries that along a run of them.
                let mut open = false;
                for (j, &byte) in text.iter().enumerate() {
                    open = (open || reachable[j]) && is_wildcard_byte(byte);
                    next[j + 1] = open;
                }
            }
        }
        reachable = next;
    }
    reachable[text.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(origins: &[&str], origin: &str) -> bool {
        let origins: Vec<String> = origins.iter().map(|o| o.to_string()).collect();
        AllowedOrigins::new(&origins).allows(
            &HeaderValue::from_str(origin).unwrap_or_else(|_| HeaderValue::from_static("x")),
        )
    }

    #[test]
    fn exact_origins_match_whole_and_ignoring_case() {
        let list = ["https://app.example.com"];
        assert!(allowed(&list, "https://app.example.com"));
        assert!(allowed(&list, "HTTPS://App.Example.com"));
        for refused in [
            "https://app.example.com.evil.io",
            "http://app.example.com",
            "https://app.example.co",
            "null",
        ] {
            assert!(!allowed(&list, refused), "{refused}");
        }
    }

    #[test]
    fn a_wildcard_spans_host_characters_only() {
        let list = ["http://localhost:*", "https://*.example.com"];
        for ok in [
            "http://localhost:3000",
            "http://localhost:5173",
            "https://app.example.com",
            "https://a.b-c.example.com",
        ] {
            assert!(allowed(&list, ok), "{ok}");
        }
        for refused in [
            "http://localhost",
            "http://localhost:",
            "http://localhost:80@evil.io",
            "http://localhost:3000/x",
            "https://.example.com.evil.io",
            "https://example.com",
            "https://evil.io/.example.com",
            "https://evil.io:1.example.com:",
            "http://app.example.com",
        ] {
            assert!(!allowed(&list, refused), "{refused}");
        }
    }

    #[test]
    fn a_star_alone_allows_any_origin() {
        assert!(allowed(&["*"], "https://anything.io"));
        assert!(!allowed(&[], "https://anything.io"));
    }
}
