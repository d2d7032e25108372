//! Shaping a deferred fragment once its data is in: every object the
//! fragment applies to is found by walking the operation from the root
//! through what the client has already received (an object delivered as
//! null, or never delivered, gets nothing), and the fragment's selections
//! are shaped at each, with null propagation stopping at that object.

use std::collections::HashMap;

use apollo_compiler::ast::Type;
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::Name;

use super::{fragment_applies, ShapeInput, Shaper};
use crate::graphql_error::{GraphQLError, PathElement};
use crate::json::{self, Data, Object};
use crate::operation::{conditions_met, Selection, SelectionSet};

/// One entry of an incremental payload: a deferred fragment's data at one object.
#[derive(Debug)]
pub struct IncrementalItem {
    /// Where the object is in the response.
    pub path: Vec<PathElement>,
    /// The fragment's fields at that object, as JSON text; null when a
    /// non-null field in it was null.
    pub data: Vec<u8>,
    pub errors: Vec<GraphQLError>,
    /// Errors found but not kept (past `max_errors`).
    pub omitted_errors: usize,
}

/// An object a deferred fragment applies to.
struct Target<'k> {
    path: Vec<PathElement>,
    type_name: Name,
    selections: &'k SelectionSet,
}

/// Shapes deferred fragment `defer_id` at every object it applies to.
/// `data` is the merged subgraph data; `delivered` is what the client has
/// received so far, into which each item's data is merged (read back from
/// its text: this path is taken by `@defer` alone). `errors` (of the
/// fragment's fetches) go to the item whose path they fall under, else the first.
pub fn shape_deferred(
    input: &ShapeInput<'_>,
    root_type: &Name,
    selections: &SelectionSet,
    defer_id: usize,
    data: &Data,
    delivered: &mut Data,
    errors: Vec<GraphQLError>,
) -> Vec<IncrementalItem> {
    let mut targets = Vec::new();
    let mut locator = Locator {
        input,
        defer_id,
        path: Vec::new(),
        found: &mut targets,
    };
    locator.in_object(root_type, selections, data, delivered);
    let mut items: Vec<IncrementalItem> = targets
        .iter()
        .map(|t| IncrementalItem {
            path: t.path.clone(),
            data: b"null".to_vec(),
            errors: Vec::new(),
            omitted_errors: 0,
        })
        .collect();
    assign_errors(&mut items, errors);
    for (item, target) in items.iter_mut().zip(&targets) {
        let Some(Data::Object(object)) = value_at(data, &target.path) else {
            continue;
        };
        let shaped = shape_at(input, target, object, &mut item.errors);
        item.omitted_errors = shaped.omitted_errors;
        item.data = shaped.into_data();
        let read_back = json::read::<Data>(&item.data, json::ReadLimits::default());
        if let (Some(place), Ok(shaped)) = (value_at_mut(delivered, &target.path), read_back) {
            merge_shaped(place, &shaped);
        }
    }
    items
}

fn shape_at(
    input: &ShapeInput<'_>,
    target: &Target<'_>,
    object: &Object,
    errors: &mut Vec<GraphQLError>,
) -> super::Shaped {
    let shaper = Shaper::new(input, &target.path, errors, Vec::new());
    let is_root = target.path.is_empty();
    shaper.shape_root(&target.type_name, target.selections, object, is_root)
}

/// Each error goes to the first item whose path is a prefix of its own,
/// else to the first item. Items are found by path (each prefix of an
/// error's path looked up), not by scanning them for every error.
fn assign_errors(items: &mut [IncrementalItem], errors: Vec<GraphQLError>) {
    if errors.is_empty() {
        return;
    }
    let mut by_path: HashMap<Vec<PathElement>, usize, foldhash::fast::RandomState> =
        HashMap::default();
    for (index, item) in items.iter().enumerate() {
        by_path.entry(item.path.clone()).or_insert(index);
    }
    for error in errors {
        let index = error
            .path
            .as_deref()
            .and_then(|p| {
                (0..=p.len())
                    .filter_map(|len| by_path.get(&p[..len]).copied())
                    .min()
            })
            .unwrap_or(0);
        if let Some(item) = items.get_mut(index) {
            item.errors.push(error);
        }
    }
}

struct Locator<'a, 'k> {
    input: &'a ShapeInput<'a>,
    defer_id: usize,
    path: Vec<PathElement>,
    found: &'a mut Vec<Target<'k>>,
}

impl<'k> Locator<'_, 'k> {
    fn in_object(
        &mut self,
        type_name: &Name,
        set: &'k SelectionSet,
        data: &Data,
        delivered: &Data,
    ) {
        for selection in set {
            match selection {
                Selection::Field(field) => {
                    if !conditions_met(&field.conditions, self.input.variables)
                        || !contains_defer(&field.selections, self.defer_id)
                    {
                        continue;
                    }
                    let key = field.response_key().as_str();
                    let (Some(raw), Some(seen)) = (data.get(key), delivered.get(key)) else {
                        continue;
                    };
                    self.path.push(PathElement::Key(key.into()));
                    self.in_value(&field.ty, &field.selections, raw, seen);
                    self.path.pop();
                }
                Selection::InlineFragment(fragment) => {
                    if !fragment_applies(self.input, fragment, type_name)
                        || !conditions_met(&fragment.conditions, self.input.variables)
                    {
                        continue;
                    }
                    if fragment
                        .defer
                        .as_ref()
                        .is_some_and(|d| d.id == self.defer_id)
                    {
                        self.found.push(Target {
                            path: self.path.clone(),
                            type_name: type_name.clone(),
                            selections: &fragment.selections,
                        });
                    } else {
                        self.in_object(type_name, &fragment.selections, data, delivered);
                    }
                }
            }
        }
    }

    fn in_value(&mut self, ty: &Type, set: &'k SelectionSet, data: &Data, delivered: &Data) {
        match (ty, data, delivered) {
            (Type::List(item) | Type::NonNullList(item), Data::List(raw), Data::List(seen)) => {
                for (i, (raw, seen)) in raw.iter().zip(seen).enumerate() {
                    self.path.push(PathElement::Index(i));
                    self.in_value(item, set, raw, seen);
                    self.path.pop();
                }
            }
            (Type::Named(name) | Type::NonNullNamed(name), Data::Object(raw), Data::Object(_)) => {
                if let Some(runtime) = self.runtime_type(name, raw) {
                    self.in_object(&runtime, set, data, delivered);
                }
            }
            _ => {}
        }
    }

    fn runtime_type(&self, declared: &Name, raw: &Object) -> Option<Name> {
        match self.input.schema.types.get(declared) {
            Some(ExtendedType::Object(_)) => Some(declared.clone()),
            Some(ExtendedType::Interface(_) | ExtendedType::Union(_)) => {
                let runtime = raw.get("__typename").and_then(Data::as_str)?;
                Name::new(runtime).ok()
            }
            _ => None,
        }
    }
}

/// Does the selection set hold deferred fragment `id` anywhere below?
fn contains_defer(set: &SelectionSet, id: usize) -> bool {
    set.iter().any(|selection| match selection {
        Selection::Field(field) => contains_defer(&field.selections, id),
        Selection::InlineFragment(fragment) => {
            fragment.defer.as_ref().is_some_and(|d| d.id == id)
                || contains_defer(&fragment.selections, id)
        }
    })
}

fn value_at<'v>(value: &'v Data, path: &[PathElement]) -> Option<&'v Data> {
    path.iter().try_fold(value, |v, step| match (step, v) {
        (PathElement::Key(key), _) => v.get(key),
        (PathElement::Index(i), Data::List(items)) => items.get(*i),
        _ => None,
    })
}

fn value_at_mut<'v>(value: &'v mut Data, path: &[PathElement]) -> Option<&'v mut Data> {
    path.iter().try_fold(value, |v, step| match step {
        PathElement::Key(key) => v.get_mut(key),
        PathElement::Index(i) => v.item_mut(*i),
    })
}

/// Merges a delivered fragment's data into what the client holds, as the client does.
fn merge_shaped(place: &mut Data, data: &Data) {
    let (Data::Object(place), Data::Object(data)) = (place, data) else {
        return;
    };
    for (key, value) in data.iter() {
        match (place.get_mut(key), value) {
            (Some(existing @ Data::Object(_)), Data::Object(_)) => merge_shaped(existing, value),
            (Some(Data::List(existing)), Data::List(items)) => {
                for (old, new) in existing.iter_mut().zip(items) {
                    if matches!((&old, new), (Data::Object(_), Data::Object(_))) {
                        merge_shaped(old, new);
                    } else {
                        *old = new.clone();
                    }
                }
            }
            _ => {
                place.insert(key.clone(), value.clone());
            }
        }
    }
}
