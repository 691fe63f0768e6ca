//! The layout stays one a newcomer can carry: no module cycle inside a crate (at the crate's top
//! level, nor among the files of a module folder), and no Rust source file over 400 lines.
//!
//! Dependencies are read from the source text: `crate::name` (also inside `use crate::{...}`) and
//! `super::name`, resolved to the module they name. Comments are skipped.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_LINES: usize = 400;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The source without `//` comments (doc comments included).
fn code_of(text: &str) -> String {
    text.lines().map(|l| l.find("//").map_or(l, |i| &l[..i])).collect::<Vec<_>>().join("\n")
}

fn ident_at(text: &str) -> &str {
    let end = text.find(|c: char| !(c.is_alphanumeric() || c == '_')).unwrap_or(text.len());
    &text[..end]
}

/// The names right after `prefix` (`crate::`, `super::`), including each item of a braced list.
fn names_after<'a>(code: &'a str, prefix: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        let preceded_by_ident =
            rest[..i].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':');
        rest = &rest[i + prefix.len()..];
        if preceded_by_ident {
            continue;
        }
        if let Some(list) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item_start = true;
            for (j, c) in list.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && (c.is_alphanumeric() || c == '_') => {
                        out.push(ident_at(&list[j..]));
                        item_start = false;
                    }
                    _ => {}
                }
            }
        } else {
            out.push(ident_at(rest));
        }
    }
    out
}

/// One level of modules: each module's name and the sibling modules its files name.
type Graph = BTreeMap<String, BTreeSet<String>>;

/// The items (`struct`, `enum`, `fn`, `trait`, `type`, `const`) a file defines at its top level.
fn items_defined(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in code.lines().filter(|l| !l.starts_with(' ')) {
        let words: Vec<&str> = line.split_whitespace().collect();
        let at = words.iter().position(|w| ["struct", "enum", "fn", "trait", "type", "const"].contains(w));
        if let Some(name) = at.and_then(|i| words.get(i + 1)) {
            let name = ident_at(name);
            if !name.is_empty() {
                out.push(name.to_string());
            }
        }
    }
    out
}

/// Which module defines each item name; names defined in more than one are left out.
fn item_owners(defs: &[(String, Vec<String>)]) -> BTreeMap<String, String> {
    let mut owners: BTreeMap<String, Option<String>> = BTreeMap::new();
    for (module, items) in defs {
        for item in items {
            owners
                .entry(item.clone())
                .and_modify(|o| {
                    if o.as_deref() != Some(module.as_str()) {
                        *o = None;
                    }
                })
                .or_insert_with(|| Some(module.clone()));
        }
    }
    owners.into_iter().filter_map(|(item, owner)| owner.map(|o| (item, o))).collect()
}

/// The top-level modules of the crate whose sources are in `src` and, for each module folder,
/// the graph of its files: `(where, graph)` pairs.
fn graphs(src: &Path) -> Vec<(String, Graph)> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let module_of = |path: &Path| -> Vec<String> {
        let rel = path.strip_prefix(src).expect("under src");
        let mut parts: Vec<String> =
            rel.iter().map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string()).collect();
        if parts.last().is_some_and(|p| p == "mod") {
            parts.pop();
        }
        parts
    };
    let top_names: BTreeSet<String> = files.iter().filter_map(|f| module_of(f).first().cloned()).collect();
    let sources: Vec<(Vec<String>, String)> = files
        .iter()
        .map(|f| (module_of(f), code_of(&std::fs::read_to_string(f).expect("readable source"))))
        .filter(|(parts, _)| !(parts.len() == 1 && ["lib", "main"].contains(&parts[0].as_str())))
        .collect();
    // Items are resolved to the module that defines them: `crate::Store` is lib.rs (no module),
    // `super::Transition` inside a folder is the sibling file defining it.
    let top_owners = item_owners(
        &sources.iter().map(|(parts, code)| (parts[0].clone(), items_defined(code))).collect::<Vec<_>>(),
    );
    let mut top: Graph = BTreeMap::new();
    let mut folders: BTreeMap<String, Graph> = BTreeMap::new();
    for (parts, code) in &sources {
        let first = &parts[0];
        let resolve = |name: &str| -> Option<String> {
            if top_names.contains(name) { Some(name.to_string()) } else { top_owners.get(name).cloned() }
        };
        let deps = top.entry(first.clone()).or_default();
        let mut named = names_after(code, "crate::");
        // In a top-level file (or a folder's mod.rs), `super::` is the crate root.
        if parts.len() == 1 {
            named.extend(names_after(code, "super::"));
        }
        deps.extend(named.into_iter().filter_map(resolve).filter(|m| m != first));
        // Inside a folder: its files name each other as `super::x` or `crate::folder::x`.
        if parts.len() == 2 {
            let siblings: Vec<(String, Vec<String>)> = sources
                .iter()
                .filter(|(p, _)| p.len() == 2 && p[0] == *first)
                .map(|(p, c)| (p[1].clone(), items_defined(c)))
                .collect();
            let owners = item_owners(&siblings);
            let graph = folders.entry(first.clone()).or_default();
            let deps = graph.entry(parts[1].clone()).or_default();
            let qualified = format!("crate::{first}::");
            for name in names_after(code, "super::").into_iter().chain(names_after(code, &qualified)) {
                let owner = if siblings.iter().any(|(s, _)| s == name) {
                    Some(name.to_string())
                } else {
                    owners.get(name).cloned()
                };
                if let Some(owner) = owner.filter(|o| *o != parts[1]) {
                    deps.insert(owner);
                }
            }
        }
    }
    let mut out = vec![(String::new(), top)];
    out.extend(folders.into_iter().map(|(folder, g)| (format!("{folder}/"), g)));
    out
}

/// A cycle in `graph`, if there is one (as the list of modules on it).
fn find_cycle(graph: &Graph) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &Graph,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

fn crate_sources() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root().join("crates"))
        .expect("crates/")
        .flatten()
        .map(|e| e.path().join("src"))
        .filter(|p| p.is_dir())
        .collect();
    out.push(root().join("src-tauri/src"));
    out.sort();
    out
}

#[test]
fn no_crate_has_a_module_cycle() {
    let mut cycles = Vec::new();
    for src in crate_sources() {
        for (folder, graph) in graphs(&src) {
            if let Some(cycle) = find_cycle(&graph) {
                cycles.push(format!("{}/{folder}: {}", src.display(), cycle.join(" -> ")));
            }
        }
    }
    assert!(cycles.is_empty(), "module cycles:\n{}", cycles.join("\n"));
}

#[test]
fn the_cycle_finder_finds_a_cycle() {
    let code = "use crate::{orders::Order, db};\nuse super::stock;\n// crate::ignored\nfoo(crate::saga::x)";
    assert_eq!(names_after(&code_of(code), "crate::"), vec!["orders", "db", "saga"]);
    let graph: Graph = [("a", "b"), ("b", "c"), ("c", "a")]
        .into_iter()
        .map(|(a, b)| (a.to_string(), BTreeSet::from([b.to_string()])))
        .collect();
    assert_eq!(find_cycle(&graph), Some(vec!["a".into(), "b".into(), "c".into(), "a".into()]));
    let acyclic: Graph = [("a", "b"), ("b", "c")]
        .into_iter()
        .map(|(a, b)| (a.to_string(), BTreeSet::from([b.to_string()])))
        .collect();
    assert_eq!(find_cycle(&acyclic), None);
}

#[test]
fn a_cycle_through_items_of_sibling_files_is_found() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("src");
    std::fs::create_dir_all(src.join("order")).expect("mkdir");
    let write = |path: &str, text: &str| std::fs::write(src.join(path), text).expect("write");
    write("lib.rs", "mod order;\nmod stock;\n");
    write("order/mod.rs", "mod states;\nmod transition;\n");
    write("order/states.rs", "use super::Transition;\npub struct State;\n");
    write("order/transition.rs", "use super::State;\npub struct Transition;\n");
    write("stock.rs", "use crate::Transition;\npub struct Level;\n");
    let found = graphs(&src);
    let folder = found.iter().find(|(f, _)| f == "order/").expect("the order folder");
    assert!(find_cycle(&folder.1).is_some(), "states -> transition -> states: {:?}", folder.1);
    let top = &found[0].1;
    assert_eq!(
        top.get("stock"),
        Some(&BTreeSet::from(["order".to_string()])),
        "crate::Transition is order's"
    );
}

#[test]
fn no_source_file_is_over_400_lines() {
    let mut files = Vec::new();
    for dir in ["crates", "src-tauri", "tests", "bench"] {
        rust_files(&root().join(dir), &mut files);
    }
    let long: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let lines = std::fs::read_to_string(f).ok()?.lines().count();
            (lines > MAX_LINES).then(|| format!("{} ({lines} lines)", f.display()))
        })
        .collect();
    assert!(long.is_empty(), "files over {MAX_LINES} lines:\n{}", long.join("\n"));
}
