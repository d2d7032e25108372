//! Field sets (`@key`, `@requires`, `@provides` `fields:`) read loosely,
//! and the subgraph rules that depend on what they select: fields a
//! `@key` selects are shareable, `@external` is dropped on the top-level
//! key fields of extension types, and Federation 1's `@external` fields
//! that no field set uses are removed.
//!
//! Validating field sets is the merger's job; a field set this reader
//! cannot make sense of simply selects nothing here.

use std::collections::HashSet;

use apollo_compiler::Name;

use crate::compose::model::{Subgraph, TypeKind};
use crate::compose::CompositionError;

/// One selection of a field set.
#[derive(Debug, Clone, PartialEq)]
pub(in crate::compose) enum Selection {
    Field {
        name: String,
        /// The names of the arguments given a value (`a(x: 1)`: `x`).
        arguments: Vec<String>,
        selections: Vec<Selection>,
    },
    Fragment {
        on: Option<String>,
        selections: Vec<Selection>,
    },
}

/// Parses a field set; `None` when it is not one.
pub(in crate::compose) fn parse(fields: &str) -> Option<Vec<Selection>> {
    let tokens = tokenize(fields);
    let mut parser = Parser {
        tokens: &tokens,
        pos: 0,
    };
    let selections = parser.selection_set(false)?;
    Some(selections)
}

/// Every name in a field set, at any depth (enough to tell whether a field is mentioned).
pub(in crate::compose) fn names_in_field_set(set: &str) -> impl Iterator<Item = &str> {
    set.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|word| !word.is_empty() && *word != "on")
}

/// Applies the field-set rules to a subgraph just read. `extension_types`:
/// types declared only with `extend` or carrying `@extends`.
pub(super) fn apply_field_set_rules(
    subgraph: &mut Subgraph,
    extension_types: &HashSet<Name>,
) -> Result<(), Vec<CompositionError>> {
    if subgraph.federation.is_fed1() {
        drop_resolved_fields_from_requires_and_provides(subgraph);
    }
    let mut key_fields = HashSet::new();
    let mut top_level_key_fields = HashSet::new();
    for ty in subgraph.types.values() {
        for key in &ty.keys {
            let selections = parse(&key.fields).unwrap_or_default();
            select(subgraph, &ty.name, &selections, &mut key_fields);
            if extension_types.contains(&ty.name) {
                select_top_level(&ty.name, &selections, &mut top_level_key_fields);
            }
        }
    }
    for ty in subgraph.types.values_mut() {
        for field in ty.fields.values_mut() {
            let selected = (ty.name.clone(), field.name.clone());
            field.shareable |= key_fields.contains(&selected);
            if top_level_key_fields.contains(&selected) {
                field.external = false;
            }
        }
    }
    if subgraph.federation.is_fed1() {
        let mut used = key_fields;
        collect_requires_and_provides(subgraph, &mut used);
        remove_unused_externals(subgraph, &used)?;
    }
    Ok(())
}

/// Federation 1 tolerated `@requires` and `@provides` naming fields the
/// subgraph resolves itself (not `@external`), and `@provides` on fields
/// of leaf types; the upgrade leaves such fields out of the field set, and
/// drops a directive left with nothing. Only flat
/// field sets are rewritten; others are kept as written.
fn drop_resolved_fields_from_requires_and_provides(subgraph: &mut Subgraph) {
    // Fields this subgraph defines without `@external`; a name it does not
    // define at all stays, for the field set rules to report.
    let resolved_here: HashSet<(Name, Name)> = subgraph
        .types
        .values()
        .flat_map(|ty| {
            ty.fields
                .values()
                .filter(|f| !f.external)
                .map(|f| (ty.name.clone(), f.name.clone()))
        })
        .collect();
    // A `@provides` on a field of a scalar or enum type provides nothing.
    let composite: HashSet<Name> = subgraph
        .types
        .values()
        .filter(|t| {
            matches!(
                t.kind,
                TypeKind::Object | TypeKind::Interface | TypeKind::Union
            )
        })
        .map(|t| t.name.clone())
        .collect();
    let is_resolved_here = |ty: &Name, field: &str| {
        Name::new(field).is_ok_and(|field| resolved_here.contains(&(ty.clone(), field)))
    };
    for ty in subgraph.types.values_mut() {
        for field in ty.fields.values_mut() {
            let returns = field.ty.inner_named_type().clone();
            field.requires = field
                .requires
                .take()
                .and_then(|set| without_resolved(set, |f| is_resolved_here(&ty.name, f)));
            field.provides = field
                .provides
                .take()
                .filter(|_| composite.contains(&returns))
                .and_then(|set| without_resolved(set, |f| is_resolved_here(&returns, f)));
        }
    }
}

/// `set` without its top-level leaf fields resolved here, or `None` when
/// none is left; unchanged unless every selection is a leaf.
fn without_resolved(set: String, is_resolved_here: impl Fn(&str) -> bool) -> Option<String> {
    let Some(selections) = parse(&set) else {
        return Some(set);
    };
    let mut kept = Vec::new();
    for selection in &selections {
        match selection {
            Selection::Field {
                name, selections, ..
            } if selections.is_empty() => {
                if !is_resolved_here(name) {
                    kept.push(name.as_str());
                }
            }
            _ => return Some(set),
        }
    }
    if kept.len() == selections.len() {
        Some(set)
    } else if kept.is_empty() {
        None
    } else {
        Some(kept.join(" "))
    }
}

/// Adds every (type, field) that `selections`, read from `parent`, selects.
fn select(
    subgraph: &Subgraph,
    parent: &Name,
    selections: &[Selection],
    out: &mut HashSet<(Name, Name)>,
) {
    for selection in selections {
        match selection {
            Selection::Field {
                name, selections, ..
            } => {
                let Some(field) = subgraph
                    .types
                    .get(parent)
                    .and_then(|ty| ty.fields.get(name.as_str()))
                else {
                    continue;
                };
                out.insert((parent.clone(), field.name.clone()));
                select(subgraph, field.ty.inner_named_type(), selections, out);
            }
            Selection::Fragment { on, selections } => {
                let on = on
                    .as_deref()
                    .and_then(|on| subgraph.types.get_key_value(on));
                let parent = on.map_or(parent, |(name, _)| name);
                select(subgraph, parent, selections, out);
            }
        }
    }
}

/// The fields selected at the top level of `selections` (no fragments).
fn select_top_level(parent: &Name, selections: &[Selection], out: &mut HashSet<(Name, Name)>) {
    for selection in selections {
        if let Selection::Field { name, .. } = selection {
            if let Ok(name) = Name::new(name) {
                out.insert((parent.clone(), name));
            }
        }
    }
}

/// `@requires` selects from the field's parent, `@provides` from its type.
fn collect_requires_and_provides(subgraph: &Subgraph, used: &mut HashSet<(Name, Name)>) {
    for ty in subgraph.types.values() {
        for field in ty.fields.values() {
            if let Some(selections) = field.requires.as_deref().and_then(parse) {
                select(subgraph, &ty.name, &selections, used);
            }
            if let Some(selections) = field.provides.as_deref().and_then(parse) {
                select(subgraph, field.ty.inner_named_type(), &selections, used);
            }
        }
    }
}

/// Federation 1: an `@external` field no field set uses (and no
/// implemented interface needs) goes; a type left empty is an error.
fn remove_unused_externals(
    subgraph: &mut Subgraph,
    used: &HashSet<(Name, Name)>,
) -> Result<(), Vec<CompositionError>> {
    let interface_fields: HashSet<(Name, Name)> = subgraph
        .types
        .values()
        .flat_map(|ty| {
            ty.implements.iter().flat_map(|interface| {
                let fields = subgraph.types.get(interface).map(|i| i.fields.keys());
                fields
                    .into_iter()
                    .flatten()
                    .map(|field| (ty.name.clone(), field.clone()))
            })
        })
        .collect();
    let mut errors = Vec::new();
    for ty in subgraph.types.values_mut() {
        let before = ty.fields.len();
        ty.fields.retain(|name, field| {
            let key = (ty.name.clone(), name.clone());
            !field.external || used.contains(&key) || interface_fields.contains(&key)
        });
        if before > 0 && ty.fields.is_empty() {
            errors.push(
                CompositionError::new(
                    "TYPE_WITH_ONLY_UNUSED_EXTERNAL",
                    format!(
                        "Every field of type \"{}\" in subgraph \"{}\" is @external and none is used by a @key, @requires or @provides, so nothing of the type is left",
                        ty.name, subgraph.name
                    ),
                )
                .at(&subgraph.name, ty.common.location),
            );
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Name(String),
    Punct(char),
    Spread,
    /// A string or number inside arguments; only skipped.
    Literal,
}

fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() || c == ',' => {}
            '#' => while chars.next_if(|&c| c != '\n').is_some() {},
            '.' => {
                while chars.next_if(|&c| c == '.').is_some() {}
                tokens.push(Token::Spread);
            }
            '"' => {
                skip_string(&mut chars);
                tokens.push(Token::Literal);
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut name = c.to_string();
                while let Some(c) = chars.next_if(|&c| c.is_ascii_alphanumeric() || c == '_') {
                    name.push(c);
                }
                tokens.push(Token::Name(name));
            }
            c if c.is_ascii_digit() || c == '-' => {
                while chars
                    .next_if(|&c| c.is_ascii_alphanumeric() || c == '.' || c == '+' || c == '-')
                    .is_some()
                {}
                tokens.push(Token::Literal);
            }
            c => tokens.push(Token::Punct(c)),
        }
    }
    tokens
}

/// Skips the rest of a string (or block string) after its first `"`.
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    let mut escaped = false;
    while let Some(c) = chars.next() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => {
                // `""` right after the opening quote starts a block string.
                if chars.next_if_eq(&'"').is_some() {
                    skip_block_string(chars);
                }
                return;
            }
            _ => {}
        }
    }
}

fn skip_block_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    let mut quotes = 0;
    for c in chars.by_ref() {
        quotes = if c == '"' { quotes + 1 } else { 0 };
        if quotes == 3 {
            return;
        }
    }
}

struct Parser<'t> {
    tokens: &'t [Token],
    pos: usize,
}

impl Parser<'_> {
    fn next(&mut self) -> Option<&Token> {
        let token = self.tokens.get(self.pos);
        self.pos += 1;
        token
    }

    fn peek_is(&self, token: &Token) -> bool {
        self.tokens.get(self.pos) == Some(token)
    }

    /// Selections up to the end of input, or up to `}` when `nested`.
    fn selection_set(&mut self, nested: bool) -> Option<Vec<Selection>> {
        let mut selections = Vec::new();
        loop {
            match self.next() {
                None => return (!nested).then_some(selections),
                Some(Token::Punct('}')) => return nested.then_some(selections),
                Some(Token::Spread) => selections.push(self.fragment()?),
                Some(Token::Name(name)) => {
                    let name = name.clone();
                    selections.push(self.field(name)?);
                }
                Some(_) => return None,
            }
        }
    }

    fn field(&mut self, first: String) -> Option<Selection> {
        let mut name = first;
        if self.peek_is(&Token::Punct(':')) {
            self.pos += 1;
            match self.next() {
                Some(Token::Name(real)) => name.clone_from(real),
                _ => return None,
            }
        }
        let arguments = self.argument_names()?;
        self.skip_directives()?;
        let selections = self.sub_selections()?;
        Some(Selection::Field {
            name,
            arguments,
            selections,
        })
    }

    fn fragment(&mut self) -> Option<Selection> {
        let mut on = None;
        if self.peek_is(&Token::Name("on".to_string())) {
            self.pos += 1;
            match self.next() {
                Some(Token::Name(ty)) => on = Some(ty.clone()),
                _ => return None,
            }
        }
        self.skip_directives()?;
        if !self.peek_is(&Token::Punct('{')) {
            return None;
        }
        let selections = self.sub_selections()?;
        Some(Selection::Fragment { on, selections })
    }

    fn sub_selections(&mut self) -> Option<Vec<Selection>> {
        if self.peek_is(&Token::Punct('{')) {
            self.pos += 1;
            self.selection_set(true)
        } else {
            Some(Vec::new())
        }
    }

    fn skip_directives(&mut self) -> Option<()> {
        while self.peek_is(&Token::Punct('@')) {
            self.pos += 1;
            match self.next() {
                Some(Token::Name(_)) => self.skip_arguments()?,
                _ => return None,
            }
        }
        Some(())
    }

    /// The names given values in a `( … )` if one comes next (the values
    /// skipped), `None` when it is not balanced.
    fn argument_names(&mut self) -> Option<Vec<String>> {
        if !self.peek_is(&Token::Punct('(')) {
            return Some(Vec::new());
        }
        let start = self.pos;
        self.skip_arguments()?;
        let inside = self.tokens.get(start + 1..self.pos.saturating_sub(1))?;
        let mut names = Vec::new();
        let mut depth = 0usize;
        for (index, token) in inside.iter().enumerate() {
            match token {
                Token::Punct('(' | '[' | '{') => depth += 1,
                Token::Punct(')' | ']' | '}') => depth = depth.saturating_sub(1),
                Token::Name(name)
                    if depth == 0 && inside.get(index + 1) == Some(&Token::Punct(':')) =>
                {
                    names.push(name.clone());
                }
                _ => {}
            }
        }
        Some(names)
    }

    /// Skips a balanced `( … )` if one comes next.
    fn skip_arguments(&mut self) -> Option<()> {
        if !self.peek_is(&Token::Punct('(')) {
            return Some(());
        }
        let mut depth = 0usize;
        loop {
            match self.next()? {
                Token::Punct('(') => depth += 1,
                Token::Punct(')') => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(());
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn field(name: &str, selections: Vec<Selection>) -> Selection {
        Selection::Field {
            name: name.to_string(),
            arguments: Vec::new(),
            selections,
        }
    }

    #[test]
    fn parses_nested_selections_fragments_and_arguments() {
        let parsed = parse(
            r#"id products { id pid } ... on Book { title } alias: price(currency: "EUR", n: [1, 2]) @skip(if: true)"#,
        )
        .unwrap();
        assert_eq!(
            parsed,
            vec![
                field("id", vec![]),
                field("products", vec![field("id", vec![]), field("pid", vec![])]),
                Selection::Fragment {
                    on: Some("Book".to_string()),
                    selections: vec![field("title", vec![])],
                },
                Selection::Field {
                    name: "price".to_string(),
                    arguments: vec!["currency".to_string(), "n".to_string()],
                    selections: vec![],
                },
            ]
        );
    }

    #[test]
    fn rejects_what_is_not_a_field_set() {
        assert_eq!(parse("a { b"), None);
        assert_eq!(parse("a }"), None);
        assert_eq!(parse("...Named"), None);
        assert_eq!(parse("a(x: 1"), None);
    }
}
