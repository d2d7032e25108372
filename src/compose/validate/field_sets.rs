//! Walks a `@key`, `@requires` or `@provides` field set against the
//! subgraph's types, collecting what it selects and what is wrong with it
//! (in terms every directive shares; each directive maps them to codes).

use crate::compose::model::{Subgraph, TypeKind};
use crate::compose::subgraph::{parse_field_set, Selection};

/// What is wrong with a field set.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Problem {
    /// Not a selection set at all.
    Unparsable,
    /// Contains a directive application (`@include`, …).
    Directive,
    /// Selects a field its type does not have, a fragment on an unknown
    /// type, a leaf with sub-selections or an object without.
    Invalid(String),
    /// Selects `Type.field`, which takes arguments.
    HasArgs(String),
    /// Selects `Type.field`, whose type is an interface or a union.
    AbstractType(String),
    /// Selects the leaf `Type.field`, which is not `@external` (nor
    /// under an `@external` field).
    NotExternal(String),
}

/// How strict the walk is: keys may not select fields with arguments nor
/// abstract fields; requires and provides must select external leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Directive {
    Key,
    Requires,
    Provides,
}

/// The result of walking one field set.
#[derive(Debug, Default)]
pub(super) struct Walked {
    pub(super) problems: Vec<Problem>,
    /// Every (type, field) selected, as `Type.field`.
    pub(super) selected: Vec<(String, String)>,
}

/// Walks `fields`, selected from type `parent` of `subgraph`.
pub(super) fn walk(
    subgraph: &Subgraph,
    parent: &str,
    fields: &str,
    directive: Directive,
) -> Walked {
    let mut walked = Walked::default();
    if has_directive(fields) {
        walked.problems.push(Problem::Directive);
    }
    match parse_field_set(fields) {
        None => walked.problems.push(Problem::Unparsable),
        Some(selections) if selections.is_empty() => walked
            .problems
            .push(Problem::Invalid("an empty selection".to_string())),
        Some(selections) => {
            let mut walker = Walker {
                subgraph,
                directive,
                walked: &mut walked,
            };
            walker.selections(parent, &selections, false);
        }
    }
    walked
}

struct Walker<'a> {
    subgraph: &'a Subgraph,
    directive: Directive,
    walked: &'a mut Walked,
}

impl Walker<'_> {
    fn selections(&mut self, parent: &str, selections: &[Selection], under_external: bool) {
        for selection in selections {
            match selection {
                Selection::Field {
                    name,
                    arguments,
                    selections,
                } => {
                    self.field(parent, name, arguments, selections, under_external);
                }
                Selection::Fragment { on, selections } => {
                    let on = on.as_deref().unwrap_or(parent);
                    if self.subgraph.types.contains_key(on) {
                        self.selections(on, selections, under_external);
                    } else {
                        self.problem(Problem::Invalid(format!(
                            "a fragment on unknown type \"{on}\""
                        )));
                    }
                }
            }
        }
    }

    fn field(
        &mut self,
        parent: &str,
        name: &str,
        arguments: &[String],
        selections: &[Selection],
        under_external: bool,
    ) {
        if name == "__typename" {
            return;
        }
        let path = format!("{parent}.{name}");
        let Some(field) = self
            .subgraph
            .types
            .get(parent)
            .and_then(|ty| ty.fields.get(name))
        else {
            self.problem(Problem::Invalid(format!(
                "\"{path}\", which does not exist"
            )));
            return;
        };
        self.walked
            .selected
            .push((parent.to_string(), name.to_string()));
        let missing = field.args.iter().find(|arg| {
            arg.ty.is_non_null()
                && arg.default.is_none()
                && !arguments.iter().any(|given| given == arg.name.as_str())
        });
        if let Some(arg) = missing {
            self.problem(Problem::Invalid(format!(
                "\"{path}\" without a value for its required argument \"{}\"",
                arg.name
            )));
        } else if !field.args.is_empty() && self.directive != Directive::Requires {
            self.problem(Problem::HasArgs(path.clone()));
        }
        let target = field.ty.inner_named_type();
        let kind = self.subgraph.types.get(target).map(|ty| ty.kind);
        let composite = kind.is_some_and(super::is_composite);
        if self.directive == Directive::Key
            && matches!(kind, Some(TypeKind::Interface | TypeKind::Union))
        {
            self.problem(Problem::AbstractType(path));
            return;
        }
        if composite && selections.is_empty() {
            self.problem(Problem::Invalid(format!(
                "\"{path}\" without a selection of its subfields"
            )));
            return;
        }
        if !composite && !selections.is_empty() {
            self.problem(Problem::Invalid(format!(
                "subfields of \"{path}\", which has none"
            )));
            return;
        }
        let external = under_external || field.external;
        // Interface fields cannot be `@external`; their implementations are
        // checked where they are selected through fragments.
        let on_interface = self
            .subgraph
            .types
            .get(parent)
            .is_some_and(|ty| ty.kind == TypeKind::Interface);
        if selections.is_empty() && !external && !on_interface && self.directive != Directive::Key {
            self.problem(Problem::NotExternal(path));
        }
        self.selections(target, selections, external);
    }

    fn problem(&mut self, problem: Problem) {
        if !self.walked.problems.contains(&problem) {
            self.walked.problems.push(problem);
        }
    }
}

/// Whether a field set applies a directive (an `@` outside strings).
fn has_directive(fields: &str) -> bool {
    let mut in_string = false;
    let mut escaped = false;
    for c in fields.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '@' if !in_string => return true,
            _ => {}
        }
    }
    false
}
