//! The entity side of a fetch: representations collected from the response
//! so far (each distinct one once per `_entities` field), written into the
//! request, and the results and errors merged back at every object a
//! representation stands for.

use indexmap::IndexSet;

use super::errors::Origin;
use super::response_tree::{
    merge, merge_copy, objects_at, path_elements, write_representation, PathId, Paths, Step,
};
use super::SubgraphResponse;
use crate::graphql_error::{Cause, EntityLimit, GraphQLError, PathElement};
use crate::json::{count_values, Data, ValueBudget};
use crate::plan::{EntityPart, FetchNode};
use crate::supergraph::Supergraph;

/// Steps of the objects' paths room is made for at once the first time
/// a part runs (a fetch's objects are typically a few hundred, a few steps
/// deep); later runs make room for as many as the last one took, up to
/// [`MAX_PATH_STEPS`].
const PATH_STEPS: usize = 1024;

/// The most steps room is made for ahead: the hint is shared by every
/// request of the plan, so one request with a large answer must not make
/// all later ones reserve much (8,192 steps are 192 KiB); more than this
/// grows as found, each step paid for from the value budget.
const MAX_PATH_STEPS: usize = 1 << 13;

/// The representations of one `_entities` field of a fetch.
pub(super) struct PartBatch<'p> {
    part: &'p EntityPart,
    /// Distinct representations, as JSON text, in the order first met
    /// (foldhash, randomly seeded, not SipHash: every entity of the
    /// response passes through here).
    representations: IndexSet<Vec<u8>, foldhash::fast::RandomState>,
    /// For each representation, the objects it stands for.
    targets: Vec<Vec<PathId>>,
    /// The objects' concrete paths.
    paths: Paths<'p>,
    /// For each representation: it names an `@interfaceObject`, so the
    /// subgraph's `__typename` in the result is not the object's.
    interface_object: Vec<bool>,
    /// Collection stopped: a limit was reached.
    over: Option<EntityLimit>,
}

/// An entity fetch over a limit: nothing is sent, its objects get an error.
#[derive(Debug)]
pub(super) struct FetchRefused {
    over: EntityLimit,
    /// The value of the limit reached.
    limit: usize,
    /// Where the fetch's first object is.
    path: Vec<PathElement>,
}

impl FetchRefused {
    /// The error reported for the fetch.
    pub fn to_graphql(&self, subgraph: &str) -> GraphQLError {
        let limit = self.limit;
        let message = match self.over {
            EntityLimit::Representations => format!("The request to subgraph '{subgraph}' needs more than {limit} entity representations (limits.max_entity_representations); it was not sent."),
            EntityLimit::Values => format!("The request to subgraph '{subgraph}' was not sent: its objects would take the request over {limit} values from subgraphs (limits.max_response_values)."),
        };
        GraphQLError::new(message, Cause::EntityFetchRefused(self.over))
            .from_service(subgraph)
            .at(self.path.clone())
    }
}

/// The representations of every part of an entity fetch; `None` when no
/// object needs the fetch. Collection stops as soon as the distinct
/// representations exceed `limit`, or the objects' paths the value budget.
pub(super) fn collect<'p>(
    data: &Data,
    fetch: &'p FetchNode,
    supergraph: &Supergraph,
    limit: usize,
    values: &ValueBudget,
) -> Result<Option<Vec<PartBatch<'p>>>, FetchRefused> {
    let mut left = limit;
    let mut batches: Vec<PartBatch<'p>> = Vec::with_capacity(fetch.entities.len());
    for part in &fetch.entities {
        let batch = collect_part(data, part, supergraph, &mut left, values);
        let over = batch.over;
        batches.push(batch);
        if let Some(over) = over {
            let limit = match over {
                EntityLimit::Representations => limit,
                EntityLimit::Values => values.limit(),
            };
            return Err(FetchRefused {
                over,
                limit,
                path: first_path(&batches),
            });
        }
    }
    Ok(batches
        .iter()
        .any(|b| !b.representations.is_empty())
        .then_some(batches))
}

fn collect_part<'p>(
    data: &Data,
    part: &'p EntityPart,
    supergraph: &Supergraph,
    left: &mut usize,
    values: &ValueBudget,
) -> PartBatch<'p> {
    let mut batch = PartBatch {
        part,
        representations: IndexSet::default(),
        targets: Vec::new(),
        paths: Paths::with_capacity(match part.path_steps.get() {
            0 => PATH_STEPS,
            last => last.min(MAX_PATH_STEPS),
        }),
        interface_object: Vec::new(),
        over: None,
    };
    let mut text = Vec::new();
    for input in &part.inputs {
        let typename = input.interface_object.as_ref().map(|n| n.as_str());
        let Some(objects) = objects_at(data, &input.path, supergraph, values, &mut batch.paths)
        else {
            batch.over = Some(EntityLimit::Values);
            return batch;
        };
        for (path, object) in objects {
            text.clear();
            if !write_representation(object, &input.requires, supergraph, typename, &mut text) {
                continue;
            }
            match batch.representations.get_index_of(text.as_slice()) {
                Some(i) => batch.targets[i].push(path),
                None => {
                    if *left == 0 {
                        batch.over = Some(EntityLimit::Representations);
                        return batch;
                    }
                    *left -= 1;
                    batch.representations.insert(text.clone());
                    batch.targets.push(vec![path]);
                    batch.interface_object.push(typename.is_some());
                }
            }
        }
    }
    part.path_steps.record(batch.paths.len());
    batch
}

/// Writes `"representations":[…],"representations_1":[…]` (no braces).
pub(super) fn write_variables(batches: &[PartBatch<'_>], body: &mut Vec<u8>) {
    for (i, batch) in batches.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        let _ = serde_json::to_writer(&mut *body, batch.part.variable.as_str());
        body.extend_from_slice(b":[");
        for (j, representation) in batch.representations.iter().enumerate() {
            if j > 0 {
                body.push(b',');
            }
            body.extend_from_slice(representation);
        }
        body.push(b']');
    }
}

/// Where a whole-fetch failure is reported: every object the fetch was
/// for, in the order they were found, as long as the value budget pays for
/// each error past the first (`error_values` apiece, its path besides);
/// then the first object alone.
pub(super) fn failure_paths(
    batches: &[PartBatch<'_>],
    values: &ValueBudget,
    error_values: usize,
) -> Vec<Vec<PathElement>> {
    // Each part keeps its own paths; an object may stand for several entities of it.
    let paths: Vec<&[Step<'_>]> = batches
        .iter()
        .flat_map(|batch| {
            let mut ids: Vec<PathId> = batch.targets.iter().flatten().copied().collect();
            ids.sort_unstable();
            ids.dedup();
            ids.into_iter().map(|id| batch.paths.get(id))
        })
        .collect();
    let steps: usize = paths.iter().skip(1).map(|p| p.len() + error_values).sum();
    match values.spend(steps) {
        true => paths.into_iter().map(path_elements).collect(),
        false => vec![first_path(batches)],
    }
}

/// Where a whole-fetch failure is reported when only one error is: the
/// first object it was for.
pub(super) fn first_path(batches: &[PartBatch<'_>]) -> Vec<PathElement> {
    batches
        .iter()
        .find_map(|b| {
            let first = b.targets.first().and_then(|t| t.first())?;
            Some(path_elements(b.paths.get(*first)))
        })
        .unwrap_or_default()
}

/// Merges each part's results into the objects they stand for; returns
/// the entity errors, relocated to those objects' paths. A result shared by
/// several objects is copied into each, and each copy (of a result or an
/// error) is paid for from the request's value budget: once it is spent,
/// merging stops with an error.
pub(super) fn merge_results(
    tree: &mut Data,
    response: SubgraphResponse,
    batches: &[PartBatch<'_>],
    origin: Origin<'_>,
    values: &ValueBudget,
) -> Vec<GraphQLError> {
    let mut errors = Vec::new();
    if let Some(Data::Object(mut data)) = response.data {
        for batch in batches {
            if let Some(Data::List(entities)) = data.remove(batch.part.response_key.as_str()) {
                if !merge_part(tree, entities, batch, values) {
                    errors.push(copies_refused(origin.subgraph, values, batches));
                    break;
                }
            }
        }
    }
    for error in &response.errors {
        let relocated = relocate_error(origin.client_error(error), batches, values);
        errors.extend(relocated);
    }
    errors
}

/// The error reported when copies of results would exceed the budget.
fn copies_refused(subgraph: &str, values: &ValueBudget, batches: &[PartBatch<'_>]) -> GraphQLError {
    let message = format!(
        "The results of subgraph '{subgraph}' were not all merged: copying them to every object they belong to would take the request over {} values from subgraphs (limits.max_response_values).",
        values.limit()
    );
    GraphQLError::new(message, Cause::EntityCopiesRefused)
        .from_service(subgraph)
        .at(first_path(batches))
}

/// Merges a part's results; `false` when the value budget ran out (the
/// results before the one it could not pay for are merged).
///
/// The objects are reached in one depth-first descent over their paths
/// (which were found, and so are kept, in depth-first order): every object
/// on the way is looked up once per fetch, not once per target.
fn merge_part(
    tree: &mut Data,
    entities: Vec<Data>,
    batch: &PartBatch<'_>,
    values: &ValueBudget,
) -> bool {
    let mut paid = true;
    // Each result, and how many objects still take a copy of it.
    let mut results: Vec<(Option<Data>, usize)> = Vec::with_capacity(entities.len());
    let mut order: Vec<(PathId, usize)> = Vec::new();
    let per_entity = batch.targets.iter().zip(&batch.interface_object);
    for (i, (mut entity, (targets, drop_typename))) in
        entities.into_iter().zip(per_entity).enumerate()
    {
        if entity.is_null() || targets.is_empty() {
            results.push((None, 0));
            continue;
        }
        if let (true, Data::Object(map)) = (*drop_typename, &mut entity) {
            map.remove("__typename");
        }
        if targets.len() > 1 && !values.spend(entity.count_values() * (targets.len() - 1)) {
            paid = false;
            break;
        }
        results.push((Some(entity), targets.len()));
        order.extend(targets.iter().map(|target| (*target, i)));
    }
    order.sort_unstable_by_key(|(path, _)| path.0);
    let targets: Vec<(&[Step<'_>], usize)> = order
        .iter()
        .map(|(path, i)| (batch.paths.get(*path), *i))
        .collect();
    merge_along(tree, &targets, 0, &mut |object, i| {
        let Some((result, left)) = results.get_mut(i) else {
            return;
        };
        *left = left.saturating_sub(1);
        match (*left, result) {
            (0, result) => {
                if let Some(value) = result.take() {
                    merge(object, value);
                }
            }
            // Not its last object: what it adds is copied in.
            (_, Some(value)) => merge_copy(object, value),
            (_, None) => {}
        }
    });
    paid
}

/// Descends from `node` along `targets` (paths sorted depth-first, all
/// sharing the first `depth` steps), calling `apply` at each path's end
/// with its result's index.
fn merge_along(
    node: &mut Data,
    targets: &[(&[Step<'_>], usize)],
    depth: usize,
    apply: &mut impl FnMut(&mut Data, usize),
) {
    let mut i = 0;
    while i < targets.len() {
        let (path, result) = targets[i];
        let Some(step) = path.get(depth) else {
            apply(node, result);
            i += 1;
            continue;
        };
        let same_step = targets[i + 1..]
            .iter()
            .take_while(|(other, _)| other.get(depth) == Some(step))
            .count();
        let group = &targets[i..i + 1 + same_step];
        let child = match step {
            Step::Key(key, hint) => node.get_mut_hinted(key, *hint as usize),
            Step::Index(index) => node.item_mut(*index),
        };
        if let Some(child) = child {
            merge_along(child, group, depth + 1, apply);
        }
        i += group.len();
    }
}

/// An entity fetch's error whose path names no entity (`["_entities"]`
/// when the whole list failed, or anything else): the subgraph's path
/// means nothing in the client's response, so it goes, and the error
/// stands for the fetch as a whole.
fn without_path(mut error: GraphQLError) -> GraphQLError {
    error.path = None;
    error
}

/// Rewrites an error path `["_entities", i, …rest]` to the paths of the
/// objects the entity stands for: one error per object, as long as the
/// value budget pays for the copies (then the first object's only).
fn relocate_error(
    error: GraphQLError,
    batches: &[PartBatch<'_>],
    values: &ValueBudget,
) -> Vec<GraphQLError> {
    let Some(path) = &error.path else {
        return vec![error];
    };
    let (Some(PathElement::Key(key)), Some(PathElement::Index(index))) =
        (path.first(), path.get(1))
    else {
        return vec![without_path(error)];
    };
    let batch = batches.iter().find(|b| b.part.response_key == key.as_str());
    let Some((batch, targets)) = batch.and_then(|b| Some((b, b.targets.get(*index)?))) else {
        return vec![without_path(error)];
    };
    let copies = (values_in(&error) + path.len()) * targets.len().saturating_sub(1);
    let targets = match values.spend(copies) {
        true => &targets[..],
        false => &targets[..targets.len().min(1)],
    };
    let rest = &path[2..];
    targets
        .iter()
        .map(|target| {
            let mut new_path = path_elements(batch.paths.get(*target));
            new_path.extend_from_slice(rest);
            GraphQLError {
                path: Some(new_path),
                ..error.clone()
            }
        })
        .collect()
}

/// The JSON values of an error as the client receives it: what each copy
/// of it costs (its code, when the gateway gives it one, counted as one).
pub(super) fn values_in(error: &GraphQLError) -> usize {
    let locations = match error.locations.len() {
        0 => 0,
        n => 1 + 3 * n,
    };
    let path = error.path.as_ref().map_or(0, |p| 1 + p.len());
    let extensions = &error.extensions;
    let entries = usize::from(extensions.cause != Cause::Subgraph)
        + usize::from(extensions.service.is_some())
        + extensions
            .subgraph_entries
            .values()
            .map(count_values)
            .sum::<usize>();
    let extensions = match entries {
        0 => 0,
        n => 1 + n,
    };
    2 + locations + path + extensions
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::json::{read, Key, ReadLimits};

    fn data(text: &str) -> Data {
        read(text.as_bytes(), ReadLimits::default()).unwrap()
    }

    #[test]
    fn merging_a_copy_gives_what_merging_the_value_gives() {
        let targets = [
            r#"{"a":1,"b":{"c":[{"d":1},{"d":2}]},"n":"x"}"#,
            r#"{"b":{"c":[{"d":1}]}}"#,
            r#"{"a":null}"#,
            r#"[1,{"x":1}]"#,
            r#"null"#,
        ];
        let sources = [
            r#"{"a":2,"b":{"c":[{"e":1},{"e":2}]},"n":null,"z":[1,2]}"#,
            r#"{"b":{"c":[{"e":1},{"e":2}]}}"#,
            r#"[2,{"y":2}]"#,
            r#"null"#,
            r#""s""#,
        ];
        for target in targets {
            for source in sources {
                let (mut merged, mut copied) = (data(target), data(target));
                let source = data(source);
                merge(&mut merged, source.clone());
                merge_copy(&mut copied, &source);
                assert_eq!(copied, merged, "{target} with {source:?}");
            }
        }
    }

    #[test]
    fn merging_along_paths_reaches_every_target_in_any_order_and_skips_missing_ones() {
        let mut tree = data(r#"{"a":[{"x":1},{"x":2}],"b":{"c":{"y":3}}}"#);
        let (a0, a1) = (
            [Step::key("a"), Step::Index(0)],
            [Step::key("a"), Step::Index(1)],
        );
        let (c, missing) = (
            // Stale position hints: "b" is not first, "c" not sixth.
            [Step::Key("b", 0), Step::Key("c", 5)],
            [Step::key("b"), Step::key("z")],
        );
        let out_of_range = [Step::key("a"), Step::Index(7)];
        // Not depth-first: a's items apart, one target twice, two that are not there.
        let targets: Vec<(&[Step<'_>], usize)> = vec![
            (&a1, 1),
            (&c, 2),
            (&missing, 3),
            (&a0, 0),
            (&out_of_range, 4),
            (&a1, 5),
        ];
        let mut reached = Vec::new();
        merge_along(&mut tree, &targets, 0, &mut |object, i| {
            reached.push(i);
            if let Data::Object(object) = object {
                // "seen" holds one null per earlier visit.
                let seen = object.get("seen").map_or(0, |d| d.count_values());
                object.insert(Key::from("seen"), Data::List(vec![Data::Null; seen]));
                object.insert(Key::from(format!("r{i}")), Data::Bool(true));
            }
        });
        reached.sort_unstable();
        assert_eq!(reached, [0, 1, 2, 5]);
        assert_eq!(
            tree.to_value(),
            serde_json::json!({
                "a": [
                    {"x": 1, "seen": [], "r0": true},
                    {"x": 2, "seen": [null], "r1": true, "r5": true},
                ],
                "b": {"c": {"y": 3, "seen": [], "r2": true}},
            })
        );
    }
}
