//! Junction's integration tests, as one test crate: one binary to link
//! instead of one per file, and one copy of the harness (`common`: the
//! gateway served over HTTP, the `junction` binary as a child process,
//! fixture subgraphs, a private redis-server).
//!
//! A new test file goes here as a module. Only a test that needs the
//! process to itself stays a binary of its own: `tests/cache_weight.rs`
//! installs a counting global allocator.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod access;
mod access_bypass;
mod access_directives;
mod access_matrix;
mod access_orgs;
mod access_pii;
mod admin_access;
mod admin_orgs;
mod api_keys;
mod audit_abstract_types;
mod audit_entities;
mod audit_external;
mod audit_interface_object;
mod audit_interface_object_keys;
mod audit_interfaces;
mod audit_log;
mod audit_misc;
mod audit_mutations;
mod audit_node;
mod audit_override;
mod audit_provides;
mod audit_provides_abstract;
mod audit_requires;
mod audit_requires_abstract;
mod audit_typename;
mod audit_union_intersection;
mod audit_unions;
mod auth_http;
mod auth_jwt;
mod auth_logs;
mod compose_cli;
mod compose_directive_rules;
mod compose_errors;
mod compose_graphql_rules;
mod compose_link_rules;
mod compose_requirements;
mod compose_servable;
mod compose_sharing;
mod correctness;
mod cost;
mod defer;
mod defer_http;
mod demo_gateway;
mod demo_schema;
mod federation_abstract;
mod federation_entities;
mod federation_failures;
mod federation_fixture;
mod federation_introspection;
mod federation_requires_provides;
mod graphiql;
mod hardening;
mod http_cli;
mod http_edge;
mod http_lifecycle;
mod http_protocol;
mod identity_forwarding;
mod oauth;
mod oauth_refresh;
mod one_of_inputs;
mod persisted_operations;
mod persisted_queries;
mod plan_snapshots;
mod policies_cli;
mod rate_limits;
mod registry;
mod schema_diff;
mod signing_keys;
mod store_conformance;
mod users;
