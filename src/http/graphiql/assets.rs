//! The files the GraphiQL page loads, embedded in the binary: GraphiQL's
//! and React's browser builds, fetched from npm at build time (`build.rs`
//! writes them into `OUT_DIR`), and our own start-up script. Each is served
//! under a path holding a hash of its content, so a browser may keep it for
//! a year and a new binary's files are fetched anew.
//!
//! A build that could not fetch the npm files embeds empty ones; then
//! [`GRAPHIQL_BUILT`] is false and there are no assets to serve.

use std::sync::LazyLock;

use sha2::{Digest, Sha256};

/// Where the assets are served: `{ASSETS_PATH}/{file}`.
pub const ASSETS_PATH: &str = "/graphql/_graphiql";

macro_rules! from_npm {
    ($name:literal) => {
        include_bytes!(concat!(env!("OUT_DIR"), "/", $name)).as_slice()
    };
}

const REACT: &[u8] = from_npm!("react.production.min.js");
const REACT_DOM: &[u8] = from_npm!("react-dom.production.min.js");
const GRAPHIQL_JS: &[u8] = from_npm!("graphiql.min.js");
const GRAPHIQL_CSS: &[u8] = from_npm!("graphiql.min.css");
/// Our script: renders GraphiQL against the endpoint that served the page.
const START: &[u8] = include_bytes!("start.js");

/// The licence texts of the npm packages, by package.
pub(super) const LICENCES: [(&str, &[u8]); 3] = [
    ("graphiql", from_npm!("graphiql.LICENSE")),
    ("react", from_npm!("react.LICENSE")),
    ("react-dom", from_npm!("react-dom.LICENSE")),
];

/// The npm packages the page's files come from, with their versions
/// (`graphiql 3.9.0, react 18.3.1, react-dom 18.3.1`), as `build.rs` pins them.
pub const GRAPHIQL_PACKAGES: &str = env!("JUNCTION_GRAPHIQL_PACKAGES");

/// Did the build embed GraphiQL's files? (It goes on without them when
/// they cannot be fetched; see `build.rs`.)
pub const GRAPHIQL_BUILT: bool = !REACT.is_empty()
    && !REACT_DOM.is_empty()
    && !GRAPHIQL_JS.is_empty()
    && !GRAPHIQL_CSS.is_empty();

/// One file the page loads.
#[derive(Debug)]
pub struct GraphiqlAsset {
    /// What the page links: [`ASSETS_PATH`], `/`, the file's name with a
    /// hash of its content (`graphiql.min.3f2a….js`).
    pub path: String,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

/// Which of the page's files an asset is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    React,
    ReactDom,
    GraphiqlJs,
    GraphiqlCss,
    Start,
}

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

/// The page's files in the order the page loads them (React before
/// ReactDOM before GraphiQL before our script); none without GraphiQL.
pub fn graphiql_assets() -> &'static [GraphiqlAsset] {
    static ASSETS: LazyLock<Vec<GraphiqlAsset>> = LazyLock::new(|| {
        if !GRAPHIQL_BUILT {
            return Vec::new();
        }
        FILES
            .iter()
            .map(|&(_, stem, extension, content_type, bytes)| GraphiqlAsset {
                path: format!("{ASSETS_PATH}/{stem}.{}.{extension}", short_hash(bytes)),
                content_type,
                bytes,
            })
            .collect()
    });
    &ASSETS
}

/// The asset of one role, when GraphiQL is built in.
pub(super) fn asset(role: Role) -> Option<&'static GraphiqlAsset> {
    let index = FILES.iter().position(|file| file.0 == role)?;
    graphiql_assets().get(index)
}

/// The asset served at `path`, if any.
pub(super) fn find(path: &str) -> Option<&'static GraphiqlAsset> {
    graphiql_assets().iter().find(|asset| asset.path == path)
}

/// Role, file stem, extension, content type and bytes of each file.
const FILES: [(Role, &str, &str, &str, &[u8]); 5] = [
    (Role::React, "react.production.min", "js", JAVASCRIPT, REACT),
    (
        Role::ReactDom,
        "react-dom.production.min",
        "js",
        JAVASCRIPT,
        REACT_DOM,
    ),
    (
        Role::GraphiqlJs,
        "graphiql.min",
        "js",
        JAVASCRIPT,
        GRAPHIQL_JS,
    ),
    (Role::GraphiqlCss, "graphiql.min", "css", CSS, GRAPHIQL_CSS),
    (Role::Start, "junction-graphiql", "js", JAVASCRIPT, START),
];

/// The first 16 hex digits of the content's SHA-256.
fn short_hash(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}
