//! Operation limits, checked on the parsed document before it is validated,
//! normalised or planned: tokens (the parser stops at the limit), nesting
//! depth, aliases, root fields, directives per location and fields after
//! fragment expansion.
//!
//! Expanded figures are computed without expanding anything: each
//! fragment's figures are computed once, fragments before the fragments that
//! spread them, and a spread adds its fragment's figures (saturating). A
//! fragment spread twice in each of 30 nested fragments costs 30 small
//! steps here, not 2^30.

use std::collections::HashMap;

use apollo_compiler::ast::{self, Definition, Document, Selection};
use apollo_compiler::Name;

/// The limits on one operation (see `limits` in the configuration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    pub max_tokens: usize,
    pub max_depth: usize,
    pub max_aliases: usize,
    pub max_root_fields: usize,
    pub max_directives: usize,
    pub max_fields: usize,
    /// Errors reported for one document (parse or validation).
    pub max_errors: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_tokens: 30_000,
            max_depth: 64,
            max_aliases: 256,
            max_root_fields: 64,
            max_directives: 16,
            max_fields: 10_000,
            max_errors: 100,
        }
    }
}

impl Limits {
    /// The parser's nesting limit: deep enough for any operation within
    /// `max_depth` (selection sets, fragments, nested list values), shallow
    /// enough for the stack.
    pub fn parser_recursion_limit(&self) -> usize {
        (self.max_depth * 2 + 32).min(500)
    }
}

/// An operation over one of its limits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.message())]
pub struct LimitExceeded {
    /// The limit's key under `limits` in the configuration (`max_depth`).
    pub limit: &'static str,
    /// The limit's value.
    pub max: usize,
    /// The operation's figure (at least `max + 1`; saturates).
    pub actual: u64,
}

impl LimitExceeded {
    fn message(&self) -> String {
        let figure = match self.actual {
            u64::MAX => "more than 18446744073709551614".to_string(),
            actual if self.limit == "max_tokens" || self.limit == "max_list_length" => {
                format!("more than {}", actual.saturating_sub(1))
            }
            actual => actual.to_string(),
        };
        let what = match self.limit {
            "max_tokens" => format!("The operation has {figure} tokens"),
            "max_depth" => format!("The operation has {figure} levels of nested fields"),
            "max_aliases" => format!("The operation has {figure} aliases"),
            "max_root_fields" => format!("The operation has {figure} root fields"),
            "max_directives" => format!("The operation has {figure} directives in one place"),
            "max_fields" => format!(
                "The operation has {figure} fields and fragments once its fragments are expanded"
            ),
            "max_plan_fields" => {
                format!("The operation's query plan asks subgraphs for {figure} fields")
            }
            "max_variables_bytes" => format!("The variables take {figure} bytes"),
            "max_list_length" => format!("A list in the variables has {figure} items"),
            other => format!("The request has {figure} of {other}"),
        };
        format!(
            "{what}, over the limit of {} (limits.{}).",
            self.max, self.limit
        )
    }
}

/// An operation's figures, fragments expanded.
#[derive(Debug, Clone, Copy, Default)]
struct Figures {
    /// Fields and fragments (inline fragments and spreads): the nodes of
    /// the normalised tree.
    fields: u64,
    aliases: u64,
    /// Fields at the top level of the selection set.
    top_fields: u64,
    depth: u64,
}

impl Figures {
    fn add(&mut self, other: Figures) {
        self.fields = self.fields.saturating_add(other.fields);
        self.aliases = self.aliases.saturating_add(other.aliases);
        self.top_fields = self.top_fields.saturating_add(other.top_fields);
        self.depth = self.depth.max(other.depth);
    }
}

/// Checks the operation `operation_name` of `document` (the only one when
/// `None`) and every directive list of the document. An operation that
/// cannot be found is left to validation.
pub fn check(
    document: &Document,
    operation_name: Option<&str>,
    limits: &Limits,
) -> Result<(), LimitExceeded> {
    check_directives(document, limits)?;
    let Some(operation) = find_operation(document, operation_name) else {
        return Ok(());
    };
    let fragments = fragment_figures(document);
    let figures = figures_of(&operation.selection_set, &fragments);
    let over = |limit: &'static str, max: usize, actual: u64| {
        (actual > max as u64).then_some(LimitExceeded { limit, max, actual })
    };
    let exceeded = over("max_depth", limits.max_depth, figures.depth)
        .or_else(|| {
            over(
                "max_root_fields",
                limits.max_root_fields,
                figures.top_fields,
            )
        })
        .or_else(|| over("max_aliases", limits.max_aliases, figures.aliases))
        .or_else(|| over("max_fields", limits.max_fields, figures.fields));
    match exceeded {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

fn find_operation<'d>(
    document: &'d Document,
    name: Option<&str>,
) -> Option<&'d ast::OperationDefinition> {
    let mut operations = document.definitions.iter().filter_map(|d| match d {
        Definition::OperationDefinition(operation) => Some(operation.as_ref()),
        _ => None,
    });
    match name {
        Some(name) => operations.find(|o| o.name.as_ref().is_some_and(|n| n == name)),
        None => {
            let first = operations.next()?;
            operations.next().is_none().then_some(first)
        }
    }
}

/// The figures of every fragment, fragments spread by others first. A
/// fragment in a cycle (which validation refuses) or spreading an unknown
/// fragment counts what it can; the cycle adds nothing.
fn fragment_figures(document: &Document) -> HashMap<&Name, Figures> {
    let definitions: HashMap<&Name, &ast::FragmentDefinition> = document
        .definitions
        .iter()
        .filter_map(|d| match d {
            Definition::FragmentDefinition(f) => Some((&f.name, f.as_ref())),
            _ => None,
        })
        .collect();
    let mut figures: HashMap<&Name, Figures> = HashMap::with_capacity(definitions.len());
    for name in dependency_order(&definitions) {
        let fragment = definitions[name];
        let computed = figures_of(&fragment.selection_set, &figures);
        figures.insert(name, computed);
    }
    figures
}

/// Fragment names in an order where each comes after the fragments it
/// spreads (depth-first post-order, iterative: a long chain of fragments
/// cannot overflow the stack).
fn dependency_order<'d>(
    definitions: &HashMap<&'d Name, &'d ast::FragmentDefinition>,
) -> Vec<&'d Name> {
    #[derive(PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    let mut marks: HashMap<&Name, Mark> = HashMap::with_capacity(definitions.len());
    let mut order = Vec::with_capacity(definitions.len());
    for start in definitions.keys() {
        if marks.contains_key(start) {
            continue;
        }
        let mut stack: Vec<(&Name, Vec<&Name>)> = vec![(start, spreads_of(definitions[start]))];
        marks.insert(start, Mark::Open);
        while let Some((name, pending)) = stack.last_mut() {
            match pending.pop() {
                Some(next) => {
                    if marks.contains_key(next) {
                        continue;
                    }
                    if let Some((&key, fragment)) = definitions.get_key_value(next) {
                        marks.insert(key, Mark::Open);
                        stack.push((key, spreads_of(fragment)));
                    }
                }
                None => {
                    let name = *name;
                    marks.insert(name, Mark::Done);
                    order.push(name);
                    stack.pop();
                }
            }
        }
    }
    order
}

/// The fragments a fragment spreads anywhere in it.
fn spreads_of(fragment: &ast::FragmentDefinition) -> Vec<&Name> {
    let mut spreads = Vec::new();
    let mut sets = vec![&fragment.selection_set];
    while let Some(set) = sets.pop() {
        for selection in set {
            match selection {
                Selection::Field(field) => sets.push(&field.selection_set),
                Selection::InlineFragment(inline) => sets.push(&inline.selection_set),
                Selection::FragmentSpread(spread) => spreads.push(&spread.fragment_name),
            }
        }
    }
    spreads
}

/// The figures of a selection set, using the figures of the fragments it
/// spreads (a fragment not computed yet counts nothing).
fn figures_of(selections: &[Selection], fragments: &HashMap<&Name, Figures>) -> Figures {
    let mut total = Figures::default();
    for selection in selections {
        match selection {
            Selection::Field(field) => {
                let inner = figures_of(&field.selection_set, fragments);
                total.add(Figures {
                    fields: inner.fields.saturating_add(1),
                    aliases: inner
                        .aliases
                        .saturating_add(u64::from(field.alias.is_some())),
                    top_fields: 1,
                    depth: inner.depth.saturating_add(1),
                });
            }
            Selection::InlineFragment(inline) => {
                let mut inner = figures_of(&inline.selection_set, fragments);
                inner.fields = inner.fields.saturating_add(1);
                total.add(inner);
            }
            Selection::FragmentSpread(spread) => {
                let mut inner = fragments
                    .get(&spread.fragment_name)
                    .copied()
                    .unwrap_or_default();
                inner.fields = inner.fields.saturating_add(1);
                total.add(inner);
            }
        }
    }
    total
}

/// Every directive list of the document within `max_directives`.
fn check_directives(document: &Document, limits: &Limits) -> Result<(), LimitExceeded> {
    let max = limits.max_directives;
    let check = |directives: &ast::DirectiveList| {
        let count = directives.len();
        if count > max {
            return Err(LimitExceeded {
                limit: "max_directives",
                max,
                actual: count as u64,
            });
        }
        Ok(())
    };
    let mut sets = Vec::new();
    for definition in &document.definitions {
        match definition {
            Definition::OperationDefinition(operation) => {
                check(&operation.directives)?;
                for variable in &operation.variables {
                    check(&variable.directives)?;
                }
                sets.push(&operation.selection_set);
            }
            Definition::FragmentDefinition(fragment) => {
                check(&fragment.directives)?;
                sets.push(&fragment.selection_set);
            }
            _ => {}
        }
    }
    while let Some(set) = sets.pop() {
        for selection in set {
            match selection {
                Selection::Field(field) => {
                    check(&field.directives)?;
                    sets.push(&field.selection_set);
                }
                Selection::InlineFragment(inline) => {
                    check(&inline.directives)?;
                    sets.push(&inline.selection_set);
                }
                Selection::FragmentSpread(spread) => check(&spread.directives)?,
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn parse(text: &str) -> Document {
        Document::parse(text, "t.graphql").unwrap()
    }

    fn check_text(text: &str, limits: &Limits) -> Result<(), LimitExceeded> {
        check(&parse(text), None, limits)
    }

    /// `{ ...F<levels> }` where each fragment spreads the one below twice.
    fn bomb(levels: usize) -> String {
        let mut text = format!("query {{ ...F{levels} }}\nfragment F0 on Query {{ a }}\n");
        for level in 1..=levels {
            let below = level - 1;
            text.push_str(&format!(
                "fragment F{level} on Query {{ ...F{below} x{level}: b {{ ...F{below} }} }}\n"
            ));
        }
        text
    }

    #[test]
    fn a_fragment_bomb_is_counted_without_expanding_it() {
        let error = check_text(&bomb(70), &Limits::default()).unwrap_err();
        assert_eq!(error.limit, "max_depth");
        let limits = Limits {
            max_depth: 1000,
            ..Limits::default()
        };
        let error = check_text(&bomb(60), &limits).unwrap_err();
        assert_eq!(error.limit, "max_aliases");
        assert!(error.actual > 1 << 40, "{error}");
    }

    #[test]
    fn figures_count_fragments_as_often_as_they_are_spread() {
        let text = "{ ...F ...F a: f { ...F } }\nfragment F on Query { x y { z } }";
        let limits = Limits {
            max_fields: 12,
            ..Limits::default()
        };
        // Root: the spread and x y z of F, twice = 8; f = 1, with its spread
        // of F = 4: 13 fields and fragments.
        assert_eq!(
            check_text(text, &limits).unwrap_err(),
            LimitExceeded {
                limit: "max_fields",
                max: 12,
                actual: 13
            }
        );
        let limits = Limits {
            max_root_fields: 4,
            ..Limits::default()
        };
        assert_eq!(check_text(text, &limits).unwrap_err().actual, 5);
        let limits = Limits {
            max_depth: 2,
            ..Limits::default()
        };
        assert_eq!(check_text(text, &limits).unwrap_err().actual, 3);
    }

    #[test]
    fn cycles_and_unknown_fragments_are_left_to_validation() {
        let text = "{ ...A }\nfragment A on Query { a ...B }\nfragment B on Query { b ...A ...C }";
        assert_eq!(check_text(text, &Limits::default()), Ok(()));
    }

    #[test]
    fn a_long_chain_of_fragments_does_not_overflow_the_stack() {
        let mut text = String::from("{ ...F0 }\n");
        for i in 0..20_000 {
            text.push_str(&format!("fragment F{i} on Query {{ ...F{} }}\n", i + 1));
        }
        text.push_str("fragment F20000 on Query { a }\n");
        let limits = Limits {
            max_fields: 100_000,
            ..Limits::default()
        };
        assert_eq!(check_text(&text, &limits), Ok(()));
    }

    #[test]
    fn too_many_directives_in_one_place_are_refused() {
        let directives = "@skip(if: false) ".repeat(17);
        let error = check_text(&format!("{{ a {directives} }}"), &Limits::default()).unwrap_err();
        assert_eq!(error.limit, "max_directives");
        assert_eq!(
            error.to_string(),
            "The operation has 17 directives in one place, over the limit of 16 (limits.max_directives)."
        );
    }

    #[test]
    fn the_named_operation_is_the_one_checked() {
        let text = "query A { a b c } query B { a }";
        let limits = Limits {
            max_root_fields: 2,
            ..Limits::default()
        };
        assert!(check(&parse(text), Some("A"), &limits).is_err());
        assert_eq!(check(&parse(text), Some("B"), &limits), Ok(()));
    }
}
