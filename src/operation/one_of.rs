//! `@oneOf` input objects (GraphQL spec, "OneOf Input Objects"), which
//! apollo-compiler does not know: a value of such a type has exactly one
//! field, and that field is not null.
//!
//! Checked in two places. When a document is prepared, every literal value
//! in it (field and directive arguments, variable defaults); a literal
//! field filled by a variable (`{id: $id}`) is remembered as a
//! [`OneOfVariable`], since only the request can say whether `$id` is
//! given. Per request, [`check_variables`] reads the coerced variables:
//! each of those remembered variables, and every `@oneOf` object inside a
//! variable's value.

use std::collections::HashSet;

use apollo_compiler::ast::{Type, Value};
use apollo_compiler::executable::{self as exe, ExecutableDocument, Operation};
use apollo_compiler::response::{GraphQLError, JsonMap, JsonValue};
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::{Name, Node, Schema};

/// A field of a `@oneOf` literal whose value is a variable: the request
/// must give that variable, and not as null.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneOfVariable {
    pub variable: Name,
    /// The input object and its field, for the message (`Input.field`).
    pub coordinate: String,
}

/// Whether the schema declares `@oneOf` at all (no input object can be
/// one otherwise): the checks below are skipped when it does not.
pub(super) fn schema_has_one_of(schema: &Schema) -> bool {
    schema.directive_definitions.contains_key("oneOf")
}

fn is_one_of(schema: &Schema, type_name: &str) -> bool {
    matches!(schema.types.get(type_name),
        Some(ExtendedType::InputObject(object)) if object.directives.has("oneOf"))
}

/// The document's `@oneOf` violations in literal values (every operation
/// and fragment, as validation does), and the variables the operation that
/// runs must give for its `@oneOf` literals.
pub(super) fn check_document(
    schema: &Schema,
    document: &ExecutableDocument,
    operation: &Operation,
) -> (Vec<GraphQLError>, Vec<OneOfVariable>) {
    let mut errors = Vec::new();
    let sets = document
        .operations
        .iter()
        .map(|o| &o.selection_set)
        .chain(document.fragments.values().map(|f| &f.selection_set));
    let mut literals = Literals::new(schema, document);
    for set in sets {
        literals.arguments_of(set, None);
    }
    for operation in document.operations.iter() {
        for definition in &operation.variables {
            if let Some(default) = &definition.default_value {
                literals.value(&definition.ty, default);
            }
        }
    }
    errors.append(&mut literals.errors);
    // Variables count only for the operation that runs (and the fragments
    // it spreads): another operation's variables are not this request's.
    let mut used = Literals::new(schema, document);
    used.arguments_of(&operation.selection_set, Some(&mut HashSet::new()));
    (errors, used.variables)
}

/// A walk over literal values, collecting violations and variable fields.
struct Literals<'a> {
    schema: &'a Schema,
    document: &'a ExecutableDocument,
    errors: Vec<GraphQLError>,
    variables: Vec<OneOfVariable>,
}

impl<'a> Literals<'a> {
    fn new(schema: &'a Schema, document: &'a ExecutableDocument) -> Self {
        Self {
            schema,
            document,
            errors: Vec::new(),
            variables: Vec::new(),
        }
    }

    /// Every argument in `set`; with `spreads`, through fragment spreads
    /// (each fragment once).
    fn arguments_of(
        &mut self,
        set: &'a exe::SelectionSet,
        mut spreads: Option<&mut HashSet<Name>>,
    ) {
        for selection in &set.selections {
            match selection {
                exe::Selection::Field(field) => {
                    for argument in &field.arguments {
                        if let Some(definition) = field.definition.argument_by_name(&argument.name)
                        {
                            self.value(&definition.ty, &argument.value);
                        }
                    }
                    self.directives(&field.directives);
                    self.arguments_of(&field.selection_set, spreads.as_deref_mut());
                }
                exe::Selection::InlineFragment(fragment) => {
                    self.directives(&fragment.directives);
                    self.arguments_of(&fragment.selection_set, spreads.as_deref_mut());
                }
                exe::Selection::FragmentSpread(spread) => {
                    self.directives(&spread.directives);
                    let Some(visited) = spreads.as_deref_mut() else {
                        continue;
                    };
                    if !visited.insert(spread.fragment_name.clone()) {
                        continue;
                    }
                    if let Some(fragment) = self.document.fragments.get(&spread.fragment_name) {
                        self.arguments_of(&fragment.selection_set, Some(visited));
                    }
                }
            }
        }
    }

    fn directives(&mut self, directives: &'a exe::DirectiveList) {
        for directive in directives.iter() {
            let Some(definition) = self.schema.directive_definitions.get(&directive.name) else {
                continue;
            };
            for argument in &directive.arguments {
                if let Some(input) = definition.argument_by_name(&argument.name) {
                    self.value(&input.ty, &argument.value);
                }
            }
        }
    }

    /// One literal value of type `ty`.
    fn value(&mut self, ty: &Type, value: &'a Node<Value>) {
        match (value.as_ref(), ty) {
            (Value::List(items), Type::List(item) | Type::NonNullList(item)) => {
                for value in items {
                    self.value(item, value);
                }
            }
            // A single value where a list is expected is a list of one.
            (_, Type::List(item) | Type::NonNullList(item)) => self.value(item, value),
            (Value::Object(fields), Type::Named(name) | Type::NonNullNamed(name)) => {
                self.object(name, fields, value);
            }
            _ => {}
        }
    }

    fn object(&mut self, type_name: &Name, fields: &'a [(Name, Node<Value>)], at: &Node<Value>) {
        let Some(ExtendedType::InputObject(object)) = self.schema.types.get(type_name) else {
            return;
        };
        if is_one_of(self.schema, type_name) {
            let sources = &self.document.sources;
            match fields {
                [(field, value)] => match value.as_ref() {
                    Value::Null => self.errors.push(GraphQLError::new(
                        must_be_non_null(type_name, field),
                        value.location(),
                        sources,
                    )),
                    Value::Variable(variable) => self.variables.push(OneOfVariable {
                        variable: variable.clone(),
                        coordinate: format!("{type_name}.{field}"),
                    }),
                    _ => {}
                },
                _ => self.errors.push(GraphQLError::new(
                    exactly_one_key(type_name),
                    at.location(),
                    sources,
                )),
            }
        }
        for (name, value) in fields {
            if let Some(field) = object.fields.get(name) {
                self.value(&field.ty, value);
            }
        }
    }
}

fn exactly_one_key(type_name: &str) -> String {
    format!("OneOf Input Object \"{type_name}\" must specify exactly one key.")
}

fn must_be_non_null(type_name: &str, field: &str) -> String {
    format!("Field \"{type_name}.{field}\" must be non-null.")
}

/// The request's coerced variables against `@oneOf`: the variables the
/// document's `@oneOf` literals need, and every `@oneOf` object inside a
/// variable's value. The message of the first violation.
pub fn check_variables(
    schema: &Schema,
    operation: &super::PreparedOperation,
    values: &JsonMap,
) -> Result<(), String> {
    for needed in &operation.one_of_variables {
        match values.get(needed.variable.as_str()) {
            None | Some(JsonValue::Null) => {
                return Err(format!(
                    "Variable \"${}\" fills OneOf Input Object field \"{}\", which must be given and non-null.",
                    needed.variable, needed.coordinate
                ));
            }
            Some(_) => {}
        }
    }
    if !operation.schema_has_one_of {
        return Ok(());
    }
    for definition in &operation.variables {
        if let Some(value) = values.get(definition.name.as_str()) {
            check_json(schema, &definition.ty, value)
                .map_err(|e| format!("Variable \"${}\" got invalid value: {e}", definition.name))?;
        }
    }
    Ok(())
}

/// One coerced JSON value of type `ty`.
fn check_json(schema: &Schema, ty: &Type, value: &JsonValue) -> Result<(), String> {
    use JsonValue as Json;
    match (value, ty) {
        (Json::Array(items), Type::List(item) | Type::NonNullList(item)) => items
            .iter()
            .try_for_each(|value| check_json(schema, item, value)),
        (Json::Object(fields), Type::Named(name) | Type::NonNullNamed(name)) => {
            let name = name.as_str();
            let Some(ExtendedType::InputObject(object)) = schema.types.get(name) else {
                return Ok(());
            };
            if is_one_of(schema, name) {
                let mut given = fields.iter();
                match (given.next(), given.next()) {
                    (Some((field, Json::Null)), None) => {
                        return Err(must_be_non_null(name, field.as_str()))
                    }
                    (Some(_), None) => {}
                    _ => return Err(exactly_one_key(name)),
                }
            }
            fields
                .iter()
                .try_for_each(|(field, value)| match object.fields.get(field.as_str()) {
                    Some(definition) => check_json(schema, &definition.ty, value),
                    None => Ok(()),
                })
        }
        _ => Ok(()),
    }
}
