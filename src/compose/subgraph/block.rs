//! One type declaration block (`type`, `extend type`, `interface`, …,
//! `extend scalar`) seen through one shape, and its folding into the
//! type's [`SubType`], so every kind and every extension is read the
//! same way.

use apollo_compiler::ast::{
    Definition, DirectiveList, EnumValueDefinition, FieldDefinition, InputValueDefinition,
};
use apollo_compiler::{Name, Node};
use indexmap::IndexMap;

use super::roots::Roots;
use super::Applied;
use crate::compose::model::{Common, Location, SubEnumValue, SubField, SubType, TypeKind};

/// One `type`/`extend type` (or other kind) block, whatever its kind.
pub(super) struct Block<'d> {
    pub(super) kind: TypeKind,
    pub(super) name: &'d Name,
    /// Declared with the `extend` keyword.
    pub(super) keyword_extension: bool,
    pub(super) description: Option<&'d Node<str>>,
    pub(super) directives: &'d DirectiveList,
    pub(super) implements: &'d [Name],
    pub(super) fields: &'d [Node<FieldDefinition>],
    pub(super) input_fields: &'d [Node<InputValueDefinition>],
    pub(super) members: &'d [Name],
    pub(super) values: &'d [Node<EnumValueDefinition>],
}

impl<'d> Block<'d> {
    fn new(
        kind: TypeKind,
        name: &'d Name,
        keyword_extension: bool,
        directives: &'d DirectiveList,
    ) -> Self {
        Self {
            kind,
            name,
            keyword_extension,
            description: None,
            directives,
            implements: &[],
            fields: &[],
            input_fields: &[],
            members: &[],
            values: &[],
        }
    }

    pub(super) fn of(definition: &'d Definition) -> Option<Self> {
        use TypeKind::{Enum, InputObject, Interface, Object, Scalar, Union};
        let block = match definition {
            Definition::ObjectTypeDefinition(d) => Self {
                description: d.description.as_ref(),
                implements: &d.implements_interfaces,
                fields: &d.fields,
                ..Self::new(Object, &d.name, false, &d.directives)
            },
            Definition::ObjectTypeExtension(d) => Self {
                implements: &d.implements_interfaces,
                fields: &d.fields,
                ..Self::new(Object, &d.name, true, &d.directives)
            },
            Definition::InterfaceTypeDefinition(d) => Self {
                description: d.description.as_ref(),
                implements: &d.implements_interfaces,
                fields: &d.fields,
                ..Self::new(Interface, &d.name, false, &d.directives)
            },
            Definition::InterfaceTypeExtension(d) => Self {
                implements: &d.implements_interfaces,
                fields: &d.fields,
                ..Self::new(Interface, &d.name, true, &d.directives)
            },
            Definition::UnionTypeDefinition(d) => Self {
                description: d.description.as_ref(),
                members: &d.members,
                ..Self::new(Union, &d.name, false, &d.directives)
            },
            Definition::UnionTypeExtension(d) => Self {
                members: &d.members,
                ..Self::new(Union, &d.name, true, &d.directives)
            },
            Definition::EnumTypeDefinition(d) => Self {
                description: d.description.as_ref(),
                values: &d.values,
                ..Self::new(Enum, &d.name, false, &d.directives)
            },
            Definition::EnumTypeExtension(d) => Self {
                values: &d.values,
                ..Self::new(Enum, &d.name, true, &d.directives)
            },
            Definition::InputObjectTypeDefinition(d) => Self {
                description: d.description.as_ref(),
                input_fields: &d.fields,
                ..Self::new(InputObject, &d.name, false, &d.directives)
            },
            Definition::InputObjectTypeExtension(d) => Self {
                input_fields: &d.fields,
                ..Self::new(InputObject, &d.name, true, &d.directives)
            },
            Definition::ScalarTypeDefinition(d) => Self {
                description: d.description.as_ref(),
                ..Self::new(Scalar, &d.name, false, &d.directives)
            },
            Definition::ScalarTypeExtension(d) => Self::new(Scalar, &d.name, true, &d.directives),
            _ => return None,
        };
        Some(block)
    }
}

pub(super) fn empty_type(name: Name, kind: TypeKind, location: Location) -> SubType {
    SubType {
        name,
        kind,
        common: Common {
            location,
            ..Common::default()
        },
        keys: Vec::new(),
        extension: false,
        only_extensions: false,
        interface_object: false,
        implements: Vec::new(),
        fields: IndexMap::new(),
        members: Vec::new(),
        values: Vec::new(),
        specified_by: None,
        one_of: false,
        contexts: Vec::new(),
    }
}

/// Folds one block's type-level parts into its type.
pub(super) fn merge_block(ty: &mut SubType, block: &Block<'_>, applied: Applied, roots: &Roots) {
    if ty.common.description.is_none() {
        ty.common.description = block.description.map(ToString::to_string);
    }
    ty.common.inaccessible |= applied.inaccessible;
    for tag in applied.tags {
        if !ty.common.tags.contains(&tag) {
            ty.common.tags.push(tag);
        }
    }
    for directive in &applied.composed {
        ty.common.add_applied(directive);
    }
    ty.common.access.merge(&applied.access);
    ty.contexts.extend(applied.contexts);
    ty.common.cost.merge(&applied.cost);
    ty.keys.extend(applied.keys);
    ty.interface_object |= applied.interface_object;
    ty.specified_by = ty.specified_by.take().or(applied.specified_by);
    ty.one_of |= applied.one_of && ty.kind == TypeKind::InputObject;
    push_new(&mut ty.implements, block.implements.iter().cloned());
    push_new(
        &mut ty.members,
        block.members.iter().map(|m| roots.rename(m)),
    );
}

fn push_new(list: &mut Vec<Name>, names: impl Iterator<Item = Name>) {
    for name in names {
        if !list.contains(&name) {
            list.push(name);
        }
    }
}

/// Adds fields; returns the names already present.
pub(super) fn add_fields(ty: &mut SubType, fields: Vec<SubField>) -> Vec<Name> {
    let mut duplicates = Vec::new();
    for field in fields {
        if ty.fields.contains_key(&field.name) {
            duplicates.push(field.name);
        } else {
            ty.fields.insert(field.name.clone(), field);
        }
    }
    duplicates
}

/// Adds enum values; returns the names already present.
pub(super) fn add_values(ty: &mut SubType, values: Vec<SubEnumValue>) -> Vec<Name> {
    let mut duplicates = Vec::new();
    for value in values {
        if ty.values.iter().any(|v| v.name == value.name) {
            duplicates.push(value.name);
        } else {
            ty.values.push(value);
        }
    }
    duplicates
}
