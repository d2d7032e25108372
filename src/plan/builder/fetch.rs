//! Turning fetch groups into plan stages and subgraph operations.

use std::fmt::Write;

use apollo_compiler::ast::{OperationType, Type};
use apollo_compiler::{name, Name};

use super::selections::fields_at;
use super::{Builder, Group};
use crate::operation::{
    collect_variables, print_selection_set, Field, InlineFragment, PreparedOperation, Selection,
};
use crate::plan::graph::Graph;
use crate::plan::{FetchNode, QueryPlan};

impl Builder<'_> {
    /// Orders groups into stages by dependency depth and prints their operations.
    pub(super) fn finish(self, operation: &PreparedOperation) -> QueryPlan {
        let mut depth = vec![0usize; self.groups.len()];
        for (i, group) in self.groups.iter().enumerate() {
            // Dependencies always have smaller ids: groups are created after the groups they read from.
            depth[i] = group.deps.iter().map(|d| depth[*d] + 1).max().unwrap_or(0);
        }
        let stage_count = depth.iter().max().map_or(0, |d| d + 1);
        let mut stages: Vec<Vec<FetchNode>> = vec![Vec::new(); stage_count];
        let graph = Graph {
            supergraph: self.graph.supergraph,
        };
        for (i, group) in self.groups.into_iter().enumerate() {
            if group.selections.is_empty() {
                continue;
            }
            stages[depth[i]].push(fetch_node(i, group, &graph, operation));
        }
        stages.retain(|s| !s.is_empty());
        QueryPlan { stages }
    }
}

fn fetch_node(
    id: usize,
    group: Group,
    graph: &Graph<'_>,
    operation: &PreparedOperation,
) -> FetchNode {
    let root_keys: Vec<Name> = if group.is_entity {
        Vec::new()
    } else {
        fields_at(&group.selections, &group.parent_type)
            .iter()
            .map(|f| f.response_key().clone())
            .collect()
    };
    let supergraph = graph.supergraph;
    let mut variables = Vec::new();
    collect_variables(&group.selections, &mut variables);
    let mut text = String::new();
    let kind = if group.is_entity {
        OperationType::Query
    } else {
        operation.kind
    };
    text.push_str(match kind {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    });
    let mut definitions: Vec<String> = Vec::new();
    if group.is_entity {
        definitions.push("$representations: [_Any!]!".to_string());
    }
    for variable in &variables {
        if let Some(def) = operation.variables.iter().find(|v| &v.name == variable) {
            let mut d = format!("${}: {}", def.name, def.ty);
            if let Some(default) = &def.default_value {
                let _ = write!(d, " = {default}");
            }
            definitions.push(d);
        }
    }
    if !definitions.is_empty() {
        let _ = write!(text, "({})", definitions.join(", "));
    }
    text.push(' ');
    let requires = if group.is_entity {
        let wrapped = vec![Selection::Field(Field {
            alias: None,
            name: name!("_entities"),
            arguments: vec![apollo_compiler::Node::new(apollo_compiler::ast::Argument {
                name: name!("representations"),
                value: apollo_compiler::Node::new(apollo_compiler::ast::Value::Variable(name!(
                    "representations"
                ))),
            })],
            conditions: Vec::new(),
            ty: Type::Named(name!("_Entity")),
            selections: vec![Selection::InlineFragment(InlineFragment {
                type_condition: Some(group.parent_type.clone()),
                conditions: Vec::new(),
                selections: group.selections,
            })],
        })];
        print_selection_set(&mut text, &wrapped);
        Some(group.requires)
    } else {
        print_selection_set(&mut text, &group.selections);
        None
    };
    let interface_object =
        group.is_entity && graph.is_interface_object_in(&group.parent_type, group.subgraph);
    FetchNode {
        id,
        interface_object: interface_object.then(|| group.parent_type.clone()),
        renames: group.renames,
        root_keys,
        conditions: group.conditions,
        subgraph: group.subgraph,
        subgraph_name: supergraph.subgraphs[group.subgraph].name.clone(),
        path: group.path,
        requires,
        operation: text,
        variables,
        kind,
    }
}
