//! One named type of the supergraph as Apollo prints it: description,
//! header, each type-level directive on its own line, then the fields,
//! enum values or union members.
//!
//! Directive order (brief §1.5, probes): on types `@join__implements`,
//! `@join__type`, `@inaccessible`, `@join__unionMember` (unions),
//! `@specifiedBy` (scalars), `@tag`; on fields and input fields
//! `@inaccessible`, `@join__field`, `@tag`, `@deprecated`; on enum values
//! `@inaccessible`, `@join__enumValue`, `@tag`, `@deprecated`. Directive
//! arguments follow the definition's order and appear only when set.

use super::text::{description, quoted, value};
use crate::compose::model::{
    Common, Graph, GraphId, JoinField, JoinType, SuperArgument, SuperEnumValue, SuperField,
    SuperType, TypeKind,
};

/// A type definition block (no trailing newline).
pub(super) fn print_type(graphs: &[Graph], ty: &SuperType) -> String {
    let mut out = description(ty.common.description.as_deref(), "", true);
    out.push_str(&header(ty));
    let directives = type_directives(graphs, ty);
    for directive in &directives {
        out.push_str("\n  ");
        out.push_str(directive);
    }
    let items: Vec<(Option<&str>, String)> = match ty.kind {
        TypeKind::Object | TypeKind::Interface => ty
            .fields
            .iter()
            .map(|f| (f.common.description.as_deref(), field_line(graphs, f)))
            .collect(),
        TypeKind::InputObject => ty
            .fields
            .iter()
            .map(|f| (f.common.description.as_deref(), input_field_line(graphs, f)))
            .collect(),
        TypeKind::Enum => ty
            .values
            .iter()
            .map(|v| (v.common.description.as_deref(), enum_value_line(graphs, v)))
            .collect(),
        TypeKind::Union => {
            if !ty.members.is_empty() {
                let members: Vec<&str> = ty.members.iter().map(|m| m.as_str()).collect();
                out.push_str("\n = ");
                out.push_str(&members.join(" | "));
            }
            return out;
        }
        TypeKind::Scalar => return out,
    };
    out.push_str(&block(&items, directives.is_empty()));
    out
}

/// `type X implements A & B`, `union U`, `scalar S`, …
fn header(ty: &SuperType) -> String {
    let keyword = match ty.kind {
        TypeKind::Object => "type",
        TypeKind::Interface => "interface",
        TypeKind::Union => "union",
        TypeKind::Enum => "enum",
        TypeKind::InputObject => "input",
        TypeKind::Scalar => "scalar",
    };
    let mut header = format!("{keyword} {}", ty.name);
    if !ty.implements.is_empty() && matches!(ty.kind, TypeKind::Object | TypeKind::Interface) {
        let interfaces: Vec<&str> = ty.implements.iter().map(|i| i.as_str()).collect();
        header.push_str(" implements ");
        header.push_str(&interfaces.join(" & "));
    }
    header
}

/// The braces and the indented lines of a type, each described line
/// after the first preceded by a blank line; nothing when there are none.
pub(super) fn block(items: &[(Option<&str>, String)], same_line: bool) -> String {
    if items.is_empty() {
        return String::new();
    }
    let mut out = String::from(if same_line { " {\n" } else { "\n{\n" });
    for (i, (text, line)) in items.iter().enumerate() {
        out.push_str(&description(*text, "  ", i == 0));
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
    out.push('}');
    out
}

/// The type-level directives, in Apollo's order.
fn type_directives(graphs: &[Graph], ty: &SuperType) -> Vec<String> {
    let mut directives: Vec<String> = ty
        .join_implements
        .iter()
        .map(|(graph, interface)| {
            format!(
                "@join__implements(graph: {}, interface: {})",
                graph_value(graphs, *graph),
                quoted(interface)
            )
        })
        .collect();
    directives.extend(ty.join_types.iter().map(|jt| join_type(graphs, jt)));
    directives.extend(
        ty.contexts
            .iter()
            .map(|name| format!("@context(name: {})", quoted(name))),
    );
    if ty.common.inaccessible {
        directives.push("@inaccessible".to_string());
    }
    if ty.kind == TypeKind::Union {
        directives.extend(ty.join_members.iter().map(|(graph, member)| {
            format!(
                "@join__unionMember(graph: {}, member: {})",
                graph_value(graphs, *graph),
                quoted(member)
            )
        }));
    }
    if let (TypeKind::Scalar, Some(url)) = (ty.kind, &ty.specified_by) {
        directives.push(format!("@specifiedBy(url: {})", quoted(url)));
    }
    if ty.one_of {
        directives.push("@oneOf".to_string());
    }
    directives.extend(tags(&ty.common));
    directives.extend(super::access::applications(&ty.common));
    directives.extend(super::custom::applications(&ty.common));
    directives
}

/// `@join__type(graph:, key:, extension:, resolvable:, isInterfaceObject:)`.
fn join_type(graphs: &[Graph], jt: &JoinType) -> String {
    let mut args = vec![format!("graph: {}", graph_value(graphs, jt.graph))];
    if let Some(key) = &jt.key {
        args.push(format!("key: {}", quoted(key)));
    }
    if jt.extension {
        args.push("extension: true".to_string());
    }
    if let Some(resolvable) = jt.resolvable {
        args.push(format!("resolvable: {resolvable}"));
    }
    if jt.interface_object {
        args.push("isInterfaceObject: true".to_string());
    }
    format!("@join__type({})", args.join(", "))
}

/// `@join__field(…)`, or bare `@join__field` when nothing is set.
fn join_field(graphs: &[Graph], jf: &JoinField) -> String {
    let mut args = Vec::new();
    if let Some(graph) = jf.graph {
        args.push(format!("graph: {}", graph_value(graphs, graph)));
    }
    let strings = [
        ("requires", &jf.requires),
        ("provides", &jf.provides),
        ("type", &jf.ty),
    ];
    for (name, text) in strings {
        if let Some(text) = text {
            args.push(format!("{name}: {}", quoted(text)));
        }
    }
    if jf.external {
        args.push("external: true".to_string());
    }
    if let Some(from) = &jf.override_from {
        args.push(format!("override: {}", quoted(from)));
    }
    if jf.used_overridden {
        args.push("usedOverridden: true".to_string());
    }
    if let Some(label) = &jf.override_label {
        args.push(format!("overrideLabel: {}", quoted(label)));
    }
    if !jf.context_arguments.is_empty() {
        let entries: Vec<String> = jf
            .context_arguments
            .iter()
            .map(|c| {
                format!(
                    "{{context: {}, name: {}, type: {}, selection: {}}}",
                    quoted(&c.context),
                    quoted(&c.name),
                    quoted(&c.ty),
                    quoted(&c.selection)
                )
            })
            .collect();
        args.push(format!("contextArguments: [{}]", entries.join(", ")));
    }
    if args.is_empty() {
        return "@join__field".to_string();
    }
    format!("@join__field({})", args.join(", "))
}

/// `name(args): Type @inaccessible @join__field(…) @tag(…) @deprecated(…)`.
fn field_line(graphs: &[Graph], field: &SuperField) -> String {
    let head = format!("{}{}: {}", field.name, arguments(&field.args), field.ty);
    let joins = field.join_fields.iter().map(|jf| join_field(graphs, jf));
    with_directives(head, &field.common, joins)
}

/// `name: Type = default @inaccessible @join__field(…) @tag(…) @deprecated(…)`.
fn input_field_line(graphs: &[Graph], field: &SuperField) -> String {
    let head = input_value_head(&field.name, &field.ty, field.default.as_deref());
    let joins = field.join_fields.iter().map(|jf| join_field(graphs, jf));
    with_directives(head, &field.common, joins)
}

/// `NAME @inaccessible @join__enumValue(graph:)… @tag(…) @deprecated(…)`.
fn enum_value_line(graphs: &[Graph], enum_value: &SuperEnumValue) -> String {
    let joins = enum_value
        .graphs
        .iter()
        .map(|graph| format!("@join__enumValue(graph: {})", graph_value(graphs, *graph)));
    with_directives(enum_value.name.to_string(), &enum_value.common, joins)
}

/// A field's argument list: inline, or one per line (indented under a
/// field) when any argument has a description; empty without arguments.
fn arguments(args: &[SuperArgument]) -> String {
    if args.is_empty() {
        return String::new();
    }
    let lines: Vec<String> = args.iter().map(argument).collect();
    if args.iter().all(|a| a.common.description.is_none()) {
        return format!("({})", lines.join(", "));
    }
    let described: Vec<String> = args
        .iter()
        .zip(lines)
        .enumerate()
        .map(|(i, (arg, line))| {
            let text = description(arg.common.description.as_deref(), "    ", i == 0);
            format!("{text}    {line}")
        })
        .collect();
    format!("(\n{}\n  )", described.join("\n"))
}

/// `name: Type = default @inaccessible @tag(…) @deprecated(…)`.
fn argument(arg: &SuperArgument) -> String {
    let head = input_value_head(&arg.name, &arg.ty, arg.default.as_deref());
    with_directives(head, &arg.common, std::iter::empty())
}

/// `name: Type` with ` = default` when there is one.
pub(super) fn input_value_head(
    name: &str,
    ty: &apollo_compiler::ast::Type,
    default: Option<&apollo_compiler::ast::Value>,
) -> String {
    match default {
        Some(default) => format!("{name}: {ty} = {}", value(default)),
        None => format!("{name}: {ty}"),
    }
}

/// `head` followed by `@inaccessible`, the join directives, the tags and
/// `@deprecated`, space-separated.
fn with_directives(head: String, common: &Common, joins: impl Iterator<Item = String>) -> String {
    let mut line = head;
    let inaccessible = common.inaccessible.then(|| "@inaccessible".to_string());
    let directives = inaccessible
        .into_iter()
        .chain(joins)
        .chain(super::access::applications(common))
        .chain(tags(common))
        .chain(deprecated(common))
        .chain(super::custom::applications(common));
    for directive in directives {
        line.push(' ');
        line.push_str(&directive);
    }
    line
}

/// `@tag(name:)` for each tag.
fn tags(common: &Common) -> impl Iterator<Item = String> + '_ {
    common
        .tags
        .iter()
        .map(|tag| format!("@tag(name: {})", quoted(tag)))
}

/// `@deprecated` or `@deprecated(reason:)` when deprecated.
fn deprecated(common: &Common) -> Option<String> {
    match &common.deprecated {
        None => None,
        Some(None) => Some("@deprecated".to_string()),
        Some(Some(reason)) => Some(format!("@deprecated(reason: {})", quoted(reason))),
    }
}

/// The `join__Graph` value naming a graph.
fn graph_value(graphs: &[Graph], graph: GraphId) -> &str {
    debug_assert!(graph < graphs.len(), "graph {graph} out of range");
    graphs.get(graph).map_or("", |g| g.enum_value.as_str())
}
