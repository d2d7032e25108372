//! `__Type.isOneOf` (GraphQL's `@oneOf` input objects, which graphql-js
//! 16.9 and later ask about in their introspection query).
//!
//! apollo-compiler's introspection knows no such field, so the API schema
//! declares it on `__Type` (`supergraph`'s API schema; validation then
//! accepts it), and a document asking for it is executed with each
//! `isOneOf` replaced by `name` under a marked alias; the answer then gets,
//! under the key the client chose, whether the named input object is
//! `@oneOf`, and `null` for every other kind of type, as the specification
//! says.

use apollo_compiler::executable::{ExecutableDocument, Field, Selection, SelectionSet};
use apollo_compiler::schema::{ExtendedType, FieldDefinition};
use apollo_compiler::validation::Valid;
use apollo_compiler::{name, Name, Node, Schema};
use serde_json::{Map, Value};

/// The alias marking a replaced `isOneOf`; the client's key follows it.
const MARK: &str = "__junction_isOneOf_";

/// The document with each `isOneOf` replaced, or `None` when it asks for
/// none (then nothing is copied). Only the parts on the way to an
/// `isOneOf` are copied; the rest stays shared with `document`.
pub fn replaced(
    document: &Valid<ExecutableDocument>,
    schema: &Schema,
) -> Option<Valid<ExecutableDocument>> {
    let operations = document.operations.iter();
    let sets = operations
        .map(|o| &o.selection_set)
        .chain(document.fragments.values().map(|f| &f.selection_set));
    if !sets.into_iter().any(asks_for_is_one_of) {
        return None;
    }
    let type_name = schema.type_field("__Type", "name").ok()?.node.clone();
    let mut copy = document.clone().into_inner();
    let operations = copy
        .operations
        .anonymous
        .iter_mut()
        .chain(copy.operations.named.values_mut());
    for operation in operations.filter(|o| asks_for_is_one_of(&o.selection_set)) {
        replace_in(&mut operation.make_mut().selection_set, &type_name);
    }
    let fragments = copy.fragments.values_mut();
    for fragment in fragments.filter(|f| asks_for_is_one_of(&f.selection_set)) {
        replace_in(&mut fragment.make_mut().selection_set, &type_name);
    }
    // Only aliases and a field's name changed, to another field of the same type.
    Some(Valid::assume_valid(copy))
}

/// Does this selection set ask for `__Type.isOneOf` (fragment spreads
/// aside: their fragments are looked at on their own)?
fn asks_for_is_one_of(set: &SelectionSet) -> bool {
    set.selections.iter().any(|selection| match selection {
        Selection::Field(field) => {
            (set.ty == "__Type" && field.name == "isOneOf")
                || asks_for_is_one_of(&field.selection_set)
        }
        Selection::InlineFragment(inline) => asks_for_is_one_of(&inline.selection_set),
        Selection::FragmentSpread(_) => false,
    })
}

fn replace_in(set: &mut SelectionSet, type_name: &Node<FieldDefinition>) {
    let on_type = set.ty == "__Type";
    for selection in &mut set.selections {
        match selection {
            Selection::Field(field) if on_type && field.name == "isOneOf" => {
                let key = field.response_key().clone();
                let field: &mut Field = field.make_mut();
                field.alias = Name::new(&format!("{MARK}{key}")).ok();
                field.name = name!("name");
                field.definition = type_name.clone();
            }
            Selection::Field(field) if asks_for_is_one_of(&field.selection_set) => {
                replace_in(&mut field.make_mut().selection_set, type_name)
            }
            Selection::InlineFragment(inline) if asks_for_is_one_of(&inline.selection_set) => {
                replace_in(&mut inline.make_mut().selection_set, type_name)
            }
            Selection::Field(_) | Selection::InlineFragment(_) | Selection::FragmentSpread(_) => {}
        }
    }
}

/// Puts each replaced `isOneOf` back under its key, with its value.
pub fn restore(value: &mut Value, schema: &Schema) {
    match value {
        Value::Object(map) if map.keys().any(|k| k.starts_with(MARK)) => {
            let entries = std::mem::take(map);
            *map = entries
                .into_iter()
                .map(|entry| restored_entry(entry, schema))
                .collect::<Map<_, _>>();
            map.values_mut().for_each(|value| restore(value, schema));
        }
        Value::Object(map) => map.values_mut().for_each(|value| restore(value, schema)),
        Value::Array(items) => items.iter_mut().for_each(|value| restore(value, schema)),
        _ => {}
    }
}

fn restored_entry((key, value): (String, Value), schema: &Schema) -> (String, Value) {
    let Some(client_key) = key.strip_prefix(MARK) else {
        return (key, value);
    };
    let input_object = value
        .as_str()
        .and_then(|name| match schema.types.get(name) {
            Some(ExtendedType::InputObject(object)) => Some(object),
            _ => None,
        });
    let is_one_of = match input_object {
        Some(object) => Value::Bool(object.directives.has("oneOf")),
        None => Value::Null,
    };
    (client_key.to_string(), is_one_of)
}
