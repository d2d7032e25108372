//! Junction: a GraphQL federation gateway.
//!
//! The request path runs `http` → `pipeline` → (`operation`, `plan`,
//! `execute`, `shape`), all reading one immutable snapshot derived from the
//! `supergraph`. See DESIGN.md for the module map.

pub mod access;
pub mod admin;
pub mod audit;
pub mod cli;
pub mod compose;
pub mod config;
pub mod egress;
pub mod execute;
pub mod graphql_error;
pub mod http;
pub mod identity;
pub mod json;
pub mod loader;
pub mod operation;
pub mod persisted;
pub mod pipeline;
pub mod plan;
pub mod ratelimit;
pub mod registry;
pub mod shape;
pub mod store;
pub mod supergraph;
