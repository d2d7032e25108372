//! Merging subgraphs into the supergraph model: types by name (kinds must
//! agree, an `@interfaceObject` counting as its interface), then each
//! kind's own rule — output fields by union, input fields and arguments
//! by intersection, enums by how they are used — with the `@join__*`
//! information of where each element comes from.
//!
//! Graphs are the subgraphs sorted by name; everything is walked in graph
//! order, so first-appearance order is the same whatever order the
//! subgraphs were given in.

mod composed;
mod enums;
mod fields;
mod types;

use apollo_compiler::Name;
use indexmap::IndexMap;

use super::model::{
    Graph, GraphId, JoinType, JoinVersion, SubType, Subgraph, SuperType, Supergraph, TypeKind,
};
use super::CompositionError;

/// One named type as the subgraphs define it: each graph's definition.
pub(super) struct Definitions<'s> {
    pub name: Name,
    pub kind: TypeKind,
    pub by_graph: Vec<(GraphId, &'s SubType)>,
}

/// Merges subgraphs (in any order) into the supergraph model.
pub(in crate::compose) fn merge(
    mut subgraphs: Vec<Subgraph>,
) -> Result<Supergraph, Vec<CompositionError>> {
    subgraphs.sort_by(|a, b| a.name.as_bytes().cmp(b.name.as_bytes()));
    let names: Vec<&str> = subgraphs.iter().map(|s| s.name.as_str()).collect();
    let enum_values = super::print::graph_enum_values(&names);
    let graphs: Vec<Graph> = subgraphs
        .iter()
        .zip(enum_values)
        .map(|(s, enum_value)| Graph {
            name: s.name.clone(),
            url: s.url.clone(),
            enum_value,
        })
        .collect();
    let mut errors = Vec::new();
    let features = composed::composed_features(&subgraphs).unwrap_or_else(|mut composed_errors| {
        errors.append(&mut composed_errors);
        Vec::new()
    });
    let definitions = collect_definitions(&subgraphs, &mut errors);
    let usage = enums::usage(&subgraphs);
    let mut types = Vec::with_capacity(definitions.len());
    for defs in definitions.values() {
        match merge_type(defs, &subgraphs, &usage, &definitions) {
            Ok(merged) => types.push(merged),
            Err(mut type_errors) => errors.append(&mut type_errors),
        }
    }
    fields::add_interface_object_fields(&mut types, &definitions);
    if !errors.is_empty() {
        return Err(errors);
    }
    let has = |root: &str| types.iter().any(|t| t.name == root);
    Ok(Supergraph {
        join_version: join_version(&subgraphs),
        has_mutation: has("Mutation"),
        has_subscription: has("Subscription"),
        uses_inaccessible: types::any_common(&types, |c| c.inaccessible),
        uses_tag: types::any_common(&types, |c| !c.tags.is_empty()),
        uses_access: types::access_use(&types),
        uses_context: types.iter().any(|t| !t.contexts.is_empty()),
        uses_one_of: types.iter().any(|t| t.one_of),
        graphs,
        features,
        types,
    })
}

/// Federation 2.7 brings join v0.4, 2.8 and later v0.5; anything older v0.3.
fn join_version(subgraphs: &[Subgraph]) -> JoinVersion {
    let highest = subgraphs
        .iter()
        .filter_map(|s| s.federation.minor)
        .max()
        .unwrap_or(0);
    match highest {
        0..=6 => JoinVersion::V0_3,
        7 => JoinVersion::V0_4,
        _ => JoinVersion::V0_5,
    }
}

/// Every named type with each graph's definition, in first-appearance order.
fn collect_definitions<'s>(
    subgraphs: &'s [Subgraph],
    errors: &mut Vec<CompositionError>,
) -> IndexMap<Name, Definitions<'s>> {
    let mut definitions: IndexMap<Name, Definitions<'s>> = IndexMap::new();
    for (graph, subgraph) in subgraphs.iter().enumerate() {
        for ty in subgraph.types.values() {
            let kind = effective_kind(ty);
            let entry = definitions
                .entry(ty.name.clone())
                .or_insert_with(|| Definitions {
                    name: ty.name.clone(),
                    kind,
                    by_graph: Vec::new(),
                });
            if entry.kind != kind {
                let first = entry
                    .by_graph
                    .first()
                    .map(|(g, _)| subgraphs[*g].name.as_str());
                errors.push(
                    CompositionError::new(
                        "TYPE_KIND_MISMATCH",
                        format!(
                            "Type \"{}\" is a {} in subgraph \"{}\" but a {} in subgraph \"{}\"",
                            ty.name,
                            kind_name(entry.kind),
                            first.unwrap_or("?"),
                            kind_name(kind),
                            subgraph.name
                        ),
                    )
                    .at(&subgraph.name, ty.common.location),
                );
                continue;
            }
            entry.by_graph.push((graph, ty));
        }
    }
    definitions
}

/// An `@interfaceObject` is its interface in the supergraph.
fn effective_kind(ty: &SubType) -> TypeKind {
    if ty.interface_object {
        TypeKind::Interface
    } else {
        ty.kind
    }
}

pub(super) fn kind_name(kind: TypeKind) -> &'static str {
    match kind {
        TypeKind::Object => "object type",
        TypeKind::Interface => "interface",
        TypeKind::Union => "union",
        TypeKind::Enum => "enum",
        TypeKind::InputObject => "input object type",
        TypeKind::Scalar => "scalar",
    }
}

fn merge_type(
    defs: &Definitions<'_>,
    subgraphs: &[Subgraph],
    usage: &enums::Usage,
    all: &IndexMap<Name, Definitions<'_>>,
) -> Result<SuperType, Vec<CompositionError>> {
    let mut merged = SuperType {
        name: defs.name.clone(),
        kind: defs.kind,
        common: types::merge_common(defs.by_graph.iter().map(|(_, t)| &t.common)),
        implements: Vec::new(),
        join_implements: Vec::new(),
        join_types: join_types(defs, subgraphs.len()),
        fields: Vec::new(),
        members: Vec::new(),
        join_members: Vec::new(),
        values: Vec::new(),
        specified_by: defs
            .by_graph
            .iter()
            .find_map(|(_, t)| t.specified_by.clone()),
        one_of: defs.by_graph.iter().any(|(_, t)| t.one_of),
        contexts: defs
            .by_graph
            .iter()
            .flat_map(|(graph, t)| {
                let subgraph = &subgraphs[*graph].name;
                t.contexts.iter().map(move |c| format!("{subgraph}__{c}"))
            })
            .collect(),
    };
    types::merge_implements(defs, &mut merged);
    match defs.kind {
        TypeKind::Object | TypeKind::Interface => {
            merged.fields = fields::merge_output_fields(defs, subgraphs, all)?;
        }
        TypeKind::InputObject => merged.fields = fields::merge_input_fields(defs, subgraphs)?,
        TypeKind::Union => types::merge_members(defs, &mut merged),
        TypeKind::Enum => merged.values = enums::merge_values(defs, usage, subgraphs)?,
        TypeKind::Scalar => {}
    }
    Ok(merged)
}

/// `@join__type` lines: one per key (or one bare) per defining graph; the
/// query root gets one for every graph.
fn join_types(defs: &Definitions<'_>, graph_count: usize) -> Vec<JoinType> {
    let is_root = matches!(defs.name.as_str(), "Query" | "Mutation" | "Subscription");
    let mut out = Vec::new();
    let mut push_graph = |graph: GraphId, ty: Option<&SubType>| {
        let Some(ty) = ty.filter(|t| !t.keys.is_empty()) else {
            out.push(JoinType {
                graph,
                key: None,
                extension: false,
                resolvable: None,
                interface_object: ty.is_some_and(|t| t.interface_object),
            });
            return;
        };
        for key in &ty.keys {
            out.push(JoinType {
                graph,
                key: Some(key.fields.clone()),
                extension: ty.extension && !is_root,
                resolvable: key.resolvable,
                interface_object: ty.interface_object,
            });
        }
    };
    if defs.name == "Query" {
        for graph in 0..graph_count {
            let ty = defs
                .by_graph
                .iter()
                .find(|(g, _)| *g == graph)
                .map(|(_, t)| *t);
            push_graph(graph, ty);
        }
    } else {
        for (graph, ty) in &defs.by_graph {
            push_graph(*graph, Some(ty));
        }
    }
    out
}
