//! Junction: a GraphQL federation gateway.
