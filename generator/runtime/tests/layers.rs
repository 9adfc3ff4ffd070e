//! The runtime's files import one another in one direction only: no file
//! reaches itself through `use super::<file>::...` (tests aside), so each
//! can be read with only what is below it in mind.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each runtime file's name, and the sibling files it imports from.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/runtime");
    let mut files = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        // Tests may use anything.
        let code = text.split("#[cfg(test)]\nmod tests").next().unwrap();
        let code = code
            .split("#[cfg(test)]\npub(super) mod tests")
            .next()
            .unwrap();
        files.insert(name, code.to_owned());
    }
    let names: BTreeSet<String> = files.keys().cloned().collect();
    files
        .iter()
        .map(|(name, code)| {
            let used = names
                .iter()
                .filter(|other| *other != name && *other != "mod")
                .filter(|other| {
                    code.contains(&format!("super::{other}::"))
                        || code.contains(&format!("super::{{{other}::"))
                        || code.contains(&format!(", {other}::"))
                        || code.contains(&format!("\n    {other}::"))
                })
                .cloned()
                .collect();
            (name.clone(), used)
        })
        .collect()
}

/// A path from `from` back to itself, when there is one.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>, from: &str) -> Option<Vec<String>> {
    let mut stack = vec![vec![from.to_owned()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        let last = path.last().unwrap();
        for next in &graph[last] {
            if next == from {
                let mut found = path.clone();
                found.push(next.clone());
                return Some(found);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push(longer);
            }
        }
    }
    None
}

#[test]
fn no_runtime_file_imports_itself_through_others() {
    let graph = imports();
    assert!(graph.len() > 20, "the runtime files were not found");
    assert!(graph["send"].contains("response"), "{:?}", graph["send"]);
    let circles: Vec<String> = graph
        .keys()
        .filter_map(|file| circle(&graph, file))
        .map(|path| path.join(" → "))
        .collect();
    assert!(circles.is_empty(), "import circles: {circles:#?}");
}
