//! Rules over input values and enums: field arguments and input object
//! fields retyped, made required, removed or given defaults that do not
//! fit; enum values added or removed in one subgraph.

use apollo_compiler::ast::{Definition, EnumValueDefinition, InputValueDefinition};
use apollo_compiler::{Name, Node};
use rand::rngs::StdRng;

use super::federation::retype;
use super::types::{other_scalar, toggle_non_null};
use super::{choose, field_has, in_object, pick_field, pick_type, Rule};
use crate::sdl::{self, input_fields_mut, is_builtin_scalar, FieldSite, TypeSite, Work};

pub const RULES: &[Rule] = &[
    Rule {
        name: "wrong-default-value-type",
        apply: wrong_default_value_type,
    },
    Rule {
        name: "change-input-nullability",
        apply: change_input_nullability,
    },
    Rule {
        name: "argument-type-mismatch",
        apply: argument_type_mismatch,
    },
    Rule {
        name: "argument-required-in-one",
        apply: argument_required_in_one,
    },
    Rule {
        name: "default-value-mismatch",
        apply: default_value_mismatch,
    },
    Rule {
        name: "enum-value-mismatch",
        apply: enum_value_mismatch,
    },
    Rule {
        name: "enum-value-remove",
        apply: enum_value_remove,
    },
    Rule {
        name: "input-field-missing",
        apply: input_field_missing,
    },
    Rule {
        name: "input-field-required-in-one",
        apply: input_field_required_in_one,
    },
];

/// An argument of a field, or a field of an input object type.
#[derive(Clone, Copy, Debug)]
enum ValueSite {
    Argument(FieldSite, usize),
    InputField(TypeSite, usize),
}

fn value_sites(w: &Work) -> Vec<ValueSite> {
    let mut sites = Vec::new();
    for field in w.field_sites(|_, _, _| true) {
        let count = w.field(field).map_or(0, |f| f.arguments.len());
        sites.extend((0..count).map(|i| ValueSite::Argument(field, i)));
    }
    for site in w.type_sites(|_, d| matches!(d, Definition::InputObjectTypeDefinition(_))) {
        if let Definition::InputObjectTypeDefinition(d) = w.def(site) {
            sites.extend((0..d.fields.len()).map(|i| ValueSite::InputField(site, i)));
        }
    }
    sites
}

fn value(w: &Work, site: ValueSite) -> Option<&InputValueDefinition> {
    match site {
        ValueSite::Argument(field, i) => w.field(field)?.arguments.get(i).map(|v| &**v),
        ValueSite::InputField(ty, i) => match w.def(ty) {
            Definition::InputObjectTypeDefinition(d) => d.fields.get(i).map(|v| &**v),
            _ => None,
        },
    }
}

fn value_mut(w: &mut Work, site: ValueSite) -> Option<&mut InputValueDefinition> {
    match site {
        ValueSite::Argument(field, i) => {
            w.field_mut(field)?.arguments.get_mut(i).map(Node::make_mut)
        }
        ValueSite::InputField(ty, i) => input_fields_mut(w.def_mut(ty))?
            .get_mut(i)
            .map(Node::make_mut),
    }
}

fn pick_value(
    w: &Work,
    rng: &mut StdRng,
    keep: impl Fn(&InputValueDefinition) -> bool,
) -> Option<ValueSite> {
    let sites: Vec<ValueSite> = value_sites(w)
        .into_iter()
        .filter(|s| value(w, *s).is_some_and(&keep))
        .collect();
    choose(rng, &sites)
}

/// A default value literal of the wrong kind for built-in scalar `name`.
fn wrong_literal(name: &str) -> &'static str {
    match name {
        "Int" | "Float" => "\"ten\"",
        "Boolean" => "\"yes\"",
        "ID" => "true",
        _ => "10",
    }
}

fn wrong_default_value_type(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = pick_value(w, rng, |v| is_builtin_scalar(v.ty.inner_named_type()))?;
    let current = value(w, site)?;
    let literal = wrong_literal(current.ty.inner_named_type());
    let parsed = sdl::input_value(&format!("x: {} = {literal}", current.ty))?;
    value_mut(w, site)?.default_value = parsed.default_value.clone();
    Some(())
}

fn change_input_nullability(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = pick_value(w, rng, |_| true)?;
    let value = value_mut(w, site)?;
    value.ty = Node::new(toggle_non_null(&value.ty));
    Some(())
}

fn argument_type_mismatch(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = pick_value(w, rng, |v| is_builtin_scalar(v.ty.inner_named_type()))?;
    let value = value_mut(w, site)?;
    let to = other_scalar(rng, value.ty.inner_named_type())?;
    value.ty = Node::new(retype(&value.ty, to)?);
    // A default of the old type would be a second mistake (wrong-default-value-type's).
    value.default_value = None;
    Some(())
}

/// Whether another subgraph has the same field on the same type.
fn shared(w: &Work, s: FieldSite) -> bool {
    let parent = w.parent_name(s);
    let Some(field) = w.field(s) else {
        return false;
    };
    (0..w.docs.len()).any(|d| {
        d != s.doc
            && w.find_def(d, &parent)
                .is_some_and(|def| sdl::fields(def).iter().any(|f| f.name == field.name))
    })
}

/// A required argument on a field another subgraph resolves without it.
fn argument_required_in_one(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = pick_field(w, rng, |w, s| {
        in_object(w, s) && shared(w, s) && !field_has(w, s, "external")
    })?;
    let argument = sdl::input_value("extra: Int!")?;
    w.field_mut(site)?.arguments.push(argument);
    Some(())
}

/// Two subgraphs give the same argument or input field different defaults.
fn default_value_mismatch(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = pick_value(w, rng, |v| {
        matches!(v.ty.inner_named_type().as_str(), "Int" | "String") && !v.ty.is_list()
    })?;
    let current = value(w, site)?;
    let literal = if current.ty.inner_named_type() == "Int" {
        "987"
    } else {
        "\"changed\""
    };
    let parsed = sdl::input_value(&format!("x: {} = {literal}", current.ty))?;
    value_mut(w, site)?.default_value = parsed.default_value.clone();
    Some(())
}

fn enum_sites(w: &Work, rng: &mut StdRng, prefer_shared: bool) -> Option<TypeSite> {
    let is_enum = |w: &Work, s: TypeSite| matches!(w.def(s), Definition::EnumTypeDefinition(_));
    let shared = |w: &Work, s: TypeSite| w.defined_elsewhere(s.doc, &sdl::type_name(w.def(s)));
    if prefer_shared {
        if let Some(site) = pick_type(w, rng, |w, s| is_enum(w, s) && shared(w, s)) {
            return Some(site);
        }
    }
    pick_type(w, rng, is_enum)
}

fn enum_value_mismatch(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = enum_sites(w, rng, true)?;
    let Definition::EnumTypeDefinition(e) = w.def_mut(site) else {
        return None;
    };
    Node::make_mut(e)
        .values
        .push(Node::new(EnumValueDefinition {
            description: None,
            value: Name::new_unchecked("EXTRA_VALUE"),
            directives: Default::default(),
        }));
    Some(())
}

fn enum_value_remove(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = enum_sites(w, rng, false)?;
    let Definition::EnumTypeDefinition(e) = w.def_mut(site) else {
        return None;
    };
    let values = &mut Node::make_mut(e).values;
    let index = choose(rng, &(0..values.len()).collect::<Vec<_>>())?;
    values.remove(index);
    Some(())
}

fn input_types(w: &Work, rng: &mut StdRng) -> Option<TypeSite> {
    pick_type(w, rng, |w, s| {
        matches!(w.def(s), Definition::InputObjectTypeDefinition(_))
            && w.defined_elsewhere(s.doc, &sdl::type_name(w.def(s)))
    })
    .or_else(|| {
        pick_type(w, rng, |w, s| {
            matches!(w.def(s), Definition::InputObjectTypeDefinition(_))
        })
    })
}

fn input_field_missing(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = input_types(w, rng)?;
    let fields = input_fields_mut(w.def_mut(site))?;
    let index = choose(rng, &(0..fields.len()).collect::<Vec<_>>())?;
    fields.remove(index);
    Some(())
}

fn input_field_required_in_one(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = input_types(w, rng)?;
    let field = sdl::input_value("extraRequired: String!")?;
    input_fields_mut(w.def_mut(site))?.push(field);
    Some(())
}
