//! Rules for Federation 1 subgraphs (no `@link`): `@provides` of fields
//! not marked `@external`, `@extends` and `extend type` swapped, a value
//! type that differs between subgraphs.

use apollo_compiler::ast::{Definition, ObjectTypeDefinition, ObjectTypeExtension};
use apollo_compiler::Node;
use rand::rngs::StdRng;

use super::{applications, choose, field_has, named_type, pick_type, Rule};
use crate::link::is_fed2;
use crate::sdl::{self, is_root, type_name, Work};

pub const RULES: &[Rule] = &[
    Rule {
        name: "fed1-provides-non-external",
        apply: fed1_provides_non_external,
    },
    Rule {
        name: "fed1-extends-swap",
        apply: fed1_extends_swap,
    },
    Rule {
        name: "fed1-value-type-differs",
        apply: fed1_value_type_differs,
    },
];

/// Removes `@external` from the fields a Federation 1 `@provides` names.
fn fed1_provides_non_external(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let provides: Vec<_> = applications(w, "provides")
        .into_iter()
        .filter(|(p, _)| matches!(p, super::Place::Field(s) if !is_fed2(&w.docs[s.doc])))
        .collect();
    let (place, index) = choose(rng, &provides)?;
    let super::Place::Field(site) = place else {
        return None;
    };
    let field = w.field(site)?;
    let fields = sdl::string_arg(field.directives.0.get(index)?, "fields")?;
    let target = named_type(field);
    let mut changed = false;
    let doc = site.doc;
    for i in 0..w.docs[doc].ast.definitions.len() {
        let ts = sdl::TypeSite { doc, def: i };
        if type_name(w.def(ts)) != target {
            continue;
        }
        for f in 0..sdl::fields(w.def(ts)).len() {
            let fs = sdl::FieldSite {
                doc,
                def: i,
                field: f,
            };
            let named = w
                .field(fs)
                .is_some_and(|x| fields.split_whitespace().any(|n| n == x.name.as_str()));
            if named && field_has(w, fs, "external") {
                w.field_mut(fs)?.directives.retain(|d| d.name != "external");
                changed = true;
            }
        }
    }
    changed.then_some(())
}

/// `type T @extends` becomes `extend type T`, or the other way round.
fn fed1_extends_swap(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = pick_type(w, rng, |w, s| {
        !is_fed2(&w.docs[s.doc])
            && !is_root(&type_name(w.def(s)))
            && match w.def(s) {
                Definition::ObjectTypeDefinition(d) => {
                    d.directives.iter().any(|x| x.name == "extends")
                }
                Definition::ObjectTypeExtension(_) => true,
                _ => false,
            }
    })?;
    let swapped = match w.def(site) {
        Definition::ObjectTypeDefinition(d) => {
            let mut directives = d.directives.clone();
            directives.retain(|x| x.name != "extends");
            Definition::ObjectTypeExtension(Node::new(ObjectTypeExtension {
                name: d.name.clone(),
                implements_interfaces: d.implements_interfaces.clone(),
                directives,
                fields: d.fields.clone(),
            }))
        }
        Definition::ObjectTypeExtension(d) => {
            let mut directives = d.directives.clone();
            directives.push(sdl::directive("@extends")?);
            Definition::ObjectTypeDefinition(Node::new(ObjectTypeDefinition {
                description: None,
                name: d.name.clone(),
                implements_interfaces: d.implements_interfaces.clone(),
                directives,
                fields: d.fields.clone(),
            }))
        }
        _ => return None,
    };
    *w.def_mut(site) = swapped;
    Some(())
}

/// Adds a field to a value type (no `@key`) that other Federation 1 subgraphs define too.
fn fed1_value_type_differs(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = pick_type(w, rng, |w, s| {
        let def = w.def(s);
        !is_fed2(&w.docs[s.doc])
            && matches!(def, Definition::ObjectTypeDefinition(_))
            && !is_root(&type_name(def))
            && !def.directives().iter().any(|d| d.name == "key")
            && w.defined_elsewhere(s.doc, &type_name(def))
    })?;
    let added = sdl::field("extraInfo: String")?;
    sdl::fields_mut(w.def_mut(site))?.push(added);
    Some(())
}
