//! How far an admin request reaches: the one place that tells a *global*
//! admin (the bootstrap token, or a caller holding `admin` with no org)
//! from an *org* admin (a caller holding `admin` in org X), and the checks
//! the resolvers make with it.
//!
//! An org admin sees and changes only its own org's users, API keys,
//! access rules and audit entries; a record of another org reads as absent
//! (`null`, or `NOT_FOUND` for a change, so an id of another org is never
//! confirmed), and naming another org outright (a new user's org, a rule's
//! org) is `FORBIDDEN`. Whatever is not per org (the registry, operation
//! manifests, signing keys) it may read but not change.

use async_graphql::{Context, ErrorExtensions};

use crate::identity::Caller;

/// Which orgs an admin request may see and change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AdminScope {
    /// Every org, and what belongs to none.
    Global,
    /// This org only.
    Org(String),
}

impl AdminScope {
    /// The scope of the request being resolved: from the caller the HTTP
    /// layer put in its data (none: the bootstrap token).
    pub(crate) fn of(ctx: &Context<'_>) -> Self {
        Self::of_caller(ctx.data_opt::<Caller>())
    }

    fn of_caller(caller: Option<&Caller>) -> Self {
        match caller.and_then(|caller| caller.org.clone()) {
            Some(org) => Self::Org(org),
            None => Self::Global,
        }
    }

    /// Whether something of `org` (none: of no org) is within reach.
    pub(crate) fn covers(&self, org: Option<&str>) -> bool {
        match self {
            Self::Global => true,
            Self::Org(own) => org == Some(own.as_str()),
        }
    }

    /// Refuses (`FORBIDDEN`) a change of something that is not per org.
    pub(crate) fn require_global(&self) -> async_graphql::Result<()> {
        match self {
            Self::Global => Ok(()),
            Self::Org(_) => Err(forbidden(
                "an org admin may not change what every org shares",
            )),
        }
    }

    /// The org a new record gets, or a change or a question is about:
    /// `given` when it is within reach, the admin's own org when none is
    /// given; another org is `FORBIDDEN` for an org admin (so an org admin
    /// cannot make a record of no org, such as a global admin).
    pub(crate) fn org_within(
        &self,
        given: Option<String>,
    ) -> async_graphql::Result<Option<String>> {
        match (self, given) {
            (Self::Global, given) => Ok(given),
            (Self::Org(own), None) => Ok(Some(own.clone())),
            (Self::Org(own), Some(given)) if given == *own => Ok(Some(given)),
            (Self::Org(_), Some(_)) => Err(forbidden("an org admin acts in its own org only")),
        }
    }
}

/// A `FORBIDDEN` GraphQL error.
pub(crate) fn forbidden(message: &str) -> async_graphql::Error {
    async_graphql::Error::new(message).extend_with(|_, e| e.set("code", "FORBIDDEN"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admin_of(org: Option<&str>) -> Caller {
        Caller {
            org: org.map(str::to_string),
            roles: vec!["admin".into()],
            ..Caller::anonymous()
        }
    }

    #[test]
    fn the_token_and_an_admin_of_no_org_are_global_an_admin_of_an_org_is_not() {
        assert_eq!(AdminScope::of_caller(None), AdminScope::Global);
        assert_eq!(
            AdminScope::of_caller(Some(&admin_of(None))),
            AdminScope::Global
        );
        assert_eq!(
            AdminScope::of_caller(Some(&admin_of(Some("acme")))),
            AdminScope::Org("acme".into())
        );
    }

    #[test]
    fn an_org_admin_reaches_its_own_org_only() {
        let acme = AdminScope::Org("acme".into());
        assert!(acme.covers(Some("acme")));
        assert!(!acme.covers(Some("globex")));
        assert!(!acme.covers(None));
        assert!(AdminScope::Global.covers(None));
        assert!(acme.require_global().is_err());
        assert!(AdminScope::Global.require_global().is_ok());
    }

    #[test]
    fn an_org_admin_assigns_its_own_org_and_no_other() {
        let acme = AdminScope::Org("acme".into());
        assert_eq!(acme.org_within(None).ok(), Some(Some("acme".into())));
        assert_eq!(
            acme.org_within(Some("acme".into())).ok(),
            Some(Some("acme".into()))
        );
        assert!(acme.org_within(Some("globex".into())).is_err());
        assert_eq!(AdminScope::Global.org_within(None).ok(), Some(None));
    }
}
