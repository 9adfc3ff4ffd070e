//! Data flows one way: no module of the generator, and no file of the
//! runtime, uses itself through others (tests aside). A module may use its
//! ancestors (a `mod.rs` holds what its children share); a helper two
//! siblings share belongs below both.
//!
//! Paths are read from the code with comments and string literals left
//! out; a name an ancestor imports (`super::Error`, which `mod.rs` takes
//! from `error.rs`) counts as the module it comes from.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Module = Vec<String>;

/// The text of `code` with comments, string and character literals
/// blanked (their characters replaced by spaces), so that only code is read.
fn code_only(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    let mut out = String::with_capacity(code.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < chars.len() {
        let rest = &chars[i..];
        let starts = |s: &str| s.chars().enumerate().all(|(k, c)| rest.get(k) == Some(&c));
        if starts("//") {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if starts("/*") {
            while i < chars.len() && !(chars[i] == '*' && chars.get(i + 1) == Some(&'/')) {
                out.push(blank(chars[i]));
                i += 1;
            }
            out.push_str("  ");
            i += 2;
        } else if starts("r#\"") || starts("r\"") || starts("br\"") || starts("br#\"") {
            let hashes = rest.iter().skip_while(|c| **c != '#' && **c != '"');
            let hashes = hashes.take_while(|c| **c == '#').count();
            let close: String = std::iter::once('"')
                .chain("#".repeat(hashes).chars())
                .collect();
            let open = rest.iter().position(|c| *c == '"').unwrap_or(0) + 1;
            for _ in 0..open {
                out.push(' ');
                i += 1;
            }
            while i < chars.len()
                && !close
                    .chars()
                    .enumerate()
                    .all(|(k, c)| chars.get(i + k) == Some(&c))
            {
                out.push(blank(chars[i]));
                i += 1;
            }
            for _ in 0..close.len() {
                out.push(' ');
                i += 1;
            }
        } else if chars[i] == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                let step = if chars[i] == '\\' { 2 } else { 1 };
                for _ in 0..step {
                    if let Some(c) = chars.get(i) {
                        out.push(blank(*c));
                    }
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if chars[i] == '\''
            && (chars.get(i + 2) == Some(&'\'') || chars.get(i + 1) == Some(&'\\'))
        {
            // A character literal (`'"'`, `'\n'`); a lifetime has no
            // closing quote.
            let end = chars[i + 1..]
                .iter()
                .position(|c| *c == '\'')
                .map_or(i, |p| i + 1 + p);
            while i <= end && i < chars.len() {
                out.push(' ');
                i += 1;
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// `code` without its `#[cfg(test)]` module of tests.
fn without_tests(code: &str) -> String {
    let code = code.replace("\r\n", "\n");
    let lines: Vec<&str> = code.lines().collect();
    let cut = lines.iter().enumerate().position(|(i, line)| {
        line.trim() == "#[cfg(test)]"
            && lines[i + 1..]
                .iter()
                .find(|l| !l.trim().is_empty())
                .is_some_and(|l| l.trim_end().ends_with("mod tests {"))
    });
    lines[..cut.unwrap_or(lines.len())].join("\n")
}

/// Every module under `root` (a crate's `src/`), by its path, with its
/// code only.
fn modules(root: &Path) -> BTreeMap<Module, String> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![root.to_path_buf()];
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
            let relative = path.strip_prefix(root).unwrap().with_extension("");
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
            out.insert(module, code_only(&without_tests(&text)));
        }
    }
    out
}

/// The paths a use tree starting at `text` names (`a::{b, c::d}` gives
/// `a::b` and `a::c::d`), each after `base`; how much of `text` it took.
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
        if path.last().is_some_and(|last| last == "self") {
            path.pop();
        }
        out.push(path);
        return at;
    }
}

/// Whether `at` in `code` starts a path of its own (not the end of a
/// longer name).
fn path_starts(code: &str, at: usize) -> bool {
    !code[..at]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
}

/// Every path `module` names from the crate's root: `crate::…`,
/// `super::…`, `self::…`, and (in `use`) its child modules'.
fn paths(module: &Module, code: &str, all: &BTreeMap<Module, String>) -> Vec<Module> {
    let mut out = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        if path_starts(code, at) {
            use_tree(&code[at + "crate::".len()..], &Vec::new(), &mut out);
        }
    }
    for (at, _) in code.match_indices("self::") {
        if path_starts(code, at) {
            use_tree(&code[at + "self::".len()..], module, &mut out);
        }
    }
    for (at, _) in code.match_indices("super::") {
        if !path_starts(code, at) {
            continue;
        }
        let mut rest = &code[at..];
        let mut base = module.clone();
        while let Some(after) = rest.strip_prefix("super::") {
            base.pop();
            rest = after;
        }
        use_tree(rest, &base, &mut out);
    }
    // `use child::Item;` in a `mod.rs`.
    for (at, _) in code.match_indices("use ") {
        let rest = &code[at + "use ".len()..];
        let first: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let mut child = module.clone();
        child.push(first);
        if path_starts(code, at) && all.contains_key(&child) {
            use_tree(rest, module, &mut out);
        }
    }
    out
}

/// What each module imports, by the name it is known by there: the path
/// it stands for.
fn imports(all: &BTreeMap<Module, String>) -> BTreeMap<Module, BTreeMap<String, Module>> {
    all.iter()
        .map(|(module, code)| {
            let mut named = BTreeMap::new();
            for (at, _) in code.match_indices("use ") {
                if !path_starts(code, at) {
                    continue;
                }
                let statement = &code[at..code[at..].find(';').map_or(code.len(), |end| at + end)];
                for path in paths(module, statement, all) {
                    if let Some(last) = path.last() {
                        named.insert(last.clone(), path.clone());
                    }
                }
            }
            (module.clone(), named)
        })
        .collect()
}

/// The module `path` names: its longest prefix that is a module, after
/// following what the modules on the way import.
fn resolve(
    mut path: Module,
    all: &BTreeMap<Module, String>,
    imports: &BTreeMap<Module, BTreeMap<String, Module>>,
) -> Option<Module> {
    for _ in 0..16 {
        let n = (0..=path.len())
            .rev()
            .find(|n| all.contains_key(&path[..*n]))?;
        let module = path[..n].to_vec();
        let followed = path
            .get(n)
            .and_then(|name| imports[&module].get(name))
            .filter(|target| **target != path[..=n]);
        match followed {
            Some(target) => path = target.iter().chain(&path[n + 1..]).cloned().collect(),
            None => return Some(module),
        }
    }
    None
}

/// Each module of the crate under `root`, and the modules it uses but its
/// ancestors and itself.
fn graph(root: &Path) -> BTreeMap<Module, BTreeSet<Module>> {
    graph_of(&modules(root))
}

/// [`graph`] of modules given with their code.
fn graph_of(all: &BTreeMap<Module, String>) -> BTreeMap<Module, BTreeSet<Module>> {
    let imports = imports(all);
    all.iter()
        .map(|(module, code)| {
            let used = paths(module, code, all)
                .into_iter()
                .filter_map(|path| resolve(path, all, &imports))
                .filter(|used| used != module && !module.starts_with(used))
                .collect();
            (module.clone(), used)
        })
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

fn circles(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<String> {
    graph
        .keys()
        .filter_map(|module| circle(graph, module))
        .map(|path| {
            let names: Vec<String> = path.iter().map(|m| m.join("::")).collect();
            names.join(" → ")
        })
        .collect()
}

fn named(path: &[&str]) -> Module {
    path.iter().map(|p| (*p).to_owned()).collect()
}

#[test]
fn no_generator_module_uses_itself_through_others() {
    let graph = graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    // The reading of paths works: uses known to be there, one through a
    // name `model/mod.rs` imports from `naming`.
    assert!(graph[&named(&["emit"])].contains(&named(&["model"])));
    assert!(
        graph[&named(&["model", "operations", "owned"])].contains(&named(&["model", "naming"]))
    );
    assert!(
        graph[&named(&["model", "schemas", "objects"])]
            .contains(&named(&["model", "schemas", "keywords"]))
    );
    assert!(graph[&named(&["model", "operation_data"])].contains(&named(&["model", "naming"])));
    let circles = circles(&graph);
    assert!(circles.is_empty(), "module circles: {circles:#?}");
}

#[test]
fn no_runtime_file_uses_itself_through_others() {
    let graph = graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("runtime/src"));
    let file = |name: &str| named(&["runtime", name]);
    // `super::trace` then `trace::…`, and `super::Error` (from `error.rs`).
    assert!(graph[&file("send")].contains(&file("trace")));
    assert!(graph[&file("stream")].contains(&file("error")));
    assert!(graph[&file("send")].contains(&file("response")));
    // Not `std::{fmt, error::Error}`.
    assert!(!graph[&file("decode")].contains(&file("trace")));
    let circles = circles(&graph);
    assert!(circles.is_empty(), "runtime file circles: {circles:#?}");
}

/// The reader itself: comments and strings do not count, and a circle
/// through an imported name is found.
#[test]
fn the_reader_sees_code_only_and_follows_imports() {
    let cleaned = code_only("let a = \"crate::x::\"; // crate::y::\nlet q = '\"'; crate::z::f();");
    assert!(
        !cleaned.contains("crate::x") && !cleaned.contains("crate::y"),
        "{cleaned}"
    );
    assert!(cleaned.contains("crate::z::f"), "{cleaned}");
    let all: BTreeMap<Module, String> = [
        (named(&[]), "mod a; mod b; pub use a::Thing;".to_owned()),
        (
            named(&["a"]),
            "pub struct Thing; fn f() { crate::b::g() }".to_owned(),
        ),
        (named(&["b"]), "use crate::Thing; pub fn g() {}".to_owned()),
    ]
    .into_iter()
    .collect();
    let graph = graph_of(&all);
    assert_eq!(circles(&graph).len(), 2, "{graph:?}");
}
