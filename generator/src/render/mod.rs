//! Stage 4, *render*: tokens → formatted source files and a manifest, laid
//! out as a crate.

mod files;

pub use files::{Drift, FileStatus, check, write};

use crate::config::toml_string;
use crate::emit::{self, RustFile};
use crate::error::Error;
use crate::model::{Api, TimeCrate, TypeRef};
use proc_macro2::TokenStream;

/// The marker every generated file starts with; also how stale generated
/// files are recognised.
pub const GENERATED_MARKER: &str = "@generated";

/// The runtime is hand-written Rust, the same for every spec, kept as real
/// files so that it reads (and diffs) like ordinary code.
const RUNTIME: [(&str, &str); 32] = [
    (
        "src/runtime/mod.rs",
        include_str!("../../runtime/src/runtime/mod.rs"),
    ),
    (
        "src/runtime/attempt.rs",
        include_str!("../../runtime/src/runtime/attempt.rs"),
    ),
    (
        "src/runtime/authorize.rs",
        include_str!("../../runtime/src/runtime/authorize.rs"),
    ),
    (
        "src/runtime/base_url.rs",
        include_str!("../../runtime/src/runtime/base_url.rs"),
    ),
    (
        "src/runtime/credentials.rs",
        include_str!("../../runtime/src/runtime/credentials.rs"),
    ),
    (
        "src/runtime/decode.rs",
        include_str!("../../runtime/src/runtime/decode.rs"),
    ),
    (
        "src/runtime/error.rs",
        include_str!("../../runtime/src/runtime/error.rs"),
    ),
    (
        "src/runtime/events.rs",
        include_str!("../../runtime/src/runtime/events.rs"),
    ),
    (
        "src/runtime/exchange.rs",
        include_str!("../../runtime/src/runtime/exchange.rs"),
    ),
    (
        "src/runtime/headers.rs",
        include_str!("../../runtime/src/runtime/headers.rs"),
    ),
    (
        "src/runtime/hooks.rs",
        include_str!("../../runtime/src/runtime/hooks.rs"),
    ),
    (
        "src/runtime/lines.rs",
        include_str!("../../runtime/src/runtime/lines.rs"),
    ),
    (
        "src/runtime/mock.rs",
        include_str!("../../runtime/src/runtime/mock.rs"),
    ),
    (
        "src/runtime/multipart.rs",
        include_str!("../../runtime/src/runtime/multipart.rs"),
    ),
    (
        "src/runtime/nullable.rs",
        include_str!("../../runtime/src/runtime/nullable.rs"),
    ),
    (
        "src/runtime/paginate.rs",
        include_str!("../../runtime/src/runtime/paginate.rs"),
    ),
    (
        "src/runtime/params.rs",
        include_str!("../../runtime/src/runtime/params.rs"),
    ),
    (
        "src/runtime/path.rs",
        include_str!("../../runtime/src/runtime/path.rs"),
    ),
    (
        "src/runtime/prepare.rs",
        include_str!("../../runtime/src/runtime/prepare.rs"),
    ),
    (
        "src/runtime/redact.rs",
        include_str!("../../runtime/src/runtime/redact.rs"),
    ),
    (
        "src/runtime/redirect.rs",
        include_str!("../../runtime/src/runtime/redirect.rs"),
    ),
    (
        "src/runtime/request.rs",
        include_str!("../../runtime/src/runtime/request.rs"),
    ),
    (
        "src/runtime/response.rs",
        include_str!("../../runtime/src/runtime/response.rs"),
    ),
    (
        "src/runtime/resume.rs",
        include_str!("../../runtime/src/runtime/resume.rs"),
    ),
    (
        "src/runtime/retry.rs",
        include_str!("../../runtime/src/runtime/retry.rs"),
    ),
    (
        "src/runtime/secrets.rs",
        include_str!("../../runtime/src/runtime/secrets.rs"),
    ),
    (
        "src/runtime/send.rs",
        include_str!("../../runtime/src/runtime/send.rs"),
    ),
    (
        "src/runtime/stream.rs",
        include_str!("../../runtime/src/runtime/stream.rs"),
    ),
    (
        "src/runtime/tagged.rs",
        include_str!("../../runtime/src/runtime/tagged.rs"),
    ),
    (
        "src/runtime/trace.rs",
        include_str!("../../runtime/src/runtime/trace.rs"),
    ),
    (
        "src/runtime/walk.rs",
        include_str!("../../runtime/src/runtime/walk.rs"),
    ),
    (
        "src/runtime/wire.rs",
        include_str!("../../runtime/src/runtime/wire.rs"),
    ),
];

/// A file of the generated crate, relative to its root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: String,
}

/// Choices that are not in the spec.
#[derive(Debug, Clone)]
pub struct CrateOptions {
    /// The package name, e.g. `almanac-client`.
    pub crate_name: String,
    /// How the header names the spec (a path relative to the workspace).
    pub spec_label: String,
    /// Adds an empty `[workspace]` so the crate builds outside any workspace.
    pub standalone: bool,
    /// Hand-written TOML appended to the generated `Cargo.toml` (features,
    /// extra test targets, dev-dependencies of hand-written tests).
    pub extra_manifest: Option<String>,
    /// The crate has a hand-written module, `src/extra/mod.rs` (code that
    /// builds on the generated client, e.g. a session type): `lib.rs`
    /// declares `pub mod extra;`. Generation never writes or removes
    /// files without the generated header, so the module is kept.
    pub extra_module: bool,
    /// Defects that touch only part of the document ([`crate::error::LocalKind`])
    /// degrade that part with a warning instead of failing generation.
    pub lenient: bool,
    /// The team's choices for this client (`codegen.toml`): operations
    /// kept, names, derives. `Default` changes nothing.
    pub config: crate::config::ClientConfig,
}

/// Emits and formats the Rust files, each part on a thread of its own
/// (formatting is most of generation's time), and lays out the crate
/// around them.
pub fn render(
    api: &Api,
    crate_ident: &str,
    options: &CrateOptions,
) -> Result<Vec<GeneratedFile>, Error> {
    let header = format!(
        "// {GENERATED_MARKER} by `cargo xtask codegen` from {} ({} {}).\n\
         // Do not edit: change the spec (or the generator) and run `cargo xtask codegen`.\n\n",
        options.spec_label, api.title, api.version
    );
    let part = |file: RustFile, part: usize| -> Result<String, Error> {
        let mut tokens = emit::emit(api, crate_ident, file, part);
        if file == RustFile::Lib && options.extra_module {
            tokens.extend(quote::quote! {
                /// Hand-written additions to the generated client (`src/extra/`).
                pub mod extra;
            });
        }
        format_tokens(rust_path(file), &tokens)
    };
    let jobs: Vec<(RustFile, usize)> = RustFile::ALL
        .iter()
        .flat_map(|&file| (0..file.parts()).map(move |n| (file, n)))
        .collect();
    // The parts come back in the jobs' order: each file's parts in turn.
    let mut formatted = in_parallel(&jobs, |&(file, n)| part(file, n)).into_iter();
    let [lib, types, types_serde, client, mock, tests] = RustFile::ALL.map(|file| {
        let mut text = String::new();
        for piece in formatted.by_ref().take(file.parts()) {
            text.push_str(&piece?);
        }
        Ok::<_, Error>(GeneratedFile {
            path: rust_path(file).to_owned(),
            contents: format!("{header}{}", space_items(&text)),
        })
    });
    let (lib, types, types_serde, client, mock, tests) =
        (lib?, types?, types_serde?, client?, mock?, tests?);
    let mut files = vec![
        GeneratedFile {
            path: "Cargo.toml".into(),
            contents: manifest(api, options),
        },
        lib,
        types,
        types_serde,
        client,
        mock,
    ];
    files.extend(RUNTIME.iter().map(|(path, text)| GeneratedFile {
        path: (*path).to_owned(),
        contents: format!("{header}{text}"),
    }));
    files.extend([
        GeneratedFile {
            path: "tests/roundtrip/main.rs".into(),
            contents: format!(
                "{header}//! Round-trip tests of the generated types; the cases are in `cases.rs`.\n\n#[rustfmt::skip]\nmod cases;\n"
            ),
        },
        tests,
    ]);
    Ok(files)
}

/// `examples/contract.rs`: the contract program (see
/// [`crate::contract_program`]), formatted, with the generated header.
pub fn contract_program(
    api: &Api,
    crate_ident: &str,
    options: &CrateOptions,
) -> Result<GeneratedFile, Error> {
    const PATH: &str = "examples/contract.rs";
    let tokens = emit::contract_program(api, crate_ident);
    let text = format_tokens(PATH, &tokens)?;
    Ok(GeneratedFile {
        path: PATH.to_owned(),
        contents: format!(
            "// {GENERATED_MARKER} by `cargo xtask contract` from {} ({} {}).\n\n{}",
            options.spec_label,
            api.title,
            api.version,
            space_items(&text)
        ),
    })
}

/// `work` on every job, a worker thread per core each taking the next job
/// until none is left; the results in the jobs' order.
fn in_parallel<J: Sync, T: Send>(jobs: &[J], work: impl Fn(&J) -> T + Sync) -> Vec<T> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len());
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, T)> = std::thread::scope(|scope| {
        let running: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let job = next.fetch_add(1, Ordering::Relaxed);
                        let Some(input) = jobs.get(job) else {
                            break done;
                        };
                        done.push((job, work(input)));
                    }
                })
            })
            .collect();
        running
            .into_iter()
            .flat_map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    done.sort_by_key(|(job, _)| *job);
    done.into_iter().map(|(_, result)| result).collect()
}

/// Where each Rust file goes in the crate.
fn rust_path(file: RustFile) -> &'static str {
    match file {
        RustFile::Lib => "src/lib.rs",
        RustFile::Types => "src/types.rs",
        RustFile::TypesSerde => "src/types/serde_impls.rs",
        RustFile::Client => "src/client.rs",
        RustFile::Mock => "src/mock.rs",
        RustFile::RoundtripTests => "tests/roundtrip/cases.rs",
    }
}

/// The tokens as prettyplease prints them; items get their blank lines
/// once the parts of a file are together ([`space_items`]).
fn format_tokens(path: &str, tokens: &TokenStream) -> Result<String, Error> {
    let file = syn::parse2::<syn::File>(tokens.clone()).map_err(|e| {
        // Only a generator bug gets here; say which file, for the report.
        Error::Internal {
            message: format!("generated {path} does not parse: {e}"),
        }
    })?;
    Ok(prettyplease::unparse(&file))
}

/// prettyplease puts top-level items back to back; a blank line between
/// them (as rustfmt users write) makes the files easier to read.
fn space_items(text: &str) -> String {
    const ITEM_STARTS: [&str; 11] = [
        "///", "#[", "pub ", "fn ", "impl", "async ", "const ", "struct ", "enum ", "type ", "mod ",
    ];
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    let mut previous = "";
    for line in text.lines() {
        let body = line.trim_start();
        let prev = previous.trim_start();
        let same_level = indent(line) == indent(previous);
        let both_uses = prev.starts_with("use ") && body.starts_with("use ");
        let comment = prev.starts_with("//");
        let ends_item = prev == "}"
            || (prev.ends_with(';') && indent(previous) == 0 && !both_uses)
            || (prev.ends_with(';') && prev.starts_with("pub const"));
        let inner_doc = (previous.starts_with("//!") && !line.starts_with("//!"))
            || (previous.starts_with("#![") && !line.starts_with("#!["));
        let starts_item = ITEM_STARTS.iter().any(|s| body.starts_with(s))
            || (indent(line) == 0 && body.starts_with("use "));
        if !line.is_empty() && same_level && ((ends_item && starts_item && !comment) || inner_doc) {
            out.push('\n');
        }
        out.push_str(line);
        out.push('\n');
        previous = line;
    }
    out
}

/// Cargo wants a SemVer version; API versions are often dates or `v2`.
fn crate_version(version: &str) -> String {
    let core = version.trim().trim_start_matches(['v', 'V']);
    let parts: Vec<&str> = core.split('.').collect();
    let numeric = |s: &str| {
        !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
    };
    match parts.as_slice() {
        [a, b, c] if numeric(a) && numeric(b) && numeric(c) => core.to_owned(),
        [a, b] if numeric(a) && numeric(b) => format!("{a}.{b}.0"),
        [a] if numeric(a) => format!("{a}.0.0"),
        _ => "0.1.0".to_owned(),
    }
}

fn manifest(api: &Api, options: &CrateOptions) -> String {
    let description = api
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| d.lines().next().unwrap_or(d).to_owned())
        .unwrap_or_else(|| format!("Typed async client for the {}.", api.title));
    let workspace = if options.standalone {
        "\n[workspace]\n"
    } else {
        ""
    };
    // Format crates only when the spec has the format.
    let mut optional = String::new();
    let formats = api.formats;
    let time_crate = |krate: TimeCrate| {
        (formats.date_time == krate && api.uses(|t| *t == TypeRef::DateTime))
            || (formats.date == krate && api.uses(|t| *t == TypeRef::Date))
    };
    if time_crate(TimeCrate::Chrono) {
        optional.push_str("chrono = { version = \"0.4\", default-features = false, features = [\"std\", \"serde\"] }\n");
    }
    if time_crate(TimeCrate::Jiff) {
        optional.push_str("jiff = { version = \"0.2\", default-features = false, features = [\"std\", \"serde\"] }\n");
    }
    if formats.uuid && api.uses(|t| *t == TypeRef::Uuid) {
        optional.push_str("uuid = { version = \"1\", features = [\"serde\"] }\n");
    }
    if formats.decimal && api.uses(|t| *t == TypeRef::Decimal) {
        optional.push_str("rust_decimal = { version = \"1\", default-features = false, features = [\"std\", \"serde\"] }\n");
    }
    // What the configuration's replacement types need.
    for dependency in &api.extra_dependencies {
        optional.push_str(dependency);
        optional.push('\n');
    }
    // The `mock` feature goes into the hand-written `[features]` table when
    // there is one: TOML allows a table only once.
    let mock_feature = "# Typed mocks of the operations, for tests of code that uses this\n\
                        # crate (the `mock` module); off by default.\n\
                        mock = [\"dep:wiremock\"]\n";
    let extra = options.extra_manifest.as_deref().map(str::trim_end);
    let has_features = |extra: &str| extra.lines().any(|line| line.trim() == "[features]");
    let (features, extra) = match extra {
        Some(extra) if has_features(extra) => {
            let merged: Vec<String> = extra
                .lines()
                .map(|line| {
                    if line.trim() == "[features]" {
                        format!("{line}\n{}", mock_feature.trim_end())
                    } else {
                        line.to_owned()
                    }
                })
                .collect();
            (String::new(), Some(merged.join("\n")))
        }
        other => (
            format!("\n[features]\n{mock_feature}"),
            other.map(str::to_owned),
        ),
    };
    format!(
        r#"# {GENERATED_MARKER} by `cargo xtask codegen` from {spec}.
# Do not edit: change the spec (or the generator) and run `cargo xtask codegen`.

[package]
name = {name}
# From `info.version` of the API description ({api_version}).
version = {version}
description = {description}
edition = "2024"
rust-version = "1.85"
# license = "..."  (for the API's owner to set)

[dependencies]
# Already dependencies of reqwest: bodies are shared between retries, not
# copied; streamed responses are handed out without their URL.
bytes = "1"
http = "1"
# Also one of reqwest's: its errors tell a response head that could not be
# read (too large, not HTTP) from a connection that failed.
hyper = "1"
# Also one of serde_json's: finds line ends in streamed responses.
memchr = "2"
{optional}reqwest = {{ version = "0.13", default-features = false, features = ["rustls"] }}
# No `derive`: `types.rs` writes its impls out (see `runtime/wire.rs`),
# so no proc macro runs when this crate builds.
serde = "1"
# `preserve_order`: objects keep the order of their fields (form bodies,
# query objects, `serde_json::Value`s read from the API).
serde_json = {{ version = "1", features = ["preserve_order"] }}
# `rt` and `sync`: for hand-written credential providers (a session's
# single-flight token refresh, run as a task of its own); hyper compiles
# both already.
tokio = {{ version = "1", features = ["rt", "sync", "time"] }}
# Spans for every call; no proc macros (`attributes`), silent without a
# subscriber.
tracing = {{ version = "0.1", default-features = false, features = ["std"] }}
wiremock = {{ version = "0.6", optional = true }}
{features}
[dev-dependencies]
serde = {{ version = "1", features = ["derive"] }}
tokio = {{ version = "1", features = ["macros", "rt-multi-thread", "net", "io-util"] }}
wiremock = "0.6"
{workspace}{extra}"#,
        spec = options.spec_label,
        name = toml_string(&options.crate_name),
        api_version = api.version,
        version = toml_string(&crate_version(&api.version)),
        description = toml_string(&description),
        extra = extra
            .map(|extra| format!("\n# From Cargo.extra.toml (hand-written):\n{extra}\n"))
            .unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_become_semver() {
        assert_eq!(crate_version("0.1.11"), "0.1.11");
        assert_eq!(crate_version("v2"), "2.0.0");
        assert_eq!(crate_version("1.2"), "1.2.0");
        assert_eq!(crate_version("2023-10-16"), "0.1.0");
        assert_eq!(crate_version("1.0.0-beta"), "0.1.0");
    }

    #[test]
    fn toml_strings_are_escaped() {
        assert_eq!(toml_string("a \"b\"\\\n"), "\"a \\\"b\\\"\\\\\\n\"");
    }

    /// Code the generator got wrong is its own bug, not the document's.
    #[test]
    fn unparsable_output_is_an_internal_error() {
        let error = format_tokens("src/types.rs", &quote::quote!(pub struct)).unwrap_err();
        assert!(matches!(error, Error::Internal { .. }), "{error:?}");
        let text = error.to_string();
        assert!(
            text.contains("generator bug") && text.contains("src/types.rs"),
            "{text}"
        );
        assert!(error.pointer().is_none());
    }

    /// Formatting `types.rs` in parts, side by side, gives the text that
    /// formatting it whole gives: the output never depends on the split.
    #[test]
    fn a_file_formatted_in_parts_reads_as_formatted_whole() {
        let text = include_str!("../../tests/fixtures/unions-v31.yaml");
        let api = crate::model::build(&crate::load::load(text).unwrap()).unwrap();
        let parts: Vec<TokenStream> = (0..RustFile::Types.parts())
            .map(|part| emit::emit(&api, "x", RustFile::Types, part))
            .collect();
        assert!(parts.iter().filter(|part| !part.is_empty()).count() > 2);
        let joined: String = parts
            .iter()
            .map(|part| format_tokens("src/types.rs", part).unwrap())
            .collect();
        let whole = format_tokens("src/types.rs", &parts.into_iter().collect()).unwrap();
        assert_eq!(space_items(&joined), space_items(&whole));
    }
}
