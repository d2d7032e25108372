//! A verified token's claims: the registered ones checked (`exp` required,
//! `nbf`, `iat`, `iss`, `aud`, with the provider's leeway) against a given
//! `now`, and the caller read from them along configured claim paths.
//!
//! Pure functions of the claims and the time, so every rule is tested here
//! without a clock or a signature.

use serde_json::{Map, Value};

use crate::identity::{Caller, CallerKind};

use super::settings::{Audiences, ClaimPaths};

/// The claims of a token.
pub(super) type Claims = Map<String, Value>;

/// A claim name, or names joined by dots into nested objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimPath {
    text: String,
    segments: Vec<String>,
}

impl ClaimPath {
    pub fn new(path: &str) -> Self {
        Self {
            text: path.to_string(),
            segments: path.split('.').map(str::to_string).collect(),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The value at this path. At each level the longest run of segments
    /// that is a key wins, so `https://example.com/roles` (one claim whose
    /// name has dots) and `realm_access.roles` (nested) are both found.
    fn find<'a>(&self, claims: &'a Claims) -> Option<&'a Value> {
        find_in(claims, &self.segments)
    }
}

fn find_in<'a>(object: &'a Claims, segments: &[String]) -> Option<&'a Value> {
    (1..=segments.len()).rev().find_map(|taken| {
        let value = object.get(&segments[..taken].join("."))?;
        match &segments[taken..] {
            [] => Some(value),
            rest => find_in(value.as_object()?, rest),
        }
    })
}

/// What the time and registered claims are checked against.
pub(super) struct Expected<'a> {
    pub issuer: &'a str,
    pub audiences: &'a Audiences,
    /// Seconds of clock skew tolerated.
    pub leeway: u64,
    /// Seconds since the Unix epoch.
    pub now: u64,
}

/// Checks `exp` (required), `nbf`, `iat`, `iss` and `aud`; returns `exp`.
pub(super) fn check(claims: &Claims, expected: &Expected<'_>) -> Result<u64, String> {
    let Expected { leeway, now, .. } = *expected;
    let exp = numeric_date(claims, "exp")?.ok_or("the token has no exp")?;
    if now > exp.saturating_add(leeway) {
        return Err("the token has expired".into());
    }
    if numeric_date(claims, "nbf")?.is_some_and(|nbf| nbf > now.saturating_add(leeway)) {
        return Err("the token is not valid yet (nbf)".into());
    }
    if numeric_date(claims, "iat")?.is_some_and(|iat| iat > now.saturating_add(leeway)) {
        return Err("the token was issued in the future (iat)".into());
    }
    if claims.get("iss").and_then(Value::as_str) != Some(expected.issuer) {
        return Err("the token's iss is not its provider's".into());
    }
    check_audience(claims.get("aud"), expected.audiences)?;
    Ok(exp)
}

/// A NumericDate claim (seconds, possibly with a fraction), when present.
fn numeric_date(claims: &Claims, name: &str) -> Result<Option<u64>, String> {
    match claims.get(name) {
        None => Ok(None),
        Some(Value::Number(n)) => match (n.as_u64(), n.as_f64()) {
            (Some(seconds), _) => Ok(Some(seconds)),
            (None, Some(seconds)) if seconds >= 0.0 => Ok(Some(seconds.floor() as u64)),
            _ => Err(format!("the token's {name} is not a date")),
        },
        Some(_) => Err(format!("the token's {name} is not a date")),
    }
}

fn check_audience(aud: Option<&Value>, audiences: &Audiences) -> Result<(), String> {
    let Audiences::OneOf(accepted) = audiences else {
        return Ok(());
    };
    let named = |value: &str| accepted.iter().any(|a| a == value);
    let fits = match aud {
        Some(Value::String(one)) => named(one),
        Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).any(named),
        _ => return Err("the token has no aud".into()),
    };
    if !fits {
        return Err("the token's aud names none of the provider's audiences".into());
    }
    Ok(())
}

/// The caller the claims describe.
pub(super) fn caller(claims: &Claims, paths: &ClaimPaths) -> Result<Caller, String> {
    let text = |path: Option<&ClaimPath>| path.and_then(|p| p.find(claims)).and_then(as_text);
    let list = |path: Option<&ClaimPath>| {
        path.and_then(|p| p.find(claims))
            .map(as_list)
            .unwrap_or_default()
    };
    let subject = text(Some(&paths.subject)).ok_or_else(|| {
        format!(
            "the token has no subject claim `{}`",
            paths.subject.as_str()
        )
    })?;
    Ok(Caller {
        kind: CallerKind::User,
        subject: Some(subject),
        org: text(paths.org.as_ref()),
        roles: list(paths.roles.as_ref()),
        scopes: list(paths.scopes.as_ref()),
        tier: text(paths.tier.as_ref()),
        token_id: text(paths.token_id.as_ref()),
    })
}

/// A string claim, or a number as its text; empty strings are absent.
fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An array of strings, or one string of space-separated items.
fn as_list(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => s.split_whitespace().map(str::to_string).collect(),
        Value::Array(items) => items.iter().filter_map(as_text).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    const NOW: u64 = 1_700_000_000;

    fn claims(value: Value) -> Claims {
        value.as_object().unwrap().clone()
    }

    fn expected(audiences: &Audiences) -> Expected<'_> {
        Expected {
            issuer: "https://idp",
            audiences,
            leeway: 30,
            now: NOW,
        }
    }

    fn checked(value: Value) -> Result<u64, String> {
        let audiences = Audiences::OneOf(vec!["api".into()]);
        check(&claims(value), &expected(&audiences))
    }

    #[test]
    fn times_are_checked_with_the_leeway() {
        let base = |extra: Value| {
            let mut c = json!({"iss": "https://idp", "aud": "api", "exp": NOW + 60});
            c.as_object_mut().unwrap().extend(claims(extra));
            c
        };
        assert_eq!(checked(base(json!({}))), Ok(NOW + 60));
        assert!(
            checked(base(json!({"exp": NOW - 29}))).is_ok(),
            "inside the leeway"
        );
        assert!(checked(base(json!({"exp": NOW - 31})))
            .unwrap_err()
            .contains("expired"));
        assert!(checked(base(json!({"nbf": NOW + 29}))).is_ok());
        assert!(checked(base(json!({"nbf": NOW + 31})))
            .unwrap_err()
            .contains("nbf"));
        assert!(checked(base(json!({"iat": NOW + 31})))
            .unwrap_err()
            .contains("iat"));
        assert!(checked(base(json!({"iat": NOW - 3600}))).is_ok());
        assert_eq!(
            checked(base(json!({"exp": (NOW + 10) as f64 + 0.5}))),
            Ok(NOW + 10)
        );
        assert!(checked(base(json!({"exp": "tomorrow"})))
            .unwrap_err()
            .contains("not a date"));
        assert!(checked(base(json!({"nbf": -5})))
            .unwrap_err()
            .contains("not a date"));
        let mut no_exp = base(json!({}));
        no_exp.as_object_mut().unwrap().remove("exp");
        assert!(checked(no_exp).unwrap_err().contains("no exp"));
    }

    #[test]
    fn issuer_and_audience_must_match() {
        let token = |iss: &str, aud: Value| json!({"iss": iss, "aud": aud, "exp": NOW + 60});
        assert!(checked(token("https://idp", json!(["other", "api"]))).is_ok());
        assert!(checked(token("https://other", json!("api")))
            .unwrap_err()
            .contains("iss"));
        assert!(checked(token("https://idp", json!("other")))
            .unwrap_err()
            .contains("aud"));
        assert!(checked(token("https://idp", json!([]))).is_err());
        assert!(checked(token("https://idp", json!(null)))
            .unwrap_err()
            .contains("no aud"));
        let any = Audiences::Any;
        let without = claims(json!({"iss": "https://idp", "exp": NOW + 60}));
        assert!(check(&without, &expected(&any)).is_ok());
    }

    #[test]
    fn the_caller_follows_nested_and_dotted_claim_paths() {
        let token = claims(json!({
            "sub": "user-1",
            "jti": "t-9",
            "scope": "read:a  write:b",
            "org_id": 42,
            "realm_access": {"roles": ["admin", "viewer", 7]},
            "https://example.com/tier": "gold",
        }));
        let paths = ClaimPaths {
            org: Some(ClaimPath::new("org_id")),
            roles: Some(ClaimPath::new("realm_access.roles")),
            tier: Some(ClaimPath::new("https://example.com/tier")),
            ..ClaimPaths::default()
        };
        let caller = caller(&token, &paths).unwrap();
        assert_eq!(
            caller,
            Caller {
                kind: CallerKind::User,
                subject: Some("user-1".into()),
                org: Some("42".into()),
                roles: vec!["admin".into(), "viewer".into(), "7".into()],
                scopes: vec!["read:a".into(), "write:b".into()],
                tier: Some("gold".into()),
                token_id: Some("t-9".into()),
            }
        );
    }

    #[test]
    fn a_token_without_its_subject_is_refused_and_unmapped_claims_grant_nothing() {
        let token = claims(json!({"uid": "u", "roles": ["admin"], "scp": ["a", "b"]}));
        let error = caller(&token, &ClaimPaths::default()).unwrap_err();
        assert!(error.contains("`sub`"), "{error}");
        let paths = ClaimPaths {
            subject: ClaimPath::new("uid"),
            scopes: Some(ClaimPath::new("scp")),
            ..ClaimPaths::default()
        };
        let caller = caller(&token, &paths).unwrap();
        assert!(caller.roles.is_empty(), "roles are not mapped by default");
        assert_eq!(caller.scopes, ["a", "b"]);
    }

    #[test]
    fn a_longer_literal_key_wins_over_nesting() {
        let token = claims(json!({"a.b": {"c": 1}, "a": {"b": {"c": 2}}}));
        assert_eq!(ClaimPath::new("a.b.c").find(&token), Some(&json!(1)));
        let token = claims(json!({"a.b": 5, "a": {"b": {"c": 2}}}));
        assert_eq!(
            ClaimPath::new("a.b.c").find(&token),
            Some(&json!(2)),
            "falls back"
        );
        assert_eq!(ClaimPath::new("a.x").find(&token), None);
    }
}
