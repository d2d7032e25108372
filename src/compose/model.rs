//! The composer's two intermediate forms.
//!
//! [`Subgraph`]: one subgraph as federation sees it, its directives
//! resolved to their meaning whatever names it imported them under,
//! extensions folded into their type, root types renamed to
//! `Query`/`Mutation`/`Subscription`, Federation 1 subgraphs already
//! upgraded (every field shareable, unused `@external` fields removed).
//!
//! [`Supergraph`]: the merged result with its `@join__*` information,
//! before printing. Types and fields keep first-appearance order (graphs
//! walked in graph order); the printer sorts what Apollo's format sorts.

use apollo_compiler::ast::{Directive, DirectiveDefinition, Type, Value};
use apollo_compiler::{Name, Node};
use indexmap::IndexMap;

pub use super::access::{Access, Cost, ListSize};

/// Index of a subgraph in graph order (subgraphs sorted by name, byte order).
pub type GraphId = usize;

/// The kinds of named types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeKind {
    Object,
    Interface,
    Union,
    Enum,
    InputObject,
    Scalar,
}

/// The federation version a subgraph links (`None` minor: Federation 1, no `@link`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct FederationVersion {
    /// `None` for Federation 1; `Some(n)` for `federation/v2.n`.
    pub minor: Option<u32>,
}

impl FederationVersion {
    pub const FED1: Self = Self { minor: None };

    pub fn is_fed1(self) -> bool {
        self.minor.is_none()
    }
}

/// Where in a subgraph's SDL something is, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

/// `@deprecated(reason:)`: `Some(None)` when deprecated without a reason.
pub type Deprecation = Option<Option<String>>;

/// Directives every element may carry that survive into the supergraph.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Common {
    pub description: Option<String>,
    pub inaccessible: bool,
    /// `@tag(name:)` values, in order, without duplicates.
    pub tags: Vec<String>,
    pub deprecated: Deprecation,
    /// Applications of directives kept by `@composeDirective`, in order.
    pub applied: Vec<AppliedDirective>,
    /// `@authenticated`, `@requiresScopes`, `@policy`.
    pub access: Access,
    /// `@cost`, `@listSize`.
    pub cost: Cost,
    pub location: Location,
}

impl Common {
    /// Adds an application of a composed directive unless the element
    /// already has it: the same arguments for a repeatable directive, any
    /// application of a non-repeatable one (the first one wins).
    pub fn add_applied(&mut self, new: &AppliedDirective) {
        let has = self.applied.iter().any(|old| {
            old.directive.name == new.directive.name
                && (!new.repeatable || old.directive.arguments == new.directive.arguments)
        });
        if !has {
            self.applied.push(new.clone());
        }
    }
}

/// One application of a composed custom directive.
#[derive(Debug, Clone, PartialEq)]
pub struct AppliedDirective {
    pub directive: Node<Directive>,
    /// Its definition says `repeatable`: merging keeps every distinct
    /// application, not only the first.
    pub repeatable: bool,
}

/// A custom directive a subgraph keeps in the supergraph with
/// `@composeDirective(name:)`, imported from a `@link`ed feature.
#[derive(Debug, Clone)]
pub struct ComposedDirective {
    /// Its name in the subgraph (and the supergraph), without `@`.
    pub name: Name,
    /// Its name in the linked feature (differs when imported with `as:`).
    pub spec_name: String,
    /// The feature's `@link` url without its `/vX.Y`.
    pub identity: String,
    pub major: u32,
    pub minor: u32,
    /// The `@link` url as written.
    pub url: String,
    pub definition: Node<DirectiveDefinition>,
    pub location: Location,
}

/// One subgraph, ready to merge.
#[derive(Debug, Clone)]
pub struct Subgraph {
    pub name: String,
    pub url: String,
    pub federation: FederationVersion,
    /// Custom directives kept by `@composeDirective`.
    pub composed: Vec<ComposedDirective>,
    /// Types in declaration order (an extension adds to its type's entry).
    pub types: IndexMap<Name, SubType>,
    /// Every (type, field) its `@provides` name, worked out once when the
    /// subgraph is read (see `provided`).
    pub provided: std::collections::HashSet<(String, String)>,
}

/// A `@key` as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// The `fields` string, verbatim (block strings by their value).
    pub fields: String,
    /// `resolvable:` when spelled out (printed back only then).
    pub resolvable: Option<bool>,
    pub location: Location,
}

/// A named type of a subgraph.
#[derive(Debug, Clone)]
pub struct SubType {
    pub name: Name,
    pub kind: TypeKind,
    pub common: Common,
    pub keys: Vec<Key>,
    /// Declared with `@extends`, or with `extend type` in a Federation 2 subgraph.
    pub extension: bool,
    /// Every declaration of the type in this subgraph is an extension
    /// (`extend type`, `@extends`): some other subgraph must define it.
    pub only_extensions: bool,
    /// An object type marked `@interfaceObject` (an interface elsewhere).
    pub interface_object: bool,
    /// Interfaces it implements, in declaration order.
    pub implements: Vec<Name>,
    /// Object, interface and input object fields, in declaration order.
    pub fields: IndexMap<Name, SubField>,
    /// Union members, in declaration order.
    pub members: Vec<Name>,
    /// Enum values, in declaration order.
    pub values: Vec<SubEnumValue>,
    /// A scalar's `@specifiedBy(url:)`.
    pub specified_by: Option<String>,
    /// An input object marked `@oneOf` (exactly one field per value).
    pub one_of: bool,
    /// `@context(name:)` names declared on the type, as written.
    pub contexts: Vec<String>,
}

/// An argument a subgraph fills from an enclosing type's context
/// (`@fromContext`): it leaves the supergraph's field and becomes a
/// `contextArguments` entry of the field's `@join__field`.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextArgument {
    /// The context's supergraph name: `<subgraph>__<name>`.
    pub context: String,
    /// The argument's name.
    pub name: String,
    /// The argument's type, printed.
    pub ty: String,
    /// The selection after `$name` in `@fromContext(field:)`, verbatim.
    pub selection: String,
}

/// A field (or input field) of a subgraph type.
#[derive(Debug, Clone)]
pub struct SubField {
    pub name: Name,
    pub ty: Type,
    pub common: Common,
    pub args: Vec<SubArgument>,
    /// An input field's default value.
    pub default: Option<Node<Value>>,
    /// May be resolved by several subgraphs: `@shareable` on the field or
    /// on the type definition declaring it, part of a `@key` here, or a
    /// Federation 1 subgraph.
    pub shareable: bool,
    /// `@shareable` written on the field or on the type definition
    /// declaring it (not implied by a key or Federation 1): where it may
    /// not appear at all (interface fields) that is an error.
    pub shareable_written: bool,
    /// `@external` on the field or on the type definition declaring it
    /// (dropped for key fields of extension types).
    pub external: bool,
    /// `@requires(fields:)` verbatim.
    pub requires: Option<String>,
    /// `@provides(fields:)` verbatim.
    pub provides: Option<String>,
    /// `@override(from:)`.
    pub override_from: Option<String>,
    /// `@override(label:)`.
    pub override_label: Option<String>,
    /// Arguments filled from a context (removed from `args`).
    pub context_arguments: Vec<ContextArgument>,
}

/// An argument of a field.
#[derive(Debug, Clone)]
pub struct SubArgument {
    pub name: Name,
    pub ty: Type,
    pub default: Option<Node<Value>>,
    pub common: Common,
    /// `@fromContext(field:)`, verbatim.
    pub from_context: Option<String>,
}

/// An enum value.
#[derive(Debug, Clone)]
pub struct SubEnumValue {
    pub name: Name,
    pub common: Common,
}

/// One subgraph in the supergraph's `join__Graph` enum.
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    /// The subgraph's name, as given.
    pub name: String,
    pub url: String,
    /// The `join__Graph` value (`all-products` → `ALL_PRODUCTS`).
    pub enum_value: String,
}

/// The join spec version the supergraph links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum JoinVersion {
    V0_3,
    V0_4,
    V0_5,
}

/// The merged supergraph, ready to print.
#[derive(Debug, Clone)]
pub struct Supergraph {
    /// In graph order.
    pub graphs: Vec<Graph>,
    pub join_version: JoinVersion,
    pub has_mutation: bool,
    pub has_subscription: bool,
    /// Some element is `@inaccessible` (links inaccessible/v0.2).
    pub uses_inaccessible: bool,
    /// Some element has a `@tag` (links tag/v0.3).
    pub uses_tag: bool,
    /// Some type declares a `@context` (links context/v0.1).
    pub uses_context: bool,
    /// Some input object is `@oneOf` (defines the directive).
    pub uses_one_of: bool,
    /// Which access-control and demand-control directives some element has.
    pub uses_access: AccessUse,
    /// Linked features whose directives `@composeDirective` keeps.
    pub features: Vec<ComposedFeature>,
    /// Every named type, first-appearance order.
    pub types: Vec<SuperType>,
}

/// The access-control and demand-control directives a supergraph uses
/// (each links its feature and defines its directive).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccessUse {
    pub authenticated: bool,
    pub scopes: bool,
    pub policies: bool,
    pub cost: bool,
    pub list_size: bool,
}

/// A custom feature in the supergraph: its `@link` and the definitions
/// of the directives composed from it.
#[derive(Debug, Clone)]
pub struct ComposedFeature {
    /// The url of the newest version any subgraph links.
    pub url: String,
    /// `(spec name, supergraph name)` of each composed directive, without `@`.
    pub imports: Vec<(String, Name)>,
    pub definitions: Vec<Node<DirectiveDefinition>>,
}

/// `@join__type(graph:, key:, extension:, resolvable:, isInterfaceObject:)`.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinType {
    pub graph: GraphId,
    pub key: Option<String>,
    pub extension: bool,
    pub resolvable: Option<bool>,
    pub interface_object: bool,
}

/// `@join__field(…)`; a bare `@join__field` has `graph: None`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JoinField {
    pub graph: Option<GraphId>,
    pub requires: Option<String>,
    pub provides: Option<String>,
    /// The field's type in this graph, when it differs between graphs.
    pub ty: Option<String>,
    pub external: bool,
    pub override_from: Option<String>,
    pub used_overridden: bool,
    pub override_label: Option<String>,
    /// `contextArguments:` (join v0.5).
    pub context_arguments: Vec<ContextArgument>,
}

/// A merged named type.
#[derive(Debug, Clone)]
pub struct SuperType {
    pub name: Name,
    pub kind: TypeKind,
    pub common: Common,
    pub implements: Vec<Name>,
    /// `@join__implements(graph:, interface:)`, in print order.
    pub join_implements: Vec<(GraphId, Name)>,
    /// `@join__type`, in print order.
    pub join_types: Vec<JoinType>,
    pub fields: Vec<SuperField>,
    pub members: Vec<Name>,
    /// `@join__unionMember(graph:, member:)`, in print order.
    pub join_members: Vec<(GraphId, Name)>,
    pub values: Vec<SuperEnumValue>,
    pub specified_by: Option<String>,
    /// `@oneOf`: some subgraph marks the input object so (the stricter
    /// reading wins: a value with one field is valid for every subgraph).
    pub one_of: bool,
    /// `@context(name:)` in supergraph names (`<subgraph>__<name>`).
    pub contexts: Vec<String>,
}

/// A merged field or input field.
#[derive(Debug, Clone)]
pub struct SuperField {
    pub name: Name,
    pub ty: Type,
    pub common: Common,
    pub args: Vec<SuperArgument>,
    pub default: Option<Node<Value>>,
    /// `@join__field` applications, in print order (empty: none printed).
    pub join_fields: Vec<JoinField>,
}

/// A merged argument.
#[derive(Debug, Clone)]
pub struct SuperArgument {
    pub name: Name,
    pub ty: Type,
    pub default: Option<Node<Value>>,
    pub common: Common,
}

/// A merged enum value.
#[derive(Debug, Clone)]
pub struct SuperEnumValue {
    pub name: Name,
    pub common: Common,
    /// Graphs defining the value (`@join__enumValue(graph:)` each).
    pub graphs: Vec<GraphId>,
}
