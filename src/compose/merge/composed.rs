//! The custom features of the supergraph: the directives subgraphs keep
//! with `@composeDirective`, grouped by the `@link`ed feature they come
//! from. Every subgraph composing a directive must take it from the same
//! feature, at the same major version and under the same name; the
//! definition of the subgraph linking the newest minor version wins
//! (the last such subgraph in graph order).

use std::collections::HashMap;

use crate::compose::model::{ComposedDirective, ComposedFeature, Subgraph};
use crate::compose::CompositionError;

const CODE: &str = "DIRECTIVE_COMPOSITION_ERROR";

/// The composed features in first-appearance order, or every conflict.
pub(super) fn composed_features(
    subgraphs: &[Subgraph],
) -> Result<Vec<ComposedFeature>, Vec<CompositionError>> {
    let mut chosen: Vec<(&Subgraph, &ComposedDirective)> = Vec::new();
    let mut errors = Vec::new();
    for subgraph in subgraphs {
        for directive in &subgraph.composed {
            check_against_others(subgraph, directive, subgraphs, &mut errors);
            match chosen.iter_mut().find(|(_, c)| c.name == directive.name) {
                Some(entry) if directive.minor >= entry.1.minor => *entry = (subgraph, directive),
                Some(_) => {}
                None => chosen.push((subgraph, directive)),
            }
        }
    }
    if !errors.is_empty() {
        errors.dedup();
        return Err(errors);
    }
    Ok(group_by_feature(&chosen))
}

/// Reports each way `directive` of `subgraph` disagrees with another
/// subgraph's composed directive of the same name or feature.
fn check_against_others(
    subgraph: &Subgraph,
    directive: &ComposedDirective,
    subgraphs: &[Subgraph],
    errors: &mut Vec<CompositionError>,
) {
    let others = subgraphs
        .iter()
        .filter(|other| other.name != subgraph.name)
        .flat_map(|other| other.composed.iter().map(move |c| (other, c)));
    for (other, theirs) in others {
        let message = if theirs.name == directive.name && theirs.identity != directive.identity {
            format!(
                "Composed directive \"@{}\" comes from \"{}\" in subgraph \"{}\" but from \"{}\" in subgraph \"{}\": every subgraph composing it must link the same feature",
                directive.name, directive.identity, subgraph.name, theirs.identity, other.name
            )
        } else if theirs.identity == directive.identity && theirs.major != directive.major {
            format!(
                "Feature \"{}\" is linked at major version {} in subgraph \"{}\" and {} in subgraph \"{}\": composed directives need one major version",
                directive.identity, directive.major, subgraph.name, theirs.major, other.name
            )
        } else if theirs.identity == directive.identity
            && theirs.spec_name == directive.spec_name
            && theirs.name != directive.name
        {
            format!(
                "Directive \"@{}\" of \"{}\" is composed as \"@{}\" in subgraph \"{}\" but as \"@{}\" in subgraph \"{}\": import it under one name everywhere",
                directive.spec_name, directive.identity, directive.name, subgraph.name, theirs.name, other.name
            )
        } else {
            continue;
        };
        // Reported once per pair: from the subgraph that comes first.
        if subgraph.name < other.name {
            errors.push(
                CompositionError::new(CODE, message)
                    .at(&subgraph.name, directive.location)
                    .at(&other.name, theirs.location),
            );
        }
    }
}

/// One feature per identity: the url of its newest linked version, its
/// imports and definitions in first-appearance order.
fn group_by_feature(chosen: &[(&Subgraph, &ComposedDirective)]) -> Vec<ComposedFeature> {
    let mut features: Vec<ComposedFeature> = Vec::new();
    let mut index: HashMap<&str, (usize, u32)> = HashMap::new();
    for (_, directive) in chosen {
        let (at, minor) = *index.entry(directive.identity.as_str()).or_insert_with(|| {
            features.push(ComposedFeature {
                url: directive.url.clone(),
                imports: Vec::new(),
                definitions: Vec::new(),
            });
            (features.len() - 1, directive.minor)
        });
        let feature = &mut features[at];
        if directive.minor > minor {
            feature.url = directive.url.clone();
            index.insert(directive.identity.as_str(), (at, directive.minor));
        }
        feature
            .imports
            .push((directive.spec_name.clone(), directive.name.clone()));
        feature.definitions.push(directive.definition.clone());
    }
    features
}
