//! The caller's identity as headers for the subgraphs: which headers carry
//! it (configurable; by default `x-junction-subject`, `x-junction-org`,
//! `x-junction-roles`, `x-junction-caller-kind`) and their values for one
//! [`Caller`], plus the client's `Authorization` for the subgraphs that
//! take it. Only these are forwarded: a client's own `x-junction-*`
//! headers never reach a subgraph.

use std::sync::Arc;

use http::{HeaderMap, HeaderName, HeaderValue};

use crate::execute::ForwardedHeaders;
use crate::identity::Caller;

/// The header names carrying the caller (`None`: not sent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityHeaders {
    pub subject: Option<HeaderName>,
    pub org: Option<HeaderName>,
    pub roles: Option<HeaderName>,
    pub kind: Option<HeaderName>,
}

impl Default for IdentityHeaders {
    fn default() -> Self {
        Self {
            subject: Some(HeaderName::from_static("x-junction-subject")),
            org: Some(HeaderName::from_static("x-junction-org")),
            roles: Some(HeaderName::from_static("x-junction-roles")),
            kind: Some(HeaderName::from_static("x-junction-caller-kind")),
        }
    }
}

/// What a request sends its subgraphs, for `caller`.
pub(super) fn forwarded(
    caller: &Caller,
    names: &IdentityHeaders,
    anonymous: &Arc<[(HeaderName, HeaderValue)]>,
    request_headers: &HeaderMap,
) -> ForwardedHeaders {
    let authorization = request_headers.get(http::header::AUTHORIZATION).cloned();
    if caller.is_anonymous() {
        return ForwardedHeaders {
            common: Arc::clone(anonymous),
            authorization,
        };
    }
    ForwardedHeaders {
        common: identity_values(caller, names),
        authorization,
    }
}

/// The headers telling subgraphs who `caller` is (computed once for the
/// anonymous caller: [`anonymous_headers`]).
fn identity_values(caller: &Caller, names: &IdentityHeaders) -> Arc<[(HeaderName, HeaderValue)]> {
    let roles = caller.roles.join(",");
    let values = [
        (&names.subject, caller.subject.as_deref()),
        (&names.org, caller.org.as_deref()),
        (&names.roles, (!roles.is_empty()).then_some(roles.as_str())),
    ];
    let mut common: Vec<(HeaderName, HeaderValue)> = values
        .into_iter()
        .filter_map(|(name, value)| Some((name.clone()?, header_value(value?))))
        .collect();
    if let Some(name) = &names.kind {
        common.push((name.clone(), HeaderValue::from_static(caller.kind.as_str())));
    }
    Arc::from(common)
}

/// What every anonymous request sends its subgraphs (built once per gateway).
pub(super) fn anonymous_headers(names: &IdentityHeaders) -> Arc<[(HeaderName, HeaderValue)]> {
    identity_values(&Caller::anonymous(), names)
}

/// `text` as a header value: control characters and `%` percent-encoded
/// (a verified claim may hold anything; a header may not).
fn header_value(text: &str) -> HeaderValue {
    let mut bytes = Vec::with_capacity(text.len());
    for &byte in text.as_bytes() {
        if byte < 0x20 || byte == 0x7f || byte == b'%' {
            bytes.extend_from_slice(format!("%{byte:02X}").as_bytes());
        } else {
            bytes.push(byte);
        }
    }
    HeaderValue::from_bytes(&bytes).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::identity::CallerKind;

    fn anonymous() -> Arc<[(HeaderName, HeaderValue)]> {
        anonymous_headers(&IdentityHeaders::default())
    }

    #[test]
    fn a_user_is_sent_as_subject_org_roles_and_kind() {
        let caller = Caller {
            kind: CallerKind::User,
            subject: Some("u1".into()),
            org: Some("acme".into()),
            roles: vec!["viewer".into(), "editor".into()],
            ..Caller::anonymous()
        };
        let sent = forwarded(
            &caller,
            &IdentityHeaders::default(),
            &anonymous(),
            &HeaderMap::new(),
        );
        let pairs: Vec<(&str, &str)> = sent
            .common
            .iter()
            .map(|(n, v)| (n.as_str(), v.to_str().unwrap()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("x-junction-subject", "u1"),
                ("x-junction-org", "acme"),
                ("x-junction-roles", "viewer,editor"),
                ("x-junction-caller-kind", "user"),
            ]
        );
    }

    #[test]
    fn an_anonymous_caller_sends_only_its_kind_and_odd_values_are_encoded() {
        let sent = forwarded(
            &Caller::anonymous(),
            &IdentityHeaders::default(),
            &anonymous(),
            &HeaderMap::new(),
        );
        assert_eq!(sent.common.len(), 1);
        assert_eq!(header_value("a\r\nb%c").to_str().unwrap(), "a%0D%0Ab%25c");
        assert_eq!(header_value("zoë").as_bytes(), "zoë".as_bytes());
    }
}
