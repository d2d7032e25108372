//! Reading the `join__*` directives of a supergraph into per-type and
//! per-field metadata: which subgraphs define a type and with which keys,
//! which subgraphs resolve a field and what they require or provide.

use std::collections::HashMap;

/// A map looked up on every planning step: hashed with foldhash, not
/// SipHash (its keys are the supergraph's names, not a client's).
pub type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

use apollo_compiler::ast::{Directive, Value};
use apollo_compiler::executable::FieldSet;
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::validation::Valid;
use apollo_compiler::{Name, Node, Schema};

use super::{Subgraph, SubgraphId, SupergraphError};

/// How one subgraph defines a type (one per `@join__type`).
#[derive(Debug, Clone)]
pub struct TypeInSubgraph {
    pub subgraph: SubgraphId,
    /// The `@key` field set, if this application declares one.
    pub key: Option<Valid<FieldSet>>,
    /// False for `@key(resolvable: false)`: the subgraph cannot be entered here.
    pub resolvable: bool,
    /// The subgraph sees this interface as an object type (`@interfaceObject`).
    pub interface_object: bool,
}

/// One `@join__field` application: a subgraph that knows the field.
#[derive(Debug, Clone)]
pub struct FieldSource {
    pub subgraph: SubgraphId,
    pub requires: Option<Valid<FieldSet>>,
    pub provides: Option<Valid<FieldSet>>,
    /// The subgraph declares the field `@external`: it resolves it only where provided.
    pub external: bool,
    /// The field moved away from this subgraph with `@override`.
    pub used_overridden: bool,
    /// The subgraph's own type for the field, when it differs from the supergraph's.
    pub type_in_subgraph: Option<String>,
}

/// Join metadata of one field.
#[derive(Debug, Clone, Default)]
pub struct FieldMeta {
    /// Empty when the field has no `@join__field`: then every subgraph
    /// defining the parent type resolves it (unless `has_join_field`).
    pub sources: Vec<FieldSource>,
    /// The field has `@join__field` applications, maybe none naming a graph
    /// (a field an `@interfaceObject` adds to the interface's implementations).
    pub has_join_field: bool,
}

/// Join metadata of one composite (object, interface, union) type.
#[derive(Debug, Clone, Default)]
pub struct TypeMeta {
    pub in_subgraphs: Vec<TypeInSubgraph>,
    pub fields: FastMap<Name, FieldMeta>,
    /// `@join__implements`: (subgraph, interface) pairs.
    pub implements: Vec<(SubgraphId, Name)>,
    /// `@join__unionMember`: (subgraph, member) pairs.
    pub union_members: Vec<(SubgraphId, Name)>,
}

impl TypeMeta {
    /// True if the subgraph defines this type at all.
    pub fn in_subgraph(&self, subgraph: SubgraphId) -> bool {
        self.in_subgraphs.iter().any(|t| t.subgraph == subgraph)
    }

    /// True if the subgraph defines this interface as an `@interfaceObject`.
    pub fn is_interface_object_in(&self, subgraph: SubgraphId) -> bool {
        self.in_subgraphs
            .iter()
            .any(|t| t.subgraph == subgraph && t.interface_object)
    }

    /// The subgraphs that define the type, each once, in supergraph order.
    pub fn subgraph_ids(&self) -> Vec<SubgraphId> {
        let mut ids: Vec<SubgraphId> = Vec::new();
        for t in &self.in_subgraphs {
            if !ids.contains(&t.subgraph) {
                ids.push(t.subgraph);
            }
        }
        ids
    }

    /// Resolvable keys of the type in a subgraph.
    pub fn resolvable_keys(&self, subgraph: SubgraphId) -> impl Iterator<Item = &Valid<FieldSet>> {
        self.in_subgraphs
            .iter()
            .filter(move |t| t.subgraph == subgraph && t.resolvable)
            .filter_map(|t| t.key.as_ref())
    }

    /// All keys of the type in a subgraph, resolvable or not.
    pub fn keys(&self, subgraph: SubgraphId) -> impl Iterator<Item = &Valid<FieldSet>> {
        self.in_subgraphs
            .iter()
            .filter(move |t| t.subgraph == subgraph)
            .filter_map(|t| t.key.as_ref())
    }
}

/// Reads `enum join__Graph { X @join__graph(name:, url:) }`.
pub(super) fn read_subgraphs(schema: &Schema) -> Result<Vec<Subgraph>, SupergraphError> {
    let Some(ExtendedType::Enum(graphs)) = schema.types.get("join__Graph") else {
        return Err(SupergraphError::NotASupergraph);
    };
    let mut subgraphs = Vec::new();
    for (value_name, value) in &graphs.values {
        let directive = value.directives.get("join__graph").ok_or_else(|| {
            SupergraphError::InvalidJoin(format!("join__Graph.{value_name} has no @join__graph"))
        })?;
        let name = string_arg(directive, "name")
            .unwrap_or(value_name.as_str())
            .to_string();
        let url = string_arg(directive, "url").unwrap_or_default().to_string();
        subgraphs.push(Subgraph {
            name,
            url,
            enum_value: value_name.clone(),
        });
    }
    Ok(subgraphs)
}

/// Reads join metadata for every object, interface and union type.
pub(super) fn read_types(
    schema: &Valid<Schema>,
    subgraphs: &[Subgraph],
) -> Result<FastMap<Name, TypeMeta>, SupergraphError> {
    let graph_ids: HashMap<&str, SubgraphId> = subgraphs
        .iter()
        .enumerate()
        .map(|(i, s)| (s.enum_value.as_str(), i))
        .collect();
    let reader = Reader { schema, graph_ids };
    let mut types = FastMap::default();
    for (name, ty) in &schema.types {
        if ty.is_built_in() || name.starts_with("join__") || name.starts_with("link__") {
            continue;
        }
        let meta = match ty {
            ExtendedType::Object(o) => reader.composite(name, &o.directives, o.fields.iter())?,
            ExtendedType::Interface(i) => reader.composite(name, &i.directives, i.fields.iter())?,
            ExtendedType::Union(u) => reader.composite(name, &u.directives, std::iter::empty())?,
            _ => continue,
        };
        types.insert(name.clone(), meta);
    }
    Ok(types)
}

struct Reader<'a> {
    schema: &'a Valid<Schema>,
    graph_ids: HashMap<&'a str, SubgraphId>,
}

type FieldIter<'a> = (
    &'a Name,
    &'a apollo_compiler::schema::Component<apollo_compiler::ast::FieldDefinition>,
);

impl Reader<'_> {
    fn composite<'f>(
        &self,
        type_name: &Name,
        directives: &apollo_compiler::schema::DirectiveList,
        fields: impl Iterator<Item = FieldIter<'f>>,
    ) -> Result<TypeMeta, SupergraphError> {
        let mut meta = TypeMeta::default();
        for d in directives.get_all("join__type") {
            let subgraph = self.graph(d)?;
            let key = match string_arg(d, "key") {
                Some(fields) => Some(self.field_set(type_name, fields)?),
                None => None,
            };
            meta.in_subgraphs.push(TypeInSubgraph {
                subgraph,
                key,
                resolvable: bool_arg(d, "resolvable").unwrap_or(true),
                interface_object: bool_arg(d, "isInterfaceObject").unwrap_or(false),
            });
        }
        for d in directives.get_all("join__implements") {
            if let Some(interface) = string_arg(d, "interface") {
                meta.implements.push((self.graph(d)?, name(interface)?));
            }
        }
        for d in directives.get_all("join__unionMember") {
            if let Some(member) = string_arg(d, "member") {
                meta.union_members.push((self.graph(d)?, name(member)?));
            }
        }
        for (field_name, field) in fields {
            meta.fields.insert(
                field_name.clone(),
                self.field(type_name, field_name, &field.directives, &field.ty)?,
            );
        }
        Ok(meta)
    }

    fn field(
        &self,
        type_name: &Name,
        field_name: &Name,
        directives: &apollo_compiler::ast::DirectiveList,
        ty: &apollo_compiler::ast::Type,
    ) -> Result<FieldMeta, SupergraphError> {
        let mut meta = FieldMeta::default();
        for d in directives.get_all("join__field") {
            meta.has_join_field = true;
            // A @join__field without `graph` only carries metadata for the supergraph.
            let Some(graph) = d.specified_argument_by_name("graph") else {
                continue;
            };
            let subgraph = self.graph_value(graph)?;
            if d.specified_argument_by_name("contextArguments").is_some() {
                // Junction does not yet fill arguments from `@context`: a
                // subgraph needing them cannot be asked for the field (the
                // planner reports it unresolvable instead of calling the
                // subgraph without the argument).
                tracing::warn!(
                    field = %format!("{type_name}.{field_name}"),
                    "a field's subgraph needs @fromContext arguments, which Junction does not pass yet; that subgraph is not asked for it"
                );
                continue;
            }
            let output_type = ty.inner_named_type();
            meta.sources.push(FieldSource {
                subgraph,
                requires: string_arg(d, "requires")
                    .map(|f| self.field_set(type_name, f))
                    .transpose()?,
                provides: string_arg(d, "provides")
                    .map(|f| self.field_set(output_type, f))
                    .transpose()?,
                external: bool_arg(d, "external").unwrap_or(false),
                used_overridden: bool_arg(d, "usedOverridden").unwrap_or(false),
                type_in_subgraph: string_arg(d, "type").map(str::to_string),
            });
        }
        Ok(meta)
    }

    fn field_set(&self, type_name: &str, fields: &str) -> Result<Valid<FieldSet>, SupergraphError> {
        let type_name = name(type_name)?;
        FieldSet::parse_and_validate(self.schema, type_name.clone(), fields, "field_set.graphql")
            .map_err(|e| {
                SupergraphError::InvalidJoin(format!(
                    "field set \"{fields}\" on {type_name}: {}",
                    e.errors
                ))
            })
    }

    fn graph(&self, directive: &Directive) -> Result<SubgraphId, SupergraphError> {
        let value = directive
            .specified_argument_by_name("graph")
            .ok_or_else(|| {
                SupergraphError::InvalidJoin(format!(
                    "@{} without a graph argument",
                    directive.name
                ))
            })?;
        self.graph_value(value)
    }

    fn graph_value(&self, value: &Node<Value>) -> Result<SubgraphId, SupergraphError> {
        value
            .as_enum()
            .and_then(|v| self.graph_ids.get(v.as_str()).copied())
            .ok_or_else(|| {
                SupergraphError::InvalidJoin(format!("unknown join__Graph value {value}"))
            })
    }
}

fn name(text: &str) -> Result<Name, SupergraphError> {
    Name::new(text).map_err(|e| SupergraphError::InvalidJoin(e.to_string()))
}

fn string_arg<'a>(directive: &'a Directive, arg: &str) -> Option<&'a str> {
    directive
        .specified_argument_by_name(arg)
        .and_then(|v| v.as_str())
}

fn bool_arg(directive: &Directive, arg: &str) -> Option<bool> {
    directive
        .specified_argument_by_name(arg)
        .and_then(|v| v.to_bool())
}
