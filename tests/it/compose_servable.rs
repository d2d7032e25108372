//! A subgraph set the composer accepts is one the planner can serve: for
//! the demo subgraphs and the differential harness's base sets, every
//! field of the composed API schema, reached from the root along the first
//! path that gets to its type (each abstract type through each of its
//! object types), is selected in an operation of its own, which must
//! prepare and plan over the composed supergraph as the gateway loads it.
//! The one exception is documented (README, "Composition"): a field whose
//! subgraph needs a `@fromContext` argument composes, as with Apollo, but
//! Junction does not fill such arguments yet, so it does not plan.

#![allow(clippy::unwrap_used)]

use std::collections::{HashSet, VecDeque};

use apollo_compiler::schema::{ExtendedType, FieldDefinition};
use apollo_compiler::Schema;
use junction::operation::prepare;
use junction::plan::plan_operation;
use junction::supergraph::Supergraph;

use crate::common::compose_set;

const BASES: &str = "examples/compose_differential/bases";

/// One step of a probe's path: a field (with variables for its required
/// arguments) or a type condition.
#[derive(Clone)]
enum Step {
    Field {
        name: String,
        arguments: Vec<(String, String)>,
    },
    On(String),
}

struct Probe {
    /// Variable definitions, as `$v0: Int!`.
    variables: Vec<String>,
    steps: Vec<Step>,
}

impl Probe {
    /// The operation selecting `last` (and `__typename` below it when it
    /// is composite) at the end of the path.
    fn operation(&self, root: &str, last: &[Step], composite: bool) -> String {
        let mut body = if composite {
            "{ __typename }".to_string()
        } else {
            String::new()
        };
        for step in self.steps.iter().chain(last).rev() {
            body = match step {
                Step::Field { name, arguments } if arguments.is_empty() => {
                    format!("{{ {name} {body} }}")
                }
                Step::Field { name, arguments } => {
                    let given: Vec<String> = arguments
                        .iter()
                        .map(|(arg, var)| format!("{arg}: ${var}"))
                        .collect();
                    format!("{{ {name}({}) {body} }}", given.join(", "))
                }
                Step::On(ty) => format!("{{ ... on {ty} {body} }}"),
            };
        }
        let kind = match root {
            "Mutation" => "mutation",
            "Subscription" => "subscription",
            _ => "query",
        };
        if self.variables.is_empty() {
            format!("{kind} {body}")
        } else {
            format!("{kind}({}) {body}", self.variables.join(", "))
        }
    }
}

/// The field as a step, its required arguments given variables numbered
/// from `next`.
fn step_for(field: &FieldDefinition, variables: &mut Vec<String>) -> Step {
    let mut arguments = Vec::new();
    for arg in &field.arguments {
        if arg.ty.is_non_null() && arg.default_value.is_none() {
            let var = format!("v{}", variables.len());
            variables.push(format!("${var}: {}", arg.ty));
            arguments.push((arg.name.to_string(), var));
        }
    }
    Step::Field {
        name: field.name.to_string(),
        arguments,
    }
}

fn fields_of<'s>(schema: &'s Schema, ty: &str) -> Vec<&'s FieldDefinition> {
    match schema.types.get(ty) {
        Some(ExtendedType::Object(o)) => o.fields.values().map(|f| &***f).collect(),
        Some(ExtendedType::Interface(i)) => i.fields.values().map(|f| &***f).collect(),
        _ => Vec::new(),
    }
}

fn object_types_of(schema: &Schema, ty: &str) -> Vec<String> {
    match schema.types.get(ty) {
        Some(ExtendedType::Union(u)) => u.members.iter().map(|m| m.name.to_string()).collect(),
        Some(ExtendedType::Interface(_)) => schema
            .types
            .iter()
            .filter(|(_, t)| matches!(t, ExtendedType::Object(o) if o.implements_interfaces.contains(ty)))
            .map(|(name, _)| name.to_string())
            .collect(),
        _ => Vec::new(),
    }
}

/// Plans one probe per field of every object type reached; returns the
/// failures and how many probes ran.
fn probe_all(supergraph: &Supergraph) -> (Vec<String>, usize) {
    let schema = &supergraph.api_schema;
    let mut failures = Vec::new();
    let mut probes = 0;
    let roots: Vec<String> = schema
        .schema_definition
        .iter_root_operations()
        .map(|(_, r)| r.name.to_string())
        .collect();
    for root in roots {
        let mut seen: HashSet<String> = HashSet::from([root.clone()]);
        let mut queue = VecDeque::from([(
            root.clone(),
            Probe {
                variables: Vec::new(),
                steps: Vec::new(),
            },
        )]);
        while let Some((ty, probe)) = queue.pop_front() {
            for field in fields_of(schema, &ty) {
                let mut variables = probe.variables.clone();
                let step = step_for(field, &mut variables);
                let returns = field.ty.inner_named_type().to_string();
                let composite = matches!(
                    schema.types.get(returns.as_str()),
                    Some(
                        ExtendedType::Object(_)
                            | ExtendedType::Interface(_)
                            | ExtendedType::Union(_)
                    )
                );
                let extended = Probe {
                    variables,
                    steps: probe.steps.clone(),
                };
                let operation = extended.operation(&root, std::slice::from_ref(&step), composite);
                probes += 1;
                let planned = prepare(schema, &operation, None)
                    .map_err(|e| format!("does not prepare: {e:?}"))
                    .and_then(|op| plan_operation(supergraph, &op).map_err(|e| e.to_string()));
                if let Err(error) = planned {
                    failures.push(format!("{operation}\n  {error}"));
                }
                if !composite {
                    continue;
                }
                let mut steps = extended.steps.clone();
                steps.push(step);
                let objects = match schema.types.get(returns.as_str()) {
                    Some(ExtendedType::Object(_)) => vec![(returns.clone(), None)],
                    _ => object_types_of(schema, &returns)
                        .into_iter()
                        .map(|o| (o.clone(), Some(o)))
                        .collect(),
                };
                for (object, condition) in objects {
                    if !seen.insert(object.clone()) {
                        continue;
                    }
                    let mut object_steps = steps.clone();
                    object_steps.extend(condition.map(Step::On));
                    queue.push_back((
                        object,
                        Probe {
                            variables: extended.variables.clone(),
                            steps: object_steps,
                        },
                    ));
                }
            }
        }
    }
    (failures, probes)
}

/// Every probe of the set plans, except those selecting one of `context_fields`.
fn assert_servable(name: &str, subgraphs: &[(&str, &str)], context_fields: &[&str]) {
    let sdl = compose_set(subgraphs).unwrap_or_else(|e| panic!("{name} must compose: {e:#?}"));
    let supergraph = Supergraph::parse(&sdl).unwrap();
    let (mut failures, probes) = probe_all(&supergraph);
    assert!(probes > 10, "{name}: only {probes} probes");
    for field in context_fields {
        let unresolvable = format!("no subgraph can resolve field \"{field}\"");
        let before = failures.len();
        failures.retain(|failure| !failure.contains(&unresolvable));
        assert_eq!(
            before,
            failures.len() + 1,
            "{name}: {field} was expected not to plan once"
        );
    }
    assert!(
        failures.is_empty(),
        "{name}: {} of {probes} probes do not plan:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn base(set: &str) -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(BASES)
        .join(set);
    let mut subgraphs: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .map(|path| {
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            (name, std::fs::read_to_string(&path).unwrap())
        })
        .collect();
    subgraphs.sort();
    subgraphs
}

#[test]
fn every_field_of_the_demo_subgraphs_plans() {
    let sdls: Vec<(&str, String)> = junction_subgraphs::SUBGRAPH_NAMES
        .iter()
        .map(|name| (*name, junction_subgraphs::sdl(name).unwrap()))
        .collect();
    let set: Vec<(&str, &str)> = sdls.iter().map(|(n, s)| (*n, s.as_str())).collect();
    assert_servable("demo", &set, &[]);
}

#[test]
fn every_field_of_the_harness_base_sets_plans() {
    let sets: [(&str, &[&str]); 3] = [
        ("fed2-entities", &["StoreItem.localPrice"]),
        ("fed1", &[]),
        ("abstract-types", &[]),
    ];
    for (set, context_fields) in sets {
        let subgraphs = base(set);
        let refs: Vec<(&str, &str)> = subgraphs
            .iter()
            .map(|(n, s)| (n.as_str(), s.as_str()))
            .collect();
        assert_servable(set, &refs, context_fields);
    }
}
