//! Refused requests in the audit log: who (kind and id, org, address) was
//! denied which coordinates (`access.denied`), or refused by which rate
//! limit (`ratelimit.refused`) — never a value, a variable or the
//! operation's text. The same refusal of the same caller within a minute
//! is recorded once (a client polling a field it may not have, or beating
//! on its limit, would otherwise write an entry per request: a sample),
//! and writes go through the audit log's bounded background writer, so
//! refusals never hold up a request.

use std::hash::{Hash, Hasher};
use std::time::Duration;

use crate::access::Denial;
use crate::audit::{Action, AuditLog, Outcome, REQUEST_ID_HEADER};
use crate::identity::Caller;

/// How long one caller's denial of the same coordinates is recorded once.
const QUIET_PERIOD: Duration = Duration::from_secs(60);
/// Callers-and-coordinates remembered at most for [`QUIET_PERIOD`].
const MAX_REMEMBERED: u64 = 10_000;
/// Coordinates named in one entry; past them the entry counts the rest.
const MAX_NAMED: usize = 10;

/// Where denials are recorded.
#[derive(Clone)]
pub struct DeniedAudit {
    log: AuditLog,
    recent: moka::sync::Cache<u64, ()>,
}

impl DeniedAudit {
    pub fn new(log: AuditLog) -> Self {
        let recent = moka::sync::Cache::builder()
            .max_capacity(MAX_REMEMBERED)
            .time_to_live(QUIET_PERIOD)
            .build();
        Self { log, recent }
    }

    /// Records that `caller` was denied `denials` (unless it was, for the
    /// same coordinates, within the last minute).
    pub(super) fn record(
        &self,
        caller: &Caller,
        denials: &[Denial],
        headers: &http::HeaderMap,
        client_ip: Option<std::net::IpAddr>,
    ) {
        if denials.is_empty() {
            return;
        }
        let refusal = Refusal {
            action: "access.denied",
            target: target(denials),
        };
        self.write(caller, refusal, headers, client_ip);
    }

    /// Records that `caller` was refused by the rate limit named `limit`
    /// (`requests`, `cost`, `ip`).
    pub(super) fn record_rate_limited(
        &self,
        caller: &Caller,
        limit: &str,
        headers: &http::HeaderMap,
        client_ip: Option<std::net::IpAddr>,
    ) {
        let refusal = Refusal {
            action: "ratelimit.refused",
            target: limit.to_string(),
        };
        self.write(caller, refusal, headers, client_ip);
    }

    fn write(
        &self,
        caller: &Caller,
        refusal: Refusal,
        headers: &http::HeaderMap,
        client_ip: Option<std::net::IpAddr>,
    ) {
        let actor = actor(caller);
        let Refusal { action, target } = refusal;
        let seen = fingerprint(&[
            &actor,
            caller.org.as_deref().unwrap_or(""),
            action,
            &target,
            &client_ip.map(|ip| ip.to_string()).unwrap_or_default(),
        ]);
        if self.recent.contains_key(&seen) {
            return;
        }
        self.recent.insert(seen, ());
        let request_id = headers
            .get(REQUEST_ID_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let action = Action {
            actor,
            org: caller.org.clone(),
            action: action.to_string(),
            target: Some(target),
            client_ip: client_ip.map(|ip| ip.to_string()),
            request_id,
        };
        self.log.record(action, Outcome::Refused);
    }
}

impl std::fmt::Debug for DeniedAudit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeniedAudit").finish_non_exhaustive()
    }
}

/// `user:<subject>`, `api_key:<id>` or `anonymous`.
fn actor(caller: &Caller) -> String {
    match &caller.subject {
        Some(subject) => format!("{}:{subject}", caller.kind.as_str()),
        None => caller.kind.as_str().to_string(),
    }
}

/// The denied coordinates, each once, in order: `User.email, Query.users`.
fn target(denials: &[Denial]) -> String {
    let mut named: Vec<&str> = Vec::new();
    for denial in denials {
        if !named.contains(&denial.coordinate.as_str()) {
            named.push(&denial.coordinate);
        }
    }
    let more = named.len().saturating_sub(MAX_NAMED);
    named.truncate(MAX_NAMED);
    let mut target = named.join(", ");
    if more > 0 {
        target.push_str(&format!(" and {more} more"));
    }
    target
}

/// What a caller was refused: the audit action and its target.
struct Refusal {
    action: &'static str,
    target: String,
}

fn fingerprint(parts: &[&str]) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    parts.hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::Action as AccessAction;

    fn denial(coordinate: &str) -> Denial {
        Denial {
            coordinate: coordinate.to_string(),
            action: AccessAction::Read,
            path: Vec::new(),
        }
    }

    #[test]
    fn targets_name_each_coordinate_once_and_count_past_ten() {
        let twice = [
            denial("User.email"),
            denial("Query.users"),
            denial("User.email"),
        ];
        assert_eq!(target(&twice), "User.email, Query.users");
        let many: Vec<_> = (0..13).map(|i| denial(&format!("T.f{i}"))).collect();
        let named = target(&many);
        assert!(named.ends_with("T.f9 and 3 more"), "{named}");
    }
}
