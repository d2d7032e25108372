//! Shaping the final response: project the merged subgraph data onto the
//! client's selection (response keys, field order, fragments by runtime
//! type, `@skip`/`@include`), complete `__typename`, apply the spec's null
//! propagation for non-null fields, and write the result as JSON text, all
//! in one walk of the selection over the data.
//!
//! The output is written straight into one buffer. A null propagating up
//! from a non-null field cuts the buffer back to where the nearest
//! nullable position began and writes `null` there; the response path is
//! only materialised for errors.
//!
//! Deferred fragments listed in [`ShapeInput::deferred`] are left out;
//! [`shape_deferred`] shapes each of them where it applies, later.

mod deferred;
mod error_paths;

pub use deferred::{shape_deferred, IncrementalItem};

use std::collections::HashMap;
use std::rc::Rc;

use apollo_compiler::ast::Type;
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::validation::Valid;
use apollo_compiler::{Name, Schema};
use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::graphql_error::{Cause, GraphQLError, PathElement};
use crate::json::{write_string, Data, KeyTag, Object};
use crate::operation::{conditions_met, Field, InlineFragment, Selection, SelectionSet};
use error_paths::ErrorPaths;

/// What the shaper reads.
pub struct ShapeInput<'a> {
    pub schema: &'a Valid<Schema>,
    pub variables: &'a Map<String, Value>,
    /// Results of `__schema` / `__type` root fields, already complete.
    pub introspection: Option<&'a Map<String, Value>>,
    /// Ids of the deferred fragments delivered later: left out here.
    pub deferred: &'a [usize],
    /// Errors kept in all; past them errors are only counted, not built.
    pub max_errors: usize,
    /// Objects of org-scoped types are shown only when of the caller's org.
    pub org_check: Option<&'a OrgCheck>,
}

/// Which objects belong to which org, and the org of the caller (see
/// `access`'s org isolation): an object of one of `types` is shown only
/// when the value under `key` (fetched by the gateway, never written) is
/// `org`; otherwise it is null with a `FORBIDDEN` error.
#[derive(Debug, Clone)]
pub struct OrgCheck {
    pub key: &'static str,
    pub types: std::sync::Arc<[Name]>,
    /// The caller's org; none: no org-scoped object is shown.
    pub org: Option<String>,
}

impl OrgCheck {
    /// Whether an object of `type_name` with fields `object` may be shown.
    fn admits(&self, type_name: &Name, object: &Object) -> bool {
        if !self.types.contains(type_name) {
            return true;
        }
        match (&self.org, object.get(self.key).and_then(Data::as_str)) {
            (Some(org), Some(found)) => org == found,
            _ => false,
        }
    }
}

/// A shaped response.
#[derive(Debug)]
pub struct Shaped {
    /// The buffer shaping was given (and what it held before), then the
    /// response's `data` as JSON text, from `data_start` on.
    pub buffer: Vec<u8>,
    pub data_start: usize,
    /// Errors found but not kept (there were `max_errors` already).
    pub omitted_errors: usize,
}

impl Shaped {
    /// The response's `data`, as JSON text.
    pub fn data(&self) -> &[u8] {
        self.buffer.get(self.data_start..).unwrap_or_default()
    }

    /// The response's `data` as JSON text, owned.
    pub fn into_data(mut self) -> Vec<u8> {
        self.buffer.drain(..self.data_start);
        self.buffer
    }
}

/// A non-null field was null: the null moves up to the nearest nullable parent.
struct NullPropagation;

/// What completing one value wrote.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Written {
    Value,
    Null,
}

/// One step of the response path, kept cheap until an error needs it.
#[derive(Clone, Copy)]
enum Step<'k> {
    Key(&'k str),
    Index(usize),
}

/// The value of a field the data lacks.
static MISSING: Data = Data::Null;

struct Shaper<'a, 'k> {
    input: &'a ShapeInput<'a>,
    /// The path of the object shaping started at (empty: the root).
    prefix: &'a [PathElement],
    path: Vec<Step<'k>>,
    /// The JSON text written so far.
    out: Vec<u8>,
    errors: &'a mut Vec<GraphQLError>,
    /// The paths of the errors shaping started with (the subgraphs' and
    /// the gateway's): a null they explain gets no error of its own.
    error_paths: ErrorPaths,
    /// Non-null violations of the null now propagating, held until it
    /// lands on a nullable position (see `land`).
    held: Vec<Vec<PathElement>>,
    /// Errors not kept, past `max_errors`.
    omitted: usize,
    /// The value just completed was reported invalid (its null needs no
    /// second error); cleared as every value's completion ends.
    reported_invalid: bool,
    /// The fields of a selection set on an object type, collected once per
    /// set (by its address: sets live as long as the shaping) and type.
    collected: FieldsBySet<'k>,
}

/// The fields of one object, by response key, in selection order.
type CollectedFields<'k> = Rc<[Collected<'k>]>;

/// The fields of one response key, and what its named type is (looked up
/// once per selection set and type, not once per value).
struct Collected<'k> {
    key: &'k str,
    /// The key's tag, for looking it up in the data.
    tag: KeyTag,
    /// Its type is a named scalar (no list, no selection): a value
    /// needing no error is written straight away.
    scalar: bool,
    fields: Vec<&'k Field>,
    kind: FieldKind,
}

/// What a collected field is, for completing its values.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FieldKind {
    /// `__typename`: the object's type name.
    Typename,
    /// A field the caller may not have: null, with a `FORBIDDEN` error.
    Denied,
    /// `__schema` or `__type`: answered by introspection at the root
    /// (elsewhere completed as any field of this kind).
    Introspection(TypeKind),
    /// Any other field, by the kind of its named type.
    Value(TypeKind),
}

/// The kind of a named type, as completion needs it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TypeKind {
    Int,
    Float,
    String,
    Boolean,
    Id,
    Object,
    Abstract,
    Enum,
    /// A custom scalar, or a name the schema lacks: passed as it is.
    Other,
}

impl TypeKind {
    fn of(schema: &Schema, name: &Name) -> Self {
        match name.as_str() {
            "Int" => return Self::Int,
            "Float" => return Self::Float,
            "String" => return Self::String,
            "Boolean" => return Self::Boolean,
            "ID" => return Self::Id,
            _ => {}
        }
        match schema.types.get(name) {
            Some(ExtendedType::Object(_)) => Self::Object,
            Some(ExtendedType::Interface(_) | ExtendedType::Union(_)) => Self::Abstract,
            Some(ExtendedType::Enum(_)) => Self::Enum,
            _ => Self::Other,
        }
    }
}

impl FieldKind {
    fn of(schema: &Schema, field: &Field) -> Self {
        if field.denied.is_some() {
            return Self::Denied;
        }
        match field.name.as_str() {
            "__typename" => Self::Typename,
            name => {
                let kind = TypeKind::of(schema, field.ty.inner_named_type());
                match name {
                    "__schema" | "__type" => Self::Introspection(kind),
                    _ => Self::Value(kind),
                }
            }
        }
    }
}

type FieldsBySet<'k> =
    HashMap<usize, Vec<(Name, CollectedFields<'k>)>, foldhash::fast::RandomState>;

/// Shapes `data` for the operation rooted at `root_type` into `buffer`
/// (after what it holds: the caller may have written the payload's start,
/// and sized it); appends errors for non-null violations not already
/// explained by an error (counting, not building, those past
/// `input.max_errors`).
pub fn shape_response(
    input: &ShapeInput<'_>,
    root_type: &Name,
    selections: &SelectionSet,
    data: &Data,
    errors: &mut Vec<GraphQLError>,
    buffer: Vec<u8>,
) -> Shaped {
    let empty = Object::new();
    let source = data.as_object().unwrap_or(&empty);
    let shaper = Shaper::new(input, &[], errors, buffer);
    shaper.shape_root(root_type, selections, source, true)
}

impl<'a, 'k> Shaper<'a, 'k> {
    fn new(
        input: &'a ShapeInput<'a>,
        prefix: &'a [PathElement],
        errors: &'a mut Vec<GraphQLError>,
        out: Vec<u8>,
    ) -> Self {
        Self {
            input,
            prefix,
            path: Vec::new(),
            out,
            error_paths: ErrorPaths::of(errors),
            errors,
            held: Vec::new(),
            omitted: 0,
            reported_invalid: false,
            collected: HashMap::default(),
        }
    }

    /// CollectFields for an object of `type_name` (memoised for one set).
    fn fields_of(
        &mut self,
        type_name: &Name,
        selections: &[&'k SelectionSet],
    ) -> CollectedFields<'k> {
        let collect = |input: &ShapeInput<'_>| -> CollectedFields<'k> {
            let mut grouped: Grouped<'k> = IndexMap::with_hasher(Default::default());
            for set in selections {
                collect_fields(input, type_name, set, &mut grouped);
            }
            let schema = input.schema;
            grouped
                .into_iter()
                .map(|(key, fields)| Collected {
                    key,
                    tag: KeyTag::of(key),
                    scalar: is_named_scalar(schema, fields[0]),
                    kind: FieldKind::of(schema, fields[0]),
                    fields,
                })
                .collect()
        };
        let [set] = selections else {
            return collect(self.input);
        };
        let by_type = self
            .collected
            .entry(std::ptr::from_ref(*set) as usize)
            .or_default();
        // Names from the schema are mostly the very same text: the address
        // compared first spares comparing the bytes.
        let same =
            |name: &Name| std::ptr::eq(name.as_str(), type_name.as_str()) || name == type_name;
        if let Some((_, fields)) = by_type.iter().find(|(name, _)| same(name)) {
            return fields.clone();
        }
        let fields = collect(self.input);
        by_type.push((type_name.clone(), fields.clone()));
        fields
    }

    /// Shapes the object shaping starts at (the root, or a deferred
    /// fragment's object); a null propagating out of it makes it null.
    fn shape_root(
        mut self,
        type_name: &Name,
        selections: &'k SelectionSet,
        source: &Object,
        is_root: bool,
    ) -> Shaped {
        let data_start = self.out.len();
        if let Err(NullPropagation) =
            self.complete_object(type_name, &[selections], source, is_root)
        {
            self.land(0);
            self.out.truncate(data_start);
            self.out.extend_from_slice(b"null");
        }
        Shaped {
            buffer: self.out,
            data_start,
            omitted_errors: self.omitted,
        }
    }

    fn complete_object(
        &mut self,
        type_name: &Name,
        selections: &[&'k SelectionSet],
        source: &Object,
        is_root: bool,
    ) -> Result<(), NullPropagation> {
        let collected = self.fields_of(type_name, selections);
        let mut next = 0;
        self.out.push(b'{');
        for (i, entry) in collected.iter().enumerate() {
            let key: &'k str = entry.key;
            if i > 0 {
                self.out.push(b',');
            }
            // A response key is a GraphQL name: nothing to escape.
            self.out.push(b'"');
            self.out.extend_from_slice(key.as_bytes());
            self.out.extend_from_slice(b"\":");
            let field = entry.fields[0];
            let kind = match entry.kind {
                FieldKind::Typename => {
                    write_string(type_name, &mut self.out);
                    continue;
                }
                FieldKind::Denied => {
                    self.path.push(Step::Key(key));
                    self.deny(field);
                    self.path.pop();
                    if field.ty.is_non_null() {
                        return Err(NullPropagation);
                    }
                    continue;
                }
                FieldKind::Introspection(_) if is_root => {
                    let value = self.input.introspection.and_then(|i| i.get(key));
                    let _ = serde_json::to_writer(&mut self.out, value.unwrap_or(&Value::Null));
                    continue;
                }
                FieldKind::Introspection(kind) | FieldKind::Value(kind) => kind,
            };
            let raw = source
                .get_next_tagged(entry.tag, key, &mut next)
                .unwrap_or(&MISSING);
            let rewritten;
            let raw = match &field.rewrite {
                Some(rewriter) => {
                    rewritten = rewriter.0.rewrite(raw);
                    &rewritten
                }
                None => raw,
            };
            if entry.scalar && self.write_plain_scalar(&field.ty, kind, raw) {
                continue;
            }
            self.path.push(Step::Key(key));
            let completed = match entry.fields.as_slice() {
                [only] => {
                    let set = &only.selections;
                    self.complete_value(&field.ty, kind, std::slice::from_ref(&set), raw)
                }
                all => {
                    let sub: Vec<&'k SelectionSet> = all.iter().map(|f| &f.selections).collect();
                    self.complete_value(&field.ty, kind, &sub, raw)
                }
            };
            self.path.pop();
            completed?;
        }
        self.out.push(b'}');
        Ok(())
    }

    /// Completes one value into the output; a null in a non-null position
    /// propagates, and one reaching a nullable position lands there.
    fn complete_value(
        &mut self,
        ty: &Type,
        kind: TypeKind,
        selections: &[&'k SelectionSet],
        raw: &Data,
    ) -> Result<(), NullPropagation> {
        let held_before = self.held.len();
        let start = self.out.len();
        let completed = self.complete_nullable(ty, kind, selections, raw);
        let reported_invalid = std::mem::take(&mut self.reported_invalid);
        if !ty.is_non_null() {
            if let Err(NullPropagation) = completed {
                self.out.truncate(start);
                self.out.extend_from_slice(b"null");
                self.land(held_before);
            }
            return Ok(());
        }
        if completed? == Written::Null {
            if !reported_invalid {
                self.hold_null();
            }
            return Err(NullPropagation);
        }
        Ok(())
    }

    fn complete_nullable(
        &mut self,
        ty: &Type,
        kind: TypeKind,
        selections: &[&'k SelectionSet],
        raw: &Data,
    ) -> Result<Written, NullPropagation> {
        if raw.is_null() {
            return Ok(self.null());
        }
        match ty {
            Type::List(item) | Type::NonNullList(item) => {
                let Data::List(items) = raw else {
                    self.report_invalid("a list");
                    return Ok(self.null());
                };
                self.out.push(b'[');
                for (i, value) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(b',');
                    }
                    self.path.push(Step::Index(i));
                    let completed = self.complete_value(item, kind, selections, value);
                    self.path.pop();
                    completed?;
                }
                self.out.push(b']');
                Ok(Written::Value)
            }
            Type::Named(name) | Type::NonNullNamed(name) => {
                self.complete_named(name, kind, selections, raw)
            }
        }
    }

    fn complete_named(
        &mut self,
        name: &Name,
        kind: TypeKind,
        selections: &[&'k SelectionSet],
        raw: &Data,
    ) -> Result<Written, NullPropagation> {
        match kind {
            TypeKind::Object => match raw {
                Data::Object(map) if !self.admitted(name, map) => Ok(self.foreign(name)),
                Data::Object(map) => self
                    .complete_object(name, selections, map, false)
                    .map(|()| Written::Value),
                _ => Ok(self.invalid(name)),
            },
            TypeKind::Abstract => {
                let Data::Object(map) = raw else {
                    return Ok(self.invalid(name));
                };
                let Some(runtime) = self.runtime_type(name, map) else {
                    return Ok(self.invalid(name));
                };
                if runtime == *name && needs_object_type(self.input, selections) {
                    return Ok(self.unresolved_object_type(name));
                }
                if !self.admitted(&runtime, map) {
                    return Ok(self.foreign(&runtime));
                }
                self.complete_object(&runtime, selections, map, false)
                    .map(|()| Written::Value)
            }
            TypeKind::Enum => {
                let values = self.input.schema.get_enum(name).map(|e| &e.values);
                Ok(match (raw.as_str(), values) {
                    (Some(v), Some(values)) if values.contains_key(v) => {
                        write_string(v, &mut self.out);
                        Written::Value
                    }
                    _ => self.invalid(name),
                })
            }
            _ => Ok(self.complete_scalar(name, kind, raw)),
        }
    }

    /// Writes a value of a field whose type is a named scalar when that
    /// needs nothing else (no error, no null propagating): a valid value,
    /// or null where null is allowed. `false` (nothing written) otherwise,
    /// for [`Shaper::complete_value`] to complete it.
    #[inline]
    fn write_plain_scalar(&mut self, ty: &Type, kind: TypeKind, raw: &Data) -> bool {
        if raw.is_null() {
            if ty.is_non_null() {
                return false;
            }
            self.out.extend_from_slice(b"null");
            return true;
        }
        if !is_valid_scalar(kind, raw) {
            return false;
        }
        self.write_scalar(kind, raw);
        true
    }

    fn complete_scalar(&mut self, name: &Name, kind: TypeKind, raw: &Data) -> Written {
        if !is_valid_scalar(kind, raw) {
            return self.invalid(name);
        }
        self.write_scalar(kind, raw);
        Written::Value
    }

    /// Writes a valid scalar value.
    fn write_scalar(&mut self, kind: TypeKind, raw: &Data) {
        match (kind, raw) {
            // An `ID` is serialised as a string (spec §3.5.5), whatever
            // number a subgraph sent.
            (TypeKind::Id, Data::Number(n)) => {
                self.out.push(b'"');
                crate::json::write_number(n, &mut self.out);
                self.out.push(b'"');
            }
            _ => raw.write_json(&mut self.out),
        }
    }

    /// Writes a null.
    fn null(&mut self) -> Written {
        self.out.extend_from_slice(b"null");
        Written::Null
    }

    /// An object known only through an `@interfaceObject` whose object
    /// type the selection needs but no subgraph told (the fetch that would
    /// have failed): null, with a field error unless an error at or below
    /// it already explains why (spec §6.4.3: an interface value completes
    /// as one of its object types, never as the interface).
    fn unresolved_object_type(&mut self, name: &Name) -> Written {
        if self.error_paths.explains(&self.response_path()) {
            self.reported_invalid = true;
            return self.null();
        }
        self.invalid(name)
    }

    /// A subgraph value that is not of the field's type: null and a field error.
    fn invalid(&mut self, type_name: &Name) -> Written {
        self.report_invalid(type_name.as_str());
        self.null()
    }

    fn report_invalid(&mut self, expected: &str) {
        self.reported_invalid = true;
        if self.full() {
            return;
        }
        let message = format!("Invalid value from subgraph: expected {expected}");
        let error = GraphQLError::new(message, Cause::InvalidSubgraphValue);
        self.errors.push(error.at(self.response_path()));
    }

    /// A field the caller may not have: null, and a `FORBIDDEN` error
    /// naming its coordinate (which also explains a null propagating up).
    fn deny(&mut self, field: &Field) {
        self.out.extend_from_slice(b"null");
        if self.full() {
            return;
        }
        let coordinate = field.denied.as_deref().unwrap_or_default();
        let message = format!("Access to {coordinate} is denied.");
        let error = GraphQLError::new(message, Cause::Forbidden);
        self.errors.push(error.at(self.response_path()));
    }

    /// Whether the caller may see this object of `type_name` (its org).
    fn admitted(&self, type_name: &Name, object: &Object) -> bool {
        self.input
            .org_check
            .is_none_or(|check| check.admits(type_name, object))
    }

    /// An object of another org (or of none): null, and a `FORBIDDEN`
    /// error naming its type, never its org or fields.
    fn foreign(&mut self, type_name: &Name) -> Written {
        self.reported_invalid = true;
        if !self.full() {
            let message = format!(
                "Access to this {type_name} is denied: it belongs to another organisation."
            );
            let error = GraphQLError::new(message, Cause::Forbidden);
            self.errors.push(error.at(self.response_path()));
        }
        self.null()
    }

    /// True (and the error counted) when no more errors are kept.
    fn full(&mut self) -> bool {
        if self.errors.len() < self.input.max_errors {
            return false;
        }
        self.omitted += 1;
        true
    }

    /// The current path in the response.
    fn response_path(&self) -> Vec<PathElement> {
        let mut path = self.prefix.to_vec();
        path.extend(self.path.iter().map(|s| match s {
            Step::Key(k) => PathElement::Key((*k).into()),
            Step::Index(i) => PathElement::Index(*i),
        }));
        path
    }

    /// The object type of an abstract value. An object known only through
    /// an `@interfaceObject` reports the interface itself; it completes there.
    fn runtime_type(&self, abstract_type: &Name, map: &Object) -> Option<Name> {
        let runtime = map.get("__typename").and_then(Data::as_str)?;
        match self.input.schema.types.get_key_value(runtime) {
            Some((name, ExtendedType::Object(_))) => Some(name.clone()),
            _ if runtime == abstract_type.as_str() => Some(abstract_type.clone()),
            _ => None,
        }
    }

    /// A null in a non-null position: held until the null lands, unless an
    /// error at or below its path already explains it.
    fn hold_null(&mut self) {
        let path = self.response_path();
        if !self.error_paths.explains(&path) {
            self.held.push(path);
        }
    }

    /// The propagating null lands here (a nullable position, or the data
    /// itself): its held violations become errors, unless an error at or
    /// below this position already explains the null — as when a
    /// subgraph's error on one field nulled the whole entity and with it
    /// its other non-null fields (one field error, one error: spec §6.4.4).
    fn land(&mut self, held_before: usize) {
        let held = self.held.split_off(held_before);
        if held.is_empty() || self.error_paths.explains(&self.response_path()) {
            return;
        }
        for path in held {
            if !self.full() {
                let message = "Cannot return null for non-nullable field";
                let error = GraphQLError::new(message, Cause::NonNullViolation);
                self.errors.push(error.at(path));
            }
        }
    }
}

/// The fields of one object by response key, in selection order (hashed
/// with foldhash, not SipHash: this runs for every object of a response).
type Grouped<'k> = IndexMap<&'k str, Vec<&'k Field>, foldhash::fast::RandomState>;

/// CollectFields of the spec: fields by response key, fragments applied by runtime type.
fn collect_fields<'k>(
    input: &ShapeInput<'_>,
    type_name: &Name,
    selections: &'k SelectionSet,
    grouped: &mut Grouped<'k>,
) {
    for selection in selections {
        match selection {
            Selection::Field(field) => {
                if conditions_met(&field.conditions, input.variables) {
                    grouped
                        .entry(field.response_key().as_str())
                        .or_default()
                        .push(field);
                }
            }
            Selection::InlineFragment(fragment) => {
                let deferred = fragment
                    .defer
                    .as_ref()
                    .is_some_and(|d| input.deferred.contains(&d.id));
                if !deferred
                    && fragment_applies(input, fragment, type_name)
                    && conditions_met(&fragment.conditions, input.variables)
                {
                    collect_fields(input, type_name, &fragment.selections, grouped);
                }
            }
        }
    }
}

/// Does a fragment's type condition hold for an object of `type_name`?
/// Does the selection hold a fragment on an object type, whose fields an
/// object completed as the interface itself would silently lose? (A lone
/// `__typename` does not count: an interface object no subgraph can
/// resolve further still answers with the interface's name, as the
/// audit's suites expect.)
fn needs_object_type(input: &ShapeInput<'_>, selections: &[&SelectionSet]) -> bool {
    fn walk(input: &ShapeInput<'_>, set: &SelectionSet) -> bool {
        set.iter().any(|selection| match selection {
            Selection::Field(_) => false,
            Selection::InlineFragment(fragment) => {
                let on_object = fragment
                    .type_condition
                    .as_ref()
                    .is_some_and(|c| input.schema.get_object(c).is_some());
                on_object || walk(input, &fragment.selections)
            }
        })
    }
    selections.iter().any(|set| walk(input, set))
}

fn fragment_applies(input: &ShapeInput<'_>, fragment: &InlineFragment, type_name: &Name) -> bool {
    fragment
        .type_condition
        .as_ref()
        .is_none_or(|c| c == type_name || input.schema.is_subtype(c, type_name))
}

/// Result coercion of the built-in scalars; custom scalars pass as they are.
/// Is this field's type a scalar, not in a list?
fn is_named_scalar(schema: &Schema, field: &Field) -> bool {
    let scalar = matches!(
        FieldKind::of(schema, field),
        FieldKind::Value(
            TypeKind::Int
                | TypeKind::Float
                | TypeKind::String
                | TypeKind::Boolean
                | TypeKind::Id
                | TypeKind::Other
        )
    );
    scalar && matches!(field.ty, Type::Named(_) | Type::NonNullNamed(_))
}

fn is_valid_scalar(kind: TypeKind, value: &Data) -> bool {
    match (kind, value) {
        (TypeKind::Int, Data::Number(n)) => n.as_i64().is_some_and(|i| i32::try_from(i).is_ok()),
        (TypeKind::Float, Data::Number(_)) => true,
        (TypeKind::String | TypeKind::Id, value) if value.is_string() => true,
        (TypeKind::Boolean, Data::Bool(_)) => true,
        (TypeKind::Id, Data::Number(n)) => n.is_i64() || n.is_u64(),
        (
            TypeKind::Int | TypeKind::Float | TypeKind::String | TypeKind::Boolean | TypeKind::Id,
            _,
        ) => false,
        _ => true,
    }
}
