//! A generated large supergraph and a deep query over it, for planner
//! benchmarks that the four-subgraph demo is too small to stress.
//!
//! Deterministic: no randomness, every choice is arithmetic on indices, so
//! the same [`Shape`] always gives the same SDL and query. The SDL has the
//! shape `junction compose` and Apollo emit (link v1.0, join v0.3).
//!
//! The shape, for entity `i` of `Shape::entities` (`T0000`, `T0001`, …):
//!
//! - **Homes.** It is an entity (`@key(fields: "id")`) in [`HOMES`] (6)
//!   consecutive subgraphs starting at `3 * i mod subgraphs`, so
//!   neighbouring entities share half their subgraphs and every subgraph
//!   hosts `entities * 6 / subgraphs` entities. Home `j` of `i` is called
//!   `S_j` below.
//! - **Own fields.** `f{j}_a: String` and `f{j}_n: Int` resolved by `S_j`
//!   only; `id` (the key) everywhere; shareable `label` in all six homes and
//!   `title` in `S_0`..`S_2`.
//! - **`@requires` chain.** `r1` in `S_1` requires `f0_n`; `r{k}` in
//!   `S_{k mod 6}` requires `r{k-1} f{(k-1) mod 6}_n`, up to
//!   `Shape::requires_depth`: each link is one more subgraph the planner
//!   must visit, in order, before the next (the required fields are
//!   `@external` where they are required).
//! - **Value types.** `T{i}Profile` (shareable in `S_1`, `S_2`),
//!   `T{i}Stats` (in `S_3`, with `top: T{i+1}` back to an entity) and
//!   `T{i}Meta` (shareable in `S_4`, `S_5`), with enum fields of the
//!   `Shape::enums` enums `Level000`….
//! - **Links.** `next: T{i+1}` (in `S_4`, a home of `i+1`, with
//!   `@provides(fields: "f0_a")`), `prev: T{i-1}` (in `S_0`), and two links
//!   into entities the subgraph knows only as a stub
//!   (`@join__type(resolvable: false)`): `far: T{7i+13}` (in `S_5`) and
//!   `related: [T{i+3}]` (in `S_1`).
//! - **Abstract types.** `T{i}` implements `Node{i mod interfaces}` in all
//!   its homes; `featured: Node{(i+1) mod interfaces}` (in `S_3`) returns
//!   the interface; `pick: Pick{i mod unions}` (in `S_4`) returns a union
//!   whose members there are `T{i}` and `T{i+1}`.
//! - **Roots.** `Query.t{i}(id: ID!): T{i}`, shareable in `S_0`..`S_2`.
//!
//! [`deep_query`] walks `hops` entity-to-entity links from `t0`
//! (alternating `next`, `related` and `far`), selecting at every level
//! fields of all six homes, the deepest `@requires` field, value types,
//! the interface and union fields with type conditions, aliases and a
//! named fragment.

use std::fmt::Write;

/// How many subgraphs each entity has a resolvable `@key` in.
pub const HOMES: usize = 6;

/// Distance between the first homes of consecutive entities.
const STRIDE: usize = HOMES / 2;

/// Parameters of the generated supergraph.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub subgraphs: usize,
    pub entities: usize,
    /// Length of the `@requires` chain of every entity (`r1`..`r{depth}`).
    pub requires_depth: usize,
    pub interfaces: usize,
    pub unions: usize,
    pub enums: usize,
}

impl Shape {
    /// The benchmark's supergraph: 60 subgraphs, 2,311 types.
    pub const LARGE: Shape = Shape {
        subgraphs: 60,
        entities: 500,
        requires_depth: 8,
        interfaces: 50,
        unions: 100,
        enums: 160,
    };

    /// Composite, enum and root types (the join/link machinery excluded).
    pub fn type_count(&self) -> usize {
        self.entities * 4 + self.interfaces + self.unions + self.enums + 1
    }

    fn home(&self, entity: usize, j: usize) -> usize {
        (entity * STRIDE + j) % self.subgraphs
    }

    fn homes(&self, entity: usize) -> Vec<usize> {
        (0..HOMES).map(|j| self.home(entity, j)).collect()
    }

    fn next(&self, entity: usize) -> usize {
        (entity + 1) % self.entities
    }

    fn prev(&self, entity: usize) -> usize {
        (entity + self.entities - 1) % self.entities
    }

    fn far(&self, entity: usize) -> usize {
        (entity * 7 + 13) % self.entities
    }

    fn related(&self, entity: usize) -> usize {
        (entity + 3) % self.entities
    }

    fn check(&self) {
        // `next` and the union members rely on entity `i+1` starting
        // STRIDE subgraphs after `i`, also across the wrap to entity 0.
        assert!(
            self.subgraphs >= 2 * HOMES
                && self.subgraphs % STRIDE == 0
                && (self.entities * STRIDE) % self.subgraphs == 0
                && self.entities > 2 * self.interfaces
                && self.interfaces > 1
                && self.unions > 0
                && self.enums > 0
                && self.requires_depth > 0,
            "unsupported supergraph shape {self:?}"
        );
    }
}

/// One `@join__field` application.
#[derive(Clone, Default)]
struct Join {
    graph: usize,
    requires: Option<String>,
    provides: Option<String>,
    external: bool,
}

struct FieldDef {
    name: String,
    ty: String,
    /// Empty: every subgraph defining the type resolves the field.
    joins: Vec<Join>,
}

struct Entity {
    homes: Vec<usize>,
    /// Subgraphs that know the entity only as a field's type.
    stubs: Vec<usize>,
    fields: Vec<FieldDef>,
}

impl Entity {
    fn field(&mut self, name: &str, ty: &str, joins: Vec<Join>) {
        self.fields.push(FieldDef {
            name: name.to_string(),
            ty: ty.to_string(),
            joins,
        });
    }

    /// Declares `name` `@external` in `graph` (once), for a `@requires` or `@provides`.
    fn external(&mut self, name: &str, graph: usize) {
        let Some(field) = self.fields.iter_mut().find(|f| f.name == name) else {
            panic!("no field {name} to mark external");
        };
        if !field.joins.iter().any(|j| j.graph == graph) {
            field.joins.push(Join {
                graph,
                external: true,
                ..Join::default()
            });
        }
    }

    fn stub(&mut self, graph: usize) {
        if !self.homes.contains(&graph) && !self.stubs.contains(&graph) {
            self.stubs.push(graph);
        }
    }
}

fn entity_name(i: usize) -> String {
    format!("T{i:04}")
}

fn graph_value(graph: usize) -> String {
    format!("S{graph:02}")
}

fn resolved(graph: usize) -> Join {
    Join {
        graph,
        ..Join::default()
    }
}

fn resolved_in(graphs: &[usize]) -> Vec<Join> {
    graphs.iter().copied().map(resolved).collect()
}

/// The supergraph SDL of a shape.
pub fn supergraph_sdl(shape: &Shape) -> String {
    shape.check();
    let mut entities = build_entities(shape);
    add_links(shape, &mut entities);
    let mut out = String::with_capacity(shape.entities * 6_000);
    out.push_str(HEADER);
    write_graphs(shape, &mut out);
    write_query(shape, &mut out);
    for (i, entity) in entities.iter().enumerate() {
        write_entity(shape, i, entity, &mut out);
        write_value_types(shape, i, &mut out);
    }
    write_interfaces(shape, &mut out);
    write_unions(shape, &mut out);
    write_enums(shape, &mut out);
    out
}

fn build_entities(shape: &Shape) -> Vec<Entity> {
    (0..shape.entities)
        .map(|i| {
            let homes = shape.homes(i);
            let mut entity = Entity {
                homes: homes.clone(),
                stubs: Vec::new(),
                fields: Vec::new(),
            };
            entity.field("id", "ID!", Vec::new());
            entity.field("label", "String", resolved_in(&homes));
            entity.field("title", "String", resolved_in(&homes[..3]));
            for (j, home) in homes.iter().enumerate() {
                entity.field(&format!("f{j}_a"), "String", vec![resolved(*home)]);
                entity.field(&format!("f{j}_n"), "Int", vec![resolved(*home)]);
            }
            for k in 1..=shape.requires_depth {
                let graph = homes[k % HOMES];
                let previous_n = format!("f{}_n", (k - 1) % HOMES);
                let requires = if k == 1 {
                    previous_n.clone()
                } else {
                    format!("r{} {previous_n}", k - 1)
                };
                entity.field(
                    &format!("r{k}"),
                    "Int",
                    vec![Join {
                        graph,
                        requires: Some(requires),
                        ..Join::default()
                    }],
                );
                entity.external(&previous_n, graph);
                if k > 1 {
                    entity.external(&format!("r{}", k - 1), graph);
                }
            }
            let name = entity_name(i);
            entity.field(
                "profile",
                &format!("{name}Profile"),
                resolved_in(&homes[1..3]),
            );
            entity.field("stats", &format!("{name}Stats"), vec![resolved(homes[3])]);
            entity.field("meta", &format!("{name}Meta"), resolved_in(&homes[4..6]));
            entity.field(
                "featured",
                &format!("Node{:02}", (i + 1) % shape.interfaces),
                vec![resolved(homes[3])],
            );
            entity.field(
                "pick",
                &format!("Pick{:03}", i % shape.unions),
                vec![resolved(homes[4])],
            );
            entity
        })
        .collect()
}

/// Entity-to-entity fields; the target learns of the subgraph returning it
/// (a stub where it has no home there, externals for `@provides`).
fn add_links(shape: &Shape, entities: &mut [Entity]) {
    for i in 0..shape.entities {
        let homes = entities[i].homes.clone();
        let links = [
            ("next", shape.next(i), homes[4], false, Some("f0_a")),
            ("prev", shape.prev(i), homes[0], false, None),
            ("far", shape.far(i), homes[5], false, None),
            ("related", shape.related(i), homes[1], true, None),
        ];
        for (name, target, graph, list, provides) in links {
            let target_name = entity_name(target);
            let ty = if list {
                format!("[{target_name}]")
            } else {
                target_name
            };
            let join = Join {
                graph,
                provides: provides.map(str::to_string),
                ..Join::default()
            };
            entities[i].field(name, &ty, vec![join]);
            entities[target].stub(graph);
            if let Some(provided) = provides {
                entities[target].external(provided, graph);
            }
        }
    }
}

const HEADER: &str = r#"schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)
{
  query: Query
}

directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE

directive @join__field(
  graph: join__Graph
  requires: join__FieldSet
  provides: join__FieldSet
  type: String
  external: Boolean
  override: String
  usedOverridden: Boolean
) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION

directive @join__graph(name: String!, url: String!) on ENUM_VALUE

directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE

directive @join__type(
  graph: join__Graph!
  key: join__FieldSet
  extension: Boolean! = false
  resolvable: Boolean! = true
  isInterfaceObject: Boolean! = false
) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR

directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION

directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

scalar join__FieldSet

scalar link__Import

enum link__Purpose {
  """
  `SECURITY` features provide metadata necessary to securely resolve fields.
  """
  SECURITY

  """
  `EXECUTION` features provide metadata necessary for operation execution.
  """
  EXECUTION
}
"#;

fn write_graphs(shape: &Shape, out: &mut String) {
    out.push_str("\nenum join__Graph {\n");
    for graph in 0..shape.subgraphs {
        let _ = writeln!(
            out,
            "  {} @join__graph(name: \"s{graph:02}\", url: \"http://127.0.0.1:4300/s{graph:02}\")",
            graph_value(graph)
        );
    }
    out.push_str("}\n");
}

fn write_type_joins(graphs: &[usize], key: Option<&str>, out: &mut String) {
    for graph in graphs {
        match key {
            Some(key) => {
                let _ = writeln!(
                    out,
                    "  @join__type(graph: {}, key: \"{key}\")",
                    graph_value(*graph)
                );
            }
            None => {
                let _ = writeln!(out, "  @join__type(graph: {})", graph_value(*graph));
            }
        }
    }
}

fn write_field(field: &FieldDef, out: &mut String) {
    let _ = write!(out, "  {}: {}", field.name, field.ty);
    for join in &field.joins {
        let _ = write!(out, " @join__field(graph: {}", graph_value(join.graph));
        if let Some(requires) = &join.requires {
            let _ = write!(out, ", requires: \"{requires}\"");
        }
        if let Some(provides) = &join.provides {
            let _ = write!(out, ", provides: \"{provides}\"");
        }
        if join.external {
            out.push_str(", external: true");
        }
        out.push(')');
    }
    out.push('\n');
}

fn write_query(shape: &Shape, out: &mut String) {
    out.push_str("\ntype Query\n");
    let all: Vec<usize> = (0..shape.subgraphs).collect();
    write_type_joins(&all, None, out);
    out.push_str("{\n");
    for i in 0..shape.entities {
        let homes = shape.homes(i);
        let field = FieldDef {
            name: format!("t{i}(id: ID!)"),
            ty: entity_name(i),
            joins: resolved_in(&homes[..3]),
        };
        write_field(&field, out);
    }
    out.push_str("}\n");
}

fn write_entity(shape: &Shape, i: usize, entity: &Entity, out: &mut String) {
    let interface = format!("Node{:02}", i % shape.interfaces);
    let _ = writeln!(out, "\ntype {} implements {interface}", entity_name(i));
    for graph in &entity.homes {
        let _ = writeln!(
            out,
            "  @join__implements(graph: {}, interface: \"{interface}\")",
            graph_value(*graph)
        );
    }
    write_type_joins(&entity.homes, Some("id"), out);
    for graph in &entity.stubs {
        let _ = writeln!(
            out,
            "  @join__type(graph: {}, key: \"id\", resolvable: false)",
            graph_value(*graph)
        );
    }
    out.push_str("{\n");
    for field in &entity.fields {
        write_field(field, out);
    }
    out.push_str("}\n");
}

fn write_value_types(shape: &Shape, i: usize, out: &mut String) {
    let name = entity_name(i);
    let homes = shape.homes(i);
    let level = |k: usize| format!("Level{:03}", k % shape.enums);
    let _ = writeln!(out, "\ntype {name}Profile");
    write_type_joins(&homes[1..3], None, out);
    let _ = writeln!(
        out,
        "{{\n  p0: String\n  p1: Int\n  tier: {}\n}}",
        level(i + 1)
    );
    let _ = writeln!(out, "\ntype {name}Stats");
    write_type_joins(&homes[3..4], None, out);
    let _ = writeln!(
        out,
        "{{\n  views: Int\n  trend: [Int]\n  top: {}\n}}",
        entity_name(shape.next(i))
    );
    let _ = writeln!(out, "\ntype {name}Meta");
    write_type_joins(&homes[4..6], None, out);
    let _ = writeln!(out, "{{\n  note: String\n  status: {}\n}}", level(i));
}

fn write_interfaces(shape: &Shape, out: &mut String) {
    for k in 0..shape.interfaces {
        let mut hosts: Vec<usize> = Vec::new();
        for i in (k..shape.entities).step_by(shape.interfaces) {
            for graph in shape.homes(i) {
                if !hosts.contains(&graph) {
                    hosts.push(graph);
                }
            }
        }
        hosts.sort_unstable();
        let _ = writeln!(out, "\ninterface Node{k:02}");
        write_type_joins(&hosts, None, out);
        out.push_str("{\n  id: ID!\n  label: String\n}\n");
    }
}

fn write_unions(shape: &Shape, out: &mut String) {
    for k in 0..shape.unions {
        // `pick` of entity `i` lives in `S_4` of `i`, a home of `i` and `i+1`.
        let mut hosts: Vec<usize> = Vec::new();
        let mut members: Vec<(usize, usize)> = Vec::new();
        for i in (k..shape.entities).step_by(shape.unions) {
            let graph = shape.home(i, 4);
            if !hosts.contains(&graph) {
                hosts.push(graph);
            }
            for member in [i, shape.next(i)] {
                if !members.contains(&(graph, member)) {
                    members.push((graph, member));
                }
            }
        }
        let _ = writeln!(out, "\nunion Pick{k:03}");
        write_type_joins(&hosts, None, out);
        for (graph, member) in &members {
            let _ = writeln!(
                out,
                "  @join__unionMember(graph: {}, member: \"{}\")",
                graph_value(*graph),
                entity_name(*member)
            );
        }
        let mut names: Vec<String> = members.iter().map(|(_, m)| entity_name(*m)).collect();
        names.sort_unstable();
        names.dedup();
        let _ = writeln!(out, "  = {}", names.join(" | "));
    }
}

fn write_enums(shape: &Shape, out: &mut String) {
    let mut hosts: Vec<Vec<usize>> = vec![Vec::new(); shape.enums];
    for i in 0..shape.entities {
        let homes = shape.homes(i);
        let uses = [
            ((i + 1) % shape.enums, &homes[1..3]),
            (i % shape.enums, &homes[4..6]),
        ];
        for (k, graphs) in uses {
            for graph in graphs {
                if !hosts[k].contains(graph) {
                    hosts[k].push(*graph);
                }
            }
        }
    }
    for (k, graphs) in hosts.iter_mut().enumerate() {
        graphs.sort_unstable();
        let _ = writeln!(out, "\nenum Level{k:03}");
        write_type_joins(graphs, None, out);
        out.push_str("{\n  LOW\n  MEDIUM\n  HIGH\n}\n");
    }
}

/// A query `hops` entity-to-entity links deep from `Query.t0`.
pub fn deep_query(shape: &Shape, hops: usize) -> String {
    shape.check();
    let mut body = String::new();
    let mut fragments: Vec<usize> = Vec::new();
    let _ = writeln!(body, "query Deep {{\n  root: t0(id: \"t0\") {{");
    let mut entity = 0;
    let mut closing = Vec::new();
    for level in 0..=hops {
        let indent = "  ".repeat(level + 2);
        write_level(shape, entity, level, &indent, &mut body);
        fragments.push(entity);
        if level == hops {
            break;
        }
        let (link, target) = match level % 3 {
            0 => ("next", shape.next(entity)),
            1 => ("related", shape.related(entity)),
            _ => ("far", shape.far(entity)),
        };
        let _ = writeln!(body, "{indent}hop{}: {link} {{", level + 1);
        closing.push(indent);
        entity = target;
    }
    for indent in closing.iter().rev() {
        let _ = writeln!(body, "{indent}}}");
    }
    body.push_str("  }\n}\n");
    fragments.sort_unstable();
    fragments.dedup();
    for i in fragments {
        let name = entity_name(i);
        let _ = writeln!(
            body,
            "\nfragment {name}Fields on {name} {{\n  f2_a\n  f5_a\n  title\n  profile {{ p0 tier }}\n}}"
        );
    }
    body
}

fn write_level(shape: &Shape, i: usize, level: usize, indent: &str, out: &mut String) {
    let name = entity_name(i);
    let next = entity_name(shape.next(i));
    let depth = shape.requires_depth;
    let lines = [
        "id".to_string(),
        "label".to_string(),
        format!("a{level}: f{}_a", level % HOMES),
        format!("f{}_n", (level + 3) % HOMES),
        format!("deepest: r{depth}"),
        format!("r{}", depth.div_ceil(2)),
        format!("...{name}Fields"),
        "stats { views top { id f2_a } }".to_string(),
        "meta { note status }".to_string(),
        format!("featured {{ id label ... on {next} {{ f4_a r2 }} }}"),
        format!("pick {{ ... on {name} {{ f5_n }} ... on {next} {{ f1_a label }} }}"),
        "nearby: far { id f1_a }".to_string(),
    ];
    for line in lines {
        let _ = writeln!(out, "{indent}{line}");
    }
}
