//! Turning fetch groups into plan stages and subgraph operations: the
//! groups of each block (the primary one, each deferred fragment's) are
//! staged by dependency depth, and the entity groups of one stage that go
//! to the same subgraph become one `_entities` request.

use std::fmt::Write;

use apollo_compiler::ast::OperationType;
use apollo_compiler::Name;

use super::batch::{entity_parts, Batch};
use super::selections::fields_at;
use super::{Builder, Group};
use crate::operation::{
    collect_variables, print_selection_set, Condition, PreparedOperation, Selection, SelectionSet,
};
use crate::plan::graph::Graph;
use crate::plan::{DeferredNode, EntityPart, FetchNode, QueryPlan};

impl Builder<'_> {
    /// Stages the primary block and each deferred block (see [`stage_block`]).
    pub(super) fn finish(self, operation: &PreparedOperation) -> QueryPlan {
        let graph = Graph {
            supergraph: self.graph.supergraph,
        };
        let candidate_paths = self.candidate_paths;
        let mut groups: Vec<Option<Group>> = self
            .groups
            .into_iter()
            .map(|g| Some(std::rc::Rc::unwrap_or_clone(g)))
            .collect();
        let stages = stage_block(&mut groups, None, &graph, operation);
        let deferred = self
            .defers
            .into_iter()
            .map(|block| DeferredNode {
                stages: stage_block(&mut groups, Some(block.id), &graph, operation),
                id: block.id,
                label: block.label,
                parent: block.parent,
                if_variable: block.if_variable,
                path: block.path,
            })
            .collect();
        QueryPlan {
            stages,
            deferred,
            candidate_paths,
        }
    }
}

/// Orders one block's groups into stages and prints their operations. A
/// group runs at the earliest stage its dependencies in the block allow
/// (dependencies in a parent block are done before the block starts),
/// unless a later stage, still before everything that reads from it,
/// already has a request to the same subgraph it can join: then it joins
/// that one (one request fewer, no stage more).
fn stage_block(
    groups: &mut [Option<Group>],
    block: Option<usize>,
    graph: &Graph<'_>,
    operation: &PreparedOperation,
) -> Vec<Vec<FetchNode>> {
    let count = groups.len();
    let member: Vec<bool> = groups
        .iter()
        .map(|g| g.as_ref().is_some_and(|g| g.defer == block))
        .collect();
    let mut earliest = vec![0usize; count];
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); count];
    let deps_of: Vec<Vec<usize>> = groups
        .iter()
        .map(|g| {
            g.as_ref()
                .map_or_else(Vec::new, |g| g.deps.iter().copied().collect())
        })
        .collect();
    for (i, group) in groups.iter().enumerate() {
        let Some(group) = group.as_ref().filter(|_| member[i]) else {
            continue;
        };
        let deps = group.deps.iter().filter(|d| member[**d]);
        // Dependencies always have smaller ids: groups are created after the groups they read from.
        earliest[i] = deps.clone().map(|d| earliest[*d] + 1).max().unwrap_or(0);
        for dep in deps {
            dependents[*dep].push(i);
        }
    }
    let Some(stage_count) = (0..count)
        .filter(|i| member[*i])
        .map(|i| earliest[i] + 1)
        .max()
    else {
        return Vec::new();
    };
    let mut staged: Vec<Vec<Batch>> = (0..stage_count).map(|_| Vec::new()).collect();
    let mut stage_of = earliest.clone();
    // Readers first, so a group knows the stages of everything that reads from it.
    for i in (0..count).rev().filter(|i| member[*i]) {
        let Some(group) = groups[i].take().filter(|g| !g.selections.is_empty()) else {
            continue;
        };
        let latest = dependents[i]
            .iter()
            .map(|d| stage_of[*d].saturating_sub(1))
            .min()
            .unwrap_or(stage_count - 1)
            .max(earliest[i]);
        let joined = (earliest[i]..=latest).find_map(|stage| {
            let batch = staged[stage].iter().position(|b| b.accepts(&group))?;
            Some((stage, batch))
        });
        match joined {
            Some((stage, batch)) => {
                stage_of[i] = stage;
                staged[stage][batch].join(i, group);
            }
            None => staged[earliest[i]].push(Batch::new(i, group)),
        }
    }
    let batch_of = batch_ids(&staged, count);
    staged
        .into_iter()
        .filter(|batches| !batches.is_empty())
        .map(|mut batches| {
            batches.sort_by_key(|b| b.id);
            batches
                .into_iter()
                .map(|batch| {
                    let depends_on = batch_dependencies(&batch, &batch_of, &member, &deps_of);
                    let mut fetch = fetch_node(batch, graph, operation);
                    fetch.depends_on = depends_on;
                    fetch
                })
                .collect()
        })
        .collect()
}

/// The id of the batch (fetch) each group went into, if any.
fn batch_ids(staged: &[Vec<Batch>], count: usize) -> Vec<Option<usize>> {
    let mut batch_of = vec![None; count];
    for batch in staged.iter().flatten() {
        for (group, _) in &batch.groups {
            batch_of[*group] = Some(batch.id);
        }
    }
    batch_of
}

/// The fetches of the block a batch reads from: the batches of its groups'
/// dependencies, looking through groups that became no fetch (nothing
/// left to ask) to what they depended on.
fn batch_dependencies(
    batch: &Batch,
    batch_of: &[Option<usize>],
    member: &[bool],
    deps_of: &[Vec<usize>],
) -> Vec<usize> {
    let mut found: Vec<usize> = Vec::new();
    let mut pending: Vec<usize> = batch
        .groups
        .iter()
        .flat_map(|(group, _)| deps_of[*group].iter().copied())
        .collect();
    let mut seen = vec![false; batch_of.len()];
    while let Some(group) = pending.pop() {
        if !member[group] || std::mem::replace(&mut seen[group], true) {
            continue;
        }
        match batch_of[group] {
            Some(id) if id != batch.id => found.push(id),
            Some(_) => {}
            None => pending.extend(deps_of[group].iter().copied()),
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

fn fetch_node(batch: Batch, graph: &Graph<'_>, operation: &PreparedOperation) -> FetchNode {
    let first = &batch.groups[0].1;
    let is_entity = first.is_entity;
    let supergraph = graph.supergraph;
    let root_keys: Vec<Name> = if is_entity {
        Vec::new()
    } else {
        fields_at(&first.selections, &first.parent_type)
            .iter()
            .map(|f| f.response_key().clone())
            .collect()
    };
    let kind = if is_entity {
        OperationType::Query
    } else {
        operation.kind
    };
    let (subgraph, conditions) = (first.subgraph, first.conditions.clone());
    let renames = batch.groups.iter().any(|(_, g)| g.renames);
    let mut variables = Vec::new();
    let (selections, entities) = if is_entity {
        for (_, group) in &batch.groups {
            collect_variables(&group.selections, &mut variables);
        }
        entity_parts(batch.groups, graph)
    } else {
        let selections = batch.groups.into_iter().next().map(|(_, g)| g.selections);
        let selections = selections.unwrap_or_default();
        collect_variables(&selections, &mut variables);
        (selections, Vec::new())
    };
    let conditions = match is_entity {
        true => conditions,
        false => shared_conditions(&selections),
    };
    let text = operation_text(kind, &entities, &variables, &selections, operation);
    FetchNode {
        id: batch.id,
        depends_on: Vec::new(),
        renames,
        root_keys,
        conditions,
        subgraph,
        subgraph_name: supergraph.subgraphs[subgraph].name.clone(),
        entities,
        body_prefix: body_prefix(&text),
        operation: text,
        variables,
        kind,
    }
}

/// `{"query":<operation>,"variables":`, the part of a subgraph request body
/// that is the same for every request of the fetch.
fn body_prefix(operation: &str) -> bytes::Bytes {
    let mut prefix = Vec::with_capacity(operation.len() + 32);
    prefix.extend_from_slice(b"{\"query\":");
    // Writing a string into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut prefix, operation);
    prefix.extend_from_slice(b",\"variables\":");
    bytes::Bytes::from(prefix)
}

/// The `@skip`/`@include` conditions every top-level selection of a root
/// fetch carries: when they do not hold, no root field of the fetch is
/// asked for, so the fetch is not sent at all (a subgraph asked for
/// nothing may not even answer `{"data": {}}`).
fn shared_conditions(selections: &SelectionSet) -> Vec<Condition> {
    let mut each = selections.iter().map(|selection| match selection {
        Selection::Field(field) => &field.conditions,
        Selection::InlineFragment(fragment) => &fragment.conditions,
    });
    let Some(first) = each.next() else {
        return Vec::new();
    };
    let mut shared = first.clone();
    for conditions in each {
        shared.retain(|c| conditions.contains(c));
    }
    shared
}

/// The subgraph operation: its kind, variable definitions and selection.
fn operation_text(
    kind: OperationType,
    entities: &[EntityPart],
    variables: &[Name],
    selections: &SelectionSet,
    operation: &PreparedOperation,
) -> String {
    let mut text = String::from(match kind {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    });
    let mut definitions: Vec<String> = Vec::new();
    for part in entities {
        definitions.push(format!("${}: [_Any!]!", part.variable));
    }
    for variable in variables {
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
    print_selection_set(&mut text, selections);
    text
}

#[cfg(test)]
mod tests {
    use crate::operation::{prepare_within, Limits};
    use crate::plan::{plan_within, QueryPlan, DEFAULT_MAX_PLAN_FIELDS};
    use crate::supergraph::Supergraph;

    const DEMO: &str = include_str!("../../../schema/supergraph.graphql");

    fn plan(query: &str) -> QueryPlan {
        let supergraph = Supergraph::parse(DEMO).expect("the demo supergraph parses");
        let operation = prepare_within(&supergraph.api_schema, query, None, &Limits::default())
            .expect("the query is valid");
        plan_within(&supergraph, &operation, DEFAULT_MAX_PLAN_FIELDS).expect("the query plans")
    }

    /// (subgraph, subgraphs of the fetches it depends on), in plan order.
    fn dependencies(plan: &QueryPlan) -> Vec<(String, Vec<String>)> {
        let fetches: Vec<_> = plan.stages.iter().flatten().collect();
        let name_of = |id: &usize| {
            let fetch = fetches
                .iter()
                .find(|f| f.id == *id)
                .expect("a fetch of the plan");
            fetch.subgraph_name.clone()
        };
        fetches
            .iter()
            .map(|f| {
                (
                    f.subgraph_name.clone(),
                    f.depends_on.iter().map(name_of).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn each_fetch_depends_only_on_the_fetches_it_reads_from() {
        let plan = plan("{ users { reviews { body } } topProducts { name inStock } }");
        let owned = |s: &str| s.to_string();
        assert_eq!(
            dependencies(&plan),
            vec![
                (owned("accounts"), vec![]),
                (owned("products"), vec![]),
                (owned("reviews"), vec![owned("accounts")]),
                (owned("inventory"), vec![owned("products")]),
            ]
        );
    }

    #[test]
    fn a_fetch_batching_several_paths_depends_on_the_fetch_of_each() {
        let plan = plan("{ users { reviews { body } } topProducts { reviews { body } } }");
        let reviews: Vec<_> = dependencies(&plan)
            .into_iter()
            .filter(|(subgraph, _)| subgraph == "reviews")
            .collect();
        assert_eq!(reviews.len(), 1, "one batched request to reviews");
        let mut on = reviews[0].1.clone();
        on.sort();
        assert_eq!(on, vec!["accounts".to_string(), "products".to_string()]);
    }
}
