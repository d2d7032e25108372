//! Org isolation in the gateway: types whose objects belong to one
//! organisation, each with the field that carries it (`access.org_scoped`,
//! a YAML map such as `Invoice: orgId`, see `policies/org_scoped.yaml`).
//! A caller sees such an object only when that field's value is its own
//! org, whatever a subgraph returned; any other object is null with a
//! `FORBIDDEN` error (null propagating as GraphQL requires). A global
//! admin — holding the admin role with no org — sees every org's.
//!
//! The gateway asks the subgraphs for the org field itself, under the
//! reserved response key [`ORG_KEY`] (a client may not use it), next to
//! what the client selects; the analysis adds it to the selections to
//! plan, and the shaper compares it and never writes it.

use std::collections::BTreeMap;

use apollo_compiler::schema::ExtendedType;
use apollo_compiler::{Name, Schema};

/// The response key the org field is fetched under.
pub const ORG_KEY: &str = "junction__org";

/// The role whose holders, with no org of their own, see every org's
/// objects.
pub const GLOBAL_ADMIN_ROLE: &str = "admin";

/// The org-scoped types and the field carrying each one's org.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct OrgScoped {
    fields: BTreeMap<Name, Name>,
}

impl OrgScoped {
    /// Rules from a YAML map of type name to field name.
    pub fn from_yaml(text: &str) -> Result<Self, String> {
        let entries: BTreeMap<String, String> = match text.trim() {
            "" => BTreeMap::new(),
            _ => serde_yaml::from_str(text).map_err(|e| e.to_string())?,
        };
        let mut fields = BTreeMap::new();
        for (type_name, field) in entries {
            let ty =
                Name::new(&type_name).map_err(|_| format!("{type_name:?} is not a type name"))?;
            let field = Name::new(&field)
                .map_err(|_| format!("{type_name}: {field:?} is not a field name"))?;
            fields.insert(ty, field);
        }
        Ok(Self { fields })
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// The field carrying the org of `type_name`'s objects, when they are
    /// org-scoped.
    pub fn field_of(&self, type_name: &Name) -> Option<&Name> {
        self.fields.get(type_name)
    }

    /// The org-scoped type names.
    pub fn types(&self) -> Vec<Name> {
        self.fields.keys().cloned().collect()
    }

    /// The rules `api_schema` cannot honour, as (type, problem): a type
    /// that is not an object type, or a field it lacks or that is not a
    /// `String` or `ID`.
    pub fn problems(&self, api_schema: &Schema) -> Vec<(String, String)> {
        let mut problems = Vec::new();
        for (type_name, field) in &self.fields {
            let problem = match api_schema.types.get(type_name) {
                Some(ExtendedType::Object(object)) => match object.fields.get(field) {
                    None => Some(format!("{type_name} has no field {field}")),
                    Some(found) => {
                        let named = found.ty.inner_named_type().as_str();
                        let scalar = matches!(named, "String" | "ID") && !found.ty.is_list();
                        (!scalar).then(|| {
                            format!(
                                "{type_name}.{field} is of type {}: an org is a String or ID",
                                found.ty
                            )
                        })
                    }
                },
                Some(_) => Some(format!("{type_name} is not an object type")),
                None => Some(format!("the supergraph has no type {type_name}")),
            };
            if let Some(problem) = problem {
                problems.push((type_name.to_string(), problem));
            }
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn rules_name_types_and_their_org_fields() {
        let rules = OrgScoped::from_yaml("Invoice: orgId\nProject: tenant\n").unwrap();
        assert_eq!(
            rules
                .field_of(&Name::new("Invoice").unwrap())
                .map(Name::as_str),
            Some("orgId")
        );
        assert_eq!(rules.types().len(), 2);
        assert!(OrgScoped::from_yaml("").unwrap().is_empty());
        assert!(OrgScoped::from_yaml("Invoice: [orgId]").is_err());
        assert!(OrgScoped::from_yaml("\"In voice\": orgId").is_err());
    }

    #[test]
    fn problems_name_missing_types_fields_and_non_scalar_orgs() {
        let schema = Schema::parse_and_validate(
            "type Query { invoices: [Invoice] } type Invoice { id: ID! orgId: String tags: [String] }",
            "s.graphql",
        )
        .unwrap();
        let rules =
            OrgScoped::from_yaml("Invoice: tags\nQuery: invoices\nProject: orgId\n").unwrap();
        let problems: Vec<_> = rules.problems(&schema).into_iter().map(|p| p.1).collect();
        assert_eq!(
            problems,
            [
                "Invoice.tags is of type [String]: an org is a String or ID",
                "the supergraph has no type Project",
                "Query.invoices is of type [Invoice]: an org is a String or ID",
            ]
        );
        let good = OrgScoped::from_yaml("Invoice: orgId\n").unwrap();
        assert!(good.problems(&schema).is_empty());
    }
}
