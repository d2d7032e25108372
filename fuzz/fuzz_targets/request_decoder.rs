//! Fuzz target: arbitrary bytes as the body of a POST (`post_body`) and, read
//! as UTF-8 with invalid sequences replaced, as the query string of a GET
//! (`get_params`); whatever decodes and carries variables then has them read
//! with `check_variables` under the default limits. Errors are expected;
//! a panic is the bug this looks for, since these decoders see every byte a
//! client sends before anything else has checked it.

#![no_main]

use junction::operation::{check_variables, VariableLimits};
use junction::pipeline::GraphQLRequest;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = VariableLimits::default();
    let query_string = String::from_utf8_lossy(data);
    let decoded = [
        junction::http::post_body(data),
        junction::http::get_params(Some(&query_string)),
    ];
    for request in decoded.into_iter().flatten() {
        read_variables(&request, &limits);
    }
});

/// Reads the request's variables; either answer is fine, but an error must
/// have something to say to the client.
fn read_variables(request: &GraphQLRequest, limits: &VariableLimits) {
    if let Err(error) = check_variables(request.variables.as_deref(), limits) {
        assert!(!error.to_string().is_empty(), "an empty variables error");
    }
}
