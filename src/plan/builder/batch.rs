//! Batching the entity groups of one stage into one request per subgraph.
//!
//! Groups at the same path (the same objects) merge: their representations
//! and selections are combined, so each object is sent once. Groups at
//! different paths share one `_entities` field only when they ask exactly
//! the same of the same entity type (then a representation that occurs at
//! several paths is sent once); otherwise each gets its own aliased
//! `_entities` field in the same request, so no object is asked for fields
//! its path did not want or for which its representation lacks requirements.

use apollo_compiler::{Name, Node};

use super::aliases::representations_conflict;
use super::Group;
use crate::operation::{
    merge_into, print_selection_set, Field, InlineFragment, Selection, SelectionSet,
};
use crate::plan::graph::Graph;
use crate::plan::{EntityInput, EntityPart};

/// Groups of one stage that become one request.
pub(super) struct Batch {
    /// The smallest id of its groups.
    pub id: usize,
    /// The groups, by id.
    pub groups: Vec<(usize, Group)>,
}

impl Batch {
    pub fn new(id: usize, group: Group) -> Batch {
        Batch {
            id,
            groups: vec![(id, group)],
        }
    }

    /// Can this entity group go into the same request?
    pub fn accepts(&self, group: &Group) -> bool {
        let first = &self.groups[0].1;
        group.is_entity
            && first.is_entity
            && first.subgraph == group.subgraph
            && first.conditions == group.conditions
    }

    pub fn join(&mut self, id: usize, group: Group) {
        let at = self.groups.partition_point(|(i, _)| *i < id);
        self.groups.insert(at, (id, group));
        self.id = self.id.min(id);
    }
}

/// Objects of one type at one path and what is asked of them.
struct Unit {
    parent_type: Name,
    selections: SelectionSet,
    input: EntityInput,
}

/// One `_entities` field being assembled.
#[derive(Default)]
struct Part {
    /// `... on Type { … }` fragments, one per entity type.
    selections: SelectionSet,
    /// Each entity type's selection, printed, to compare.
    by_type: Vec<(Name, String)>,
    inputs: Vec<EntityInput>,
}

/// The parts of an entity batch: each part's `_entities` field (to print)
/// and what the executor needs to fill its representations.
pub(super) fn entity_parts(
    groups: Vec<(usize, Group)>,
    graph: &Graph<'_>,
) -> (SelectionSet, Vec<EntityPart>) {
    let parts = parts_of(units_of(groups, graph));
    let mut fields = Vec::new();
    let mut entity_parts = Vec::new();
    for (i, part) in parts.into_iter().enumerate() {
        let (response_key, variable) = if i == 0 {
            ("_entities".to_string(), "representations".to_string())
        } else {
            (format!("_entities_{i}"), format!("representations_{i}"))
        };
        let (Ok(response_key), Ok(variable)) = (Name::new(&response_key), Name::new(&variable))
        else {
            continue;
        };
        fields.push(entities_field(&response_key, &variable, part.selections));
        entity_parts.push(EntityPart {
            response_key,
            variable,
            inputs: part.inputs,
            path_steps: Default::default(),
        });
    }
    (fields, entity_parts)
}

fn units_of(groups: Vec<(usize, Group)>, graph: &Graph<'_>) -> Vec<Unit> {
    let mut units: Vec<Unit> = Vec::new();
    for (_, group) in groups {
        let interface_object = graph
            .is_interface_object_in(&group.parent_type, group.subgraph)
            .then(|| group.parent_type.clone());
        let same_objects = units.iter_mut().find(|unit| {
            unit.input.path == group.path
                && unit.parent_type == group.parent_type
                && unit.input.interface_object == interface_object
                && !representations_conflict(&unit.input.requires, &group.requires)
                && !selections_conflict(&unit.selections, &group.selections)
        });
        match same_objects {
            Some(unit) => {
                merge_into(&mut unit.input.requires, group.requires);
                merge_into(&mut unit.selections, group.selections);
            }
            None => units.push(Unit {
                parent_type: group.parent_type,
                selections: group.selections,
                input: EntityInput {
                    path: group.path,
                    requires: group.requires,
                    interface_object,
                },
            }),
        }
    }
    units
}

fn parts_of(units: Vec<Unit>) -> Vec<Part> {
    let mut parts: Vec<Part> = Vec::new();
    for unit in units {
        let mut printed = String::new();
        print_selection_set(&mut printed, &unit.selections);
        let fragment = vec![Selection::InlineFragment(InlineFragment {
            type_condition: Some(unit.parent_type.clone()),
            conditions: Vec::new(),
            defer: None,
            selections: unit.selections,
        })];
        let fits = |part: &Part| match part.by_type.iter().find(|(t, _)| *t == unit.parent_type) {
            Some((_, existing)) => *existing == printed,
            None => !selections_conflict(&part.selections, &fragment),
        };
        let index = match parts.iter().position(fits) {
            Some(index) => index,
            None => {
                parts.push(Part::default());
                parts.len() - 1
            }
        };
        let part = &mut parts[index];
        if !part.by_type.iter().any(|(t, _)| *t == unit.parent_type) {
            part.by_type.push((unit.parent_type, printed));
            merge_into(&mut part.selections, fragment);
        }
        part.inputs.push(unit.input);
    }
    parts
}

/// Would merging two selection sets put two different fields (name,
/// arguments or type) under one response key anywhere in the tree?
fn selections_conflict(a: &SelectionSet, b: &SelectionSet) -> bool {
    let mut left = Vec::new();
    flatten_fields(a, &mut left);
    let mut right = Vec::new();
    flatten_fields(b, &mut right);
    left.iter().any(|l| {
        right
            .iter()
            .filter(|r| r.response_key() == l.response_key())
            .any(|r| {
                r.name != l.name
                    || r.arguments != l.arguments
                    || r.ty != l.ty
                    || selections_conflict(&l.selections, &r.selections)
            })
    })
}

fn flatten_fields<'s>(set: &'s SelectionSet, out: &mut Vec<&'s Field>) {
    for selection in set {
        match selection {
            Selection::Field(field) => out.push(field),
            Selection::InlineFragment(fragment) => flatten_fields(&fragment.selections, out),
        }
    }
}

/// `<key>: _entities(representations: $<variable>) { …selections }`.
fn entities_field(response_key: &Name, variable: &Name, selections: SelectionSet) -> Selection {
    let entities = apollo_compiler::name!("_entities");
    Selection::Field(Field {
        alias: (*response_key != entities).then(|| response_key.clone()),
        name: entities,
        arguments: vec![Node::new(apollo_compiler::ast::Argument {
            name: apollo_compiler::name!("representations"),
            value: Node::new(apollo_compiler::ast::Value::Variable(variable.clone())),
        })],
        conditions: Vec::new(),
        ty: apollo_compiler::ast::Type::Named(apollo_compiler::name!("_Entity")),
        selections,
        denied: None,
        rewrite: None,
    })
}
