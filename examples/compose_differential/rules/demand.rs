//! Rules over demand control (`@cost`, `@listSize`), authorization
//! (`@authenticated`, `@requiresScopes`, `@policy`), `@context` /
//! `@fromContext`, keys on interfaces and `@interfaceObject`.

use apollo_compiler::ast::{Definition, Value};
use apollo_compiler::Node;
use rand::rngs::StdRng;

use super::types::type_site;
use super::{
    add_to_field, add_to_type, applications, choose, directives_at, field_has, in_object, Rule,
};
use crate::link::{ensure_import, local_name};
use crate::sdl::{self, is_interface, is_list, set_arg, FieldSite, Work};

pub const RULES: &[Rule] = &[
    Rule {
        name: "auth-on-interface",
        apply: auth_on_interface,
    },
    Rule {
        name: "auth-on-object-field",
        apply: auth_on_object_field,
    },
    Rule {
        name: "cost-on-interface-field",
        apply: cost_on_interface_field,
    },
    Rule {
        name: "cost-on-object-field",
        apply: cost_on_object_field,
    },
    Rule {
        name: "listsize-on-non-list",
        apply: |w, r| list_size(w, r, false, "@@(assumedSize: 5)"),
    },
    Rule {
        name: "listsize-on-list",
        apply: |w, r| list_size(w, r, true, "@@(assumedSize: 10)"),
    },
    Rule {
        name: "listsize-bad-slicing-arg",
        apply: |w, r| list_size(w, r, true, "@@(slicingArguments: [\"noSuchArgument\"])"),
    },
    Rule {
        name: "listsize-bad-sized-field",
        apply: |w, r| list_size(w, r, false, "@@(sizedFields: [\"noSuchField\"])"),
    },
    Rule {
        name: "listsize-negative-assumed-size",
        apply: |w, r| list_size(w, r, true, "@@(assumedSize: -1)"),
    },
    Rule {
        name: "context-bad-name",
        apply: context_bad_name,
    },
    Rule {
        name: "fromcontext-unknown-context",
        apply: |w, r| from_context(w, r, "$noSuchContext { id }"),
    },
    Rule {
        name: "fromcontext-bad-selection",
        apply: |w, r| from_context(w, r, ""),
    },
    Rule {
        name: "interface-key-resolvable-false",
        apply: interface_key_resolvable_false,
    },
    Rule {
        name: "interface-object-without-interface",
        apply: interface_object_without_interface,
    },
];

const AUTH: &[(&str, &str)] = &[
    ("authenticated", "@@"),
    ("requiresScopes", "@@(scopes: [[\"read:all\"]])"),
    ("policy", "@@(policies: [[\"admin\"]])"),
];

fn auth_on_interface(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let (directive, sdl) = choose(rng, AUTH)?;
    if choose(rng, &[true, false])? {
        add_to_type(w, rng, directive, sdl, |w, s| is_interface(w.def(s))).map(|_| ())
    } else {
        add_to_field(w, rng, directive, sdl, |w, s| {
            is_interface(w.def(type_site(s)))
        })
        .map(|_| ())
    }
}

fn auth_on_object_field(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let (directive, sdl) = choose(rng, AUTH)?;
    add_to_field(w, rng, directive, sdl, in_object).map(|_| ())
}

fn cost_on_interface_field(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    add_to_field(w, rng, "cost", "@@(weight: 5)", |w, s| {
        is_interface(w.def(type_site(s)))
    })
    .map(|_| ())
}

fn cost_on_object_field(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let weight = choose(rng, &["-5", "0", "7"])?;
    add_to_field(w, rng, "cost", &format!("@@(weight: {weight})"), in_object).map(|_| ())
}

/// `@listSize` on a list field (`list`) or a field that is not a list.
fn list_size(w: &mut Work, rng: &mut StdRng, list: bool, sdl: &str) -> Option<()> {
    add_to_field(w, rng, "listSize", sdl, |w, s| {
        in_object(w, s)
            && !field_has(w, s, "listSize")
            && w.field(s).is_some_and(|f| is_list(&f.ty) == list)
    })
    .map(|_| ())
}

/// Renames a context (and the `@fromContext` references to it) to a name that is not allowed.
fn context_bad_name(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let (place, index) = choose(rng, &applications(w, "context"))?;
    let bad = choose(rng, &["bad_name", "", "has space", "9lives"])?;
    let applied = directives_at(w, place)?.get_mut(index)?;
    let old = sdl::string_arg(applied, "name")?;
    set_arg(applied, "name", Value::String(bad.into()));
    for site in from_context_sites(w) {
        let (field, argument) = site;
        let Some(list) = w
            .field_mut(field)
            .and_then(|f| f.arguments.get_mut(argument))
            .map(|a| &mut Node::make_mut(a).directives)
        else {
            continue;
        };
        for d in list.iter_mut() {
            if let Some(text) = sdl::string_arg(d, "field") {
                let renamed = text.replace(&format!("${old}"), &format!("${bad}"));
                set_arg(d, "field", Value::String(renamed));
            }
        }
    }
    Some(())
}

/// Arguments carrying `@fromContext` (by the name it goes by in their subgraph).
fn from_context_sites(w: &Work) -> Vec<(FieldSite, usize)> {
    let mut sites = Vec::new();
    for field in w.field_sites(|_, _, _| true) {
        let local =
            local_name(&w.docs[field.doc], "fromContext").unwrap_or_else(|| "fromContext".into());
        let Some(f) = w.field(field) else { continue };
        for (i, argument) in f.arguments.iter().enumerate() {
            if argument.directives.iter().any(|d| d.name == local.as_str()) {
                sites.push((field, i));
            }
        }
    }
    sites
}

/// Points a `@fromContext` at another selection (`""`: a field the context type lacks).
fn from_context(w: &mut Work, rng: &mut StdRng, selection: &str) -> Option<()> {
    let (field, argument) = choose(rng, &from_context_sites(w))?;
    let list = &mut Node::make_mut(w.field_mut(field)?.arguments.get_mut(argument)?).directives;
    for d in list.iter_mut() {
        if let Some(text) = sdl::string_arg(d, "field") {
            let replaced = if selection.is_empty() {
                let context = text.split_whitespace().next()?.to_string();
                format!("{context} {{ noSuchField }}")
            } else {
                selection.to_string()
            };
            set_arg(d, "field", Value::String(replaced));
        }
    }
    Some(())
}

/// A non-resolvable `@key` on an interface that has an `id` field.
fn interface_key_resolvable_false(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    add_to_type(
        w,
        rng,
        "key",
        "@@(fields: \"id\", resolvable: false)",
        |w, s| {
            matches!(w.def(s), Definition::InterfaceTypeDefinition(_))
                && sdl::fields(w.def(s)).iter().any(|f| f.name == "id")
        },
    )
    .map(|_| ())
}

/// An `@interfaceObject` type for which no subgraph defines an interface.
fn interface_object_without_interface(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let docs: Vec<usize> = (0..w.docs.len()).collect();
    let doc = choose(rng, &docs)?;
    let object = ensure_import(&mut w.docs[doc], "interfaceObject")?;
    let key = ensure_import(&mut w.docs[doc], "key")?;
    let added = sdl::definitions(&format!(
        "type Gadget @{key}(fields: \"id\") @{object} {{ id: ID! gadgetName: String }}"
    ))?;
    w.docs[doc].ast.definitions.extend(added);
    Some(())
}
