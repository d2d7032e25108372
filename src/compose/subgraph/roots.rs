//! Root operation types: the `schema { query: … }` names, renamed to
//! `Query`/`Mutation`/`Subscription` (and a type already holding a
//! standard name that is not that root is an error, as in Apollo).

use std::collections::{HashMap, HashSet};

use apollo_compiler::ast::{Definition, Document, OperationType, Type};
use apollo_compiler::{name, Name};

use super::location_of;
use crate::compose::CompositionError;

/// Root operation types under their own names → the standard names.
pub(super) struct Roots {
    renames: HashMap<Name, Name>,
}

impl Roots {
    pub(super) fn read(document: &Document, subgraph: &str) -> Result<Self, Vec<CompositionError>> {
        let declared: HashSet<&Name> = document
            .definitions
            .iter()
            .filter_map(Definition::name)
            .collect();
        let mut renames = HashMap::new();
        let mut errors = Vec::new();
        for definition in &document.definitions {
            let operations = match definition {
                Definition::SchemaDefinition(d) => &d.root_operations,
                Definition::SchemaExtension(d) => &d.root_operations,
                _ => continue,
            };
            for operation in operations {
                let (kind, ty) = &**operation;
                let standard = match kind {
                    OperationType::Query => name!("Query"),
                    OperationType::Mutation => name!("Mutation"),
                    OperationType::Subscription => name!("Subscription"),
                };
                if *ty == standard {
                    continue;
                }
                if declared.contains(&standard) {
                    errors.push(root_used_error(*kind, &standard, ty).at(
                        subgraph,
                        location_of(operation.location(), &document.sources),
                    ));
                }
                renames.insert(ty.clone(), standard);
            }
        }
        if errors.is_empty() {
            Ok(Self { renames })
        } else {
            Err(errors)
        }
    }

    pub(super) fn rename(&self, name: &Name) -> Name {
        self.renames.get(name).unwrap_or(name).clone()
    }

    pub(super) fn rename_type(&self, ty: &Type) -> Type {
        match ty {
            Type::Named(name) => Type::Named(self.rename(name)),
            Type::NonNullNamed(name) => Type::NonNullNamed(self.rename(name)),
            Type::List(inner) => Type::List(Box::new(self.rename_type(inner))),
            Type::NonNullList(inner) => Type::NonNullList(Box::new(self.rename_type(inner))),
        }
    }
}

fn root_used_error(kind: OperationType, standard: &Name, used: &Name) -> CompositionError {
    let (code, root) = match kind {
        OperationType::Query => ("ROOT_QUERY_USED", "query"),
        OperationType::Mutation => ("ROOT_MUTATION_USED", "mutation"),
        OperationType::Subscription => ("ROOT_SUBSCRIPTION_USED", "subscription"),
    };
    CompositionError::new(
        code,
        format!(
            "Type \"{standard}\" is not the {root} root type here (\"{used}\" is): federation reserves the name \"{standard}\" for the {root} root, so a schema that renames its root may not also define a type with the default name"
        ),
    )
}

pub(super) fn is_root(name: &str) -> bool {
    matches!(name, "Query" | "Mutation" | "Subscription")
}
