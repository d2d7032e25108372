//! Fields: output fields are the union over graphs, input fields the
//! intersection; arguments the intersection. Each field's `@join__field`
//! lines say which graphs define it and how (external, requires,
//! provides, a different type, override), and are left out altogether
//! when every graph of the type defines it the same plain way.

use apollo_compiler::ast::{Type, Value};
use apollo_compiler::{Name, Node};
use indexmap::IndexMap;

use super::types::{merge_common, more_general, more_restrictive};
use super::Definitions;
use crate::compose::model::{
    GraphId, JoinField, SubField, Subgraph, SuperArgument, SuperField, SuperType, TypeKind,
};
use crate::compose::provided::is_provided;
use crate::compose::subgraph::names_in_field_set;
use crate::compose::CompositionError;

/// One graph's definition of a field, after `@override` is applied.
struct Source<'s> {
    graph: GraphId,
    field: &'s SubField,
    /// The field is overridden here but still needed (a key, a requirement).
    used_overridden: bool,
    /// This graph takes the field over from that subgraph.
    override_from: Option<String>,
    override_label: Option<String>,
}

/// Merges the fields of an object or interface type.
pub(super) fn merge_output_fields(
    defs: &Definitions<'_>,
    subgraphs: &[Subgraph],
    all: &IndexMap<Name, Definitions<'_>>,
) -> Result<Vec<SuperField>, Vec<CompositionError>> {
    let type_graphs: Vec<GraphId> = if defs.name == "Query" {
        (0..subgraphs.len()).collect()
    } else {
        defs.by_graph.iter().map(|(g, _)| *g).collect()
    };
    let mut fields = Vec::new();
    let mut errors = Vec::new();
    for (name, definitions) in fields_by_name(defs) {
        let sources = apply_overrides(defs, &definitions, subgraphs);
        match merge_output_field(defs, &name, &sources, &type_graphs, subgraphs, all) {
            Ok(field) => fields.push(field),
            Err(error) => errors.push(error),
        }
    }
    if errors.is_empty() {
        Ok(fields)
    } else {
        Err(errors)
    }
}

/// Each field name with every graph's definition, in first-appearance order.
fn fields_by_name<'s>(defs: &Definitions<'s>) -> IndexMap<Name, Vec<(GraphId, &'s SubField)>> {
    let mut by_name: IndexMap<Name, Vec<(GraphId, &'s SubField)>> = IndexMap::new();
    for (graph, ty) in &defs.by_graph {
        for field in ty.fields.values() {
            by_name
                .entry(field.name.clone())
                .or_default()
                .push((*graph, field));
        }
    }
    by_name
}

/// Applies `@override(from:)`: the overridden graph's definition is
/// dropped, or kept when it is external, still needed there, or the
/// override is progressive (`label`). An override naming no subgraph is ignored.
fn apply_overrides<'s>(
    defs: &Definitions<'s>,
    definitions: &[(GraphId, &'s SubField)],
    subgraphs: &[Subgraph],
) -> Vec<Source<'s>> {
    let overrides: Vec<(GraphId, String, Option<String>)> = definitions
        .iter()
        .filter_map(|(graph, field)| {
            let from = field.override_from.as_ref()?;
            subgraphs
                .iter()
                .any(|s| &s.name == from)
                .then(|| (*graph, from.clone(), field.override_label.clone()))
        })
        .collect();
    let mut sources = Vec::new();
    for (graph, field) in definitions {
        let overriding = overrides.iter().find(|(g, _, _)| g == graph);
        let overridden_by = overrides
            .iter()
            .find(|(_, from, _)| *from == subgraphs[*graph].name);
        let mut source = Source {
            graph: *graph,
            field,
            used_overridden: false,
            // An override naming no subgraph changes nothing, but Apollo
            // still prints it in `@join__field` (when one is printed).
            override_from: overriding
                .map(|(_, from, _)| from.clone())
                .or_else(|| field.override_from.clone()),
            override_label: overriding.and_then(|(_, _, label)| label.clone()),
        };
        if let Some((_, _, label)) = overridden_by {
            if label.is_some() {
                source.override_label = label.clone();
            } else if !field.external {
                if !still_needed(defs, *graph, &field.name) {
                    continue;
                }
                source.used_overridden = true;
            }
        }
        sources.push(source);
    }
    sources
}

/// Does the overridden graph still need the field: a key, a `@requires` or
/// `@provides` naming it, or an interface of the type there declaring it?
fn still_needed(defs: &Definitions<'_>, graph: GraphId, field: &Name) -> bool {
    let Some((_, ty)) = defs.by_graph.iter().find(|(g, _)| *g == graph) else {
        return false;
    };
    let named = |set: &str| names_in_field_set(set).any(|n| n == field.as_str());
    ty.keys.iter().any(|k| named(&k.fields))
        || ty
            .fields
            .values()
            .any(|f| f.requires.as_deref().is_some_and(named))
        || !ty.implements.is_empty()
}

fn merge_output_field(
    defs: &Definitions<'_>,
    name: &Name,
    sources: &[Source<'_>],
    type_graphs: &[GraphId],
    subgraphs: &[Subgraph],
    all: &IndexMap<Name, Definitions<'_>>,
) -> Result<SuperField, CompositionError> {
    let first = sources.first().map(|s| s.field).ok_or_else(|| {
        CompositionError::new(
            "INTERNAL",
            format!("field {}.{name} has no source", defs.name),
        )
    })?;
    let is_subtype = |sub: &Name, sup: &Name| is_subtype_in(all, sub, sup);
    let mut ty = first.ty.clone();
    for source in &sources[1..] {
        ty = more_general(&ty, &source.field.ty, &is_subtype)
            .ok_or_else(|| type_mismatch(defs, name, sources, subgraphs))?;
    }
    check_sharing(defs, name, sources, subgraphs)?;
    let types_differ = sources.iter().any(|s| s.field.ty != first.ty);
    let special = sources.iter().any(|s| {
        s.field.external
            || s.field.requires.is_some()
            || s.field.provides.is_some()
            || s.override_from
                .as_ref()
                .is_some_and(|from| subgraphs.iter().any(|g| &g.name == from))
            || s.used_overridden
            || s.override_label.is_some()
            || !s.field.context_arguments.is_empty()
    });
    let everywhere = type_graphs
        .iter()
        .all(|g| sources.iter().any(|s| s.graph == *g));
    let join_fields = if everywhere && !types_differ && !special {
        Vec::new()
    } else {
        sources
            .iter()
            .map(|s| JoinField {
                graph: Some(s.graph),
                requires: s.field.requires.clone(),
                provides: s.field.provides.clone(),
                ty: types_differ.then(|| s.field.ty.to_string()),
                external: s.field.external,
                override_from: s.override_from.clone(),
                used_overridden: s.used_overridden,
                override_label: s.override_label.clone(),
                context_arguments: s.field.context_arguments.clone(),
            })
            .collect()
    };
    let fields: Vec<&SubField> = sources.iter().map(|s| s.field).collect();
    let graph_names: Vec<&str> = sources
        .iter()
        .map(|s| subgraphs[s.graph].name.as_str())
        .collect();
    Ok(SuperField {
        name: name.clone(),
        ty,
        common: merge_common(fields.iter().map(|f| &f.common)),
        args: merge_arguments(defs, name, &fields, &graph_names)?,
        default: None,
        join_fields,
    })
}

/// A field resolved by more than one graph must be shareable in each.
fn check_sharing(
    defs: &Definitions<'_>,
    name: &Name,
    sources: &[Source<'_>],
    subgraphs: &[Subgraph],
) -> Result<(), CompositionError> {
    if defs.kind != TypeKind::Object {
        return Ok(());
    }
    // An external field a `@provides` names is resolved there too.
    let resolves =
        |s: &Source<'_>| !s.field.external || is_provided(&subgraphs[s.graph], &defs.name, name);
    let resolving: Vec<&Source<'_>> = sources
        .iter()
        .filter(|s| resolves(s) && !s.used_overridden && s.override_label.is_none())
        .collect();
    let unshared: Vec<&str> = resolving
        .iter()
        .filter(|s| !s.field.shareable && !s.field.external)
        .map(|s| subgraphs[s.graph].name.as_str())
        .collect();
    if resolving.len() < 2 || unshared.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = resolving
        .iter()
        .map(|s| subgraphs[s.graph].name.as_str())
        .collect();
    let mut error = CompositionError::new(
        "INVALID_FIELD_SHARING",
        format!(
            "Field \"{}.{name}\" is resolved by subgraphs \"{}\", but is not marked @shareable in \"{}\": a field that several subgraphs resolve must be @shareable in each of them",
            defs.name,
            names.join("\", \""),
            unshared.join("\", \"")
        ),
    );
    for source in resolving {
        error = error.at(&subgraphs[source.graph].name, source.field.common.location);
    }
    Err(error)
}

fn type_mismatch(
    defs: &Definitions<'_>,
    name: &Name,
    sources: &[Source<'_>],
    subgraphs: &[Subgraph],
) -> CompositionError {
    let described: Vec<String> = sources
        .iter()
        .map(|s| {
            format!(
                "\"{}\" in subgraph \"{}\"",
                s.field.ty, subgraphs[s.graph].name
            )
        })
        .collect();
    let mut error = CompositionError::new(
        "FIELD_TYPE_MISMATCH",
        format!(
            "The types of field \"{}.{name}\" cannot be reconciled (same named type or a supertype, same list nesting): {}",
            defs.name,
            described.join(", ")
        ),
    );
    for source in sources {
        error = error.at(&subgraphs[source.graph].name, source.field.common.location);
    }
    error
}

/// Is `sub` the same type as `sup`, an object implementing it or a member of it?
fn is_subtype_in(all: &IndexMap<Name, Definitions<'_>>, sub: &Name, sup: &Name) -> bool {
    if sub == sup {
        return true;
    }
    let Some(sup_defs) = all.get(sup) else {
        return false;
    };
    match sup_defs.kind {
        TypeKind::Union => sup_defs
            .by_graph
            .iter()
            .any(|(_, t)| t.members.contains(sub)),
        TypeKind::Interface => all
            .get(sub)
            .is_some_and(|d| d.by_graph.iter().any(|(_, t)| t.implements.contains(sup))),
        _ => false,
    }
}

/// Arguments: the intersection over definitions; one missing where another
/// requires it is an error; types must agree (the most restrictive wins),
/// defaults too.
fn merge_arguments(
    defs: &Definitions<'_>,
    field: &Name,
    definitions: &[&SubField],
    graph_names: &[&str],
) -> Result<Vec<SuperArgument>, CompositionError> {
    let Some(first) = definitions.first() else {
        return Ok(Vec::new());
    };
    let mut names: Vec<&Name> = first.args.iter().map(|a| &a.name).collect();
    for definition in &definitions[1..] {
        for argument in &definition.args {
            if !names.contains(&&argument.name) {
                names.push(&argument.name);
            }
        }
    }
    let mut merged = Vec::new();
    for name in names {
        let (found, graphs_of_found): (Vec<_>, Vec<&str>) = definitions
            .iter()
            .zip(graph_names)
            .filter_map(|(d, graph)| d.args.iter().find(|a| &a.name == name).map(|a| (a, *graph)))
            .unzip();
        if found.len() < definitions.len() {
            if found
                .iter()
                .any(|a| a.ty.is_non_null() && a.default.is_none())
            {
                return Err(CompositionError::new(
                    "REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH",
                    format!(
                        "Argument \"{}.{field}({name}:)\" is required in some subgraphs but does not appear in all subgraphs defining the field",
                        defs.name
                    ),
                ));
            }
            continue;
        }
        let mut ty: Type = found[0].ty.clone();
        for argument in &found[1..] {
            ty = more_restrictive(&ty, &argument.ty).ok_or_else(|| {
                CompositionError::new(
                    "FIELD_ARGUMENT_TYPE_MISMATCH",
                    format!(
                        "Type of argument \"{}.{field}({name}:)\" is incompatible across subgraphs",
                        defs.name
                    ),
                )
            })?;
        }
        let defaults: Vec<(&str, Option<&Node<Value>>)> = found
            .iter()
            .zip(&graphs_of_found)
            .map(|(a, graph)| (*graph, a.default.as_ref()))
            .collect();
        let default = merged_default(&defaults).map_err(|described| {
            CompositionError::new(
                "FIELD_ARGUMENT_DEFAULT_MISMATCH",
                format!(
                    "Argument \"{}.{field}({name}:)\" has incompatible default values across subgraphs: {described}",
                    defs.name
                ),
            )
        })?;
        merged.push(SuperArgument {
            name: name.clone(),
            ty,
            default,
            common: merge_common(found.iter().map(|a| &a.common)),
        });
    }
    Ok(merged)
}

/// Merges the fields of an input object type: the intersection.
pub(super) fn merge_input_fields(
    defs: &Definitions<'_>,
    subgraphs: &[Subgraph],
) -> Result<Vec<SuperField>, Vec<CompositionError>> {
    let definers = defs.by_graph.len();
    let mut fields = Vec::new();
    let mut errors = Vec::new();
    for (name, definitions) in fields_by_name(defs) {
        if definitions.len() < definers {
            if definitions
                .iter()
                .any(|(_, f)| f.ty.is_non_null() && f.default.is_none())
            {
                errors.push(CompositionError::new(
                    "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
                    format!(
                        "Input object field \"{}.{name}\" is required in some subgraphs but does not appear in all subgraphs defining \"{}\"",
                        defs.name, defs.name
                    ),
                ));
            }
            continue;
        }
        match merge_input_field(defs, &name, &definitions, subgraphs) {
            Ok(field) => fields.push(field),
            Err(error) => errors.push(error),
        }
    }
    if errors.is_empty() && fields.is_empty() {
        errors.push(CompositionError::new(
            "EMPTY_MERGED_INPUT_TYPE",
            format!(
                "Input type \"{}\" keeps only the fields every defining subgraph has, and no field is in all of them",
                defs.name
            ),
        ));
    }
    if errors.is_empty() {
        Ok(fields)
    } else {
        Err(errors)
    }
}

fn merge_input_field(
    defs: &Definitions<'_>,
    name: &Name,
    definitions: &[(GraphId, &SubField)],
    subgraphs: &[Subgraph],
) -> Result<SuperField, CompositionError> {
    let first = definitions[0].1;
    let mut ty = first.ty.clone();
    for (_, field) in &definitions[1..] {
        ty = more_restrictive(&ty, &field.ty).ok_or_else(|| {
            CompositionError::new(
                "FIELD_TYPE_MISMATCH",
                format!(
                    "Type of input field \"{}.{name}\" is incompatible across subgraphs",
                    defs.name
                ),
            )
        })?;
    }
    let defaults: Vec<(&str, Option<&Node<Value>>)> = definitions
        .iter()
        .map(|(graph, f)| (subgraphs[*graph].name.as_str(), f.default.as_ref()))
        .collect();
    let default = merged_default(&defaults).map_err(|described| {
        CompositionError::new(
            "INPUT_FIELD_DEFAULT_MISMATCH",
            format!(
                "Input field \"{}.{name}\" has incompatible default values across subgraphs: {described}",
                defs.name
            ),
        )
    })?;
    let types_differ = definitions.iter().any(|(_, f)| f.ty != first.ty);
    let join_fields = if types_differ {
        definitions
            .iter()
            .map(|(graph, field)| JoinField {
                graph: Some(*graph),
                ty: Some(field.ty.to_string()),
                ..Default::default()
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(SuperField {
        name: name.clone(),
        ty,
        common: merge_common(definitions.iter().map(|(_, f)| &f.common)),
        args: Vec::new(),
        default,
        join_fields,
    })
}

/// Fields an `@interfaceObject` contributes to an interface appear on every
/// implementation that lacks them, with a bare `@join__field`.
pub(super) fn add_interface_object_fields(
    types: &mut [SuperType],
    all: &IndexMap<Name, Definitions<'_>>,
) {
    let interfaces: Vec<(Name, Vec<SuperField>)> = types
        .iter()
        .filter(|t| {
            all.get(&t.name)
                .is_some_and(|d| d.by_graph.iter().any(|(_, s)| s.interface_object))
        })
        .map(|t| (t.name.clone(), t.fields.clone()))
        .collect();
    for (interface, fields) in interfaces {
        for ty in types
            .iter_mut()
            .filter(|t| t.kind == TypeKind::Object && t.implements.contains(&interface))
        {
            for field in &fields {
                if ty.fields.iter().any(|f| f.name == field.name) {
                    continue;
                }
                let mut added = field.clone();
                added.join_fields = vec![JoinField::default()];
                ty.fields.push(added);
            }
        }
    }
}

/// The default of an argument or input field defined in several subgraphs:
/// kept when every subgraph gives the same one, none when some give none;
/// two different ones are an error (which ones, in words).
fn merged_default(
    defaults: &[(&str, Option<&Node<Value>>)],
) -> Result<Option<Node<Value>>, String> {
    let given: Vec<(&str, &Node<Value>)> = defaults
        .iter()
        .filter_map(|(graph, value)| value.map(|v| (*graph, v)))
        .collect();
    if let Some((first_graph, first)) = given.first() {
        if let Some((graph, other)) = given.iter().find(|(_, v)| *v != *first) {
            return Err(format!(
                "it has default value {first} in subgraph \"{first_graph}\" but default value {other} in subgraph \"{graph}\""
            ));
        }
    }
    if given.len() == defaults.len() {
        Ok(given.first().map(|(_, v)| (*v).clone()))
    } else {
        Ok(None)
    }
}
