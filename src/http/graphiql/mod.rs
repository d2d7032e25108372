//! GraphiQL on `GET /graphql`, for a browser that navigates there: the page
//! (ours, [`page.html`](./page.html)), its files embedded in the binary
//! ([`assets`]), and their licences. Nothing is loaded from another origin,
//! so it works offline, and the page's `Content-Security-Policy` allows
//! nothing else.
//!
//! Which requests get the page is the GraphQL handler's decision
//! ([`negotiate::prefers_html`](super::negotiate::prefers_html)); this
//! module only answers them. The page runs no operation, so CSRF
//! prevention has nothing to refuse; the operations GraphiQL then sends
//! are `POST` with `Content-Type: application/json`.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, VARY, X_CONTENT_TYPE_OPTIONS,
};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;

mod assets;

use assets::{asset, Role, LICENCES};
pub use assets::{graphiql_assets, GraphiqlAsset, ASSETS_PATH, GRAPHIQL_BUILT, GRAPHIQL_PACKAGES};

/// Where the licence texts of the page's npm packages are served.
pub const LICENCES_PATH: &str = "/graphql/_graphiql/LICENSES.txt";

/// The GraphiQL page's settings.
#[derive(Debug, Clone)]
pub struct GraphiqlSettings {
    /// What the editor holds when the browser has no saved tabs.
    pub default_query: String,
}

impl Default for GraphiqlSettings {
    fn default() -> Self {
        Self {
            default_query: DEFAULT_QUERY.to_string(),
        }
    }
}

const DEFAULT_QUERY: &str = "\
# GraphiQL on Junction. Write an operation here and run it with Ctrl-Enter
# (Ctrl-Space completes it when introspection is on). Fragments marked
# @defer arrive after the rest of the response, and are shown as they do.

{
  __typename
}
";

/// Only our own origin, and `data:` for the fonts and images GraphiQL's
/// stylesheet carries inline. Styles also allow `'unsafe-inline'`:
/// GraphiQL's dialogs add `<style>` elements as they open.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
    connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The answer to a browser, rendered once.
#[derive(Debug, Clone)]
pub(super) struct GraphiqlPage {
    status: StatusCode,
    html: Bytes,
}

impl GraphiqlPage {
    /// The page for these settings: GraphiQL, or, in a binary built
    /// without its files, a page saying so (501).
    pub(super) fn new(settings: &GraphiqlSettings) -> Self {
        match page_html(settings) {
            Some(html) => Self {
                status: StatusCode::OK,
                html: Bytes::from(html),
            },
            None => Self {
                status: StatusCode::NOT_IMPLEMENTED,
                html: Bytes::from(
                    include_str!("unavailable.html").replace("{packages}", GRAPHIQL_PACKAGES),
                ),
            },
        }
    }

    /// The page as a response: not cached without asking again (a new
    /// binary links new files), and different from what the same URL
    /// answers other `Accept` headers.
    pub(super) fn response(&self) -> Response {
        let headers = [
            (
                CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (
                CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(PAGE_POLICY),
            ),
            (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (VARY, HeaderValue::from_static("accept")),
        ];
        (self.status, headers, Body::from(self.html.clone())).into_response()
    }
}

/// The page's HTML, or `None` without GraphiQL's files.
fn page_html(settings: &GraphiqlSettings) -> Option<String> {
    let path = |role| asset(role).map(|asset| asset.path.as_str());
    let config = serde_json::json!({ "defaultQuery": settings.default_query });
    Some(
        include_str!("page.html")
            .replace("{packages}", GRAPHIQL_PACKAGES)
            .replace("{licences}", LICENCES_PATH)
            .replace("{graphiql_css}", path(Role::GraphiqlCss)?)
            .replace("{react}", path(Role::React)?)
            .replace("{react_dom}", path(Role::ReactDom)?)
            .replace("{graphiql_js}", path(Role::GraphiqlJs)?)
            .replace("{start}", path(Role::Start)?)
            .replace("{config}", &script_safe(&config.to_string())),
    )
}

/// JSON that cannot end the `<script>` element holding it, nor open a comment.
fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The routes of the page's files and licences (none in a binary built
/// without them).
pub(super) fn routes() -> Router {
    if !GRAPHIQL_BUILT {
        return Router::new();
    }
    Router::new()
        .route(LICENCES_PATH, get(licences))
        .route(&format!("{ASSETS_PATH}/{{file}}"), get(file))
}

/// One of the page's files: immutable, since its path names its content.
async fn file(request: Request) -> Response {
    let Some(asset) = assets::find(request.uri().path()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let headers = [
        (CONTENT_TYPE, HeaderValue::from_static(asset.content_type)),
        (
            CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        ),
        (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
    ];
    (headers, Body::from(asset.bytes)).into_response()
}

/// The licences of the npm packages the page's files come from, as the
/// packages ship them.
async fn licences() -> Response {
    let mut text = format!(
        "The GraphiQL page of Junction serves files of these npm packages, as \
         published: {GRAPHIQL_PACKAGES}. Their licences follow.\n"
    );
    for (package, licence) in LICENCES {
        text.push_str(&format!("\n==== {package} ====\n\n"));
        match std::str::from_utf8(licence) {
            Ok(licence) if !licence.is_empty() => text.push_str(licence),
            _ => text.push_str("(not provided to this build)\n"),
        }
    }
    let content_type = HeaderValue::from_static("text/plain; charset=utf-8");
    ([(CONTENT_TYPE, content_type)], text).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_cannot_close_its_script_element() {
        let json = serde_json::json!({ "defaultQuery": "</script><!-- & >" }).to_string();
        let safe = script_safe(&json);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap_or_default();
        assert_eq!(back["defaultQuery"], "</script><!-- & >");
    }

    #[test]
    fn the_page_links_every_asset_or_says_graphiql_is_missing() {
        let page = GraphiqlPage::new(&GraphiqlSettings::default());
        let html = String::from_utf8_lossy(&page.html);
        if GRAPHIQL_BUILT {
            assert_eq!(page.status, StatusCode::OK);
            for asset in graphiql_assets() {
                assert!(html.contains(&asset.path), "{} not linked", asset.path);
            }
            assert!(!html.contains("{config}") && html.contains("__typename"));
        } else {
            assert_eq!(page.status, StatusCode::NOT_IMPLEMENTED);
            assert!(html.contains("not built into this Junction"));
        }
    }
}
