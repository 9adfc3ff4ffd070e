//! Data flows one way through the generator: no module reaches itself
//! through the paths it uses (`crate::…`, `super::…`, tests aside). A
//! module may use its ancestors (a `mod.rs` holds what its children
//! share); a helper two siblings share belongs below both.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Module = Vec<String>;

/// Every module of `src/`, by its path, with its code (tests left out).
fn modules() -> BTreeMap<Module, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(&root).unwrap().with_extension("");
            let mut module: Module = relative
                .iter()
                .map(|part| part.to_string_lossy().into_owned())
                .collect();
            if module
                .last()
                .is_some_and(|last| last == "mod" || last == "lib")
            {
                module.pop();
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]\nmod tests").next().unwrap();
            out.insert(module, code.to_owned());
        }
    }
    out
}

/// The paths a use tree starting at `text` names (`a::{b, c::d}` gives
/// `a::b` and `a::c::d`), each after `base`.
fn use_tree(text: &str, base: &Module, out: &mut Vec<Module>) -> usize {
    let mut path = base.clone();
    let mut at = 0;
    let bytes = text.as_bytes();
    loop {
        let start = at;
        while at < bytes.len() && (bytes[at].is_ascii_alphanumeric() || bytes[at] == b'_') {
            at += 1;
        }
        if at > start {
            path.push(text[start..at].to_owned());
        }
        let group = match () {
            _ if text[at..].starts_with("::{") => Some(3),
            _ if at == 0 && text.starts_with('{') => Some(1),
            _ => None,
        };
        if let Some(open) = group {
            at += open;
            loop {
                let rest = &text[at..];
                let trimmed = rest.trim_start_matches([' ', '\n', ',']);
                at += rest.len() - trimmed.len();
                if trimmed.is_empty() || trimmed.starts_with('}') {
                    return (at + 1).min(text.len());
                }
                // `*` or anything else that is not a path: skipped.
                let first = trimmed.chars().next().map_or(1, char::len_utf8);
                at += use_tree(trimmed, &path, out).max(first);
            }
        }
        if text[at..].starts_with("::") {
            at += 2;
            continue;
        }
        out.push(path);
        return at;
    }
}

/// The modules `module` uses, but its ancestors and itself.
fn uses(module: &Module, code: &str, all: &BTreeMap<Module, String>) -> BTreeSet<Module> {
    let mut paths = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        use_tree(&code[at + "crate::".len()..], &Vec::new(), &mut paths);
    }
    for (at, _) in code.match_indices("super::") {
        // Only the first `super::` of a run.
        if code[..at].ends_with("super::") {
            continue;
        }
        let mut rest = &code[at..];
        // A `mod.rs` is its directory's module: `super` is its parent.
        let mut base = module.clone();
        while let Some(after) = rest.strip_prefix("super::") {
            base.pop();
            rest = after;
        }
        use_tree(rest, &base, &mut paths);
    }
    paths
        .into_iter()
        .filter_map(|path| {
            (1..=path.len())
                .rev()
                .map(|n| path[..n].to_vec())
                .find(|prefix| all.contains_key(prefix))
        })
        .filter(|used| used != module && !module.starts_with(used))
        .collect()
}

/// A path from `from` back to itself, when there is one.
fn circle(graph: &BTreeMap<Module, BTreeSet<Module>>, from: &Module) -> Option<Vec<Module>> {
    let mut stack = vec![vec![from.clone()]];
    let mut seen = BTreeSet::new();
    while let Some(path) = stack.pop() {
        for next in &graph[path.last().unwrap()] {
            let mut longer = path.clone();
            longer.push(next.clone());
            if next == from {
                return Some(longer);
            }
            if seen.insert(next.clone()) {
                stack.push(longer);
            }
        }
    }
    None
}

#[test]
fn no_module_uses_itself_through_others() {
    let all = modules();
    let graph: BTreeMap<Module, BTreeSet<Module>> = all
        .iter()
        .map(|(module, code)| (module.clone(), uses(module, code, &all)))
        .collect();
    let named = |path: &[&str]| path.iter().map(|p| (*p).to_owned()).collect::<Module>();
    // The reading of paths works: a few uses known to be there.
    assert!(graph[&named(&["emit"])].contains(&named(&["model"])));
    assert!(
        graph[&named(&["model", "operations", "owned"])].contains(&named(&["model", "naming"]))
    );
    assert!(
        graph[&named(&["model", "schemas", "objects"])]
            .contains(&named(&["model", "schemas", "keywords"]))
    );
    let circles: Vec<String> = graph
        .keys()
        .filter_map(|module| circle(&graph, module))
        .map(|path| {
            let names: Vec<String> = path.iter().map(|m| m.join("::")).collect();
            names.join(" → ")
        })
        .collect();
    assert!(circles.is_empty(), "module circles: {circles:#?}");
}
