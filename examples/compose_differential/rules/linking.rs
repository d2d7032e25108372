//! Rules over a subgraph's federation `@link`: its import list (unknown
//! names, a missing `@`, a dropped or renamed import), its version (too
//! old for a directive the subgraph uses, unknown, malformed) and the
//! link itself (removed, duplicated).

use apollo_compiler::ast::Value;
use apollo_compiler::{Name, Node};
use rand::rngs::StdRng;

use super::{choose, Rule};
use crate::link::{
    federation_link, import_names, imports, introduced, is_fed2, link, set_imports, set_url,
    set_version, version,
};
use crate::sdl::{self, directives_mut, uses, visit_directive_lists, Work};

pub const RULES: &[Rule] = &[
    Rule {
        name: "link-import-unknown",
        apply: link_import_unknown,
    },
    Rule {
        name: "link-import-missing-at",
        apply: link_import_missing_at,
    },
    Rule {
        name: "link-import-drop",
        apply: link_import_drop,
    },
    Rule {
        name: "link-import-rename",
        apply: |w, r| link_import_rename(w, r, true),
    },
    Rule {
        name: "link-import-alias-unused",
        apply: |w, r| link_import_rename(w, r, false),
    },
    Rule {
        name: "link-import-twice",
        apply: link_import_twice,
    },
    Rule {
        name: "link-version-too-old-for-feature",
        apply: link_version_too_old,
    },
    Rule {
        name: "link-version-upgrade",
        apply: link_version_upgrade,
    },
    Rule {
        name: "link-bad-version",
        apply: link_bad_version,
    },
    Rule {
        name: "link-bad-url",
        apply: link_bad_url,
    },
    Rule {
        name: "link-drop",
        apply: link_drop,
    },
    Rule {
        name: "link-duplicate",
        apply: link_duplicate,
    },
];

fn fed2_doc(w: &Work, rng: &mut StdRng) -> Option<usize> {
    let docs: Vec<usize> = (0..w.docs.len()).filter(|d| is_fed2(&w.docs[*d])).collect();
    choose(rng, &docs)
}

/// A Federation 2 subgraph and the index of an import it uses.
fn used_import(w: &Work, rng: &mut StdRng) -> Option<(usize, usize)> {
    let mut found = Vec::new();
    for (d, doc) in w.docs.iter().enumerate() {
        for (i, item) in imports(doc).iter().enumerate() {
            let Some((name, local)) = import_names(item) else {
                continue;
            };
            if name.starts_with('@') && uses(&doc.ast, local.trim_start_matches('@')) > 0 {
                found.push((d, i));
            }
        }
    }
    choose(rng, &found)
}

fn link_import_unknown(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let doc = fed2_doc(w, rng)?;
    let mut items = imports(&w.docs[doc]);
    items.push(Node::new(Value::String("@notAFederationDirective".into())));
    set_imports(&mut w.docs[doc], items)
}

fn link_import_missing_at(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let (doc, index) = used_import(w, rng)?;
    let mut items = imports(&w.docs[doc]);
    let (name, _) = import_names(items.get(index)?)?;
    items[index] = Node::new(Value::String(name.trim_start_matches('@').to_string()));
    set_imports(&mut w.docs[doc], items)
}

fn link_import_drop(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let (doc, index) = used_import(w, rng)?;
    let mut items = imports(&w.docs[doc]);
    items.remove(index);
    set_imports(&mut w.docs[doc], items)
}

/// Imports a used directive under another name, renaming its uses (or not).
fn link_import_rename(w: &mut Work, rng: &mut StdRng, rename_uses: bool) -> Option<()> {
    let (doc, index) = used_import(w, rng)?;
    let mut items = imports(&w.docs[doc]);
    let (name, local) = import_names(items.get(index)?)?;
    let alias = format!("{name}Renamed");
    let entry = sdl::directive(&format!("@x(v: {{ name: \"{name}\", as: \"{alias}\" }})"))?;
    items[index] = entry.arguments.first()?.value.clone();
    set_imports(&mut w.docs[doc], items)?;
    if rename_uses {
        let from = local.trim_start_matches('@').to_string();
        let to = Name::new_unchecked(alias.trim_start_matches('@'));
        visit_directive_lists(&mut w.docs[doc].ast, |list| {
            for d in list.iter_mut().filter(|d| d.name == from.as_str()) {
                Node::make_mut(d).name = to.clone();
            }
        });
    }
    Some(())
}

fn link_import_twice(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let (doc, index) = used_import(w, rng)?;
    let mut items = imports(&w.docs[doc]);
    let copy = items.get(index)?.clone();
    items.push(copy);
    set_imports(&mut w.docs[doc], items)
}

/// The versions a subgraph's imports and uses need (`@override(label:)` needs 2.7).
fn needed_versions(doc: &crate::sdl::Doc) -> Vec<(u32, u32)> {
    let mut needed: Vec<(u32, u32)> = imports(doc)
        .iter()
        .filter_map(|item| introduced(import_names(item)?.0.trim_start_matches('@')))
        .collect();
    let mut copy = doc.ast.clone();
    visit_directive_lists(&mut copy, |list| {
        if list
            .iter()
            .any(|d| d.name == "override" && d.specified_argument_by_name("label").is_some())
        {
            needed.push((2, 7));
        }
    });
    needed.retain(|v| *v > (2, 0));
    needed
}

/// Sets the version just below the one a directive the subgraph uses needs.
fn link_version_too_old(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let mut found = Vec::new();
    for (d, doc) in w.docs.iter().enumerate() {
        found.extend(needed_versions(doc).into_iter().map(|v| (d, v)));
    }
    let (doc, (major, minor)) = choose(rng, &found)?;
    set_version(&mut w.docs[doc], (major, minor - 1))
}

fn link_version_upgrade(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let doc = fed2_doc(w, rng)?;
    let to = choose(rng, &[(2, 9), (2, 10), (2, 11), (2, 12)])?;
    (version(&w.docs[doc])? < to).then_some(())?;
    set_version(&mut w.docs[doc], to)
}

fn link_bad_version(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let doc = fed2_doc(w, rng)?;
    let bad = choose(rng, &["v2.99", "v3.0", "v1.0", "v2", "vX.Y", "v2.3.1"])?;
    set_url(
        &mut w.docs[doc],
        &format!("https://specs.apollo.dev/federation/{bad}"),
    )
}

fn link_bad_url(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let doc = fed2_doc(w, rng)?;
    let bad = choose(
        rng,
        &[
            "https://specs.apollo.dev/federation",
            "not a url",
            "https://specs.apollo.dev/federation/v2.3/extra",
            "https://specs.apollo.dev/federatio/v2.3",
        ],
    )?;
    set_url(&mut w.docs[doc], bad)
}

/// Removes the federation `@link` (and a schema extension left empty).
fn link_drop(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let doc = fed2_doc(w, rng)?;
    let (def, index) = federation_link(&w.docs[doc])?;
    let definitions = &mut w.docs[doc].ast.definitions;
    let list = directives_mut(definitions.get_mut(def)?)?;
    list.remove(index);
    if list.is_empty() {
        if let apollo_compiler::ast::Definition::SchemaExtension(ext) = &definitions[def] {
            if ext.root_operations.is_empty() {
                definitions.remove(def);
            }
        }
    }
    Some(())
}

fn link_duplicate(w: &mut Work, rng: &mut StdRng) -> Option<()> {
    let doc = fed2_doc(w, rng)?;
    let copy = link(&w.docs[doc])?.clone();
    let (def, _) = federation_link(&w.docs[doc])?;
    directives_mut(w.docs[doc].ast.definitions.get_mut(def)?)?.push(copy);
    Some(())
}
