//! The response being assembled: finding the objects at a plan path,
//! building entity representations from them, and deep-merging subgraph
//! results back in.

use crate::graphql_error::PathElement;
use crate::json::{write_string, Data, Key, Object, ValueBudget};
use crate::operation::{Selection, SelectionSet};
use crate::plan::PathSegment;
use crate::supergraph::Supergraph;

/// An object of the response and where its concrete path is kept.
pub type Located<'v> = (PathId, &'v Object);

/// A concrete path kept in [`Paths`]: where its steps start and end.
pub type PathId = (usize, usize);

/// Concrete paths kept end to end in one vector (one allocation for all
/// the objects of a fetch, not one per object).
#[derive(Debug, Default)]
pub struct Paths<'p> {
    steps: Vec<Step<'p>>,
}

impl<'p> Paths<'p> {
    /// Paths with room for `steps` steps in all.
    pub fn with_capacity(steps: usize) -> Self {
        Self {
            steps: Vec::with_capacity(steps),
        }
    }

    fn push(&mut self, path: &[Step<'p>]) -> PathId {
        let start = self.steps.len();
        self.steps.extend_from_slice(path);
        (start, self.steps.len())
    }

    /// Steps held, of all paths.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    /// The steps of a kept path.
    pub fn get(&self, (start, end): PathId) -> &[Step<'p>] {
        self.steps.get(start..end).unwrap_or_default()
    }
}

/// One step of a concrete path into the response (keys borrowed from the plan).
#[derive(Debug, Clone, Copy, Eq)]
pub enum Step<'p> {
    /// A key, and where its entry was in its object when the path was
    /// found: a hint that spares the search when the object has not
    /// changed there since (equality ignores it).
    Key(&'p str, u32),
    Index(usize),
}

#[cfg(test)]
impl<'p> Step<'p> {
    /// A key step without a position hint.
    pub fn key(key: &'p str) -> Self {
        Self::Key(key, u32::MAX)
    }
}

impl PartialEq for Step<'_> {
    /// Keys borrowed from one place in the plan are equal without
    /// comparing their text.
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Key(a, _), Self::Key(b, _)) => std::ptr::eq(*a, *b) || a == b,
            (Self::Index(a), Self::Index(b)) => a == b,
            _ => false,
        }
    }
}

/// The objects reached by a plan path, with their concrete paths (kept in
/// `paths`); `None` when keeping the paths would take more than `budget`
/// allows (each path costs its length plus one).
pub fn objects_at<'p, 'v>(
    data: &'v Data,
    path: &'p [PathSegment],
    supergraph: &Supergraph,
    budget: &ValueBudget,
    paths: &mut Paths<'p>,
) -> Option<Vec<Located<'v>>> {
    let mut walk = Walk {
        supergraph,
        budget,
        current: Vec::new(),
        paths,
        found: Vec::new(),
        exhausted: false,
    };
    walk.visit(data, path);
    (!walk.exhausted).then_some(walk.found)
}

struct Walk<'s, 'p, 'v> {
    supergraph: &'s Supergraph,
    budget: &'s ValueBudget,
    current: Vec<Step<'p>>,
    paths: &'s mut Paths<'p>,
    found: Vec<Located<'v>>,
    exhausted: bool,
}

impl<'p, 'v> Walk<'_, 'p, 'v> {
    fn visit(&mut self, value: &'v Data, path: &'p [PathSegment]) {
        if self.exhausted {
            return;
        }
        walk(value, path, self);
    }

    fn found(&mut self, object: &'v Object) {
        if !self.budget.spend(self.current.len() + 1) {
            self.exhausted = true;
            return;
        }
        let id = self.paths.push(&self.current);
        self.found.push((id, object));
    }
}

fn walk<'p, 'v>(value: &'v Data, path: &'p [PathSegment], state: &mut Walk<'_, 'p, 'v>) {
    if let Data::List(items) = value {
        // Lists are flattened wherever they appear, `List` segments or not.
        let rest = match path.first() {
            Some(PathSegment::List) => &path[1..],
            _ => path,
        };
        for (i, item) in items.iter().enumerate() {
            state.current.push(Step::Index(i));
            state.visit(item, rest);
            state.current.pop();
        }
        return;
    }
    let Data::Object(object) = value else {
        return;
    };
    match path.first() {
        None => state.found(object),
        Some(PathSegment::List) => state.visit(value, &path[1..]),
        Some(PathSegment::Cast(type_name)) => {
            if is_of_type(object, type_name, state.supergraph) {
                state.visit(value, &path[1..]);
            }
        }
        Some(PathSegment::Field(key)) => {
            if let Some((at, child)) = object.get_with_position(key.as_str()) {
                let hint = u32::try_from(at).unwrap_or(u32::MAX);
                state.current.push(Step::Key(key.as_str(), hint));
                state.visit(child, &path[1..]);
                state.current.pop();
            }
        }
    }
}

fn is_of_type(object: &Object, type_name: &str, supergraph: &Supergraph) -> bool {
    match object.get("__typename").and_then(Data::as_str) {
        Some(runtime) => runtime == type_name || supergraph.schema.is_subtype(type_name, runtime),
        None => false,
    }
}

/// Writes the representation of an object for an entity fetch as JSON
/// text, or returns false (writing garbage to discard) if the object does
/// not match or lacks a key field. `typename` replaces the object's
/// `__typename` (for `@interfaceObject` targets).
pub fn write_representation(
    object: &Object,
    requires: &SelectionSet,
    supergraph: &Supergraph,
    typename: Option<&str>,
    out: &mut Vec<u8>,
) -> bool {
    out.push(b'{');
    let mut cursor = Cursor::default();
    let written = write_selections(object, requires, supergraph, typename, &mut cursor, out);
    out.push(b'}');
    written && object.contains_key("__typename")
}

/// Where writing one object's representation is: whether a field was
/// written yet, and the entry after the last one read (see
/// [`Object::get_next`]).
#[derive(Default)]
struct Cursor {
    written: bool,
    next: usize,
}

fn write_selections(
    object: &Object,
    set: &SelectionSet,
    supergraph: &Supergraph,
    typename: Option<&str>,
    cursor: &mut Cursor,
    out: &mut Vec<u8>,
) -> bool {
    for selection in set {
        match selection {
            Selection::Field(field) => {
                let key = field.response_key().as_str();
                let Some(value) = object.get_next(key, &mut cursor.next) else {
                    return false;
                };
                let written = if key.starts_with(crate::plan::REQUIRES_ALIAS_PREFIX) {
                    field.name.as_str()
                } else {
                    key
                };
                if cursor.written {
                    out.push(b',');
                }
                cursor.written = true;
                // A field name or response key is a GraphQL name: nothing to escape.
                out.push(b'"');
                out.extend_from_slice(written.as_bytes());
                out.extend_from_slice(b"\":");
                let ok = match (typename, key) {
                    (Some(name), "__typename") => {
                        write_string(name, out);
                        true
                    }
                    _ if field.selections.is_empty() => {
                        value.write_json(out);
                        true
                    }
                    _ => write_selected(value, &field.selections, supergraph, out),
                };
                if !ok {
                    return false;
                }
            }
            Selection::InlineFragment(fragment) => {
                let applies = fragment
                    .type_condition
                    .as_ref()
                    .is_none_or(|t| is_of_type(object, t, supergraph));
                if applies
                    && !write_selections(
                        object,
                        &fragment.selections,
                        supergraph,
                        typename,
                        cursor,
                        out,
                    )
                {
                    return false;
                }
            }
        }
    }
    true
}

fn write_selected(
    value: &Data,
    set: &SelectionSet,
    supergraph: &Supergraph,
    out: &mut Vec<u8>,
) -> bool {
    match value {
        Data::Null => {
            out.extend_from_slice(b"null");
            true
        }
        Data::List(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                if !write_selected(item, set, supergraph, out) {
                    return false;
                }
            }
            out.push(b']');
            true
        }
        Data::Object(map) => {
            out.push(b'{');
            let mut cursor = Cursor::default();
            let ok = write_selections(map, set, supergraph, None, &mut cursor, out);
            out.push(b'}');
            ok
        }
        _ => false,
    }
}

/// Deep-merges `source` into `target`.
pub fn merge(target: &mut Data, source: Data) {
    match (target, source) {
        (Data::Object(t), Data::Object(s)) => {
            t.reserve(s.len());
            for (key, value) in s.into_entries() {
                t.merge_entry(key, value, merge);
            }
        }
        (Data::List(t), Data::List(s)) if t.len() == s.len() => {
            for (existing, value) in t.iter_mut().zip(s) {
                merge(existing, value);
            }
        }
        (_, Data::Null) => {}
        (t, s) => *t = s,
    }
}

/// Deep-merges a copy of `source` into `target`, copying only what is
/// merged in (no copy of the whole made first).
pub fn merge_copy(target: &mut Data, source: &Data) {
    match (target, source) {
        (Data::Object(t), Data::Object(s)) => {
            t.reserve(s.len());
            for (key, value) in s.iter() {
                t.merge_entry_ref(key, value, merge_copy);
            }
        }
        (Data::List(t), Data::List(s)) if t.len() == s.len() => {
            for (existing, value) in t.iter_mut().zip(s) {
                merge_copy(existing, value);
            }
        }
        (_, Data::Null) => {}
        (t, s) => *t = s.clone(),
    }
}

/// Converts a concrete path to a GraphQL error path.
pub fn path_elements(path: &[Step]) -> Vec<PathElement> {
    path.iter()
        .map(|s| match s {
            Step::Key(k, _) => PathElement::Key((*k).into()),
            Step::Index(i) => PathElement::Index(*i),
        })
        .collect()
}

/// Renames keys the planner aliased internally back to their response keys.
pub fn strip_internal_aliases(value: &mut Data) {
    match value {
        Data::Object(object) => {
            object.rename_keys(|key| {
                key.strip_prefix(crate::plan::INTERNAL_ALIAS_PREFIX)
                    .map(Key::from)
            });
            object.values_mut().for_each(strip_internal_aliases);
        }
        Data::List(items) => items.iter_mut().for_each(strip_internal_aliases),
        _ => {}
    }
}
