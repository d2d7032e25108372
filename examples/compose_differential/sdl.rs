//! A subgraph set as syntax trees the mutation rules edit: where the
//! fields, arguments and types are ("sites"), the federation `@link` of a
//! subgraph, and small pieces of SDL parsed on demand (a directive, a
//! field, a type) so rules write GraphQL rather than build nodes by hand.
//! Printing goes back through apollo-compiler, so a mutated subgraph is
//! reformatted but otherwise the same text both composers read.

use apollo_compiler::ast::{
    Definition, Directive, DirectiveList, Document, FieldDefinition, InputValueDefinition, Type,
    Value,
};
use apollo_compiler::{Name, Node};
use junction::compose::SubgraphInput;

/// One subgraph of a set being mutated.
#[derive(Clone)]
pub struct Doc {
    pub name: String,
    pub url: String,
    pub ast: Document,
}

/// A set being mutated.
#[derive(Clone)]
pub struct Work {
    pub docs: Vec<Doc>,
}

/// A field of an object or interface type (definition or extension).
#[derive(Clone, Copy, Debug)]
pub struct FieldSite {
    pub doc: usize,
    pub def: usize,
    pub field: usize,
}

/// A type definition or extension.
#[derive(Clone, Copy, Debug)]
pub struct TypeSite {
    pub doc: usize,
    pub def: usize,
}

impl Work {
    /// The set's subgraphs as syntax trees; `None` when one does not parse.
    pub fn parse(subgraphs: &[SubgraphInput]) -> Option<Work> {
        let docs = subgraphs
            .iter()
            .map(|s| {
                Some(Doc {
                    name: s.name.clone(),
                    url: s.url.clone(),
                    ast: Document::parse(s.sdl.as_str(), format!("{}.graphql", s.name)).ok()?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Work { docs })
    }

    pub fn print(&self) -> Vec<SubgraphInput> {
        self.docs
            .iter()
            .map(|d| SubgraphInput {
                name: d.name.clone(),
                url: d.url.clone(),
                sdl: d.ast.to_string(),
            })
            .collect()
    }

    pub fn type_sites(&self, keep: impl Fn(&Doc, &Definition) -> bool) -> Vec<TypeSite> {
        let mut sites = Vec::new();
        for (d, doc) in self.docs.iter().enumerate() {
            for (i, def) in doc.ast.definitions.iter().enumerate() {
                if def.name().is_some() && keep(doc, def) {
                    sites.push(TypeSite { doc: d, def: i });
                }
            }
        }
        sites
    }

    pub fn field_sites(
        &self,
        keep: impl Fn(&Doc, &Definition, &FieldDefinition) -> bool,
    ) -> Vec<FieldSite> {
        let mut sites = Vec::new();
        for (d, doc) in self.docs.iter().enumerate() {
            for (i, def) in doc.ast.definitions.iter().enumerate() {
                for (f, field) in fields(def).iter().enumerate() {
                    if keep(doc, def, field) {
                        sites.push(FieldSite {
                            doc: d,
                            def: i,
                            field: f,
                        });
                    }
                }
            }
        }
        sites
    }

    pub fn def(&self, site: TypeSite) -> &Definition {
        &self.docs[site.doc].ast.definitions[site.def]
    }

    pub fn def_mut(&mut self, site: TypeSite) -> &mut Definition {
        &mut self.docs[site.doc].ast.definitions[site.def]
    }

    pub fn field(&self, site: FieldSite) -> Option<&FieldDefinition> {
        fields(&self.docs[site.doc].ast.definitions[site.def])
            .get(site.field)
            .map(|f| &**f)
    }

    pub fn field_mut(&mut self, site: FieldSite) -> Option<&mut FieldDefinition> {
        let def = &mut self.docs[site.doc].ast.definitions[site.def];
        fields_mut(def)?.get_mut(site.field).map(Node::make_mut)
    }

    /// The name of the type a field site is in.
    pub fn parent_name(&self, site: FieldSite) -> String {
        type_name(self.def(TypeSite {
            doc: site.doc,
            def: site.def,
        }))
    }

    /// Whether any subgraph other than `doc` defines or extends type `name`.
    pub fn defined_elsewhere(&self, doc: usize, name: &str) -> bool {
        self.docs.iter().enumerate().any(|(d, other)| {
            d != doc
                && other
                    .ast
                    .definitions
                    .iter()
                    .any(|def| def.name().is_some_and(|n| n == name))
        })
    }

    /// The definition of type `name` in subgraph `doc`, if any.
    pub fn find_def(&self, doc: usize, name: &str) -> Option<&Definition> {
        self.docs[doc]
            .ast
            .definitions
            .iter()
            .find(|def| def.name().is_some_and(|n| n == name))
    }
}

pub fn type_name(def: &Definition) -> String {
    def.name().map(|n| n.to_string()).unwrap_or_default()
}

/// The fields of an object or interface type; none for other definitions.
pub fn fields(def: &Definition) -> &[Node<FieldDefinition>] {
    match def {
        Definition::ObjectTypeDefinition(d) => &d.fields,
        Definition::ObjectTypeExtension(d) => &d.fields,
        Definition::InterfaceTypeDefinition(d) => &d.fields,
        Definition::InterfaceTypeExtension(d) => &d.fields,
        _ => &[],
    }
}

pub fn fields_mut(def: &mut Definition) -> Option<&mut Vec<Node<FieldDefinition>>> {
    match def {
        Definition::ObjectTypeDefinition(d) => Some(&mut Node::make_mut(d).fields),
        Definition::ObjectTypeExtension(d) => Some(&mut Node::make_mut(d).fields),
        Definition::InterfaceTypeDefinition(d) => Some(&mut Node::make_mut(d).fields),
        Definition::InterfaceTypeExtension(d) => Some(&mut Node::make_mut(d).fields),
        _ => None,
    }
}

pub fn input_fields_mut(def: &mut Definition) -> Option<&mut Vec<Node<InputValueDefinition>>> {
    match def {
        Definition::InputObjectTypeDefinition(d) => Some(&mut Node::make_mut(d).fields),
        Definition::InputObjectTypeExtension(d) => Some(&mut Node::make_mut(d).fields),
        _ => None,
    }
}

pub fn directives_mut(def: &mut Definition) -> Option<&mut DirectiveList> {
    Some(match def {
        Definition::SchemaDefinition(d) => &mut Node::make_mut(d).directives,
        Definition::SchemaExtension(d) => &mut Node::make_mut(d).directives,
        Definition::ScalarTypeDefinition(d) => &mut Node::make_mut(d).directives,
        Definition::ObjectTypeDefinition(d) => &mut Node::make_mut(d).directives,
        Definition::ObjectTypeExtension(d) => &mut Node::make_mut(d).directives,
        Definition::InterfaceTypeDefinition(d) => &mut Node::make_mut(d).directives,
        Definition::InterfaceTypeExtension(d) => &mut Node::make_mut(d).directives,
        Definition::UnionTypeDefinition(d) => &mut Node::make_mut(d).directives,
        Definition::EnumTypeDefinition(d) => &mut Node::make_mut(d).directives,
        Definition::InputObjectTypeDefinition(d) => &mut Node::make_mut(d).directives,
        _ => return None,
    })
}

pub fn is_object(def: &Definition) -> bool {
    matches!(
        def,
        Definition::ObjectTypeDefinition(_) | Definition::ObjectTypeExtension(_)
    )
}

pub fn is_interface(def: &Definition) -> bool {
    matches!(
        def,
        Definition::InterfaceTypeDefinition(_) | Definition::InterfaceTypeExtension(_)
    )
}

pub fn is_root(name: &str) -> bool {
    matches!(name, "Query" | "Mutation" | "Subscription")
}

/// The interfaces an object or interface type declares it implements.
pub fn implements(def: &Definition) -> &[Name] {
    match def {
        Definition::ObjectTypeDefinition(d) => &d.implements_interfaces,
        Definition::ObjectTypeExtension(d) => &d.implements_interfaces,
        Definition::InterfaceTypeDefinition(d) => &d.implements_interfaces,
        _ => &[],
    }
}

/// Whether a type is a list at any depth.
pub fn is_list(ty: &Type) -> bool {
    matches!(ty, Type::List(_) | Type::NonNullList(_))
}

pub fn is_builtin_scalar(name: &str) -> bool {
    matches!(name, "String" | "Int" | "Float" | "Boolean" | "ID")
}

/// A string argument of a directive application.
pub fn string_arg(directive: &Directive, name: &str) -> Option<String> {
    match directive.specified_argument_by_name(name).map(|v| &**v) {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

/// Sets (or adds) a directive argument.
pub fn set_arg(directive: &mut Node<Directive>, name: &str, value: Value) {
    let directive = Node::make_mut(directive);
    match directive.specified_argument_by_name_mut(name) {
        Some(v) => *v = Node::new(value),
        None => directive
            .arguments
            .push(Node::new(apollo_compiler::ast::Argument {
                name: Name::new_unchecked(name),
                value: Node::new(value),
            })),
    }
}

/// One directive application written as SDL, e.g. `@key(fields: "id")`.
pub fn directive(sdl: &str) -> Option<Node<Directive>> {
    let doc = Document::parse(format!("scalar X {sdl}"), "directive.graphql").ok()?;
    doc.definitions.first()?.directives().first().cloned()
}

/// One field written as SDL, e.g. `tick(every: Int!): Int @shareable`.
pub fn field(sdl: &str) -> Option<Node<FieldDefinition>> {
    let doc = Document::parse(format!("type X {{ {sdl} }}"), "field.graphql").ok()?;
    fields(doc.definitions.first()?).first().cloned()
}

/// One input value written as SDL, e.g. `limit: Int = 5`.
pub fn input_value(sdl: &str) -> Option<Node<InputValueDefinition>> {
    let doc = Document::parse(format!("input X {{ {sdl} }}"), "input.graphql").ok()?;
    match doc.definitions.first()? {
        Definition::InputObjectTypeDefinition(d) => d.fields.first().cloned(),
        _ => None,
    }
}

/// A type reference written as SDL, e.g. `[Int!]!`.
pub fn ty(sdl: &str) -> Option<Type> {
    Some(field(&format!("f: {sdl}"))?.ty.clone())
}

/// Definitions written as SDL.
pub fn definitions(sdl: &str) -> Option<Vec<Definition>> {
    Some(
        Document::parse(sdl, "definitions.graphql")
            .ok()?
            .definitions,
    )
}

/// Calls `visit` on every directive list of a document: on definitions,
/// fields, arguments, enum values and input fields.
pub fn visit_directive_lists(doc: &mut Document, mut visit: impl FnMut(&mut DirectiveList)) {
    for def in &mut doc.definitions {
        if let Some(list) = directives_mut(def) {
            visit(list);
        }
        if let Some(fields) = fields_mut(def) {
            for field in fields {
                let field = Node::make_mut(field);
                visit(&mut field.directives);
                for argument in &mut field.arguments {
                    visit(&mut Node::make_mut(argument).directives);
                }
            }
        }
        if let Some(fields) = input_fields_mut(def) {
            for field in fields {
                visit(&mut Node::make_mut(field).directives);
            }
        }
        if let Definition::EnumTypeDefinition(e) = def {
            for value in &mut Node::make_mut(e).values {
                visit(&mut Node::make_mut(value).directives);
            }
        }
    }
}

/// How many times a directive named `local` is applied in a document.
pub fn uses(doc: &Document, local: &str) -> usize {
    let mut copy = doc.clone();
    let mut count = 0;
    visit_directive_lists(&mut copy, |list| {
        count += list.iter().filter(|d| d.name == local).count();
    });
    count
}
