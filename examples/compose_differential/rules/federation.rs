//! Rules over the federation directives: dropping one where it is
//! needed, pointing a field set at nothing, applying one where it does
//! not belong or with the wrong arguments.

use apollo_compiler::ast::{Definition, Value};
use apollo_compiler::Node;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::{
    add_to_field, applications, apply_to_field, apply_to_type, choose, directives_at, drop_one,
    field_has, in_object, named_type, pick_field, pick_type, Rule,
};
use crate::sdl::{self, is_builtin_scalar, is_interface, is_object, is_root, set_arg, Work};

pub const RULES: &[Rule] = &[
    Rule {
        name: "drop-shareable",
        apply: |w, r| drop_one(w, r, "shareable"),
    },
    Rule {
        name: "drop-external",
        apply: |w, r| drop_one(w, r, "external"),
    },
    Rule {
        name: "drop-key",
        apply: |w, r| drop_one(w, r, "key"),
    },
    Rule {
        name: "drop-requires",
        apply: |w, r| drop_one(w, r, "requires"),
    },
    Rule {
        name: "drop-provides",
        apply: |w, r| drop_one(w, r, "provides"),
    },
    Rule {
        name: "drop-override",
        apply: |w, r| drop_one(w, r, "override"),
    },
    Rule {
        name: "drop-interface-object",
        apply: |w, r| drop_one(w, r, "interfaceObject"),
    },
    Rule {
        name: "requires-unknown-field",
        apply: |w, r| point_at_nothing(w, r, "requires"),
    },
    Rule {
        name: "key-unknown-field",
        apply: |w, r| point_at_nothing(w, r, "key"),
    },
    Rule {
        name: "provides-unknown-field",
        apply: |w, r| point_at_nothing(w, r, "provides"),
    },
    Rule {
        name: "key-missing-subselection",
        apply: key_missing_subselection,
    },
    Rule {
        name: "provides-on-non-entity",
        apply: provides_on_non_entity,
    },
    Rule {
        name: "provides-on-scalar-field",
        apply: provides_on_scalar_field,
    },
    Rule {
        name: "external-type-mismatch",
        apply: external_type_mismatch,
    },
    Rule {
        name: "override-unknown-subgraph",
        apply: |w, r| add_override(w, r, |_| "nowhere".into()),
    },
    Rule {
        name: "override-from-self",
        apply: |w, r| add_override(w, r, |name| name.to_string()),
    },
    Rule {
        name: "override-label-invalid",
        apply: override_label_invalid,
    },
    Rule {
        name: "override-shared-field",
        apply: override_shared_field,
    },
    Rule {
        name: "inaccessible-field",
        apply: inaccessible_field,
    },
    Rule {
        name: "inaccessible-required-arg",
        apply: inaccessible_required_arg,
    },
    Rule {
        name: "tag-bad-name",
        apply: tag_bad_name,
    },
    Rule {
        name: "directive-wrong-location",
        apply: directive_wrong_location,
    },
    Rule {
        name: "directive-missing-arg",
        apply: directive_missing_arg,
    },
    Rule {
        name: "directive-wrong-arg-type",
        apply: directive_wrong_arg_type,
    },
    Rule {
        name: "directive-unknown",
        apply: directive_unknown,
    },
    Rule {
        name: "directive-repeated",
        apply: directive_repeated,
    },
];

/// Points a `@key`/`@requires`/`@provides` field set at a field that does not exist.
fn point_at_nothing(w: &mut Work, rng: &mut StdRng, directive: &str) -> Option<()> {
    let (place, index) = choose(rng, &applications(w, directive))?;
    let applied = directives_at(w, place)?.get_mut(index)?;
    set_arg(applied, "fields", Value::String("noSuchField".into()));
    Some(())
}

/// A `@key` naming an object-typed field without a selection of its subfields.
fn key_missing_subselection(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let mut keys = applications(w, "key");
    keys.shuffle(rng);
    for (place, index) in keys {
        let super::Place::Type(site) = place else {
            continue;
        };
        let composite = sdl::fields(w.def(site)).iter().find_map(|f| {
            let target = w.find_def(site.doc, &named_type(f))?;
            (is_object(target) || is_interface(target)).then(|| f.name.to_string())
        });
        if let Some(field) = composite {
            let applied = directives_at(w, place)?.get_mut(index)?;
            set_arg(applied, "fields", Value::String(field));
            return Some(());
        }
    }
    None
}

/// `@provides` on a field whose type is a value type (no `@key`) of the subgraph.
fn provides_on_non_entity(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = pick_field(w, rng, |w, s| {
        let Some(field) = w.field(s) else {
            return false;
        };
        w.find_def(s.doc, &named_type(field)).is_some_and(|t| {
            let name = sdl::type_name(t);
            is_object(t) && !is_root(&name) && !t.directives().iter().any(|d| d.name == "key")
        })
    })?;
    let target = named_type(w.field(site)?);
    let first = sdl::fields(w.find_def(site.doc, &target)?)
        .first()?
        .name
        .to_string();
    apply_to_field(w, site, "provides", &format!("@@(fields: \"{first}\")"))
}

/// `@provides` on a field of a scalar type.
fn provides_on_scalar_field(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    add_to_field(w, rng, "provides", "@@(fields: \"id\")", |w, s| {
        in_object(w, s)
            && w.field(s)
                .is_some_and(|f| is_builtin_scalar(&named_type(f)))
    })
    .map(|_| ())
}

/// An `@external` field whose type differs from the field it stands for.
fn external_type_mismatch(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = pick_field(w, rng, |w, s| field_has(w, s, "external"))?;
    let field = w.field_mut(site)?;
    let other = if named_type(field) == "String" {
        "Int"
    } else {
        "String"
    };
    field.ty = retype(&field.ty, other)?;
    Some(())
}

/// The same list and non-null wrapping around another named type.
pub fn retype(ty: &apollo_compiler::ast::Type, name: &str) -> Option<apollo_compiler::ast::Type> {
    let text = ty.to_string().replace(ty.inner_named_type().as_str(), name);
    sdl::ty(&text)
}

/// `@override(from:)` naming the subgraph `from` returns for the field's own subgraph.
fn add_override(w: &mut Work, rng: &mut StdRng, from: fn(&str) -> String) -> Option<()> {
    let site = pick_field(w, rng, |w, s| {
        in_object(w, s) && !field_has(w, s, "external") && !field_has(w, s, "override")
    })?;
    let source = from(&w.docs[site.doc].name);
    apply_to_field(w, site, "override", &format!("@@(from: \"{source}\")"))
}

fn override_label_invalid(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let (place, index) = choose(rng, &applications(w, "override"))?;
    let label = choose(rng, &["bad label!", "percent(150)", "percent(x)", ""])?;
    let applied = directives_at(w, place)?.get_mut(index)?;
    set_arg(applied, "label", Value::String(label.into()));
    Some(())
}

/// `@override` on a field another subgraph also resolves, naming that subgraph.
fn override_shared_field(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let owner = |w: &Work, s: sdl::FieldSite| -> Option<String> {
        let parent = w.parent_name(s);
        let name = w.field(s)?.name.clone();
        w.docs.iter().enumerate().find_map(|(d, doc)| {
            let def = w.find_def(d, &parent)?;
            let has = sdl::fields(def)
                .iter()
                .any(|f| f.name == name && f.directives.iter().all(|x| x.name != "external"));
            (d != s.doc && has).then(|| doc.name.clone())
        })
    };
    let site = pick_field(w, rng, |w, s| {
        in_object(w, s)
            && !field_has(w, s, "external")
            && !field_has(w, s, "override")
            && owner(w, s).is_some()
    })?;
    let from = owner(w, site)?;
    apply_to_field(w, site, "override", &format!("@@(from: \"{from}\")"))
}

fn inaccessible_field(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    add_to_field(w, rng, "inaccessible", "@@", |w, s| {
        !field_has(w, s, "inaccessible")
    })
    .map(|_| ())
}

/// A required argument marked `@inaccessible`.
fn inaccessible_required_arg(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = pick_field(w, rng, |w, s| {
        in_object(w, s) && !field_has(w, s, "external")
    })?;
    let local = crate::link::ensure_import(&mut w.docs[site.doc], "inaccessible")?;
    let argument = sdl::input_value(&format!("secret: Int! @{local}"))?;
    w.field_mut(site)?.arguments.push(argument);
    Some(())
}

fn tag_bad_name(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let long = "x".repeat(200);
    let name = choose(rng, &["has space", "", "new\\nline", long.as_str()])?;
    add_to_field(w, rng, "tag", &format!("@@(name: \"{name}\")"), |_, _| true).map(|_| ())
}

/// A federation directive where its definition does not allow it.
fn directive_wrong_location(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let mut variants = [0, 1, 2, 3, 4];
    variants.shuffle(rng);
    variants.into_iter().find_map(|v| {
        let mut attempt = w.clone();
        let done = match v {
            0 => {
                add_to_field(&mut attempt, rng, "key", "@@(fields: \"id\")", in_object).map(|_| ())
            }
            1 => add_on_type(
                &mut attempt,
                rng,
                "requires",
                "@@(fields: \"id\")",
                is_object,
            ),
            2 => add_on_type(&mut attempt, rng, "shareable", "@@", is_interface),
            3 => add_to_field(&mut attempt, rng, "interfaceObject", "@@", in_object).map(|_| ()),
            _ => add_on_type(&mut attempt, rng, "provides", "@@(fields: \"id\")", |d| {
                matches!(d, Definition::EnumTypeDefinition(_))
            }),
        };
        done.map(|()| *w = attempt)
    })
}

fn add_on_type(
    w: &mut Work,
    rng: &mut StdRng,
    directive: &str,
    sdl: &str,
    kind: fn(&Definition) -> bool,
) -> Option<()> {
    let site = pick_type(w, rng, |w, s| {
        kind(w.def(s)) && !is_root(&sdl::type_name(w.def(s)))
    })?;
    apply_to_type(w, site, directive, sdl)
}

/// Directives whose applications the argument rules edit, with a value of the wrong type for their main argument.
const MAIN_ARGUMENTS: &[(&str, &str, &str)] = &[
    ("key", "fields", "1"),
    ("requires", "fields", "1"),
    ("provides", "fields", "true"),
    ("override", "from", "42"),
    ("tag", "name", "7"),
    ("requiresScopes", "scopes", "\"read\""),
    ("policy", "policies", "3"),
    ("cost", "weight", "\"heavy\""),
    ("listSize", "assumedSize", "\"many\""),
    ("context", "name", "5"),
];

fn pick_application(w: &Work, rng: &mut StdRng) -> Option<(usize, super::Place, usize)> {
    let all: Vec<(usize, super::Place, usize)> = MAIN_ARGUMENTS
        .iter()
        .enumerate()
        .flat_map(|(i, (name, _, _))| {
            applications(w, name)
                .into_iter()
                .map(move |(p, k)| (i, p, k))
        })
        .collect();
    choose(rng, &all)
}

fn directive_missing_arg(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let (_, place, index) = pick_application(w, rng)?;
    let applied = directives_at(w, place)?.get_mut(index)?;
    Node::make_mut(applied).arguments.clear();
    Some(())
}

fn directive_wrong_arg_type(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let (i, place, index) = pick_application(w, rng)?;
    let (_, argument, value) = MAIN_ARGUMENTS[i];
    let applied = directives_at(w, place)?.get_mut(index)?;
    let replaced = sdl::directive(&format!("@{}({argument}: {value})", applied.name))?;
    *applied = replaced;
    Some(())
}

fn directive_unknown(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let site = pick_field(w, rng, |_, _| true)?;
    w.field_mut(site)?
        .directives
        .push(sdl::directive("@notDefined")?);
    Some(())
}

/// A directive applied twice in the same place.
fn directive_repeated(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let names = [
        "external",
        "requires",
        "provides",
        "shareable",
        "inaccessible",
        "override",
        "interfaceObject",
        "authenticated",
        "cost",
        "listSize",
        "key",
    ];
    let all: Vec<(super::Place, usize)> = names.iter().flat_map(|n| applications(w, n)).collect();
    let (place, index) = choose(rng, &all)?;
    let list = directives_at(w, place)?;
    let copy = list.0.get(index)?.clone();
    list.insert(index + 1, copy);
    Some(())
}
