//! What an operation is estimated to cost, in the style of the IBM GraphQL
//! Cost Directive spec and Apollo's demand control: the supergraph's
//! `@cost(weight:)` on fields, arguments and types, and `@listSize` on
//! list fields (`assumedSize`, `slicingArguments`, `sizedFields`), default
//! weights elsewhere — a field of an object, interface or union type costs
//! 1, a scalar or enum field 0, and a list multiplies what each item costs
//! by its size: the largest slicing argument given, else the assumed size,
//! else a configured default.
//!
//! A field costs its arguments' weights, its own `@cost` once, and its
//! size times (its type's weight, unless the field declares its own, plus
//! its selections' cost). Fragments on different types of an
//! abstract field are all counted, and `@skip`/`@include` are ignored: an
//! upper bound, as a budget wants. Arguments given as variables are read
//! from the request's variables. A list field whose `@listSize` has slicing
//! arguments and `requireOneSlicingArgument` (the default) must be given
//! exactly one of them; an operation that does not is refused.

use std::cell::RefCell;

use std::collections::HashMap;

use apollo_compiler::ast::Value;
use apollo_compiler::schema::{Directive, ExtendedType};
use apollo_compiler::{Name, Schema};

use super::{Field, Selection, SelectionSet};

/// The spec `@cost` and `@listSize` come from.
const COST_SPEC: &str = "https://specs.apollo.dev/cost/v0.";
/// Cost estimates stop growing here (a budget is far below).
const MAX_COST: u64 = u64::MAX / 4;

/// `@listSize` of one field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct ListSize {
    assumed: Option<u64>,
    slicing: Vec<String>,
    sized: Vec<String>,
    /// Exactly one slicing argument must be given.
    require_one: bool,
}

/// The weights and list sizes a supergraph declares.
#[derive(Debug, Default)]
pub struct CostModel {
    fields: HashMap<(Name, Name), u64>,
    arguments: HashMap<(Name, Name, Name), u64>,
    types: HashMap<Name, u64>,
    lists: HashMap<(Name, Name), ListSize>,
    default_list_size: u64,
}

impl CostModel {
    /// The model of `supergraph` (its `@cost`/`@listSize`, as its link to
    /// the cost spec names them), lists of unknown size counted as
    /// `default_list_size` items.
    pub fn of(supergraph: &Schema, default_list_size: u64) -> Self {
        let mut model = Self {
            default_list_size,
            ..Self::default()
        };
        let (cost, list_size) = directive_names(supergraph);
        for (type_name, ty) in &supergraph.types {
            if let Some(weight) = weight_of(ty.directives().get(&cost).map(|c| &c.node)) {
                model.types.insert(type_name.clone(), weight);
            }
            let fields = match ty {
                ExtendedType::Object(o) => o.fields.iter().map(|(n, f)| (n, &f.node)).collect(),
                ExtendedType::Interface(i) => i.fields.iter().map(|(n, f)| (n, &f.node)).collect(),
                _ => Vec::new(),
            };
            for (field_name, field) in fields {
                let key = (type_name.clone(), field_name.clone());
                if let Some(weight) = weight_of(field.directives.get(&cost)) {
                    model.fields.insert(key.clone(), weight);
                }
                if let Some(size) = field.directives.get(&list_size).map(list_size_of) {
                    model.lists.insert(key.clone(), size);
                }
                for argument in &field.arguments {
                    if let Some(weight) = weight_of(argument.directives.get(&cost)) {
                        let key = (type_name.clone(), field_name.clone(), argument.name.clone());
                        model.arguments.insert(key, weight);
                    }
                }
            }
        }
        model
    }

    /// The estimated cost of `selections` on `root_type`, reading integer
    /// variables with `variable`; or why the operation breaks a
    /// `requireOneSlicingArgument`.
    pub fn estimate(
        &self,
        schema: &Schema,
        root_type: &Name,
        selections: &SelectionSet,
        variable: &dyn Fn(&str) -> Option<i64>,
    ) -> Result<u64, String> {
        let walk = Walk {
            model: self,
            schema,
            variable,
            problem: RefCell::new(None),
        };
        let cost = walk.set(root_type, selections, None);
        match walk.problem.into_inner() {
            Some(problem) => Err(problem),
            None => Ok(cost),
        }
    }
}

struct Walk<'a> {
    model: &'a CostModel,
    schema: &'a Schema,
    variable: &'a dyn Fn(&str) -> Option<i64>,
    /// The first `requireOneSlicingArgument` broken.
    problem: RefCell<Option<String>>,
}

impl Walk<'_> {
    /// The cost of `set` on `parent`; `sized` names the fields whose size is
    /// given (by the list field above's `sizedFields`).
    fn set(&self, parent: &Name, set: &SelectionSet, sized: Option<(&[String], u64)>) -> u64 {
        let mut total: u64 = 0;
        for selection in set {
            let cost = match selection {
                Selection::Field(field) => self.field(parent, field, sized),
                Selection::InlineFragment(fragment) => {
                    let on = fragment.type_condition.as_ref().unwrap_or(parent);
                    self.set(on, &fragment.selections, sized)
                }
            };
            total = total.saturating_add(cost).min(MAX_COST);
        }
        total
    }

    fn field(&self, parent: &Name, field: &Field, sized: Option<(&[String], u64)>) -> u64 {
        if field.name.starts_with("__") {
            return 0;
        }
        let model = self.model;
        let key = (parent.clone(), field.name.clone());
        let named = field.type_name();
        // A field's own `@cost` counts once; its type's weight (declared, or
        // 1 for an object and 0 for a leaf) counts per item.
        let declared = model.fields.get(&key).copied();
        let per_item = match declared {
            Some(_) => 0,
            None => model
                .types
                .get(named)
                .copied()
                .unwrap_or_else(|| self.default_weight(named)),
        };
        let arguments: u64 = field
            .arguments
            .iter()
            .filter_map(|a| {
                let key = (parent.clone(), field.name.clone(), a.name.clone());
                model.arguments.get(&key)
            })
            .sum();
        let list_size = model.lists.get(&key);
        if let Some(size) = list_size {
            self.check_slicing(parent, field, size);
        }
        let given = list_size.and_then(|size| self.sliced(field, size));
        let size = match (sized, field.ty.is_list()) {
            (Some((names, n)), _) if names.iter().any(|s| s == field.name.as_str()) => n,
            (_, true) => given
                .or_else(|| list_size.and_then(|s| s.assumed))
                .unwrap_or(model.default_list_size),
            _ => 1,
        };
        let inner_sized = list_size.filter(|s| !s.sized.is_empty()).map(|s| {
            (
                s.sized.as_slice(),
                given.or(s.assumed).unwrap_or(model.default_list_size),
            )
        });
        let selections = self.set(named, &field.selections, inner_sized);
        let each = per_item.saturating_add(selections);
        arguments
            .saturating_add(declared.unwrap_or(0))
            .saturating_add(size.saturating_mul(each))
            .min(MAX_COST)
    }

    /// An object, interface or union field costs 1, a leaf 0.
    fn default_weight(&self, type_name: &Name) -> u64 {
        match self.schema.types.get(type_name) {
            Some(ExtendedType::Object(_) | ExtendedType::Interface(_) | ExtendedType::Union(_)) => {
                1
            }
            _ => 0,
        }
    }

    /// Notes `field` when it must be given exactly one slicing argument
    /// and is not.
    fn check_slicing(&self, parent: &Name, field: &Field, size: &ListSize) {
        if !size.require_one || size.slicing.is_empty() {
            return;
        }
        let given = field
            .arguments
            .iter()
            .filter(|a| size.slicing.iter().any(|s| s == a.name.as_str()))
            .filter(|a| match a.value.as_ref() {
                Value::Null => false,
                Value::Variable(name) => (self.variable)(name.as_str()).is_some(),
                _ => true,
            })
            .count();
        if given != 1 {
            let mut problem = self.problem.borrow_mut();
            problem.get_or_insert_with(|| {
                format!(
                    "{parent}.{} needs exactly one of its slicing arguments ({}), given {given}.",
                    field.name,
                    size.slicing.join(", ")
                )
            });
        }
    }

    /// The largest slicing argument `field` is given.
    fn sliced(&self, field: &Field, size: &ListSize) -> Option<u64> {
        field
            .arguments
            .iter()
            .filter(|a| size.slicing.iter().any(|s| s == a.name.as_str()))
            .filter_map(|a| match a.value.as_ref() {
                Value::Int(n) => n.try_to_i32().ok().map(i64::from),
                Value::Variable(name) => (self.variable)(name.as_str()),
                _ => None,
            })
            .filter_map(|n| u64::try_from(n).ok())
            .max()
    }
}

/// The names `@cost` and `@listSize` have in `supergraph`.
fn directive_names(supergraph: &Schema) -> (Name, Name) {
    let link = supergraph
        .schema_definition
        .directives
        .get_all("link")
        .find(|link| {
            link.specified_argument_by_name("url")
                .and_then(|v| v.as_str())
                .is_some_and(|url| url.starts_with(COST_SPEC))
        });
    let imported = |name: &str| {
        link.and_then(|l| l.specified_argument_by_name("import"))
            .and_then(|v| v.as_list())
            .is_some_and(|list| list.iter().filter_map(|i| i.as_str()).any(|i| i == name))
    };
    let list_size = match imported("@listSize") {
        true => apollo_compiler::name!("listSize"),
        false => apollo_compiler::name!("cost__listSize"),
    };
    (apollo_compiler::name!("cost"), list_size)
}

fn weight_of(directive: Option<&apollo_compiler::Node<Directive>>) -> Option<u64> {
    let weight = directive?.specified_argument_by_name("weight")?;
    match weight.as_ref() {
        Value::Int(n) => n.try_to_i32().ok().and_then(|n| u64::try_from(n).ok()),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn list_size_of(directive: &apollo_compiler::Node<Directive>) -> ListSize {
    let strings = |name: &str| -> Vec<String> {
        directive
            .specified_argument_by_name(name)
            .and_then(|v| v.as_list())
            .map(|l| {
                l.iter()
                    .filter_map(|i| i.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let assumed = directive
        .specified_argument_by_name("assumedSize")
        .and_then(|v| v.to_i32())
        .and_then(|n| u64::try_from(n).ok());
    let require_one = directive
        .specified_argument_by_name("requireOneSlicingArgument")
        .and_then(|v| v.to_bool())
        .unwrap_or(true);
    ListSize {
        assumed,
        slicing: strings("slicingArguments"),
        sized: strings("sizedFields"),
        require_one,
    }
}

#[cfg(test)]
mod tests;
