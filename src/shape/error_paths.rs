//! Which response paths the errors so far explain: a prefix tree of the
//! errors' paths, so that asking "does an error lie at or below this path?"
//! costs the path's length, not the number of errors. Shaping a list of
//! 20,000 nulls in non-null positions asks it 20,000 times.

use std::collections::HashMap;

use serde_json::Value;

/// One step of a response path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Segment {
    Key(String),
    Index(u64),
}

impl Segment {
    fn of(value: &Value) -> Option<Segment> {
        match value {
            Value::String(key) => Some(Segment::Key(key.clone())),
            Value::Number(n) => n.as_u64().map(Segment::Index),
            _ => None,
        }
    }
}

#[derive(Default)]
struct Node {
    children: HashMap<Segment, Node, foldhash::fast::RandomState>,
}

/// The paths of a set of errors.
#[derive(Default)]
pub(super) struct ErrorPaths {
    root: Node,
    /// An error without a path explains every null.
    pathless: bool,
    /// Some error was added (so one lies at or below the root).
    any: bool,
}

impl ErrorPaths {
    /// The paths of `errors`.
    pub fn of(errors: &[Value]) -> Self {
        let mut paths = Self::default();
        for error in errors {
            paths.add(error);
        }
        paths
    }

    /// Adds an error's path.
    pub fn add(&mut self, error: &Value) {
        self.any = true;
        let Some(path) = error.get("path").and_then(Value::as_array) else {
            self.pathless = true;
            return;
        };
        let mut node = &mut self.root;
        for step in path {
            let Some(segment) = Segment::of(step) else {
                return;
            };
            node = node.children.entry(segment).or_default();
        }
    }

    /// Does an error lie at `path` or below it?
    pub fn explains(&self, path: impl IntoIterator<Item = Segment>) -> bool {
        if self.pathless {
            return true;
        }
        if !self.any {
            return false;
        }
        let mut node = &self.root;
        for segment in path {
            match node.children.get(&segment) {
                Some(child) => node = child,
                None => return false,
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn path(steps: &[Segment]) -> Vec<Segment> {
        steps.to_vec()
    }

    #[test]
    fn an_error_explains_its_path_and_every_path_above_it() {
        let paths = ErrorPaths::of(&[json!({ "message": "x", "path": ["a", 1, "b"] })]);
        let a = Segment::Key("a".into());
        let b = Segment::Key("b".into());
        assert!(paths.explains(path(&[a.clone(), Segment::Index(1), b.clone()])));
        assert!(paths.explains(path(&[a.clone(), Segment::Index(1)])));
        assert!(paths.explains(vec![a.clone()]));
        assert!(!paths.explains(path(&[a.clone(), Segment::Index(2)])));
        assert!(!paths.explains(path(&[a, Segment::Index(1), b, Segment::Index(0)])));
    }

    #[test]
    fn no_error_explains_nothing_not_even_the_root() {
        let paths = ErrorPaths::of(&[]);
        assert!(!paths.explains(Vec::new()));
        let paths = ErrorPaths::of(&[json!({ "message": "x", "path": ["a"] })]);
        assert!(paths.explains(Vec::new()));
    }

    #[test]
    fn an_error_without_a_path_explains_everything() {
        let paths = ErrorPaths::of(&[json!({ "message": "x" })]);
        assert!(paths.explains(path(&[Segment::Key("z".into())])));
    }
}
