//! Which fields of an operation a caller may not have: every field
//! selection (fragments inlined) is checked by its schema coordinate —
//! `Query.users` with `read` (a mutation root field with `write`, a
//! subscription's with `subscribe`), `User.email` with `read` below.
//!
//! A field selected on an interface is checked on the interface and on
//! every object type implementing it, and denied if any of them denies it:
//! an interface cannot be a way around a rule on one of its types.
//! `__typename` is always allowed; `__schema` and `__type` belong to
//! introspection, which has its own switch.

use apollo_compiler::ast::OperationType;
use apollo_compiler::schema::{ExtendedType, Implementers};
use apollo_compiler::{Name, Schema};

use std::sync::Arc;

use super::org::{OrgScoped, ORG_KEY};
use super::pii::{PiiFields, Redaction};
use super::requirements::{Holder, Requirements};
use super::Action;
use crate::graphql_error::PathElement;
use crate::operation::{
    Field, InlineFragment, PreparedOperation, Rewriter, Selection, SelectionSet,
};

/// The marker of a list level in a denial's path (as Apollo Router's
/// authorization errors write it).
pub const LIST_MARKER: &str = "@";

/// One field selection the caller may not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    /// The coordinate that was refused, e.g. `User.email`.
    pub coordinate: String,
    pub action: Action,
    /// Where the field is in the response: response keys, [`LIST_MARKER`]
    /// for each list level above it.
    pub path: Vec<PathElement>,
}

/// What the analysis looks things up in.
pub struct Analysis<'a, A: Fn(&str, Action) -> bool, P: Fn(&str) -> bool> {
    pub schema: &'a Schema,
    pub implementers: &'a apollo_compiler::collections::HashMap<Name, Implementers>,
    /// Whether the caller may do the action on the coordinate.
    pub allows: A,
    /// What the supergraph's directives ask for, and what the caller has.
    pub requirements: &'a Requirements,
    pub holder: Holder<'a, P>,
    /// The `@pii` fields, and those of the PII rules file, redacted unless
    /// the caller may `unmask` them, and the key of their pseudonyms.
    pub pii: &'a PiiFields,
    pub pii_rules: &'a PiiFields,
    pub pii_key: &'a Arc<[u8]>,
    /// The org-scoped types, whose org field is fetched with every object.
    pub org_scoped: &'a OrgScoped,
}

impl<A: Fn(&str, Action) -> bool, P: Fn(&str) -> bool> Analysis<'_, A, P> {
    /// The denied field selections of `operation`, in document order, and
    /// (when there are any) the selections to plan and to shape instead.
    pub fn decide(&self, operation: &PreparedOperation) -> Verdict {
        let action = match operation.kind {
            OperationType::Query => Action::Read,
            OperationType::Mutation => Action::Write,
            OperationType::Subscription => Action::Subscribe,
        };
        let mut walk = Walk {
            analysis: self,
            path: Vec::new(),
            denials: Vec::new(),
            redacted: 0,
            scoped: 0,
        };
        let (plan, shape) = walk.selections(&operation.root_type, &operation.selections, action);
        let changed = !walk.denials.is_empty() || walk.redacted > 0 || walk.scoped > 0;
        let filtered = changed.then_some(Filtered { plan, shape });
        Verdict {
            denials: walk.denials,
            filtered,
        }
    }

    /// The object types a value of `type_name` can be, and `type_name`.
    fn checked_types(&self, type_name: &Name) -> Vec<Name> {
        let mut types = vec![type_name.clone()];
        match self.schema.types.get(type_name) {
            Some(ExtendedType::Interface(_)) => {
                if let Some(found) = self.implementers.get(type_name) {
                    types.extend(found.objects.iter().cloned());
                    types.extend(found.interfaces.iter().cloned());
                }
            }
            Some(ExtendedType::Union(union)) => {
                types.extend(union.members.iter().map(|m| m.name.clone()));
            }
            _ => {}
        }
        types
    }

    /// How `parent.field` is redacted for this caller, if it is: marked
    /// `@pii` on the parent (or on a type implementing it) and not
    /// unmasked to the caller.
    fn redaction(&self, parent: &Name, field: &Name) -> Option<Rewriter> {
        if self.pii.is_empty() && self.pii_rules.is_empty() {
            return None;
        }
        self.checked_types(parent).iter().find_map(|type_name| {
            let marked = self.pii.get(type_name, field);
            let (kind, strategy) = marked.or_else(|| self.pii_rules.get(type_name, field))?;
            let coordinate = format!("{type_name}.{field}");
            if (self.allows)(&coordinate, Action::Unmask) {
                return None;
            }
            let redaction = Redaction::new(kind, strategy, Arc::clone(self.pii_key));
            Some(Rewriter(Arc::new(redaction)))
        })
    }

    pub(super) fn field_allowed(&self, parent: &Name, field: &Name, action: Action) -> bool {
        self.checked_types(parent).iter().all(|type_name| {
            let definition = match self.schema.types.get(type_name) {
                Some(ExtendedType::Object(o)) => o.fields.get(field).map(|f| &f.ty),
                Some(ExtendedType::Interface(i)) => i.fields.get(field).map(|f| &f.ty),
                _ => None,
            };
            let Some(ty) = definition else {
                return true;
            };
            let declared =
                self.requirements
                    .allow(type_name, field, ty.inner_named_type(), &self.holder);
            declared && (self.allows)(&format!("{type_name}.{field}"), action)
        })
    }
}

/// What the analysis of one operation found.
#[derive(Debug)]
pub struct Verdict {
    pub denials: Vec<Denial>,
    /// Set when something is denied or redacted.
    pub filtered: Option<Filtered>,
}

/// An operation's selections with the denied fields taken out.
#[derive(Debug)]
pub struct Filtered {
    /// What the planner gets: no denied field, and `__typename` where a
    /// selection set would otherwise be left empty.
    pub plan: SelectionSet,
    /// What the shaper gets: every field, the denied ones marked, and the
    /// redacted ones with their rewrite.
    pub shape: SelectionSet,
}

struct Walk<'w, 'a, A: Fn(&str, Action) -> bool, P: Fn(&str) -> bool> {
    analysis: &'w Analysis<'a, A, P>,
    path: Vec<PathElement>,
    denials: Vec<Denial>,
    /// Fields marked for redaction.
    redacted: usize,
    /// Selection sets given the org field of an org-scoped type.
    scoped: usize,
}

impl<A: Fn(&str, Action) -> bool, P: Fn(&str) -> bool> Walk<'_, '_, A, P> {
    /// The selections of `set` to plan and to shape.
    fn selections(
        &mut self,
        parent: &Name,
        set: &SelectionSet,
        action: Action,
    ) -> (SelectionSet, SelectionSet) {
        let (mut plan, mut shape) = (Vec::new(), Vec::new());
        for selection in set {
            match selection {
                Selection::Field(field) => self.field(parent, field, action, &mut plan, &mut shape),
                Selection::InlineFragment(fragment) => {
                    let on = fragment.type_condition.as_ref().unwrap_or(parent);
                    let (inner_plan, inner_shape) =
                        self.selections(on, &fragment.selections, action);
                    plan.push(Selection::InlineFragment(InlineFragment {
                        selections: or_typename(inner_plan),
                        ..fragment.clone_empty()
                    }));
                    shape.push(Selection::InlineFragment(InlineFragment {
                        selections: inner_shape,
                        ..fragment.clone_empty()
                    }));
                }
            }
        }
        (plan, shape)
    }

    fn field(
        &mut self,
        parent: &Name,
        field: &Field,
        action: Action,
        plan: &mut SelectionSet,
        shape: &mut SelectionSet,
    ) {
        if matches!(field.name.as_str(), "__typename" | "__schema" | "__type") {
            plan.push(Selection::Field(field.clone()));
            shape.push(Selection::Field(field.clone()));
            return;
        }
        self.path
            .push(PathElement::Key(field.response_key().as_str().into()));
        let reserved = !self.analysis.org_scoped.is_empty() && field.response_key() == ORG_KEY;
        if !reserved && self.analysis.field_allowed(parent, &field.name, action) {
            let depth = self.path.len();
            for _ in 0..list_levels(&field.ty) {
                self.path.push(PathElement::Key(LIST_MARKER.into()));
            }
            let (mut inner_plan, inner_shape) =
                self.selections(field.type_name(), &field.selections, Action::Read);
            self.path.truncate(depth);
            let leaf = field.selections.is_empty();
            if !leaf {
                self.add_org_fields(field.type_name(), &mut inner_plan);
            }
            plan.push(Selection::Field(Field {
                selections: if leaf {
                    inner_plan
                } else {
                    or_typename(inner_plan)
                },
                ..field.clone_empty()
            }));
            let rewrite = self.analysis.redaction(parent, &field.name);
            self.redacted += usize::from(rewrite.is_some());
            shape.push(Selection::Field(Field {
                selections: inner_shape,
                rewrite,
                ..field.clone_empty()
            }));
        } else {
            let coordinate = match reserved {
                true => format!("the response key {ORG_KEY} (reserved)"),
                false => format!("{parent}.{}", field.name),
            };
            shape.push(Selection::Field(Field {
                denied: Some(coordinate.as_str().into()),
                ..field.clone()
            }));
            self.denials.push(Denial {
                coordinate,
                action,
                path: self.path.clone(),
            });
        }
        self.path.pop();
    }
}

impl<A: Fn(&str, Action) -> bool, P: Fn(&str) -> bool> Walk<'_, '_, A, P> {
    /// Adds to `plan`, a selection set on `type_name`, the org field of
    /// each org-scoped type a value of `type_name` can be, under
    /// [`ORG_KEY`] (on an abstract type, in a fragment on that type).
    fn add_org_fields(&mut self, type_name: &Name, plan: &mut SelectionSet) {
        let scoped = &self.analysis.org_scoped;
        if scoped.is_empty() {
            return;
        }
        for object in self.analysis.checked_types(type_name) {
            let Some(org_field) = scoped.field_of(&object) else {
                continue;
            };
            let definition = match self.analysis.schema.types.get(&object) {
                Some(ExtendedType::Object(o)) => o.fields.get(org_field),
                _ => None,
            };
            let Some(definition) = definition else {
                continue;
            };
            let fetched = Field {
                alias: Name::new_static(ORG_KEY).ok(),
                ..Field::plain(org_field.clone(), definition.ty.clone(), Vec::new())
            };
            let selection = match object == *type_name {
                true => Selection::Field(fetched),
                false => Selection::InlineFragment(InlineFragment {
                    type_condition: Some(object.clone()),
                    conditions: Vec::new(),
                    defer: None,
                    selections: vec![Selection::Field(fetched)],
                }),
            };
            plan.push(selection);
            self.scoped += 1;
        }
    }
}

/// `set`, or `__typename` alone when `set` is empty (an empty selection
/// set does not parse).
fn or_typename(set: SelectionSet) -> SelectionSet {
    if !set.is_empty() {
        return set;
    }
    vec![Selection::Field(Field::plain(
        apollo_compiler::name!("__typename"),
        apollo_compiler::ast::Type::NonNullNamed(apollo_compiler::name!("String")),
        Vec::new(),
    ))]
}

fn list_levels(ty: &apollo_compiler::ast::Type) -> usize {
    use apollo_compiler::ast::Type;
    let mut levels = 0;
    let mut ty = ty;
    while let Type::List(inner) | Type::NonNullList(inner) = ty {
        levels += 1;
        ty = inner;
    }
    levels
}
