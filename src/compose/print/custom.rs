//! The custom features `@composeDirective` keeps: their `@link`s, the
//! definitions of their directives and each application of them.

use apollo_compiler::ast::{Directive, DirectiveDefinition};

use super::text::{description, quoted, value};
use super::types::input_value_head;
use crate::compose::model::{Common, ComposedFeature};

/// `@link(url: "…", import: ["@a", {name: "@b", as: "@c"}])`.
pub(super) fn feature_link(feature: &ComposedFeature) -> String {
    let imports: Vec<String> = feature
        .imports
        .iter()
        .map(|(spec_name, name)| {
            if spec_name == name.as_str() {
                quoted(&format!("@{name}"))
            } else {
                format!(
                    "{{name: {}, as: {}}}",
                    quoted(&format!("@{spec_name}")),
                    quoted(&format!("@{name}"))
                )
            }
        })
        .collect();
    format!(
        "@link(url: {}, import: [{}])",
        quoted(&feature.url),
        imports.join(", ")
    )
}

/// `directive @name(args) repeatable on A | B`, its description above it.
pub(super) fn definition(def: &DirectiveDefinition) -> String {
    let args: Vec<String> = def
        .arguments
        .iter()
        .map(|arg| input_value_head(&arg.name, &arg.ty, arg.default_value.as_deref()))
        .collect();
    let args = if args.is_empty() {
        String::new()
    } else {
        format!("({})", args.join(", "))
    };
    let repeatable = if def.repeatable { " repeatable" } else { "" };
    let locations: Vec<&str> = def.locations.iter().map(|l| l.name()).collect();
    format!(
        "{}directive @{}{args}{repeatable} on {}",
        description(def.description.as_deref(), "", true),
        def.name,
        locations.join(" | ")
    )
}

/// Each composed directive applied to the element, as `@name(args)`.
pub(super) fn applications(common: &Common) -> impl Iterator<Item = String> + '_ {
    common
        .applied
        .iter()
        .map(|applied| application(&applied.directive))
}

fn application(directive: &Directive) -> String {
    if directive.arguments.is_empty() {
        return format!("@{}", directive.name);
    }
    let args: Vec<String> = directive
        .arguments
        .iter()
        .map(|arg| format!("{}: {}", arg.name, value(&arg.value)))
        .collect();
    format!("@{}({})", directive.name, args.join(", "))
}
