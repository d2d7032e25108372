//! Random valid operations over an API schema, from a seed: selections of
//! fields (some aliased, some repeated), arguments filled from their types,
//! inline fragments on possible types (nested, and untyped ones), named
//! fragments, and `@include`/`@skip` with literals and variables. Each
//! candidate is validated against the schema; invalid ones (fields that
//! cannot merge, say) are drawn again.

use std::collections::HashMap;
use std::fmt::Write;

use apollo_compiler::ast::Type;
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Name, Schema};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value};

/// One generated operation and its variables.
pub struct Generated {
    pub query: String,
    pub variables: Value,
}

/// Draws operations over one schema.
pub struct Generator<'s> {
    schema: &'s Valid<Schema>,
    rng: StdRng,
}

/// What one operation is being built with.
#[derive(Default)]
struct Draft {
    fragments: Vec<String>,
    variables: Map<String, Value>,
    /// Arguments chosen per `Type.field`, reused so repeats can merge.
    arguments: HashMap<String, String>,
}

const MAX_DEPTH: usize = 4;

impl<'s> Generator<'s> {
    pub fn new(schema: &'s Valid<Schema>, seed: u64) -> Self {
        Self {
            schema,
            rng: StdRng::seed_from_u64(seed),
        }
    }

    /// The next valid query (up to 50 attempts; `None` if none was valid).
    pub fn next_operation(&mut self) -> Option<Generated> {
        let root = self.schema.schema_definition.query.as_ref()?.name.clone();
        for _ in 0..50 {
            let mut draft = Draft::default();
            let selections = self.selection_set(&root, 0, &mut draft);
            let mut query = String::new();
            let declared: Vec<String> = draft
                .variables
                .keys()
                .map(|name| format!("${name}: Boolean!"))
                .collect();
            match declared.is_empty() {
                true => query.push_str("query "),
                false => {
                    let _ = write!(query, "query Q({}) ", declared.join(", "));
                }
            }
            query.push_str(&selections);
            for fragment in &draft.fragments {
                query.push('\n');
                query.push_str(fragment);
            }
            if ExecutableDocument::parse_and_validate(self.schema, &query, "generated.graphql")
                .is_ok()
            {
                return Some(Generated {
                    query,
                    variables: Value::Object(draft.variables),
                });
            }
        }
        None
    }

    fn selection_set(&mut self, type_name: &Name, depth: usize, draft: &mut Draft) -> String {
        let mut parts: Vec<String> = Vec::new();
        let fields = self.fields_of(type_name);
        let count = self.rng.random_range(1..=3usize);
        for _ in 0..count {
            if fields.is_empty() {
                break;
            }
            let (name, ty) = fields[self.rng.random_range(0..fields.len())].clone();
            let field = self.field(type_name, &name, &ty, depth, draft);
            parts.push(self.maybe_directive(field, draft));
            if self.rng.random_bool(0.1) {
                // The same selection again: it merges with the first.
                let repeat = parts[parts.len() - 1].clone();
                parts.push(repeat);
            }
        }
        let possible = self.possible_types(type_name);
        if depth < MAX_DEPTH && !possible.is_empty() && self.rng.random_bool(0.6) {
            for _ in 0..self.rng.random_range(1..=2usize) {
                let on = possible[self.rng.random_range(0..possible.len())].clone();
                let inner = self.selection_set(&on, depth + 1, draft);
                let fragment = format!("... on {on} {inner}");
                parts.push(self.maybe_directive(fragment, draft));
            }
        }
        if depth < MAX_DEPTH && self.rng.random_bool(0.15) {
            let inner = self.selection_set(type_name, depth + 1, draft);
            parts.push(self.maybe_directive(format!("... {inner}"), draft));
        }
        if depth < MAX_DEPTH && self.rng.random_bool(0.15) {
            let name = format!("F{}", draft.fragments.len());
            let inner = self.selection_set(type_name, depth + 1, draft);
            draft
                .fragments
                .push(format!("fragment {name} on {type_name} {inner}"));
            parts.push(self.maybe_directive(format!("...{name}"), draft));
        }
        if parts.is_empty() || self.rng.random_bool(0.2) {
            parts.push("__typename".to_string());
        }
        format!("{{ {} }}", parts.join(" "))
    }

    fn field(
        &mut self,
        parent: &Name,
        name: &Name,
        ty: &Type,
        depth: usize,
        draft: &mut Draft,
    ) -> String {
        let key = format!("{parent}.{name}");
        let arguments = match draft.arguments.get(&key) {
            Some(arguments) => arguments.clone(),
            None => {
                let arguments = self.arguments(parent, name);
                draft.arguments.insert(key, arguments.clone());
                arguments
            }
        };
        let alias = match self.rng.random_bool(0.2) {
            true => format!("a{}: ", self.rng.random_range(0..1000u32)),
            false => String::new(),
        };
        let inner_type = ty.inner_named_type();
        let composite = matches!(
            self.schema.types.get(inner_type),
            Some(ExtendedType::Object(_) | ExtendedType::Interface(_) | ExtendedType::Union(_))
        );
        if !composite {
            return format!("{alias}{name}{arguments}");
        }
        let inner = match depth >= MAX_DEPTH {
            true => "{ __typename }".to_string(),
            false => self.selection_set(inner_type, depth + 1, draft),
        };
        format!("{alias}{name}{arguments} {inner}")
    }

    fn maybe_directive(&mut self, selection: String, draft: &mut Draft) -> String {
        if !self.rng.random_bool(0.2) {
            return selection;
        }
        let directive = if self.rng.random_bool(0.5) {
            "include"
        } else {
            "skip"
        };
        let condition = match self.rng.random_bool(0.5) {
            true => self.rng.random_bool(0.5).to_string(),
            false => {
                let name = format!("v{}", draft.variables.len());
                draft
                    .variables
                    .insert(name.clone(), Value::Bool(self.rng.random_bool(0.5)));
                format!("${name}")
            }
        };
        // The directive goes after the field's name and arguments, or after
        // the fragment's type condition (before the selection set).
        match selection.find(" {") {
            Some(at)
                if !selection.starts_with("...")
                    || selection.starts_with("... on")
                    || selection.starts_with("... {") =>
            {
                let (head, tail) = selection.split_at(at);
                format!("{head} @{directive}(if: {condition}){tail}")
            }
            _ => format!("{selection} @{directive}(if: {condition})"),
        }
    }

    fn arguments(&mut self, parent: &Name, name: &Name) -> String {
        let Ok(definition) = self.schema.type_field(parent, name) else {
            return String::new();
        };
        let mut given = Vec::new();
        for argument in &definition.arguments {
            if !argument.ty.is_non_null() && self.rng.random_bool(0.5) {
                continue;
            }
            if argument.default_value.is_some() && self.rng.random_bool(0.5) {
                continue;
            }
            let value = self.value(&argument.ty, 0);
            given.push(format!("{}: {value}", argument.name));
        }
        match given.is_empty() {
            true => String::new(),
            false => format!("({})", given.join(", ")),
        }
    }

    fn value(&mut self, ty: &Type, depth: usize) -> String {
        match ty {
            Type::List(inner) | Type::NonNullList(inner) => {
                format!("[{}]", self.value(inner, depth + 1))
            }
            Type::Named(name) | Type::NonNullNamed(name) => match self.schema.types.get(name) {
                Some(ExtendedType::Enum(e)) => {
                    let values: Vec<&Name> = e.values.keys().collect();
                    values[self.rng.random_range(0..values.len())].to_string()
                }
                Some(ExtendedType::InputObject(input)) if depth < 3 => {
                    let mut fields = Vec::new();
                    for field in input.fields.values() {
                        if field.ty.is_non_null() || self.rng.random_bool(0.3) {
                            let value = self.value(&field.ty, depth + 1);
                            fields.push(format!("{}: {value}", field.name));
                        }
                    }
                    format!("{{ {} }}", fields.join(", "))
                }
                _ => match name.as_str() {
                    "Int" => self.rng.random_range(0..4u32).to_string(),
                    "Float" => format!("{}.5", self.rng.random_range(0..4u32)),
                    "Boolean" => self.rng.random_bool(0.5).to_string(),
                    _ => format!("\"{}\"", self.rng.random_range(1..4u32)),
                },
            },
        }
    }

    /// Selectable fields of an object or interface (none for a union).
    fn fields_of(&self, type_name: &Name) -> Vec<(Name, Type)> {
        let fields = match self.schema.types.get(type_name) {
            Some(ExtendedType::Object(o)) => &o.fields,
            Some(ExtendedType::Interface(i)) => &i.fields,
            _ => return Vec::new(),
        };
        fields
            .iter()
            .filter(|(name, _)| !name.starts_with("__"))
            .map(|(name, field)| (name.clone(), field.ty.clone()))
            .collect()
    }

    /// Types a fragment may be spread on here: the possible types of an
    /// abstract type, and the interfaces an object implements.
    fn possible_types(&self, type_name: &Name) -> Vec<Name> {
        match self.schema.types.get(type_name) {
            Some(ExtendedType::Object(o)) => o
                .implements_interfaces
                .iter()
                .map(|i| i.name.clone())
                .collect(),
            Some(ExtendedType::Union(u)) => u.members.iter().map(|m| m.name.clone()).collect(),
            Some(ExtendedType::Interface(_)) => {
                let mut types: Vec<Name> = self
                    .schema
                    .types
                    .iter()
                    .filter(|(name, ty)| {
                        (ty.is_object() || ty.is_interface())
                            && *name != type_name
                            && self.schema.is_subtype(type_name, name)
                    })
                    .map(|(name, _)| name.clone())
                    .collect();
                types.sort();
                types
            }
            _ => Vec::new(),
        }
    }
}
