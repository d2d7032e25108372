//! What the supergraph carries of federation's access-control directives
//! (`@authenticated`, `@requiresScopes`, `@policy`, federation v2.5/v2.6)
//! and demand-control directives (`@cost`, `@listSize`, v2.9), and how
//! the applications of several subgraphs to one element merge:
//! `@authenticated` if any subgraph has it; scopes and policies as the
//! conjunction of every subgraph's requirement (each a disjunction of
//! conjunctions, so the result is their product); the highest `@cost`
//! weight; `@listSize` by the highest assumed size, the union of slicing
//! arguments and sized fields, and `requireOneSlicingArgument` only if
//! every subgraph requires it.

/// A requirement in disjunctive normal form: any one inner list, all of it.
pub type Requirement = Vec<Vec<String>>;

/// `@authenticated`, `@requiresScopes(scopes:)`, `@policy(policies:)`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Access {
    pub authenticated: bool,
    pub scopes: Option<Requirement>,
    pub policies: Option<Requirement>,
}

/// `@cost(weight:)` and `@listSize(…)`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cost {
    pub weight: Option<i32>,
    pub list_size: Option<ListSize>,
}

/// `@listSize(assumedSize:, slicingArguments:, sizedFields:, requireOneSlicingArgument:)`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListSize {
    pub assumed_size: Option<i32>,
    pub slicing_arguments: Option<Vec<String>>,
    pub sized_fields: Option<Vec<String>>,
    pub require_one_slicing_argument: Option<bool>,
}

impl Access {
    /// Adds another subgraph's (or block's) requirements to these.
    pub fn merge(&mut self, other: &Self) {
        self.authenticated |= other.authenticated;
        self.scopes = both(self.scopes.take(), other.scopes.as_ref());
        self.policies = both(self.policies.take(), other.policies.as_ref());
    }

    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

impl Cost {
    /// Adds another subgraph's (or block's) cost information to this.
    pub fn merge(&mut self, other: &Self) {
        self.weight = nullable(self.weight, other.weight, i32::max);
        self.list_size = match (self.list_size.take(), &other.list_size) {
            (Some(mine), Some(theirs)) => Some(mine.merged(theirs)),
            (mine, theirs) => mine.or_else(|| theirs.clone()),
        };
    }
}

impl ListSize {
    fn merged(self, other: &Self) -> Self {
        Self {
            assumed_size: nullable(self.assumed_size, other.assumed_size, i32::max),
            slicing_arguments: union(self.slicing_arguments, other.slicing_arguments.as_ref()),
            sized_fields: union(self.sized_fields, other.sized_fields.as_ref()),
            require_one_slicing_argument: nullable(
                self.require_one_slicing_argument,
                other.require_one_slicing_argument,
                |a, b| a && b,
            ),
        }
    }
}

/// Both requirements must hold: every pair of alternatives, joined.
/// Each alternative is sorted and duplicates are dropped.
fn both(mine: Option<Requirement>, theirs: Option<&Requirement>) -> Option<Requirement> {
    let (mine, theirs) = match (mine, theirs) {
        (Some(mine), Some(theirs)) => (mine, theirs),
        (mine, theirs) => return mine.or_else(|| theirs.cloned()),
    };
    let mut product: Requirement = Vec::new();
    for left in &mine {
        for right in theirs {
            let mut joined: Vec<String> = left.iter().chain(right).cloned().collect();
            joined.sort();
            joined.dedup();
            if !product.contains(&joined) {
                product.push(joined);
            }
        }
    }
    Some(product)
}

fn nullable<T: Copy>(a: Option<T>, b: Option<T>, pick: impl Fn(T, T) -> T) -> Option<T> {
    match (a, b) {
        (Some(a), Some(b)) => Some(pick(a, b)),
        (a, b) => a.or(b),
    }
}

fn union(mine: Option<Vec<String>>, theirs: Option<&Vec<String>>) -> Option<Vec<String>> {
    match (mine, theirs) {
        (Some(mut mine), Some(theirs)) => {
            for item in theirs {
                if !mine.contains(item) {
                    mine.push(item.clone());
                }
            }
            Some(mine)
        }
        (mine, theirs) => mine.or_else(|| theirs.cloned()),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A requirement from its alternatives, each a list of names all needed.
    pub(crate) fn req(alternatives: &[&[&str]]) -> Requirement {
        alternatives
            .iter()
            .map(|all| all.iter().map(ToString::to_string).collect())
            .collect()
    }

    #[test]
    fn requirements_of_two_subgraphs_must_both_hold() {
        let mut access = Access {
            scopes: Some(req(&[&["x"], &["y", "z"]])),
            ..Access::default()
        };
        access.merge(&Access {
            authenticated: true,
            scopes: Some(req(&[&["w"]])),
            policies: Some(req(&[&["p"]])),
        });
        assert!(access.authenticated);
        assert_eq!(access.scopes, Some(req(&[&["w", "x"], &["w", "y", "z"]])));
        assert_eq!(access.policies, Some(req(&[&["p"]])));
    }

    #[test]
    fn cost_takes_the_highest_weight_and_widest_list_size() {
        let mut cost = Cost {
            weight: Some(3),
            list_size: Some(ListSize {
                assumed_size: Some(10),
                slicing_arguments: Some(vec!["first".into()]),
                require_one_slicing_argument: Some(true),
                ..ListSize::default()
            }),
        };
        cost.merge(&Cost {
            weight: Some(5),
            list_size: Some(ListSize {
                assumed_size: Some(5),
                slicing_arguments: Some(vec!["last".into()]),
                require_one_slicing_argument: Some(false),
                ..ListSize::default()
            }),
        });
        assert_eq!(cost.weight, Some(5));
        let list_size = cost.list_size.unwrap_or_default();
        assert_eq!(list_size.assumed_size, Some(10));
        assert_eq!(
            list_size.slicing_arguments,
            Some(vec!["first".to_string(), "last".to_string()])
        );
        assert_eq!(list_size.require_one_slicing_argument, Some(false));
    }
}
