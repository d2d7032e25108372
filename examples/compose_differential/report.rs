//! The figures and tables of a run: totals, accept/reject agreement,
//! same first error code among sets both composers reject, identical (and
//! equal-in-meaning) supergraphs among sets both accept, every
//! disagreement, and the same grouped by rule and by code pair. As text
//! (Markdown tables) or as JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use junction::compose::compare::compare_supergraphs;
use serde_json::{json, Value};

use crate::sets::Set;
use crate::verdict::Verdict;

/// One set and both verdicts.
pub struct Row<'a> {
    pub set: &'a Set,
    pub junction: Verdict,
    /// `None` when Apollo was not run; `Err` when its script gave no answer.
    pub apollo: Option<Result<Verdict, String>>,
}

impl Row<'_> {
    fn apollo(&self) -> Option<&Verdict> {
        self.apollo.as_ref().and_then(|a| a.as_ref().ok())
    }

    fn agrees(&self) -> Option<bool> {
        self.apollo()
            .map(|a| a.accepted() == self.junction.accepted())
    }

    fn same_first_code(&self) -> Option<bool> {
        let apollo = self.apollo()?;
        let (ours, theirs) = (self.junction.first()?, apollo.first()?);
        Some(ours.code == theirs.code)
    }
}

/// The run's figures.
#[derive(Default)]
pub struct Summary {
    pub sets: usize,
    pub by_origin: BTreeMap<&'static str, usize>,
    pub junction_accepts: usize,
    pub compared: usize,
    pub apollo_failed: usize,
    pub agree: usize,
    pub both_accept: usize,
    pub both_reject: usize,
    pub junction_only_accept: usize,
    pub apollo_only_accept: usize,
    pub same_first_code: usize,
    pub apollo_code_among_ours: usize,
    pub identical_supergraph: usize,
    pub equal_in_meaning: usize,
    pub misnamed_cases: Vec<String>,
}

pub fn summarise(rows: &[Row]) -> Summary {
    let mut s = Summary {
        sets: rows.len(),
        ..Summary::default()
    };
    for row in rows {
        *s.by_origin.entry(row.set.origin.label()).or_default() += 1;
        s.junction_accepts += usize::from(row.junction.accepted());
        if matches!(row.apollo, Some(Err(_))) {
            s.apollo_failed += 1;
        }
        let Some(apollo) = row.apollo() else { continue };
        s.compared += 1;
        if row
            .set
            .intent()
            .is_some_and(|accept| accept != apollo.accepted())
        {
            s.misnamed_cases.push(row.set.name.clone());
        }
        match (&row.junction, apollo) {
            (Verdict::Composed { supergraph: ours }, Verdict::Composed { supergraph: theirs }) => {
                s.agree += 1;
                s.both_accept += 1;
                s.identical_supergraph += usize::from(ours == theirs);
                s.equal_in_meaning += usize::from(compare_supergraphs(ours, theirs).is_empty());
            }
            (Verdict::Rejected { .. }, Verdict::Rejected { .. }) => {
                s.agree += 1;
                s.both_reject += 1;
                s.same_first_code += usize::from(row.same_first_code() == Some(true));
                let first = apollo.first().map(|e| e.code.as_str());
                s.apollo_code_among_ours +=
                    usize::from(first.is_some_and(|c| row.junction.codes().contains(&c)));
            }
            (Verdict::Composed { .. }, _) => s.junction_only_accept += 1,
            (_, Verdict::Composed { .. }) => s.apollo_only_accept += 1,
        }
    }
    s
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        "n/a".into()
    } else {
        format!("{:.1} %", 100.0 * part as f64 / whole as f64)
    }
}

/// One line, `|` escaped, at most `limit` characters.
fn cell(text: &str, limit: usize) -> String {
    let flat = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|");
    if flat.chars().count() > limit {
        format!("{}…", flat.chars().take(limit).collect::<String>())
    } else {
        flat
    }
}

pub fn text(rows: &[Row], s: &Summary, heading: &str) -> String {
    let mut out = format!("# {heading}\n\n");
    let origins: Vec<String> = s
        .by_origin
        .iter()
        .map(|(k, v)| format!("{v} {k}"))
        .collect();
    let _ = writeln!(out, "- sets: {} ({})", s.sets, origins.join(", "));
    let _ = writeln!(
        out,
        "- Junction: {} accepted, {} rejected",
        s.junction_accepts,
        s.sets - s.junction_accepts
    );
    if s.compared == 0 && s.apollo_failed == 0 {
        let _ = writeln!(out, "- Apollo: not run (give --apollo and have node)");
        by_rule(&mut out, rows);
        return out;
    }
    let _ = writeln!(
        out,
        "- Apollo answered for {} sets ({} without an answer)",
        s.compared, s.apollo_failed
    );
    let _ = writeln!(
        out,
        "- accept/reject agreement: {}/{} ({})",
        s.agree,
        s.compared,
        percent(s.agree, s.compared)
    );
    let _ = writeln!(
        out,
        "  - both accept {}, both reject {}, only Junction accepts {}, only Apollo accepts {}",
        s.both_accept, s.both_reject, s.junction_only_accept, s.apollo_only_accept
    );
    let _ = writeln!(
        out,
        "- same first code among both-reject: {}/{} ({}); Apollo's first code anywhere in Junction's errors: {}/{} ({})",
        s.same_first_code,
        s.both_reject,
        percent(s.same_first_code, s.both_reject),
        s.apollo_code_among_ours,
        s.both_reject,
        percent(s.apollo_code_among_ours, s.both_reject)
    );
    let _ = writeln!(
        out,
        "- among both-accept: byte-identical supergraph {}/{} ({}), equal in meaning {}/{} ({})",
        s.identical_supergraph,
        s.both_accept,
        percent(s.identical_supergraph, s.both_accept),
        s.equal_in_meaning,
        s.both_accept,
        percent(s.equal_in_meaning, s.both_accept)
    );
    if !s.misnamed_cases.is_empty() {
        let _ = writeln!(
            out,
            "- hand-written cases whose name disagrees with Apollo: {}",
            s.misnamed_cases.join(", ")
        );
    }
    table(
        &mut out,
        "Accept/reject disagreements",
        rows.iter().filter(|r| r.agrees() == Some(false)),
    );
    table(
        &mut out,
        "First-code disagreements (both reject)",
        rows.iter().filter(|r| r.same_first_code() == Some(false)),
    );
    meaning(&mut out, rows);
    failed(&mut out, rows);
    by_rule(&mut out, rows);
    by_code_pair(&mut out, rows);
    out
}

fn table<'a>(out: &mut String, title: &str, rows: impl Iterator<Item = &'a Row<'a>>) {
    let rows: Vec<&Row> = rows.collect();
    let _ = writeln!(out, "\n## {title} ({})\n", rows.len());
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "| set | rule | Junction | Apollo | Apollo's first message | Junction's first message |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for row in rows {
        let Some(apollo) = row.apollo() else { continue };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            row.set.name,
            row.set.rule,
            row.junction.short(),
            apollo.short(),
            cell(apollo.first().map_or("", |e| e.message.as_str()), 220),
            cell(row.junction.first().map_or("", |e| e.message.as_str()), 160),
        );
    }
}

/// Sets both compose whose supergraphs differ in meaning, with the first difference.
fn meaning(out: &mut String, rows: &[Row]) {
    let mut lines = Vec::new();
    for row in rows {
        let (
            Verdict::Composed { supergraph: ours },
            Some(Verdict::Composed { supergraph: theirs }),
        ) = (&row.junction, row.apollo())
        else {
            continue;
        };
        if let Some(first) = compare_supergraphs(ours, theirs).first() {
            lines.push(format!(
                "| {} | {} | {} |",
                row.set.name,
                row.set.rule,
                cell(first, 240)
            ));
        }
    }
    let _ = writeln!(
        out,
        "\n## Both accept, supergraphs differ in meaning ({})\n",
        lines.len()
    );
    if !lines.is_empty() {
        let _ = writeln!(
            out,
            "| set | rule | first difference |\n|---|---|---|\n{}",
            lines.join("\n")
        );
    }
}

fn failed(out: &mut String, rows: &[Row]) {
    let failed: Vec<String> = rows
        .iter()
        .filter_map(|r| match &r.apollo {
            Some(Err(e)) => Some(format!("- {}: {}", r.set.name, cell(e, 200))),
            _ => None,
        })
        .collect();
    if !failed.is_empty() {
        let _ = writeln!(
            out,
            "\n## Sets Apollo's script gave no answer for ({})\n\n{}",
            failed.len(),
            failed.join("\n")
        );
    }
}

fn by_rule(out: &mut String, rows: &[Row]) {
    #[derive(Default)]
    struct Counts {
        sets: usize,
        junction_accepts: usize,
        agree: usize,
        both_reject: usize,
        same_code: usize,
    }
    let mut rules: BTreeMap<&str, Counts> = BTreeMap::new();
    for row in rows {
        let c = rules.entry(row.set.rule.as_str()).or_default();
        c.sets += 1;
        c.junction_accepts += usize::from(row.junction.accepted());
        c.agree += usize::from(row.agrees() == Some(true));
        c.both_reject += usize::from(row.same_first_code().is_some());
        c.same_code += usize::from(row.same_first_code() == Some(true));
    }
    let _ = writeln!(out, "\n## By rule\n\n| rule | sets | Junction accepts | agree | both reject | same first code |\n|---|---|---|---|---|---|");
    for (rule, c) in rules {
        let _ = writeln!(
            out,
            "| {rule} | {} | {} | {} | {} | {} |",
            c.sets, c.junction_accepts, c.agree, c.both_reject, c.same_code
        );
    }
}

fn by_code_pair(out: &mut String, rows: &[Row]) {
    let mut pairs: BTreeMap<(String, String), Vec<&str>> = BTreeMap::new();
    for row in rows {
        let Some(apollo) = row.apollo() else { continue };
        if row.agrees() == Some(true) && row.same_first_code() != Some(false) {
            continue;
        }
        pairs
            .entry((row.junction.short(), apollo.short()))
            .or_default()
            .push(row.set.rule.as_str());
    }
    let _ = writeln!(out, "\n## Disagreements by verdict pair\n\n| Junction | Apollo | sets | rules |\n|---|---|---|---|");
    let mut sorted: Vec<_> = pairs.into_iter().collect();
    sorted.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    for ((ours, theirs), mut rules) in sorted {
        let count = rules.len();
        rules.sort_unstable();
        rules.dedup();
        let _ = writeln!(
            out,
            "| {ours} | {theirs} | {count} | {} |",
            rules.join(", ")
        );
    }
}

pub fn json(rows: &[Row], s: &Summary) -> Value {
    let sets: Vec<Value> = rows
        .iter()
        .map(|r| {
            let apollo = match &r.apollo {
                None => Value::Null,
                Some(Ok(v)) => brief(v),
                Some(Err(e)) => json!({ "failed": e }),
            };
            json!({
                "name": r.set.name,
                "origin": r.set.origin.label(),
                "rule": r.set.rule,
                "base": r.set.base,
                "junction": brief(&r.junction),
                "apollo": apollo,
                "agree": r.agrees(),
                "same_first_code": r.same_first_code(),
            })
        })
        .collect();
    json!({
        "summary": {
            "sets": s.sets,
            "by_origin": s.by_origin,
            "junction_accepts": s.junction_accepts,
            "apollo_answered": s.compared,
            "apollo_failed": s.apollo_failed,
            "agree": s.agree,
            "agreement_percent": ratio(s.agree, s.compared),
            "both_accept": s.both_accept,
            "both_reject": s.both_reject,
            "junction_only_accept": s.junction_only_accept,
            "apollo_only_accept": s.apollo_only_accept,
            "same_first_code": s.same_first_code,
            "same_first_code_percent": ratio(s.same_first_code, s.both_reject),
            "apollo_first_code_among_junction_codes": s.apollo_code_among_ours,
            "identical_supergraph": s.identical_supergraph,
            "identical_supergraph_percent": ratio(s.identical_supergraph, s.both_accept),
            "equal_in_meaning": s.equal_in_meaning,
            "misnamed_cases": s.misnamed_cases,
        },
        "sets": sets,
    })
}

fn ratio(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| 100.0 * part as f64 / whole as f64)
}

/// A verdict without the supergraph: accepted, or the codes and first message.
fn brief(v: &Verdict) -> Value {
    json!({
        "ok": v.accepted(),
        "codes": v.codes(),
        "first_message": v.first().map(|e| e.message.clone()),
    })
}
