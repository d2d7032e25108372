//! A `@link(url:)` read as a feature url: `<identity>/v<major>.<minor>`,
//! the identity ending in the feature's name. A url that is not a url,
//! or whose path lacks a version or a name before it, is an
//! INVALID_LINK_IDENTIFIER, but only in a schema that links the link or
//! federation spec: elsewhere `@link` is just an unknown directive of a
//! Federation 1 subgraph.

use url::{Position, Url};

/// A feature url split in two.
#[derive(Debug, PartialEq, Eq)]
pub(in crate::compose::subgraph) struct FeatureUrl {
    /// Scheme, host and path up to (without) the version segment; no query or fragment.
    pub(in crate::compose::subgraph) identity: String,
    pub(in crate::compose::subgraph) major: u32,
    pub(in crate::compose::subgraph) minor: u32,
}

/// `url` links the link spec or the federation spec (any version, or
/// none): the schema is one whose `@link`s mean something.
pub(in crate::compose::subgraph) fn names_core_spec(url: &str, specs: &[&str]) -> bool {
    let Ok(parsed) = Url::parse(url) else {
        return false;
    };
    let url = parsed.as_str();
    specs.iter().any(|spec| {
        url.strip_prefix(spec)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?', '#']))
    })
}

/// Splits `url`, or says why it names no feature version.
pub(in crate::compose::subgraph) fn parse(url: &str) -> Result<FeatureUrl, String> {
    let Ok(parsed) = Url::parse(url) else {
        return Err(format!("The @link url \"{url}\" is not a url"));
    };
    let path = parsed.path();
    let (rest, version) = path.rsplit_once('/').unwrap_or(("", path));
    if version.is_empty() {
        return Err(format!(
            "The @link url \"{url}\" has no version: its path must end in the version, as in /v2.3"
        ));
    }
    let Some((major, minor)) = parse_version(version) else {
        return Err(format!(
            "The @link url \"{url}\" ends in \"{version}\", which is not a version vMAJOR.MINOR (as in v2.3)"
        ));
    };
    if rest.trim_start_matches('/').is_empty() {
        return Err(format!(
            "The @link url \"{url}\" has no feature name: the version must follow the feature's name, as in /federation/v2.3"
        ));
    }
    let before_path = &parsed[..Position::BeforePath];
    Ok(FeatureUrl {
        identity: format!("{before_path}{rest}"),
        major,
        minor,
    })
}

/// `v2.3` → (2, 3).
fn parse_version(version: &str) -> Option<(u32, u32)> {
    let (major, minor) = version.strip_prefix('v')?.split_once('.')?;
    let number = |digits: &str| {
        (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse().ok())
            .flatten()
    };
    Some((number(major)?, number(minor)?))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn feature(identity: &str, major: u32, minor: u32) -> FeatureUrl {
        FeatureUrl {
            identity: identity.to_string(),
            major,
            minor,
        }
    }

    #[test]
    fn a_feature_url_splits_into_identity_and_version() {
        let fed = "https://specs.apollo.dev/federation";
        assert_eq!(parse(&format!("{fed}/v2.3")), Ok(feature(fed, 2, 3)));
        assert_eq!(
            parse(&format!("{fed}/v2.10?x=1#top")),
            Ok(feature(fed, 2, 10))
        );
        assert_eq!(parse("urn:foo/v1.0"), Ok(feature("urn:foo", 1, 0)));
    }

    #[test]
    fn core_specs_are_recognised_whatever_their_version() {
        let specs = ["https://specs.apollo.dev/federation"];
        assert!(names_core_spec(
            "https://specs.apollo.dev/federation",
            &specs
        ));
        assert!(names_core_spec(
            "HTTPS://SPECS.APOLLO.DEV/federation/v2.3",
            &specs
        ));
        assert!(!names_core_spec(
            "https://specs.apollo.dev/federationx/v2.3",
            &specs
        ));
        assert!(!names_core_spec("not a url", &specs));
    }

    #[test]
    fn a_url_without_a_version_or_a_name_is_rejected() {
        for url in [
            "https://specs.apollo.dev/federation",
            "https://specs.apollo.dev/federation/",
            "https://specs.apollo.dev/federation/v2.3/",
            "https://specs.apollo.dev/federation/v2",
            "https://specs.apollo.dev/federation/2.3",
            "https://specs.apollo.dev/federation/v2.3.1",
            "https://specs.apollo.dev/federation/v2.x",
            "https://example.com/v1.0",
            "https://example.com",
            "urn:foo",
            "not a url",
            "",
        ] {
            assert!(parse(url).is_err(), "{url}");
        }
    }
}
