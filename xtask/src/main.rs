//! Project automation: `cargo xtask codegen [--check]`,
//! `cargo xtask corpus DIR`, `cargo xtask contract SPEC` and
//! `cargo xtask bench`.

mod bench;
mod contract;
mod corpus;
mod flags;

use anyhow::{Context, Result, bail};
use openapi_client_gen::WarningKind;
use openapi_client_gen::render::{self, FileStatus};
use openapi_client_gen::{CrateOptions, generate};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// A hand-written file in the output directory whose TOML is appended to
/// the generated `Cargo.toml`.
const EXTRA_MANIFEST: &str = "Cargo.extra.toml";
/// A hand-written module in the output crate; the generated `lib.rs`
/// declares it when it exists.
const EXTRA_MODULE: &str = "src/extra/mod.rs";

/// A hand-written file in the output directory: the team's choices for
/// the client (see `openapi_client_gen::config`).
const CONFIG_FILE: &str = "codegen.toml";

/// The configuration at `path`, named in errors relative to `base`'s
/// parent (`my-client/codegen.toml`); the default when there is none.
pub(crate) fn read_config(
    path: &Path,
    base: &Path,
) -> Result<openapi_client_gen::config::ClientConfig> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let shown = base
                .parent()
                .and_then(|parent| path.strip_prefix(parent).ok())
                .unwrap_or(path)
                .display()
                .to_string();
            Ok(openapi_client_gen::config::ClientConfig::parse(
                &shown, &text,
            )?)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Default::default()),
        Err(e) => Err(e).context(format!("cannot read {}", path.display())),
    }
}

/// The crate name of the checked-in Almanac client.
const DEFAULT_CRATE_NAME: &str = "almanac-client";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<ExitCode> {
    // With no command at all, the usage (xflags would call it an error).
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let args = if args.is_empty() {
        vec!["--help".into()]
    } else {
        args
    };
    let flags = match flags::Xtask::from_vec(args) {
        Ok(flags) => flags,
        Err(error) if error.is_help() => {
            println!("{error}");
            return Ok(ExitCode::SUCCESS);
        }
        Err(error) => {
            eprintln!("error: {error}{}", did_you_mean(&error.to_string()));
            eprintln!("\nrun `cargo xtask --help` for the usage of every command");
            return Ok(ExitCode::FAILURE);
        }
    };
    match flags.subcommand {
        flags::XtaskCmd::Codegen(args) => codegen(args),
        flags::XtaskCmd::Corpus(args) => corpus::corpus(
            &std::env::current_dir()?.join(args.dir),
            &workspace_root(),
            args.keep_going,
        ),
        flags::XtaskCmd::Contract(args) => {
            let here = std::env::current_dir()?;
            contract::contract(
                &here.join(args.spec),
                args.out.map(|out| here.join(out)).as_deref(),
                args.lenient,
                &workspace_root(),
            )
        }
        flags::XtaskCmd::Bench(args) => {
            let root = workspace_root();
            let only = match args.only {
                Some(list) => list
                    .split(',')
                    .map(|n| {
                        n.trim()
                            .parse()
                            .context("--only takes figure numbers, e.g. 1,4")
                    })
                    .collect::<Result<_>>()?,
                None => Vec::new(),
            };
            let options = bench::Options {
                spec: match args.spec {
                    Some(spec) => std::env::current_dir()?.join(spec),
                    None => root.join("../shared/specs/progenitor-nexus.json"),
                },
                runs: args.runs.unwrap_or(7),
                only,
            };
            bench::bench(&root, &options)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `1 type`, `2 types`; `1 file changed`, `3 files changed`.
fn count(n: usize, what: &str) -> String {
    let (noun, rest) = what.split_once(' ').unwrap_or((what, ""));
    let plural = if n == 1 { "" } else { "s" };
    let rest = if rest.is_empty() {
        String::new()
    } else {
        format!(" {rest}")
    };
    format!("{n} {noun}{plural}{rest}")
}

/// " (did you mean `--check`?)" when the argument xflags refused (quoted
/// in its message) is close to one it knows.
fn did_you_mean(message: &str) -> String {
    let Some(given) = message.split(['`', '"']).nth(1) else {
        return String::new();
    };
    flags::KNOWN
        .iter()
        .map(|known| {
            (
                openapi_client_gen::model::edit_distance(given, known),
                known,
            )
        })
        .filter(|(distance, known)| *distance > 0 && *distance <= 2.max(known.len() / 3))
        .min()
        .map(|(_, known)| format!(" (did you mean `{known}`?)"))
        .unwrap_or_default()
}

/// Warnings grouped by their kind, the largest group first, each with a
/// few of its places.
fn warning_report(spec_label: &str, warnings: &[openapi_client_gen::Warning]) -> String {
    const SHOWN_PER_GROUP: usize = 5;
    let mut groups: Vec<(WarningKind, Vec<&openapi_client_gen::Warning>)> = Vec::new();
    for warning in warnings {
        match groups.iter_mut().find(|(kind, _)| *kind == warning.kind) {
            Some((_, members)) => members.push(warning),
            None => groups.push((warning.kind, vec![warning])),
        }
    }
    groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
    let mut out = format!(
        "warning: {} generator warning(s) for {spec_label}, in {} kind(s):\n",
        warnings.len(),
        groups.len()
    );
    for (kind, members) in &groups {
        out.push_str(&format!("  [{}] {}\n", members.len(), kind.title()));
        for w in members.iter().take(SHOWN_PER_GROUP) {
            out.push_str(&format!("      {w}\n"));
        }
        if members.len() > SHOWN_PER_GROUP {
            out.push_str(&format!(
                "      ... and {} more\n",
                members.len() - SHOWN_PER_GROUP
            ));
        }
    }
    out
}

/// The generator's notes (suggestions, not problems): the first ten
/// unless `all`.
fn note_report(spec_label: &str, notes: &[openapi_client_gen::Warning], all: bool) -> String {
    const SHOWN: usize = 10;
    let mut out = format!(
        "note: {} suggestion(s) for {spec_label} (not warnings; `[client] pagination_notes = false` in codegen.toml turns them off):\n",
        notes.len()
    );
    let shown = if all { notes.len() } else { SHOWN };
    for note in notes.iter().take(shown) {
        out.push_str(&format!("      {note}\n"));
    }
    if notes.len() > shown {
        out.push_str(&format!(
            "      ... and {} more (`--all-notes` prints every one)\n",
            notes.len() - shown
        ));
    }
    out
}

/// What `--lenient` would do about a failed generation, as the last lines
/// of the error; empty when it would not help.
fn lenient_hint(error: &openapi_client_gen::Error) -> String {
    let what = "`cargo xtask codegen --lenient` generates the client anyway, \
                degrading each such part (with a warning that names it)";
    match error.local_count() {
        (0, _) => String::new(),
        (1, 1) => format!("\nhint: this error affects only part of the document; {what}"),
        (local, total) if local == total => {
            format!("\nhint: each of these errors affects only part of the document; {what}")
        }
        (local, _) => format!(
            "\nhint: {local} of these errors affect only part of the document, which \
             `--lenient` would degrade with warnings; the others must be fixed"
        ),
    }
}

/// The cargo that runs xtask (`$CARGO`), for the builds xtask starts.
pub(crate) fn cargo() -> std::process::Command {
    std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

/// How generated files name the spec: by its path relative to the
/// workspace when it is inside it, otherwise by its file name alone. Never
/// an absolute path, which would record this machine's directory layout and
/// make the output differ from machine to machine.
fn spec_label(spec: &Path, root: &Path) -> String {
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let spec = canonical(spec);
    match spec.strip_prefix(canonical(root)) {
        Ok(relative) => relative.to_string_lossy().replace('\\', "/"),
        Err(_) => spec
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "the API description".to_owned()),
    }
}

fn codegen(args: flags::Codegen) -> Result<ExitCode> {
    let root = workspace_root();
    let cwd = std::env::current_dir()?;
    let is_default = args.spec.is_none() && args.out.is_none();
    // Headers and messages name the spec as the user did, or relative to
    // the workspace for the default.
    let given_spec = args
        .spec
        .as_ref()
        .map(|p| p.to_string_lossy().replace('\\', "/"));
    let spec = args
        .spec
        .map(|p| cwd.join(p))
        .unwrap_or_else(|| root.join("spec/openapi.yaml"));
    let out = args
        .out
        .map(|p| cwd.join(p))
        .unwrap_or_else(|| root.join("generated-client"));
    let crate_name = match args.crate_name {
        Some(name) => name,
        None if is_default => DEFAULT_CRATE_NAME.to_owned(),
        None => out
            .file_name()
            .map(|n| {
                n.to_string_lossy()
                    .to_ascii_lowercase()
                    .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
            })
            .filter(|n| n.starts_with(|c: char| c.is_ascii_alphabetic()))
            .unwrap_or_else(|| "api-client".to_owned()),
    };
    // Messages name the spec as the user did; the generated files by
    // `spec_label`, the same on every machine.
    let shown_spec = given_spec.unwrap_or_else(|| spec_label(&spec, &root));
    let header_label = spec_label(&spec, &root);
    let standalone = args.standalone || !out.starts_with(&root);

    let text = std::fs::read_to_string(&spec)
        .with_context(|| format!("cannot read {}", spec.display()))?;
    let extra_manifest = match std::fs::read_to_string(out.join(EXTRA_MANIFEST)) {
        Ok(extra) => Some(extra),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => {
            return Err(e).context(format!(
                "cannot read {}",
                out.join(EXTRA_MANIFEST).display()
            ));
        }
    };
    let config = read_config(&out.join(CONFIG_FILE), &out)?;
    let generated = generate(
        &text,
        &CrateOptions {
            crate_name,
            spec_label: header_label,
            standalone,
            extra_manifest,
            extra_module: out.join(EXTRA_MODULE).is_file(),
            lenient: args.lenient,
            config,
        },
    )
    .map_err(|e| {
        let hint = lenient_hint(&e);
        anyhow::anyhow!("cannot generate a client from {shown_spec}: {e}{hint}")
    })?;

    if !generated.notes.is_empty() {
        eprint!(
            "{}",
            note_report(&shown_spec, &generated.notes, args.all_notes)
        );
    }
    if !generated.warnings.is_empty() {
        eprint!("{}", warning_report(&shown_spec, &generated.warnings));
        if args.deny_warnings {
            bail!(
                "--deny-warnings: {} generator warning(s)",
                generated.warnings.len()
            );
        }
    }

    if args.check {
        let drift = render::check(&out, &generated.files)?;
        if drift.is_empty() {
            println!("{} is up to date with {shown_spec}", out.display());
            return Ok(ExitCode::SUCCESS);
        }
        for d in &drift {
            print!("{}", d.diff);
        }
        eprintln!(
            "error: {} generated file(s) in {} are out of date with {shown_spec}: {}\n\
             run `cargo xtask codegen` to regenerate them",
            drift.len(),
            out.display(),
            drift
                .iter()
                .map(|d| d.path.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return Ok(ExitCode::FAILURE);
    }

    let mut changed = 0;
    for status in render::write(&out, &generated.files)? {
        match status {
            FileStatus::Written(path) => {
                changed += 1;
                println!("wrote {path}");
            }
            FileStatus::Removed(path) => {
                changed += 1;
                println!("removed stale {path}");
            }
            FileStatus::Unchanged(_) => {}
        }
    }
    println!(
        "{}: {}, {}, {}, {}",
        out.display(),
        count(generated.types, "type"),
        count(generated.operations, "operation"),
        count(changed, "file changed"),
        count(generated.warnings.len(), "warning")
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::{spec_label, warning_report};
    use std::path::Path;

    #[test]
    fn headers_name_the_spec_without_the_machines_layout() {
        let root = Path::new("/nowhere/workspace");
        assert_eq!(
            spec_label(&root.join("spec/openapi.yaml"), root),
            "spec/openapi.yaml"
        );
        assert_eq!(
            spec_label(Path::new("/home/someone/apis/shop.json"), root),
            "shop.json"
        );
        // Through the file system: `..` and links resolve before the check.
        let here = std::env::current_dir().unwrap();
        let label = spec_label(&here.join("../xtask/Cargo.toml"), &here.join(".."));
        assert_eq!(label, "xtask/Cargo.toml");
    }
    use openapi_client_gen::{Pointer, Warning, WarningKind};

    #[test]
    fn warnings_group_by_their_kind() {
        let warning = |kind, at: &str, message: &str| Warning {
            pointer: Pointer::from_ref(at).unwrap(),
            kind,
            message: message.into(),
        };
        let report = warning_report(
            "spec.yaml",
            &[
                warning(WarningKind::Example, "#/a", "example does not match (x)"),
                warning(WarningKind::Renamed, "#/b", "type name `Foo` is taken"),
                warning(WarningKind::Renamed, "#/c", "field name collides"),
            ],
        );
        let lines: Vec<&str> = report.lines().collect();
        assert_eq!(
            lines[0],
            "warning: 3 generator warning(s) for spec.yaml, in 2 kind(s):"
        );
        assert_eq!(lines[1], format!("  [2] {}", WarningKind::Renamed.title()));
        assert_eq!(lines[2], "      #/b: type name `Foo` is taken");
        assert_eq!(lines[4], format!("  [1] {}", WarningKind::Example.title()));
    }
}
