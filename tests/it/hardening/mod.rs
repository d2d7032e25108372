//! Hardening tests (issue 10): what a hostile or unlucky client can make
//! the gateway spend, and what it can make the gateway hand to others.
//! Every test talks to a real gateway over real HTTP (or to the gateway's
//! pipeline in-process where the HTTP layer adds nothing), with real
//! fixture subgraphs behind it.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod admin;
mod cache;
mod dedup;
mod exposure;
mod inbound;
mod limits;
mod responses;
mod server;
mod support;
