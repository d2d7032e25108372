//! The mutation rules: each a name and a function that edits a parsed
//! subgraph set in one place chosen with the seeded generator, or answers
//! `None` when the set has no place the rule applies to. A rule need not
//! make the set invalid: whether it does is what the two composers are
//! asked. Grouped by what they touch: federation directives, the type
//! system (types, input values, roots), the `@link`, demand control / authorization / context, and
//! Federation 1.

mod demand;
mod fed1;
mod federation;
mod linking;
mod roots;
mod types;
mod values;

use apollo_compiler::ast::{Directive, DirectiveList, FieldDefinition};
use apollo_compiler::Node;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

use crate::link::local_name;
use crate::sdl::{directives_mut, FieldSite, TypeSite, Work};

/// Edits a set in one place; `None` when it does not apply.
pub type Apply = fn(&mut Work, &mut StdRng) -> Option<()>;

pub struct Rule {
    pub name: &'static str,
    pub apply: Apply,
}

/// Every rule, in a fixed order (the generator cycles through it).
pub fn all() -> Vec<&'static Rule> {
    [
        federation::RULES,
        types::RULES,
        values::RULES,
        roots::RULES,
        linking::RULES,
        demand::RULES,
        fed1::RULES,
    ]
    .iter()
    .flat_map(|group| group.iter())
    .collect()
}

/// One item chosen by the seeded generator.
pub fn choose<T: Clone>(rng: &mut StdRng, items: &[T]) -> Option<T> {
    items.choose(rng).cloned()
}

/// Where a directive is applied: on a field or on a type.
#[derive(Clone, Copy, Debug)]
pub enum Place {
    Field(FieldSite),
    Type(TypeSite),
}

/// Every application of federation directive `directive` (by the name it
/// goes by in each subgraph): where, and its index in that directive list.
pub fn applications(w: &Work, directive: &str) -> Vec<(Place, usize)> {
    let mut found = Vec::new();
    for (d, doc) in w.docs.iter().enumerate() {
        let local = local_name(doc, directive).unwrap_or_else(|| directive.to_string());
        for (i, def) in doc.ast.definitions.iter().enumerate() {
            let site = TypeSite { doc: d, def: i };
            push_matches(&mut found, Place::Type(site), def.directives(), &local);
            for (f, field) in crate::sdl::fields(def).iter().enumerate() {
                let site = FieldSite {
                    doc: d,
                    def: i,
                    field: f,
                };
                push_matches(&mut found, Place::Field(site), &field.directives, &local);
            }
        }
    }
    found
}

fn push_matches(found: &mut Vec<(Place, usize)>, at: Place, list: &DirectiveList, local: &str) {
    for (k, d) in list.iter().enumerate() {
        if d.name == local {
            found.push((at, k));
        }
    }
}

/// The directive list at a place.
pub fn directives_at(w: &mut Work, place: Place) -> Option<&mut DirectiveList> {
    match place {
        Place::Field(site) => Some(&mut w.field_mut(site)?.directives),
        Place::Type(site) => directives_mut(w.def_mut(site)),
    }
}

/// The field's type name, whatever its list and non-null wrapping.
pub fn named_type(field: &FieldDefinition) -> String {
    field.ty.inner_named_type().to_string()
}

/// Removes one application of `directive`, chosen at random.
pub fn drop_one(w: &mut Work, rng: &mut StdRng, directive: &str) -> Option<()> {
    let (place, index) = choose(rng, &applications(w, directive))?;
    directives_at(w, place)?.remove(index);
    Some(())
}

/// A random field accepted by `keep`.
pub fn pick_field(
    w: &Work,
    rng: &mut StdRng,
    keep: impl Fn(&Work, FieldSite) -> bool,
) -> Option<FieldSite> {
    let sites: Vec<FieldSite> = w
        .field_sites(|_, _, _| true)
        .into_iter()
        .filter(|s| keep(w, *s))
        .collect();
    choose(rng, &sites)
}

/// A random type (definition or extension) accepted by `keep`.
pub fn pick_type(
    w: &Work,
    rng: &mut StdRng,
    keep: impl Fn(&Work, TypeSite) -> bool,
) -> Option<TypeSite> {
    let sites: Vec<TypeSite> = w
        .type_sites(|_, _| true)
        .into_iter()
        .filter(|s| keep(w, *s))
        .collect();
    choose(rng, &sites)
}

/// `sdl`, a directive application written with `@@` for the local name of
/// federation directive `directive` in subgraph `doc` (imported first when
/// needed and possible).
pub fn federation_directive(
    w: &mut Work,
    doc: usize,
    directive: &str,
    sdl: &str,
) -> Option<Node<Directive>> {
    let local = crate::link::ensure_import(&mut w.docs[doc], directive)?;
    crate::sdl::directive(&sdl.replace("@@", &format!("@{local}")))
}

/// Applies `sdl` (as in [`federation_directive`]) to a field.
pub fn apply_to_field(w: &mut Work, site: FieldSite, directive: &str, sdl: &str) -> Option<()> {
    let applied = federation_directive(w, site.doc, directive, sdl)?;
    w.field_mut(site)?.directives.push(applied);
    Some(())
}

/// Applies `sdl` (as in [`federation_directive`]) to a type.
pub fn apply_to_type(w: &mut Work, site: TypeSite, directive: &str, sdl: &str) -> Option<()> {
    let applied = federation_directive(w, site.doc, directive, sdl)?;
    directives_mut(w.def_mut(site))?.push(applied);
    Some(())
}

/// Applies `sdl` to a random field accepted by `keep`.
pub fn add_to_field(
    w: &mut Work,
    rng: &mut StdRng,
    directive: &str,
    sdl: &str,
    keep: impl Fn(&Work, FieldSite) -> bool,
) -> Option<FieldSite> {
    let site = pick_field(w, rng, keep)?;
    apply_to_field(w, site, directive, sdl)?;
    Some(site)
}

/// Applies `sdl` to a random type accepted by `keep`.
pub fn add_to_type(
    w: &mut Work,
    rng: &mut StdRng,
    directive: &str,
    sdl: &str,
    keep: impl Fn(&Work, TypeSite) -> bool,
) -> Option<TypeSite> {
    let site = pick_type(w, rng, keep)?;
    apply_to_type(w, site, directive, sdl)?;
    Some(site)
}

/// Whether a field site is in an object type (not an interface).
pub fn in_object(w: &Work, site: FieldSite) -> bool {
    crate::sdl::is_object(w.def(TypeSite {
        doc: site.doc,
        def: site.def,
    }))
}

/// Whether a field carries federation directive `directive`.
pub fn field_has(w: &Work, site: FieldSite, directive: &str) -> bool {
    let local = local_name(&w.docs[site.doc], directive).unwrap_or_else(|| directive.to_string());
    w.field(site)
        .is_some_and(|f| f.directives.iter().any(|d| d.name == local.as_str()))
}
