//! Deriving the API schema from a supergraph: what clients may query.
//!
//! Removes the join/link machinery (types, directive definitions and
//! applications) and every `@inaccessible` element (types, fields,
//! arguments, enum values, input fields, union members, implementations),
//! and declares `@defer`, which the gateway itself implements.

use std::collections::HashSet;

use apollo_compiler::ast::DirectiveList as AstDirectives;
use apollo_compiler::schema::{Component, DirectiveList, ExtendedType, FieldDefinition, Type};
use apollo_compiler::validation::Valid;
use apollo_compiler::{Name, Schema};

use super::SupergraphError;

/// Directives that belong to the supergraph machinery, never to the API.
fn is_machinery_directive(name: &str) -> bool {
    name == "link"
        || name == "core"
        || name == "inaccessible"
        || name == "tag"
        || name.starts_with("join__")
        || name.starts_with("link__")
        || matches!(
            name,
            "authenticated" | "requiresScopes" | "policy" | "context" | "cost" | "listSize"
        )
}

fn is_machinery_type(name: &str) -> bool {
    name.starts_with("join__") || name.starts_with("link__") || name.starts_with("core__")
}

/// Builds the API schema of a supergraph.
pub(super) fn derive(supergraph: &Valid<Schema>) -> Result<Valid<Schema>, SupergraphError> {
    let mut schema: Schema = supergraph.clone().into_inner();
    let removed_types: HashSet<Name> = schema
        .types
        .iter()
        .filter(|(name, ty)| is_machinery_type(name) || ty.directives().has("inaccessible"))
        .map(|(name, _)| name.clone())
        .collect();
    schema.types.retain(|name, _| !removed_types.contains(name));
    schema
        .directive_definitions
        .retain(|name, _| !is_machinery_directive(name));
    strip_schema_definition(&mut schema, &removed_types);
    for ty in schema.types.values_mut() {
        strip_type(ty, &removed_types);
    }
    if !schema.directive_definitions.contains_key("defer") {
        schema
            .directive_definitions
            .insert(apollo_compiler::name!("defer"), defer_definition());
    }
    declare_is_one_of(&mut schema);
    schema
        .validate()
        .map_err(|e| SupergraphError::InvalidApiSchema(e.errors.to_string()))
}

/// Declares `__Type.isOneOf: Boolean`, which graphql-js 16.9 and later ask
/// for and apollo-compiler's built-in `__Type` lacks (the pipeline answers it).
fn declare_is_one_of(schema: &mut Schema) {
    if let Some(ExtendedType::Object(object)) = schema.types.get_mut("__Type") {
        let definition = FieldDefinition {
            description: None,
            name: apollo_compiler::name!("isOneOf"),
            arguments: Vec::new(),
            ty: Type::Named(apollo_compiler::name!("Boolean")),
            directives: Default::default(),
        };
        let fields = &mut object.make_mut().fields;
        fields.insert(definition.name.clone(), Component::new(definition));
    }
}

/// `directive @defer(label: String, if: Boolean! = true) on FRAGMENT_SPREAD | INLINE_FRAGMENT`:
/// the gateway delivers deferred fragments incrementally (the supergraph does not declare it).
fn defer_definition() -> apollo_compiler::Node<apollo_compiler::ast::DirectiveDefinition> {
    use apollo_compiler::ast::{
        DirectiveDefinition, DirectiveLocation, InputValueDefinition, Type, Value,
    };
    use apollo_compiler::{name, Node};
    let argument = |name: Name, ty: Type, default_value: Option<Value>| {
        Node::new(InputValueDefinition {
            description: None,
            name,
            ty: Node::new(ty),
            default_value: default_value.map(Node::new),
            directives: Default::default(),
        })
    };
    Node::new(DirectiveDefinition {
        description: Some(
            "Delivers the fragment's fields after the rest of the response (incremental delivery)."
                .into(),
        ),
        name: name!("defer"),
        arguments: vec![
            argument(name!("label"), Type::Named(name!("String")), None),
            argument(
                name!("if"),
                Type::NonNullNamed(name!("Boolean")),
                Some(Value::Boolean(true)),
            ),
        ],
        repeatable: false,
        locations: vec![
            DirectiveLocation::FragmentSpread,
            DirectiveLocation::InlineFragment,
        ],
    })
}

fn strip_schema_definition(schema: &mut Schema, removed_types: &HashSet<Name>) {
    let def = schema.schema_definition.make_mut();
    def.directives.retain(|d| !is_machinery_directive(&d.name));
    if def
        .mutation
        .as_ref()
        .is_some_and(|m| removed_types.contains(&m.name))
    {
        def.mutation = None;
    }
    if def
        .subscription
        .as_ref()
        .is_some_and(|m| removed_types.contains(&m.name))
    {
        def.subscription = None;
    }
}

fn strip_directives(list: &mut DirectiveList) {
    list.retain(|d| !is_machinery_directive(&d.name));
}

fn strip_ast_directives(list: &mut AstDirectives) {
    list.retain(|d| !is_machinery_directive(&d.name));
}

fn is_removed(
    directives: &AstDirectives,
    ty: &apollo_compiler::ast::Type,
    removed: &HashSet<Name>,
) -> bool {
    directives.has("inaccessible") || removed.contains(ty.inner_named_type())
}

fn strip_type(ty: &mut ExtendedType, removed: &HashSet<Name>) {
    match ty {
        ExtendedType::Object(o) => {
            let o = o.make_mut();
            strip_directives(&mut o.directives);
            o.implements_interfaces
                .retain(|i| !removed.contains(&i.name));
            o.fields
                .retain(|_, f| !is_removed(&f.directives, &f.ty, removed));
            for field in o.fields.values_mut() {
                strip_field(field.make_mut(), removed);
            }
        }
        ExtendedType::Interface(i) => {
            let i = i.make_mut();
            strip_directives(&mut i.directives);
            i.implements_interfaces
                .retain(|n| !removed.contains(&n.name));
            i.fields
                .retain(|_, f| !is_removed(&f.directives, &f.ty, removed));
            for field in i.fields.values_mut() {
                strip_field(field.make_mut(), removed);
            }
        }
        ExtendedType::Union(u) => {
            let u = u.make_mut();
            strip_directives(&mut u.directives);
            u.members.retain(|m| !removed.contains(&m.name));
        }
        ExtendedType::Enum(e) => {
            let e = e.make_mut();
            strip_directives(&mut e.directives);
            e.values.retain(|_, v| !v.directives.has("inaccessible"));
            for value in e.values.values_mut() {
                strip_ast_directives(&mut value.make_mut().directives);
            }
        }
        ExtendedType::InputObject(io) => {
            let io = io.make_mut();
            strip_directives(&mut io.directives);
            io.fields
                .retain(|_, f| !is_removed(&f.directives, &f.ty, removed));
            for field in io.fields.values_mut() {
                strip_ast_directives(&mut field.make_mut().directives);
            }
        }
        ExtendedType::Scalar(s) => strip_directives(&mut s.make_mut().directives),
    }
}

fn strip_field(field: &mut apollo_compiler::ast::FieldDefinition, removed: &HashSet<Name>) {
    strip_ast_directives(&mut field.directives);
    field
        .arguments
        .retain(|a| !is_removed(&a.directives, &a.ty, removed));
    for arg in &mut field.arguments {
        strip_ast_directives(&mut arg.make_mut().directives);
    }
}
