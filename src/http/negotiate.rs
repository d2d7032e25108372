//! Media types: which one the response is encoded in (the `Accept` header,
//! q-values included) and whether a POST body's `Content-Type` is one we read.
//!
//! Per GraphQL over HTTP, `application/graphql-response+json` is the preferred
//! response type and `application/json` the legacy one. A request without an
//! `Accept` header is treated as accepting `application/graphql-response+json`
//! (the spec's rule since its 2025-01-01 watershed), and so is `*/*`.
//!
//! `multipart/mixed` (named explicitly, with `deferSpec=20220824` or no
//! `deferSpec`) lets deferred fragments arrive incrementally; a client that
//! accepts nothing else gets every response as `multipart/mixed`.
//!
//! A `GET` whose `Accept` prefers `text/html` to all of these is a browser
//! navigating to the endpoint ([`prefers_html`]): it gets GraphiQL when
//! that is on.

use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue};

use super::HttpError;

/// The media type a GraphQL response is encoded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseMediaType {
    /// `application/graphql-response+json`: status codes tell request errors apart.
    GraphQLResponseJson,
    /// `application/json`: 200 for every well-formed GraphQL request.
    Json,
    /// `multipart/mixed`, for a client that accepts no JSON type: every
    /// response is sent as parts (one, unless fragments are deferred).
    Multipart,
}

/// The only `deferSpec` of `multipart/mixed` we produce: graphql-js's
/// incremental delivery format of 2022-08-24, as Apollo Client asks for it.
pub const DEFER_SPEC: &str = "20220824";

impl ResponseMediaType {
    const ALL: [Self; 2] = [Self::GraphQLResponseJson, Self::Json];

    /// The media type's essence, lowercase, without parameters.
    pub fn essence(self) -> &'static str {
        match self {
            Self::GraphQLResponseJson => "application/graphql-response+json",
            Self::Json => "application/json",
            Self::Multipart => "multipart/mixed",
        }
    }

    /// The `Content-Type` header of a response in this media type.
    pub fn content_type(self) -> HeaderValue {
        HeaderValue::from_static(match self {
            Self::GraphQLResponseJson => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
            Self::Multipart => "multipart/mixed; boundary=\"graphql\"; deferSpec=20220824",
        })
    }
}

/// A request to switch the connection to WebSocket (as GraphQL-over-WebSocket
/// clients open subscriptions).
pub fn is_websocket_upgrade(headers: &HeaderMap) -> bool {
    headers
        .get_all(axum::http::header::UPGRADE)
        .iter()
        .any(|value| {
            value
                .to_str()
                .is_ok_and(|v| v.to_ascii_lowercase().contains("websocket"))
        })
}

/// Picks the response media type from the `Accept` header(s).
///
/// Each candidate takes the q-value of the most specific range that matches it
/// (`type/subtype` over `type/*` over `*/*`). The highest q wins; on a tie, an
/// explicitly named type beats a wildcard match, then the range listed first
/// wins, then `application/graphql-response+json`. No JSON candidate with
/// q > 0 means `multipart/mixed` if the client takes it (see
/// [`accepts_incremental`]), else 406.
pub fn response_media_type(headers: &HeaderMap) -> Result<ResponseMediaType, HttpError> {
    let ranges = accept_ranges(headers);
    if ranges.is_empty() {
        return Ok(ResponseMediaType::GraphQLResponseJson);
    }
    let mut best: Option<(Preference, ResponseMediaType)> = None;
    for candidate in ResponseMediaType::ALL {
        let Some(preference) = preference(&ranges, candidate.essence()) else {
            continue;
        };
        if preference.quality <= 0.0 {
            continue;
        }
        // ALL lists the preferred type first, so a full tie keeps it.
        if best.as_ref().is_none_or(|(held, _)| preference.beats(held)) {
            best = Some((preference, candidate));
        }
    }
    match best {
        Some((_, candidate)) => Ok(candidate),
        None if accepts_multipart(&ranges) => Ok(ResponseMediaType::Multipart),
        // A GraphQL-over-SSE client (subscriptions) asking for nothing else.
        None if ranges.iter().any(|r| r.is("text", "event-stream")) => {
            Err(HttpError::EventStreamUnsupported)
        }
        None => Err(HttpError::NotAcceptable),
    }
}

/// Does the client prefer an HTML page to every GraphQL response type (a
/// browser's navigation, `text/html,…,*/*;q=0.8`)? `text/html` must beat
/// each of `application/graphql-response+json`, `application/json` and
/// `multipart/mixed` as [`response_media_type`] ranks candidates: higher q,
/// then a more specific range, then listed first. So `*/*` alone (curl,
/// `fetch`) and an `Accept` naming a JSON type first keep getting GraphQL.
pub fn prefers_html(headers: &HeaderMap) -> bool {
    let ranges = accept_ranges(headers);
    let Some(html) = preference(&ranges, "text/html").filter(|p| p.quality > 0.0) else {
        return false;
    };
    GRAPHQL_TYPES.iter().all(|essence| {
        preference(&ranges, essence).is_none_or(|other| other.quality <= 0.0 || html.beats(&other))
    })
}

/// Every media type a GraphQL response can be sent in.
const GRAPHQL_TYPES: [&str; 3] = [
    "application/graphql-response+json",
    "application/json",
    "multipart/mixed",
];

/// Does the client take incremental delivery (`multipart/mixed`, named
/// explicitly with q > 0, `deferSpec` absent or [`DEFER_SPEC`])?
pub fn accepts_incremental(headers: &HeaderMap) -> bool {
    accepts_multipart(&accept_ranges(headers))
}

fn accepts_multipart(ranges: &[MediaRange<'_>]) -> bool {
    ranges.iter().any(|range| {
        range.specificity("multipart/mixed") == Some(2)
            && range.quality > 0.0
            && range.defer_spec.is_none_or(|spec| spec == DEFER_SPEC)
    })
}

fn accept_ranges(headers: &HeaderMap) -> Vec<MediaRange<'_>> {
    headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(MediaRange::parse)
        .collect()
}

/// Checks that a POST body is `application/json`, in UTF-8 when a charset is given.
pub fn check_content_type(headers: &HeaderMap) -> Result<(), HttpError> {
    let value = headers
        .get(CONTENT_TYPE)
        .ok_or(HttpError::MissingContentType)?;
    let text = value.to_str().map_err(|_| {
        HttpError::UnsupportedMediaType(String::from_utf8_lossy(value.as_bytes()).into_owned())
    })?;
    let unsupported = || HttpError::UnsupportedMediaType(text.to_string());
    let mut parts = text.split(';');
    let essence = parts.next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case("application/json") {
        return Err(unsupported());
    }
    for parameter in parts {
        let Some((name, value)) = parameter.split_once('=') else {
            continue;
        };
        if name.trim().eq_ignore_ascii_case("charset") {
            let charset = value.trim().trim_matches('"');
            if !charset.eq_ignore_ascii_case("utf-8") && !charset.eq_ignore_ascii_case("utf8") {
                return Err(unsupported());
            }
        }
    }
    Ok(())
}

/// One entry of an `Accept` header.
struct MediaRange<'a> {
    main: &'a str,
    sub: &'a str,
    quality: f32,
    /// The `deferSpec` parameter (of `multipart/mixed`).
    defer_spec: Option<&'a str>,
}

impl<'a> MediaRange<'a> {
    /// Is this range exactly `main/sub`?
    fn is(&self, main: &str, sub: &str) -> bool {
        self.main.eq_ignore_ascii_case(main) && self.sub.eq_ignore_ascii_case(sub)
    }

    /// Parses `type/subtype;params`; `None` for an empty or malformed entry.
    fn parse(entry: &'a str) -> Option<Self> {
        let mut parts = entry.split(';');
        let (main, sub) = parts.next()?.trim().split_once('/')?;
        let (main, sub) = (main.trim(), sub.trim());
        if main.is_empty() || sub.is_empty() {
            return None;
        }
        let mut quality = 1.0;
        let mut defer_spec = None;
        for parameter in parts {
            if let Some((name, value)) = parameter.split_once('=') {
                if name.trim().eq_ignore_ascii_case("q") {
                    quality = value
                        .trim()
                        .parse::<f32>()
                        .ok()
                        .filter(|q| (0.0..=1.0).contains(q))?;
                } else if name.trim().eq_ignore_ascii_case("deferSpec") {
                    defer_spec = Some(value.trim().trim_matches('"'));
                }
            }
        }
        Some(Self {
            main,
            sub,
            quality,
            defer_spec,
        })
    }

    /// How specifically this range names `essence` (2 exact, 1 `type/*`,
    /// 0 `*/*`), or `None` when it does not match.
    fn specificity(&self, essence: &str) -> Option<u8> {
        let (main, sub) = essence.split_once('/')?;
        match (self.main, self.sub) {
            ("*", "*") => Some(0),
            (m, "*") if m.eq_ignore_ascii_case(main) => Some(1),
            (m, s) if m.eq_ignore_ascii_case(main) && s.eq_ignore_ascii_case(sub) => Some(2),
            _ => None,
        }
    }
}

/// How much the client wants one candidate.
struct Preference {
    quality: f32,
    specificity: u8,
    position: usize,
}

impl Preference {
    fn beats(&self, other: &Self) -> bool {
        if self.quality != other.quality {
            return self.quality > other.quality;
        }
        if self.specificity != other.specificity {
            return self.specificity > other.specificity;
        }
        self.position < other.position
    }
}

/// The preference of the most specific range matching `essence`.
fn preference(ranges: &[MediaRange<'_>], essence: &str) -> Option<Preference> {
    let mut best: Option<Preference> = None;
    for (position, range) in ranges.iter().enumerate() {
        let Some(specificity) = range.specificity(essence) else {
            continue;
        };
        if best
            .as_ref()
            .is_none_or(|held| specificity > held.specificity)
        {
            best = Some(Preference {
                quality: range.quality,
                specificity,
                position,
            });
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use ResponseMediaType::{GraphQLResponseJson, Json, Multipart};

    fn negotiate(accept: &[&str]) -> Result<ResponseMediaType, HttpError> {
        let mut headers = HeaderMap::new();
        for value in accept {
            headers.append(
                ACCEPT,
                HeaderValue::from_str(value).unwrap_or(HeaderValue::from_static("")),
            );
        }
        response_media_type(&headers)
    }

    fn content_type(value: &str) -> Result<(), HttpError> {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(CONTENT_TYPE, value);
        }
        check_content_type(&headers)
    }

    #[test]
    fn missing_or_empty_accept_gets_graphql_response_json() {
        assert_eq!(negotiate(&[]), Ok(GraphQLResponseJson));
        assert_eq!(negotiate(&[""]), Ok(GraphQLResponseJson));
    }

    #[test]
    fn named_types_are_honoured() {
        assert_eq!(negotiate(&["application/json"]), Ok(Json));
        assert_eq!(
            negotiate(&["application/graphql-response+json"]),
            Ok(GraphQLResponseJson)
        );
        assert_eq!(
            negotiate(&[
                "application/graphql-response+json; charset=utf-8, application/json; charset=utf-8"
            ]),
            Ok(GraphQLResponseJson)
        );
    }

    #[test]
    fn wildcards_get_the_preferred_type() {
        assert_eq!(negotiate(&["*/*"]), Ok(GraphQLResponseJson));
        assert_eq!(negotiate(&["application/*"]), Ok(GraphQLResponseJson));
        assert_eq!(
            negotiate(&["text/html, */*;q=0.1"]),
            Ok(GraphQLResponseJson)
        );
    }

    #[test]
    fn q_values_decide() {
        assert_eq!(
            negotiate(&["application/graphql-response+json;q=0.5, application/json"]),
            Ok(Json)
        );
        assert_eq!(
            negotiate(&[
                "application/json;q=0.9",
                "application/graphql-response+json;q=0.8"
            ]),
            Ok(Json)
        );
        assert_eq!(
            negotiate(&["application/graphql-response+json;q=0, */*"]),
            Ok(Json)
        );
    }

    #[test]
    fn named_type_beats_wildcard_at_equal_quality() {
        assert_eq!(negotiate(&["*/*, application/json"]), Ok(Json));
    }

    #[test]
    fn equal_named_types_go_by_position() {
        assert_eq!(
            negotiate(&["application/json, application/graphql-response+json"]),
            Ok(Json)
        );
    }

    #[test]
    fn nothing_acceptable_is_406() {
        assert_eq!(negotiate(&["text/html"]), Err(HttpError::NotAcceptable));
        assert_eq!(
            negotiate(&["application/json;q=0"]),
            Err(HttpError::NotAcceptable)
        );
        assert_eq!(
            negotiate(&["application/xml, text/*"]),
            Err(HttpError::NotAcceptable)
        );
    }

    fn incremental(accept: &str) -> bool {
        let mut headers = HeaderMap::new();
        if let Ok(value) = HeaderValue::from_str(accept) {
            headers.insert(ACCEPT, value);
        }
        accepts_incremental(&headers)
    }

    #[test]
    fn multipart_mixed_must_be_named_to_get_incremental_delivery() {
        assert!(incremental(
            "multipart/mixed;deferSpec=20220824,application/json"
        ));
        assert!(incremental("application/json, multipart/mixed"));
        assert!(incremental("multipart/mixed; deferSpec=\"20220824\""));
        assert!(!incremental("multipart/mixed;deferSpec=20990101"));
        assert!(!incremental("multipart/mixed;q=0, application/json"));
        assert!(!incremental("*/*"));
        assert!(!incremental("multipart/*"));
        assert!(!incremental("application/json"));
    }

    #[test]
    fn json_is_chosen_beside_multipart_and_multipart_alone_is_honoured() {
        assert_eq!(
            negotiate(&["multipart/mixed;deferSpec=20220824,application/json"]),
            Ok(Json)
        );
        assert_eq!(negotiate(&["multipart/mixed"]), Ok(Multipart));
        assert_eq!(
            negotiate(&["multipart/mixed;deferSpec=20990101"]),
            Err(HttpError::NotAcceptable)
        );
    }

    fn html(accept: &[&str]) -> bool {
        let mut headers = HeaderMap::new();
        for value in accept {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.append(ACCEPT, value);
            }
        }
        prefers_html(&headers)
    }

    #[test]
    fn browser_navigations_prefer_html() {
        // Chrome, Firefox and Safari navigating to a URL.
        assert!(html(&["text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"]));
        assert!(html(&[
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        ]));
        assert!(html(&["text/html"]));
        assert!(html(&["text/html, application/json"]));
        assert!(html(&["application/json;q=0.5", "text/html"]));
        // A named type beats a wildcard at the same q, as in response_media_type.
        assert!(html(&["*/*;q=0.8, text/html;q=0.8"]));
    }

    #[test]
    fn graphql_clients_do_not_prefer_html() {
        for accept in [
            &[][..],
            &[""],
            &["*/*"],
            &["application/json"],
            &["application/graphql-response+json, application/json;q=0.9"],
            // GraphiQL's own fetcher, and Apollo Client with @defer.
            &["application/json, multipart/mixed"],
            &["multipart/mixed;deferSpec=20220824,application/json"],
            &["application/json, text/html"],
            &["text/html;q=0.5, application/json"],
            &["text/html;q=0"],
            &["multipart/mixed, text/html"],
        ] {
            assert!(!html(accept), "{accept:?}");
        }
    }

    #[test]
    fn content_type_must_be_json_in_utf8() {
        assert_eq!(content_type("application/json"), Ok(()));
        assert_eq!(content_type("Application/JSON; charset=UTF-8"), Ok(()));
        assert_eq!(content_type("application/json;charset=\"utf-8\""), Ok(()));
        assert!(content_type("application/json; charset=latin1").is_err());
        assert!(content_type("text/plain").is_err());
        assert!(content_type("application/graphql").is_err());
        assert_eq!(
            content_type(""),
            Err(HttpError::UnsupportedMediaType(String::new()))
        );
        assert_eq!(
            check_content_type(&HeaderMap::new()),
            Err(HttpError::MissingContentType)
        );
    }
}
