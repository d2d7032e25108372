//! Rules over the shape of object, interface and union types: fields
//! removed, retyped, renamed or duplicated, types removed, duplicated or
//! turned into another kind, interfaces and union members that do not fit.

use apollo_compiler::ast::{
    Definition, InterfaceTypeDefinition, ObjectTypeDefinition, ScalarTypeDefinition, Type,
};
use apollo_compiler::{Name, Node};
use rand::rngs::StdRng;

use super::federation::retype;
use super::{choose, in_object, named_type, pick_field, pick_type, Rule};
use crate::sdl::{
    self, fields_mut, implements, is_builtin_scalar, is_interface, is_object, is_root, type_name,
    FieldSite, TypeSite, Work,
};

pub const RULES: &[Rule] = &[
    Rule {
        name: "remove-interface-field",
        apply: remove_interface_field,
    },
    Rule {
        name: "remove-implements",
        apply: remove_implements,
    },
    Rule {
        name: "change-field-type-nullability",
        apply: change_field_nullability,
    },
    Rule {
        name: "change-field-type",
        apply: change_field_type,
    },
    Rule {
        name: "change-list-wrapping",
        apply: change_list_wrapping,
    },
    Rule {
        name: "unknown-type-reference",
        apply: unknown_type_reference,
    },
    Rule {
        name: "duplicate-definition",
        apply: duplicate_definition,
    },
    Rule {
        name: "duplicate-field",
        apply: duplicate_field,
    },
    Rule {
        name: "remove-type-definition",
        apply: remove_type_definition,
    },
    Rule {
        name: "rename-field",
        apply: rename_field,
    },
    Rule {
        name: "type-kind-mismatch",
        apply: type_kind_mismatch,
    },
    Rule {
        name: "union-member-unknown",
        apply: |w, r| add_union_member(w, r, false),
    },
    Rule {
        name: "union-member-non-object",
        apply: |w, r| add_union_member(w, r, true),
    },
    Rule {
        name: "implements-unknown-interface",
        apply: implements_unknown_interface,
    },
];

/// Removes from an object a field that an interface it implements (in the same subgraph) declares.
fn remove_interface_field(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = pick_field(w, rng, interface_declares)?;
    fields_mut(w.def_mut(type_site(site)))?.remove(site.field);
    Some(())
}

fn interface_declares(w: &Work, s: FieldSite) -> bool {
    let Some(field) = w.field(s) else {
        return false;
    };
    implements(w.def(type_site(s))).iter().any(|i| {
        w.find_def(s.doc, i)
            .is_some_and(|d| sdl::fields(d).iter().any(|f| f.name == field.name))
    })
}

pub fn type_site(s: FieldSite) -> TypeSite {
    TypeSite {
        doc: s.doc,
        def: s.def,
    }
}

fn remove_implements(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = pick_type(w, rng, |w, s| {
        is_object(w.def(s)) && !implements(w.def(s)).is_empty()
    })?;
    let list = match w.def_mut(site) {
        Definition::ObjectTypeDefinition(d) => &mut Node::make_mut(d).implements_interfaces,
        Definition::ObjectTypeExtension(d) => &mut Node::make_mut(d).implements_interfaces,
        _ => return None,
    };
    let index = choose(rng, &(0..list.len()).collect::<Vec<_>>())?;
    list.remove(index);
    Some(())
}

/// `T` becomes `T!` and `T!` becomes `T` (the outer wrapping only).
pub fn toggle_non_null(ty: &Type) -> Type {
    match ty {
        Type::Named(n) => Type::NonNullNamed(n.clone()),
        Type::NonNullNamed(n) => Type::Named(n.clone()),
        Type::List(inner) => Type::NonNullList(inner.clone()),
        Type::NonNullList(inner) => Type::List(inner.clone()),
    }
}

fn change_field_nullability(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = pick_field(w, rng, |_, _| true)?;
    let field = w.field_mut(site)?;
    field.ty = toggle_non_null(&field.ty);
    Some(())
}

/// Another built-in scalar than `name`.
pub fn other_scalar(rng: &mut StdRng, name: &str) -> Option<&'static str> {
    let others: Vec<&str> = ["String", "Int", "Float", "Boolean", "ID"]
        .into_iter()
        .filter(|s| *s != name)
        .collect();
    choose(rng, &others)
}

fn change_field_type(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = pick_field(w, rng, |w, s| {
        w.field(s)
            .is_some_and(|f| is_builtin_scalar(&named_type(f)))
    })?;
    let field = w.field_mut(site)?;
    let to = other_scalar(rng, &named_type(field))?;
    field.ty = retype(&field.ty, to)?;
    Some(())
}

fn change_list_wrapping(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = pick_field(w, rng, |_, _| true)?;
    let field = w.field_mut(site)?;
    field.ty = match &field.ty {
        Type::List(inner) | Type::NonNullList(inner) => (**inner).clone(),
        other => Type::List(Box::new(other.clone())),
    };
    Some(())
}

fn unknown_type_reference(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = pick_field(w, rng, |_, _| true)?;
    let field = w.field_mut(site)?;
    field.ty = retype(&field.ty, "UnknownType")?;
    Some(())
}

fn duplicate_definition(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = pick_type(w, rng, |w, s| {
        !matches!(w.def(s), Definition::DirectiveDefinition(_))
    })?;
    let copy = w.def(site).clone();
    w.docs[site.doc].ast.definitions.push(copy);
    Some(())
}

fn duplicate_field(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = pick_field(w, rng, |_, _| true)?;
    let list = fields_mut(w.def_mut(type_site(site)))?;
    let copy = list.get(site.field)?.clone();
    list.push(copy);
    Some(())
}

fn remove_type_definition(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = pick_type(w, rng, |w, s| {
        let def = w.def(s);
        !is_root(&type_name(def)) && !matches!(def, Definition::DirectiveDefinition(_))
    })?;
    w.docs[site.doc].ast.definitions.remove(site.def);
    Some(())
}

fn rename_field(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = pick_field(w, rng, in_object)?;
    w.field_mut(site)?.name = Name::new_unchecked("renamedField");
    Some(())
}

/// A type that another subgraph defines too, turned into another kind in one subgraph.
fn type_kind_mismatch(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = pick_type(w, rng, |w, s| {
        let def = w.def(s);
        !is_root(&type_name(def))
            && w.defined_elsewhere(s.doc, &type_name(def))
            && matches!(
                def,
                Definition::ObjectTypeDefinition(_)
                    | Definition::InterfaceTypeDefinition(_)
                    | Definition::EnumTypeDefinition(_)
                    | Definition::InputObjectTypeDefinition(_)
            )
    })?;
    let converted = convert_kind(w.def(site))?;
    *w.def_mut(site) = converted;
    Some(())
}

/// Object → interface, interface → object, enum → scalar, input → object;
/// directives dropped so only the kind differs.
fn convert_kind(def: &Definition) -> Option<Definition> {
    let strip = |fields: &[Node<apollo_compiler::ast::FieldDefinition>]| {
        fields
            .iter()
            .map(|f| {
                let mut f = f.clone();
                Node::make_mut(&mut f).directives.clear();
                f
            })
            .collect::<Vec<_>>()
    };
    Some(match def {
        Definition::ObjectTypeDefinition(d) => {
            Definition::InterfaceTypeDefinition(Node::new(InterfaceTypeDefinition {
                description: None,
                name: d.name.clone(),
                implements_interfaces: Vec::new(),
                directives: Default::default(),
                fields: strip(&d.fields),
            }))
        }
        Definition::InterfaceTypeDefinition(d) => {
            Definition::ObjectTypeDefinition(Node::new(ObjectTypeDefinition {
                description: None,
                name: d.name.clone(),
                implements_interfaces: Vec::new(),
                directives: Default::default(),
                fields: strip(&d.fields),
            }))
        }
        Definition::EnumTypeDefinition(d) => {
            Definition::ScalarTypeDefinition(Node::new(ScalarTypeDefinition {
                description: None,
                name: d.name.clone(),
                directives: Default::default(),
            }))
        }
        Definition::InputObjectTypeDefinition(d) => {
            let fields = d
                .fields
                .iter()
                .map(|f| sdl::field(&format!("{}: {}", f.name, f.ty)))
                .collect::<Option<Vec<_>>>()?;
            Definition::ObjectTypeDefinition(Node::new(ObjectTypeDefinition {
                description: None,
                name: d.name.clone(),
                implements_interfaces: Vec::new(),
                directives: Default::default(),
                fields,
            }))
        }
        _ => return None,
    })
}

/// Adds a member to a union: a type nobody defines, or one that is not an object type.
fn add_union_member(w: &mut Work, rng: &mut StdRng, non_object: bool) -> Option<()> {
    let site = pick_type(w, rng, |w, s| {
        matches!(w.def(s), Definition::UnionTypeDefinition(_))
    })?;
    let member = if non_object {
        let candidates: Vec<String> = w.docs[site.doc]
            .ast
            .definitions
            .iter()
            .filter(|d| is_interface(d) || matches!(d, Definition::EnumTypeDefinition(_)))
            .map(type_name)
            .chain(std::iter::once("String".to_string()))
            .collect();
        choose(rng, &candidates)?
    } else {
        "Ghost".to_string()
    };
    let Definition::UnionTypeDefinition(union) = w.def_mut(site) else {
        return None;
    };
    Node::make_mut(union)
        .members
        .push(Name::new_unchecked(&member));
    Some(())
}

fn implements_unknown_interface(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = pick_type(w, rng, |w, s| {
        matches!(w.def(s), Definition::ObjectTypeDefinition(_)) && !is_root(&type_name(w.def(s)))
    })?;
    let Definition::ObjectTypeDefinition(object) = w.def_mut(site) else {
        return None;
    };
    Node::make_mut(object)
        .implements_interfaces
        .push(Name::new_unchecked("GhostInterface"));
    Some(())
}
