//! Reads one subgraph's SDL into [`Subgraph`]: federation directives
//! resolved to their meaning whatever name the subgraph uses for them
//! (`link`), extensions folded into their type, root types renamed to
//! `Query`/`Mutation`/`Subscription`, federation machinery (`_Service`,
//! `_entities`, `FieldSet`, directive definitions …) left out, and the
//! rules that depend on field sets applied (`fieldset`), which includes
//! the Federation 1 upgrade.
//!
//! The SDL is first validated as a GraphQL schema (`graphql_rules`), with
//! the federation definitions it uses but does not write added.

mod access;
mod block;
mod composed;
mod context;
mod definitions;
mod fieldset;
mod graphql_rules;
mod input_values;
mod link;
mod repeated;
mod roots;
mod spec_definitions;

pub(super) use self::fieldset::{names_in_field_set, parse as parse_field_set, Selection};

use std::collections::{HashMap, HashSet};

use apollo_compiler::ast::{
    Definition, Directive, DirectiveList, Document, EnumValueDefinition, FieldDefinition,
    InputValueDefinition, Value,
};
use apollo_compiler::parser::{SourceMap, SourceSpan};
use apollo_compiler::{Name, Node};
use indexmap::IndexMap;

use self::block::{add_fields, add_values, empty_type, merge_block, Block};
use self::link::{FedDirective, FederationLink};
use self::roots::{is_root, Roots};
use super::model::{
    Access, AppliedDirective, Common, Cost, Deprecation, Key, Location, SubArgument, SubEnumValue,
    SubField, SubType, Subgraph,
};
use super::{CompositionError, SubgraphInput};

/// Reads one subgraph: parses its SDL, resolves federation directives,
/// folds extensions into types, renames root types, upgrades Federation 1.
pub(super) fn read_subgraph(input: &SubgraphInput) -> Result<Subgraph, Vec<CompositionError>> {
    let document = parse(input)?;
    let link = FederationLink::read(&document, &input.name).map_err(|e| vec![e])?;
    let invalid = graphql_rules::check(&document, &link, &input.name);
    if !invalid.is_empty() {
        return Err(invalid);
    }
    let repeated = repeated::check_repeated_shareable(&document, &link, &input.name);
    if !repeated.is_empty() {
        return Err(repeated);
    }
    let roots = Roots::read(&document, &input.name)?;
    let invalid = definitions::check_definitions(&document, &link, &input.name);
    if !invalid.is_empty() {
        return Err(invalid);
    }
    let composed = composed::read_composed(&document, &link, &input.name)?;
    let mut reader = Reader {
        composed: composed
            .iter()
            .map(|c| (c.name.to_string(), c.definition.repeatable))
            .collect(),
        subgraph: &input.name,
        sources: &document.sources,
        link: &link,
        roots: &roots,
        types: IndexMap::new(),
        declarations: HashMap::new(),
        errors: Vec::new(),
    };
    for definition in &document.definitions {
        reader.read_definition(definition);
    }
    if !reader.errors.is_empty() {
        return Err(reader.errors);
    }
    let extension_types = reader.finish_declarations();
    let mut subgraph = Subgraph {
        name: input.name.clone(),
        url: input.url.clone(),
        federation: link.version,
        composed,
        types: reader.types,
        provided: Default::default(),
    };
    context::resolve_context_arguments(&mut subgraph)?;
    fieldset::apply_field_set_rules(&mut subgraph, &extension_types)?;
    subgraph.provided = super::provided::provided_fields(&subgraph);
    Ok(subgraph)
}

fn parse(input: &SubgraphInput) -> Result<Document, Vec<CompositionError>> {
    Document::parse(input.sdl.as_str(), format!("{}.graphql", input.name)).map_err(|with_errors| {
        with_errors
            .errors
            .iter()
            .map(|diagnostic| {
                let start = diagnostic.line_column_range().map(|range| range.start);
                let location = start.map_or_else(Location::default, |start| Location {
                    line: start.line,
                    column: start.column,
                });
                CompositionError::new("INVALID_GRAPHQL", diagnostic.error.to_string())
                    .at(&input.name, location)
            })
            .collect()
    })
}

/// 1-based line and column of a span (zero when unknown).
fn location_of(span: Option<SourceSpan>, sources: &SourceMap) -> Location {
    span.and_then(|span| span.line_column(sources))
        .map_or_else(Location::default, |lc| Location {
            line: lc.line,
            column: lc.column,
        })
}

/// How a type was declared across its blocks.
#[derive(Debug, Default)]
struct Declarations {
    /// Blocks without the `extend` keyword.
    definitions: usize,
    /// Some block carries `@extends`.
    extends: bool,
    /// Every block is `extend …` or carries `@extends`.
    all_extensions: bool,
}

/// The federation directives (and `@deprecated`/`@specifiedBy`) on one element.
#[derive(Debug, Default)]
struct Applied {
    keys: Vec<Key>,
    shareable: bool,
    external: bool,
    extends: bool,
    interface_object: bool,
    inaccessible: bool,
    tags: Vec<String>,
    deprecated: Deprecation,
    specified_by: Option<String>,
    /// `@oneOf` on an input object.
    one_of: bool,
    requires: Option<String>,
    provides: Option<String>,
    override_from: Option<String>,
    override_label: Option<String>,
    /// Applications of composed custom directives.
    composed: Vec<AppliedDirective>,
    access: Access,
    cost: Cost,
    /// `@context(name:)` names.
    contexts: Vec<String>,
    /// `@fromContext(field:)`.
    from_context: Option<String>,
}

/// Folds the type declarations of one document into [`SubType`]s,
/// collecting every error instead of stopping at the first.
struct Reader<'a> {
    subgraph: &'a str,
    sources: &'a SourceMap,
    link: &'a FederationLink,
    roots: &'a Roots,
    /// Composed custom directives by local name → repeatable.
    composed: HashMap<String, bool>,
    types: IndexMap<Name, SubType>,
    declarations: HashMap<Name, Declarations>,
    errors: Vec<CompositionError>,
}

impl Reader<'_> {
    fn read_definition(&mut self, definition: &Definition) {
        if definition.is_executable_definition() {
            let error = CompositionError::new(
                "INVALID_GRAPHQL",
                "Executable definitions (operations, fragments) are not allowed in a subgraph schema",
            );
            self.errors
                .push(error.at(self.subgraph, self.location(definition.location())));
        } else if let Some(block) = Block::of(definition) {
            if !self.is_machinery(block.name) {
                self.read_block(&block);
            }
        }
    }

    /// Types federation adds to a subgraph schema; never merged.
    fn is_machinery(&self, name: &str) -> bool {
        matches!(
            name,
            "_Service" | "_Any" | "_Entity" | "FieldSet" | "_FieldSet"
        ) || name.starts_with("link__")
            || name.starts_with("federation__")
            || name
                .strip_prefix(self.link.prefix.as_str())
                .is_some_and(|rest| rest.starts_with("__"))
    }

    fn read_block(&mut self, block: &Block<'_>) {
        let name = self.roots.rename(block.name);
        let applied = self.read_directives(block.directives, &name);
        let location = self.location(block.name.location());
        if !self.note_declaration(&name, block, &applied, location) {
            return;
        }
        let fields = self.read_fields(&name, block, &applied);
        let values: Vec<SubEnumValue> = block
            .values
            .iter()
            .map(|v| self.read_enum_value(v))
            .collect();
        let ty = self
            .types
            .entry(name.clone())
            .or_insert_with(|| empty_type(name, block.kind, location));
        merge_block(ty, block, applied, self.roots);
        let duplicates = add_fields(ty, fields)
            .into_iter()
            .chain(add_values(ty, values))
            .map(|element| format!("Duplicate definition of \"{}.{element}\"", ty.name))
            .collect::<Vec<_>>();
        for message in duplicates {
            self.errors.push(
                CompositionError::new("INVALID_GRAPHQL", message).at(self.subgraph, location),
            );
        }
    }

    /// Records how the type was declared; `false` (and an error) when the
    /// block clashes with an earlier one.
    fn note_declaration(
        &mut self,
        name: &Name,
        block: &Block<'_>,
        applied: &Applied,
        location: Location,
    ) -> bool {
        let existing_kind = self.types.get(name).map(|ty| ty.kind);
        let declarations = self
            .declarations
            .entry(name.clone())
            .or_insert(Declarations {
                all_extensions: true,
                ..Declarations::default()
            });
        if !block.keyword_extension {
            declarations.definitions += 1;
        }
        declarations.extends |= applied.extends;
        // A Federation 2 `@extends` still defines the type (Apollo counts it
        // as a base); in Federation 1 it marks an extension like `extend`.
        let fed1 = self.link.version.is_fed1();
        declarations.all_extensions &= block.keyword_extension || (applied.extends && fed1);
        let message = if let Some(kind) = existing_kind.filter(|kind| *kind != block.kind) {
            format!(
                "Type \"{name}\" is declared both as {kind:?} and as {:?}",
                block.kind
            )
        } else if declarations.definitions > 1 && !block.keyword_extension {
            format!("Type \"{name}\" is defined more than once (use `extend` to add to it)")
        } else {
            return true;
        };
        self.errors
            .push(CompositionError::new("INVALID_GRAPHQL", message).at(self.subgraph, location));
        false
    }

    /// Sets `extension`/`only_extensions`; returns the extension types
    /// (only `extend` blocks, or `@extends`) whose key fields lose `@external`.
    fn finish_declarations(&mut self) -> HashSet<Name> {
        let fed1 = self.link.version.is_fed1();
        let mut extension_types = HashSet::new();
        for ty in self.types.values_mut() {
            let Some(declared) = self.declarations.get(&ty.name) else {
                continue;
            };
            let root = is_root(&ty.name);
            ty.extension = !root && (declared.extends || (!fed1 && declared.definitions == 0));
            ty.only_extensions = !root && declared.all_extensions;
            if declared.extends || declared.definitions == 0 {
                extension_types.insert(ty.name.clone());
            }
        }
        extension_types
    }

    fn read_fields(
        &mut self,
        parent: &Name,
        block: &Block<'_>,
        applied: &Applied,
    ) -> Vec<SubField> {
        let machinery =
            |field: &Name| parent == "Query" && matches!(field.as_str(), "_service" | "_entities");
        let mut fields: Vec<SubField> = block
            .fields
            .iter()
            .filter(|def| !machinery(&def.name))
            .map(|def| self.read_field(parent, def, applied))
            .collect();
        fields.extend(
            block
                .input_fields
                .iter()
                .map(|def| self.read_input_field(parent, def)),
        );
        fields
    }

    /// An object or interface field; `block` holds its type-level directives.
    fn read_field(
        &mut self,
        parent: &Name,
        def: &Node<FieldDefinition>,
        block: &Applied,
    ) -> SubField {
        let owner = format!("{parent}.{}", def.name);
        let own = self.read_directives(&def.directives, &owner);
        let args = def
            .arguments
            .iter()
            .map(|arg| self.read_argument(arg, &owner))
            .collect();
        SubField {
            name: def.name.clone(),
            ty: self.roots.rename_type(&def.ty),
            common: self.common(def.description.as_ref(), &own, def.name.location()),
            args,
            default: None,
            shareable: self.link.version.is_fed1() || own.shareable || block.shareable,
            shareable_written: own.shareable || block.shareable,
            external: own.external || block.external,
            requires: own.requires,
            provides: own.provides,
            override_from: own.override_from,
            override_label: own.override_label,
            context_arguments: Vec::new(),
        }
    }

    fn read_input_field(&mut self, parent: &Name, def: &Node<InputValueDefinition>) -> SubField {
        let own = self.read_directives(&def.directives, &format!("{parent}.{}", def.name));
        SubField {
            name: def.name.clone(),
            ty: (*def.ty).clone(),
            common: self.common(def.description.as_ref(), &own, def.name.location()),
            args: Vec::new(),
            default: def.default_value.clone(),
            shareable: self.link.version.is_fed1(),
            shareable_written: false,
            external: false,
            requires: None,
            provides: None,
            override_from: None,
            override_label: None,
            context_arguments: Vec::new(),
        }
    }

    fn read_argument(&mut self, def: &Node<InputValueDefinition>, field: &str) -> SubArgument {
        let own = self.read_directives(&def.directives, &format!("{field}({}:)", def.name));
        SubArgument {
            name: def.name.clone(),
            ty: (*def.ty).clone(),
            default: def.default_value.clone(),
            common: self.common(def.description.as_ref(), &own, def.name.location()),
            from_context: own.from_context,
        }
    }

    fn read_enum_value(&mut self, def: &Node<EnumValueDefinition>) -> SubEnumValue {
        let own = self.read_directives(&def.directives, &def.value);
        SubEnumValue {
            name: def.value.clone(),
            common: self.common(def.description.as_ref(), &own, def.value.location()),
        }
    }

    fn common(
        &self,
        description: Option<&Node<str>>,
        applied: &Applied,
        span: Option<SourceSpan>,
    ) -> Common {
        Common {
            description: description.map(ToString::to_string),
            inaccessible: applied.inaccessible,
            tags: applied.tags.clone(),
            deprecated: applied.deprecated.clone(),
            applied: applied.composed.clone(),
            access: applied.access.clone(),
            cost: applied.cost.clone(),
            location: self.location(span),
        }
    }

    /// Reads the directives of the element `owner` (for messages).
    fn read_directives(&mut self, directives: &DirectiveList, owner: &str) -> Applied {
        let mut applied = Applied::default();
        for directive in directives {
            let name = directive.name.as_str();
            match self.link.meaning(name) {
                Some(meaning) => self.apply(&mut applied, meaning, directive, owner),
                None if name == "deprecated" => {
                    let reason = string_argument(directive, "reason");
                    applied.deprecated = Some(reason);
                }
                None if name == "specifiedBy" => {
                    applied.specified_by = string_argument(directive, "url");
                }
                None if name == "oneOf" => applied.one_of = true,
                None if self.composed.contains_key(name) => {
                    applied.composed.push(AppliedDirective {
                        directive: directive.clone(),
                        repeatable: self.composed.get(name).copied().unwrap_or(false),
                    });
                }
                None => {}
            }
        }
        applied
    }

    fn apply(
        &mut self,
        applied: &mut Applied,
        meaning: FedDirective,
        directive: &Node<Directive>,
        owner: &str,
    ) {
        match meaning {
            FedDirective::Key => {
                if let Some(key) = self.read_key(directive, owner) {
                    applied.keys.push(key);
                }
            }
            FedDirective::Requires => applied.requires = string_argument(directive, "fields"),
            FedDirective::Provides => applied.provides = string_argument(directive, "fields"),
            FedDirective::External => applied.external = true,
            FedDirective::Shareable => applied.shareable = true,
            FedDirective::Override => {
                applied.override_from = string_argument(directive, "from");
                // An empty label is no label (Apollo composes it as a plain override).
                applied.override_label =
                    string_argument(directive, "label").filter(|label| !label.is_empty());
            }
            FedDirective::Inaccessible => applied.inaccessible = true,
            FedDirective::Tag => {
                if let Some(tag) = string_argument(directive, "name") {
                    if !applied.tags.contains(&tag) {
                        applied.tags.push(tag);
                    }
                }
            }
            FedDirective::InterfaceObject => applied.interface_object = true,
            FedDirective::Extends => applied.extends = true,
            FedDirective::Authenticated => applied.access.authenticated = true,
            FedDirective::RequiresScopes => {
                applied.access.scopes = access::requirement(directive, "scopes");
            }
            FedDirective::Policy => {
                applied.access.policies = access::requirement(directive, "policies");
            }
            FedDirective::Cost => applied.cost.weight = access::weight(directive),
            FedDirective::ListSize => applied.cost.list_size = Some(access::list_size(directive)),
            FedDirective::Context => applied.contexts.extend(string_argument(directive, "name")),
            FedDirective::FromContext => applied.from_context = string_argument(directive, "field"),
            FedDirective::ComposeDirective | FedDirective::CacheTag => {}
        }
    }

    fn read_key(&mut self, directive: &Node<Directive>, owner: &str) -> Option<Key> {
        let location = self.location(directive.location());
        let fields = directive.specified_argument_by_name("fields");
        let Some(fields) = fields.and_then(|v| v.as_str()) else {
            let shown = fields.map_or_else(|| "<missing>".to_string(), ToString::to_string);
            let message = format!(
                "The @key on type \"{owner}\" has fields: {shown}, but a key's fields must be given as a string"
            );
            self.errors.push(
                CompositionError::new("KEY_INVALID_FIELDS_TYPE", message)
                    .at(self.subgraph, location),
            );
            return None;
        };
        let resolvable = directive
            .specified_argument_by_name("resolvable")
            .and_then(|v| v.to_bool());
        Some(Key {
            fields: fields.to_string(),
            resolvable,
            location,
        })
    }

    fn location(&self, span: Option<SourceSpan>) -> Location {
        location_of(span, self.sources)
    }
}

fn string_argument(directive: &Directive, name: &str) -> Option<String> {
    match directive.specified_argument_by_name(name).map(|v| &**v) {
        Some(Value::String(value)) => Some(value.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
