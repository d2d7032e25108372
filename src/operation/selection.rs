//! Our own selection tree: fields and inline fragments with fragment spreads
//! already inlined, carrying what the planner and the shaper need (output
//! types, `@skip`/`@include` conditions) and printable as GraphQL text.

use std::fmt::Write;

use apollo_compiler::ast::{Argument, Directive, Type, Value};
use apollo_compiler::{Name, Node};

/// A list of selections, in document order.
pub type SelectionSet = Vec<Selection>;

/// One selection of a selection set.
#[derive(Debug, Clone, PartialEq)]
pub enum Selection {
    Field(Field),
    InlineFragment(InlineFragment),
}

/// A field selection.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub alias: Option<Name>,
    pub name: Name,
    pub arguments: Vec<Node<Argument>>,
    /// `@skip`/`@include` conditions on this field.
    pub conditions: Vec<Condition>,
    /// The field's type in the schema (e.g. `[User!]`).
    pub ty: Type,
    pub selections: SelectionSet,
    /// Set (to the refused coordinate) when the caller may not have this
    /// field: no subgraph is asked for it, and the shaper answers null
    /// with a `FORBIDDEN` error (see `access`).
    pub denied: Option<std::sync::Arc<str>>,
    /// Set when the caller gets this field's value rewritten (personal
    /// data redacted, see `access`): the shaper writes the rewritten value.
    pub rewrite: Option<Rewriter>,
}

/// How the shaper rewrites a field's value before writing it.
pub trait Rewrite: Send + Sync + std::fmt::Debug {
    fn rewrite(&self, value: &crate::json::Data) -> crate::json::Data;
}

/// A shared [`Rewrite`]; two are equal when they are the same one.
#[derive(Debug, Clone)]
pub struct Rewriter(pub std::sync::Arc<dyn Rewrite>);

impl PartialEq for Rewriter {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

/// An inline fragment (fragment spreads become inline fragments too).
#[derive(Debug, Clone, PartialEq)]
pub struct InlineFragment {
    pub type_condition: Option<Name>,
    pub conditions: Vec<Condition>,
    /// Set when the fragment carries `@defer` (and its `if:` is not `false`).
    pub defer: Option<Defer>,
    pub selections: SelectionSet,
}

impl InlineFragment {
    /// This fragment without its selections (to give it others).
    pub fn clone_empty(&self) -> Self {
        Self {
            type_condition: self.type_condition.clone(),
            conditions: self.conditions.clone(),
            defer: self.defer.clone(),
            selections: Vec::new(),
        }
    }
}

/// A deferred fragment: `@defer(label:, if:)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Defer {
    /// Unique in the operation, in document order once fragments are inlined.
    pub id: usize,
    pub label: Option<String>,
    /// The variable given as `if:`; `None` when the fragment is always deferred.
    pub if_variable: Option<Name>,
}

/// Is a fragment with `@defer(if: $if_variable)` deferred for these
/// variables? (`if:` defaults to true; no variable means always.)
pub fn defer_enabled(
    if_variable: Option<&Name>,
    variables: &serde_json::Map<String, serde_json::Value>,
) -> bool {
    if_variable.is_none_or(|v| {
        variables
            .get(v.as_str())
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(true)
    })
}

/// An `@skip(if:)` or `@include(if:)` condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// True for `@include`, false for `@skip`.
    pub include: bool,
    /// A boolean literal or a variable.
    pub value: Node<Value>,
}

impl Field {
    /// The key of this field in the response: its alias or its name.
    pub fn response_key(&self) -> &Name {
        self.alias.as_ref().unwrap_or(&self.name)
    }

    /// The named type at the core of the field's type.
    pub fn type_name(&self) -> &Name {
        self.ty.inner_named_type()
    }

    /// A field with no arguments, conditions or alias, e.g. a key field added by the planner.
    pub fn plain(name: Name, ty: Type, selections: SelectionSet) -> Self {
        Self {
            alias: None,
            name,
            arguments: Vec::new(),
            conditions: Vec::new(),
            ty,
            selections,
            denied: None,
            rewrite: None,
        }
    }

    /// This field without its selections (to give it others).
    pub fn clone_empty(&self) -> Self {
        Self {
            alias: self.alias.clone(),
            name: self.name.clone(),
            arguments: self.arguments.clone(),
            conditions: self.conditions.clone(),
            ty: self.ty.clone(),
            selections: Vec::new(),
            denied: self.denied.clone(),
            rewrite: self.rewrite.clone(),
        }
    }

    /// True if both select the same field with the same arguments under the same key.
    pub fn same_field(&self, other: &Field) -> bool {
        self.response_key() == other.response_key()
            && self.name == other.name
            && self.arguments == other.arguments
            && self.conditions == other.conditions
    }
}

impl Condition {
    /// Whether the selection is included, given the request's variables.
    pub fn is_met(&self, variables: &serde_json::Map<String, serde_json::Value>) -> bool {
        let value = match self.value.as_ref() {
            Value::Boolean(b) => *b,
            Value::Variable(v) => variables
                .get(v.as_str())
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false),
            _ => false,
        };
        value == self.include
    }

    fn to_directive(&self) -> Directive {
        Directive {
            name: if self.include {
                apollo_compiler::name!("include")
            } else {
                apollo_compiler::name!("skip")
            },
            arguments: vec![Node::new(Argument {
                name: apollo_compiler::name!("if"),
                value: self.value.clone(),
            })],
        }
    }
}

/// True if every condition holds for these variables.
pub fn conditions_met(
    conditions: &[Condition],
    variables: &serde_json::Map<String, serde_json::Value>,
) -> bool {
    conditions.iter().all(|c| c.is_met(variables))
}

/// Merges `other` into `set`: fields with the same key are merged
/// recursively, fragments with the same condition too.
pub fn merge_into(set: &mut SelectionSet, other: SelectionSet) {
    for selection in other {
        merge_one(set, selection);
    }
}

fn merge_one(set: &mut SelectionSet, selection: Selection) {
    match selection {
        Selection::Field(field) => {
            let existing = set.iter_mut().find_map(|s| match s {
                Selection::Field(f) if f.same_field(&field) => Some(f),
                _ => None,
            });
            match existing {
                Some(f) => merge_into(&mut f.selections, field.selections),
                None => set.push(Selection::Field(field)),
            }
        }
        Selection::InlineFragment(fragment) => {
            let existing = set.iter_mut().find_map(|s| match s {
                Selection::InlineFragment(f)
                    if f.type_condition == fragment.type_condition
                        && f.conditions == fragment.conditions
                        && f.defer == fragment.defer =>
                {
                    Some(f)
                }
                _ => None,
            });
            match existing {
                Some(f) => merge_into(&mut f.selections, fragment.selections),
                None => set.push(Selection::InlineFragment(fragment)),
            }
        }
    }
}

/// Prints a selection set as GraphQL text, `{ … }` included.
pub fn print_selection_set(out: &mut String, set: &SelectionSet) {
    out.push('{');
    for (i, selection) in set.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        match selection {
            Selection::Field(field) => {
                let (direct, wrapping) = split_conditions(&field.conditions);
                open_wrappers(out, &wrapping);
                print_field(out, field, &direct);
                close_wrappers(out, &wrapping);
            }
            Selection::InlineFragment(fragment) => {
                let (direct, wrapping) = split_conditions(&fragment.conditions);
                open_wrappers(out, &wrapping);
                out.push_str("...");
                if let Some(ty) = &fragment.type_condition {
                    let _ = write!(out, " on {ty}");
                }
                print_conditions(out, &direct);
                out.push(' ');
                print_selection_set(out, &fragment.selections);
                close_wrappers(out, &wrapping);
            }
        }
    }
    out.push('}');
}

/// A selection's conditions, each once: those it can carry itself (one
/// `@skip`, one `@include`: neither directive is repeatable) and the rest,
/// printed as inline fragments around it.
fn split_conditions(conditions: &[Condition]) -> (Vec<&Condition>, Vec<&Condition>) {
    let mut direct: Vec<&Condition> = Vec::new();
    let mut wrapping: Vec<&Condition> = Vec::new();
    for condition in conditions {
        if direct.contains(&condition) || wrapping.contains(&condition) {
            continue;
        }
        match direct.iter().any(|d| d.include == condition.include) {
            true => wrapping.push(condition),
            false => direct.push(condition),
        }
    }
    (direct, wrapping)
}

fn open_wrappers(out: &mut String, wrapping: &[&Condition]) {
    for condition in wrapping {
        let _ = write!(out, "... {} {{", condition.to_directive());
    }
}

fn close_wrappers(out: &mut String, wrapping: &[&Condition]) {
    for _ in wrapping {
        out.push('}');
    }
}

fn print_field(out: &mut String, field: &Field, conditions: &[&Condition]) {
    if let Some(alias) = &field.alias {
        let _ = write!(out, "{alias}: ");
    }
    out.push_str(&field.name);
    if !field.arguments.is_empty() {
        out.push('(');
        for (i, arg) in field.arguments.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let _ = write!(out, "{}: {}", arg.name, arg.value);
        }
        out.push(')');
    }
    print_conditions(out, conditions);
    if !field.selections.is_empty() {
        out.push(' ');
        print_selection_set(out, &field.selections);
    }
}

fn print_conditions(out: &mut String, conditions: &[&Condition]) {
    for condition in conditions {
        let _ = write!(out, " {}", condition.to_directive());
    }
}

/// Names of the variables a selection set uses, in first-use order.
pub fn collect_variables(set: &SelectionSet, out: &mut Vec<Name>) {
    for selection in set {
        match selection {
            Selection::Field(field) => {
                for arg in &field.arguments {
                    collect_value_variables(&arg.value, out);
                }
                collect_condition_variables(&field.conditions, out);
                collect_variables(&field.selections, out);
            }
            Selection::InlineFragment(fragment) => {
                collect_condition_variables(&fragment.conditions, out);
                collect_variables(&fragment.selections, out);
            }
        }
    }
}

fn collect_condition_variables(conditions: &[Condition], out: &mut Vec<Name>) {
    for condition in conditions {
        collect_value_variables(&condition.value, out);
    }
}

fn collect_value_variables(value: &Value, out: &mut Vec<Name>) {
    match value {
        Value::Variable(name) if !out.contains(name) => out.push(name.clone()),
        Value::List(items) => items.iter().for_each(|v| collect_value_variables(v, out)),
        Value::Object(fields) => fields
            .iter()
            .for_each(|(_, v)| collect_value_variables(v, out)),
        _ => {}
    }
}
