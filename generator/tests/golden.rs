//! Golden-file tests: the generated crate for each fixture spec is compared
//! byte for byte with the files under `tests/golden/<fixture>/`, so every
//! change to the output shows up in review.
//!
//! After an intended change, bless the new output with
//! `UPDATE_GOLDEN=1 cargo test -p openapi-client-gen --test golden`.

use openapi_client_gen::{CrateOptions, generate};
use proc_macro2::{TokenStream, TokenTree};
use std::path::{Path, PathBuf};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut all: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures folder")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"))
        .collect();
    all.sort();
    assert!(!all.is_empty(), "no fixtures in {}", dir.display());
    all
}

/// A fixture named `*.lenient.yaml` shows defects that only lenient
/// generation accepts (as `cargo xtask corpus` does for it).
fn is_lenient(spec: &Path) -> bool {
    spec.file_stem()
        .is_some_and(|s| s.to_string_lossy().ends_with(".lenient"))
}

/// The runtime is a verbatim template, the same for every spec; it is not
/// repeated in each golden folder.
fn is_golden(path: &str) -> bool {
    !path.starts_with("src/runtime/")
}

/// Every file under `dir`, relative to it, with `/` separators.
fn files_under(dir: &Path, root: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, root, out);
        } else {
            out.push(
                path.strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
}

#[test]
fn generated_crates_match_the_golden_files() {
    let bless = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    for spec in fixtures() {
        let name = spec.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&spec).unwrap();
        let options = CrateOptions {
            crate_name: format!("{}-client", name.trim_end_matches(".lenient")),
            spec_label: format!(
                "generator/tests/fixtures/{}",
                spec.file_name().unwrap().to_string_lossy()
            ),
            standalone: true,
            extra_manifest: None,
            extra_module: false,
            lenient: is_lenient(&spec),
            config: fixture_config(&spec),
        };
        let generated = generate(&text, &options).unwrap_or_else(|e| panic!("{name}: {e}"));
        let golden_dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(&name);
        if !bless {
            let mut on_disk = Vec::new();
            files_under(&golden_dir, &golden_dir, &mut on_disk);
            for stray in &on_disk {
                if !is_golden(stray) || !generated.files.iter().any(|f| &f.path == stray) {
                    failures.push(format!(
                        "golden/{name}/{stray} is not generated any more; delete it"
                    ));
                }
            }
        }
        for file in generated.files.iter().filter(|f| is_golden(&f.path)) {
            let path = golden_dir.join(&file.path);
            if bless {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &file.contents).unwrap();
                continue;
            }
            let expected = std::fs::read_to_string(&path).unwrap_or_default();
            if expected != file.contents {
                let diff = similar::TextDiff::from_lines(&expected, &file.contents)
                    .unified_diff()
                    .header(&format!("golden/{name}/{}", file.path), "generated")
                    .to_string();
                failures.push(diff);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "generated output differs from the golden files:\n{}\nIf the change is intended, run \
         `UPDATE_GOLDEN=1 cargo test -p openapi-client-gen --test golden` and review the diff.",
        failures.join("\n")
    );
}

#[test]
fn generation_is_deterministic() {
    for spec in fixtures() {
        let text = std::fs::read_to_string(&spec).unwrap();
        let options = CrateOptions {
            crate_name: "x".into(),
            spec_label: "x".into(),
            standalone: false,
            extra_manifest: None,
            extra_module: false,
            lenient: is_lenient(&spec),
            config: Default::default(),
        };
        let first = generate(&text, &options).unwrap();
        let second = generate(&text, &options).unwrap();
        assert_eq!(first.files, second.files, "{}", spec.display());
    }
}

/// Reorders the keys of the maps whose order carries no meaning.
fn reverse_keys(map: &mut serde_json::Value, key: &str) {
    if let Some(serde_json::Value::Object(entries)) = map.get_mut(key) {
        let reversed: serde_json::Map<String, serde_json::Value> =
            std::mem::take(entries).into_iter().rev().collect();
        *entries = reversed;
    }
}

#[test]
fn output_does_not_depend_on_the_order_of_paths_and_components() {
    for spec in fixtures() {
        let text = std::fs::read_to_string(&spec).unwrap();
        let mut doc = openapi_client_gen::load::parse_text(&text).unwrap();
        reverse_keys(&mut doc, "paths");
        if let Some(components) = doc.get_mut("components") {
            for kind in [
                "schemas",
                "parameters",
                "responses",
                "requestBodies",
                "securitySchemes",
            ] {
                reverse_keys(components, kind);
            }
        }
        let options = CrateOptions {
            crate_name: "x".into(),
            spec_label: "x".into(),
            standalone: false,
            extra_manifest: None,
            extra_module: false,
            lenient: is_lenient(&spec),
            config: Default::default(),
        };
        let original = generate(&text, &options).unwrap();
        let shuffled = generate(&doc.to_string(), &options).unwrap();
        for (a, b) in original.files.iter().zip(&shuffled.files) {
            assert_eq!(
                a,
                b,
                "{}: {} changed with key order",
                spec.display(),
                a.path
            );
        }
    }
}

#[test]
fn lenient_fixtures_are_refused_by_default_with_local_errors_only() {
    let lenient: Vec<PathBuf> = fixtures().into_iter().filter(|p| is_lenient(p)).collect();
    assert!(!lenient.is_empty(), "no *.lenient.yaml fixture");
    for spec in lenient {
        let text = std::fs::read_to_string(&spec).unwrap();
        let options = CrateOptions {
            crate_name: "x".into(),
            spec_label: "x".into(),
            standalone: false,
            extra_manifest: None,
            extra_module: false,
            lenient: false,
            config: Default::default(),
        };
        let error = generate(&text, &options).expect_err("refused by default");
        let (local, total) = error.local_count();
        assert!(local == total && total > 0, "{}: {error}", spec.display());
    }
}

/// The names `let` binds in `tokens` (also inside `Some(..)`, `Ok(..)`).
fn bindings(tokens: TokenStream, out: &mut Vec<String>) {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, token) in tokens.iter().enumerate() {
        match token {
            TokenTree::Group(group) => bindings(group.stream(), out),
            TokenTree::Ident(ident) if ident == "let" => {
                let mut rest = tokens[i + 1..].iter();
                let mut next = rest.next();
                if matches!(next, Some(TokenTree::Ident(i)) if i == "mut") {
                    next = rest.next();
                }
                match (next, rest.next()) {
                    // `let Some(value) = ...`, `if let Ok(inner) = ...`
                    (Some(TokenTree::Ident(some)), Some(TokenTree::Group(inner)))
                        if ["Some", "Ok", "Err"].contains(&some.to_string().as_str()) =>
                    {
                        // `Some(crate::runtime::PagePosition::Cursor(cursor))`:
                        // the name is in the innermost group.
                        let nested = inner.stream().into_iter().find_map(|t| match t {
                            TokenTree::Group(g) => Some(g.stream().to_string()),
                            _ => None,
                        });
                        out.push(nested.unwrap_or_else(|| inner.stream().to_string()))
                    }
                    // `if let serde_json::Value::Object(map) = ...`
                    (Some(TokenTree::Ident(_)), Some(TokenTree::Punct(colon)))
                        if colon.as_char() == ':' =>
                    {
                        if let Some(TokenTree::Group(inner)) =
                            rest.find(|t| matches!(t, TokenTree::Group(_)))
                        {
                            out.push(inner.stream().to_string())
                        }
                    }
                    (Some(TokenTree::Ident(name)), _) => out.push(name.to_string()),
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

/// The locals the client's methods bind are the ones `model/naming/emitted.rs`
/// reserves (so no parameter can take or shadow them), or a credential
/// bound under the name of the client field it comes from (also decided
/// there): a binding added to the emitted code without reserving its name
/// fails here.
#[test]
fn emitted_methods_bind_only_reserved_locals() {
    use openapi_client_gen::model::{METHOD_ARGUMENTS, METHOD_LOCALS};

    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut checked = 0;
    for entry in std::fs::read_dir(&golden).unwrap() {
        let client = entry.unwrap().path().join("src/client.rs");
        let Ok(text) = std::fs::read_to_string(&client) else {
            continue;
        };
        let mut found = Vec::new();
        bindings(text.parse().unwrap(), &mut found);
        checked += found.len();
        for name in found {
            // On a group's method, the client is `self.client`.
            let credential = ["self", "self.client"].iter().any(|client| {
                text.contains(&format!("let Some({name}) = &{client}.{name}"))
                    || text.contains(&format!("Some({name}),"))
                        && text.contains(&format!("&{client}.{name}"))
            });
            // A page helper keeps an owned copy of a path argument under
            // the argument's own name.
            let owned_argument = text.contains(&format!("let {name} = {name}."));
            assert!(
                METHOD_LOCALS.contains(&name.as_str())
                    || METHOD_ARGUMENTS.contains(&name.as_str())
                    || credential
                    || owned_argument,
                "{}: the emitted code binds `{name}`, which model/naming/emitted.rs does not reserve",
                client.display()
            );
        }
    }
    assert!(checked > 0, "no bindings found in {}", golden.display());
}

/// The same for the impls `types/serde_impls.rs` writes out (serde's
/// traits, unions): reserved locals, or a field's slot.
#[test]
fn written_out_impls_bind_only_reserved_locals() {
    use openapi_client_gen::model::WIRE_LOCALS;

    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut slots = 0;
    for entry in std::fs::read_dir(&golden).unwrap() {
        let types = entry.unwrap().path().join("src/types/serde_impls.rs");
        let Ok(text) = std::fs::read_to_string(&types) else {
            continue;
        };
        let mut found = Vec::new();
        bindings(text.parse().unwrap(), &mut found);
        for name in found {
            if name.ends_with("_slot") {
                slots += 1;
                continue;
            }
            assert!(
                WIRE_LOCALS.contains(&name.as_str()),
                "{}: the emitted code binds `{name}`, which model/naming/emitted.rs does not reserve",
                types.display()
            );
        }
    }
    assert!(slots > 0, "no field slots found in {}", golden.display());
}

#[test]
fn a_hand_written_module_is_declared_only_when_the_crate_has_one() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ops-v31.yaml"),
    )
    .unwrap();
    let lib = |extra_module: bool| {
        let options = CrateOptions {
            crate_name: "x".into(),
            spec_label: "x".into(),
            standalone: false,
            extra_manifest: None,
            extra_module,
            lenient: false,
            config: Default::default(),
        };
        let generated = generate(&text, &options).unwrap();
        generated
            .files
            .into_iter()
            .find(|f| f.path == "src/lib.rs")
            .unwrap()
            .contents
    };
    assert!(lib(true).contains("\npub mod extra;\n"));
    assert!(!lib(false).contains("mod extra"));
}

/// What an item of `impl Client` is.
#[derive(PartialEq)]
enum ClientItem {
    Operation,
    /// Returns a tag group (`groups::Repos<'_>`), named with the groups.
    GroupAccessor,
    Other,
}

/// The `impl Client` blocks of an emitted `client.rs`: each item's name,
/// and what it is.
fn client_items(text: &str) -> Vec<(String, ClientItem)> {
    let file = syn::parse_file(text).expect("client.rs parses");
    let mut out = Vec::new();
    for item in file.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        let syn::Type::Path(ty) = &*block.self_ty else {
            continue;
        };
        if ty.path.segments.last().is_none_or(|s| s.ident != "Client") {
            continue;
        }
        for member in block.items {
            match member {
                syn::ImplItem::Fn(f) => {
                    let group = match &f.sig.output {
                        syn::ReturnType::Type(_, ty) => matches!(&**ty, syn::Type::Path(p)
                            if p.path.segments.first().is_some_and(|s| s.ident == "groups")),
                        syn::ReturnType::Default => false,
                    };
                    let kind = if f.sig.asyncness.is_some() {
                        ClientItem::Operation
                    } else if group {
                        ClientItem::GroupAccessor
                    } else {
                        ClientItem::Other
                    };
                    out.push((f.sig.ident.to_string(), kind))
                }
                syn::ImplItem::Const(c) => out.push((c.ident.to_string(), ClientItem::Other)),
                _ => {}
            }
        }
    }
    out
}

/// Every member the emitter gives `Client` besides the operations is one
/// `model/naming/emitted.rs` reserves (so no operation can take its name and make
/// a duplicate definition), or a credential setter it names.
#[test]
fn client_members_are_reserved() {
    use openapi_client_gen::model::{
        CLIENT_MEMBERS, credential_setter, paginated_method, provider_setter,
    };

    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut checked = 0;
    for entry in std::fs::read_dir(&golden).unwrap() {
        let client = entry.unwrap().path().join("src/client.rs");
        let Ok(text) = std::fs::read_to_string(&client) else {
            continue;
        };
        let file = syn::parse_file(&text).unwrap();
        // The client's credential fields, each with its two setters.
        let mut setters = Vec::new();
        for item in &file.items {
            if let syn::Item::Struct(s) = item {
                if s.ident == "Client" {
                    for field in &s.fields {
                        let name = field.ident.as_ref().unwrap().to_string();
                        if !CLIENT_MEMBERS.contains(&name.as_str()) && name != "base_url" {
                            setters.push(credential_setter(&name));
                            setters.push(provider_setter(&name));
                        }
                    }
                }
            }
        }
        let items = client_items(&text);
        for (name, kind) in &items {
            // An operation, an operation's page helper, or a group's
            // accessor (`model/groups.rs` names them after what
            // `CLIENT_MEMBERS` leaves free).
            let helper = items.iter().any(|(other, other_kind)| {
                *other_kind == ClientItem::Operation && paginated_method(other) == *name
            });
            if *kind != ClientItem::Other || helper {
                continue;
            }
            let name = name.clone();
            checked += 1;
            assert!(
                CLIENT_MEMBERS.contains(&name.as_str()) || setters.contains(&name),
                "{}: the emitter declares `Client::{name}`, which model/naming/emitted.rs does not reserve (add it to CLIENT_MEMBERS)",
                client.display()
            );
        }
    }
    assert!(
        checked > 0,
        "no client members found in {}",
        golden.display()
    );
}

/// The same for the runtime's hand-written `MockServer`: the generated
/// mock module adds one method per operation beside them.
#[test]
fn mock_server_members_are_reserved() {
    use openapi_client_gen::model::MOCK_SERVER_MEMBERS;

    let mock = Path::new(env!("CARGO_MANIFEST_DIR")).join("runtime/src/runtime/mock.rs");
    let file = syn::parse_file(&std::fs::read_to_string(&mock).unwrap()).unwrap();
    let mut checked = 0;
    for item in file.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        let syn::Type::Path(ty) = &*block.self_ty else {
            continue;
        };
        if ty
            .path
            .segments
            .last()
            .is_none_or(|s| s.ident != "MockServer")
        {
            continue;
        }
        for member in block.items {
            if let syn::ImplItem::Fn(f) = member {
                checked += 1;
                let name = f.sig.ident.to_string();
                assert!(
                    MOCK_SERVER_MEMBERS.contains(&name.as_str()),
                    "the runtime's MockServer has `{name}`, which model/naming/emitted.rs does not reserve (add it to MOCK_SERVER_MEMBERS)"
                );
            }
        }
    }
    assert!(checked > 0);
}

/// Every method the emitted `mock.rs` declares is a name the model chose:
/// on `MockServer` and on a group's mocks, an operation's mock method or a
/// group's accessor; on an operation's builder, one of
/// `MOCK_BUILDER_METHODS` or one of its path matchers. A type it
/// implements that the model did not name fails too.
#[test]
fn mock_methods_are_the_models_names() {
    use openapi_client_gen::model::{MOCK_BUILDER_METHODS, build_configured};

    let mut checked = 0;
    for spec in fixtures() {
        let name = spec.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&spec).unwrap();
        let document = openapi_client_gen::load::load(&text).unwrap();
        let api = build_configured(&document, is_lenient(&spec), &fixture_config(&spec))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let mock = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(&name)
            .join("src/mock.rs");
        let file = syn::parse_file(&std::fs::read_to_string(&mock).unwrap()).unwrap();
        let starts: Vec<&str> = api
            .operations
            .iter()
            .map(|op| op.mock.method.as_str())
            .chain(api.groups.iter().map(|g| g.accessor.as_str()))
            .collect();
        for item in file.items {
            let syn::Item::Impl(block) = item else {
                continue;
            };
            let syn::Type::Path(ty) = &*block.self_ty else {
                continue;
            };
            let type_name = ty.path.segments.last().unwrap().ident.to_string();
            let builder = api
                .operations
                .iter()
                .find(|op| op.mock.builder == type_name);
            let server =
                type_name == "MockServer" || api.groups.iter().any(|g| g.mock_type == type_name);
            assert!(
                server || builder.is_some(),
                "{}: `impl {type_name}`, a type the model did not name",
                mock.display()
            );
            for member in block.items {
                let syn::ImplItem::Fn(f) = member else {
                    continue;
                };
                let method = f.sig.ident.to_string();
                checked += 1;
                let decided = match builder {
                    Some(op) => {
                        MOCK_BUILDER_METHODS.contains(&method.as_str())
                            || op.mock.path_methods.contains(&method)
                    }
                    None => starts.contains(&method.as_str()),
                };
                assert!(
                    decided,
                    "{}: `{type_name}::{method}` is a name model/naming/emitted.rs did not decide",
                    mock.display()
                );
            }
        }
    }
    assert!(checked > 0, "no mock methods found");
}

/// A fixture `X.yaml`'s configuration, `X.codegen.toml`, when it has one.
fn fixture_config(spec: &std::path::Path) -> openapi_client_gen::config::ClientConfig {
    let path = spec.with_extension("codegen.toml");
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            openapi_client_gen::config::ClientConfig::parse(&path.display().to_string(), &text)
                .unwrap_or_else(|e| panic!("{e}"))
        }
        Err(_) => Default::default(),
    }
}
