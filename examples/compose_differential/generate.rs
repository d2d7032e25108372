//! Generated sets: the mutation rules applied to the base sets, one rule
//! per set, deterministically from a seed. Rules are taken in turn so
//! every rule is represented; the base (and the place in it) is chosen by
//! the seeded generator among those the rule applies to. A rule that
//! applies to no base, or a mutation that repeats an earlier set, is
//! passed over.

use std::collections::HashSet;

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;

use crate::bases::Base;
use crate::rules::{self, Rule};
use crate::sdl::Work;
use crate::sets::{Origin, Set};

/// `count` sets from `seed` (fewer only if the rules run out of new sets).
pub fn generate(bases: &[Base], seed: u64, count: usize) -> Vec<Set> {
    let rules = rules::all();
    let parsed: Vec<(&str, Work)> = bases
        .iter()
        .filter(|b| b.mutable)
        .filter_map(|b| Some((b.name, Work::parse(&b.subgraphs)?)))
        .collect();
    let mut rng = StdRng::seed_from_u64(seed);
    // A mutation that changes nothing would repeat its base: passed over too.
    let mut seen: HashSet<String> = parsed
        .iter()
        .map(|(_, w)| fingerprint(&w.print()))
        .collect();
    let mut sets = Vec::with_capacity(count);
    let mut turn = 0;
    while sets.len() < count && turn < count.saturating_mul(20) {
        let rule = rules[turn % rules.len()];
        turn += 1;
        let Some((base, subgraphs)) = mutate(rule, &parsed, &mut rng) else {
            continue;
        };
        if !seen.insert(fingerprint(&subgraphs)) {
            continue;
        }
        sets.push(Set {
            name: format!("g{:03}-{}-{base}", sets.len() + 1, rule.name),
            origin: Origin::Generated,
            rule: rule.name.to_string(),
            base: base.to_string(),
            subgraphs,
        });
    }
    sets
}

/// The rule applied to the first base (in a seeded order) it applies to.
fn mutate<'a>(
    rule: &Rule,
    parsed: &[(&'a str, Work)],
    rng: &mut StdRng,
) -> Option<(&'a str, Vec<junction::compose::SubgraphInput>)> {
    let mut order: Vec<usize> = (0..parsed.len()).collect();
    order.shuffle(rng);
    order.into_iter().find_map(|i| {
        let (name, work) = &parsed[i];
        let mut mutated = work.clone();
        (rule.apply)(&mut mutated, rng)?;
        Some((*name, mutated.print()))
    })
}

fn fingerprint(subgraphs: &[junction::compose::SubgraphInput]) -> String {
    subgraphs
        .iter()
        .map(|s| format!("{}\n{}\n", s.name, s.sdl))
        .collect()
}
