//! Project automation: `cargo xtask codegen [--check]` and
//! `cargo xtask corpus DIR`.

mod bench;
mod corpus;

use anyhow::{Context, Result, bail};
use openapi_client_gen::render::{self, FileStatus};
use openapi_client_gen::{CrateOptions, generate};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask codegen [--check] [--spec PATH] [--out DIR] [--crate-name NAME]
                           [--standalone] [--deny-warnings] [--lenient]
       cargo xtask corpus DIR [--keep-going]
       cargo xtask bench [--spec PATH] [--runs N] [--only 1,2,3,4]

Generates a typed Rust client crate from an OpenAPI 3.0/3.1 document.

  --check           do not write; fail with a diff if the files on disk differ
  --spec PATH       the OpenAPI document (default: spec/openapi.yaml)
  --out DIR         the crate directory (default: generated-client)
  --crate-name NAME package name (default: almanac-client for the default
                    output, otherwise the output directory's name)
  --standalone      add an empty [workspace] so the crate builds on its own
                    (implied when DIR is outside this workspace)
  --deny-warnings   fail if the generator reports warnings
  --lenient         generate even when a defect touches only part of the
                    document (a missing or empty $ref target, a $ref to the
                    wrong kind of component, an undeclared path parameter, a
                    duplicate operationId): that part is degraded and the
                    error becomes a warning

If DIR holds a hand-written Cargo.extra.toml, its TOML is appended to the
generated Cargo.toml (features, extra test targets, dev-dependencies).

corpus generates a crate for every .yaml/.yml/.json document in DIR under
target/corpus/, runs clippy and rustdoc with -D warnings and the tests on each
(one shared target dir), and prints a table. A document named X.lenient.yaml
must be refused by default and is generated with --lenient. --keep-going does not stop at
the first failure.

bench prints the performance figures as ratios of medians, ours against a
reference, the two alternating over --runs runs each (default 7): rebuild of
the generated crate and codegen time against progenitor (installed into
target/bench-tools/ when missing) for --spec (default
../shared/specs/progenitor-nexus.json), and one Almanac call against a
hand-written reqwest call. --only picks figures.";

/// A hand-written file in the output directory whose TOML is appended to
/// the generated `Cargo.toml`.
const EXTRA_MANIFEST: &str = "Cargo.extra.toml";

/// The crate name of the checked-in Almanac client.
const DEFAULT_CRATE_NAME: &str = "almanac-client";

struct Args {
    check: bool,
    spec: Option<PathBuf>,
    out: Option<PathBuf>,
    crate_name: Option<String>,
    standalone: bool,
    deny_warnings: bool,
    lenient: bool,
}

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
    let mut argv = std::env::args().skip(1);
    match argv.next().as_deref() {
        Some("codegen") => codegen(parse_args(argv)?),
        Some("corpus") => {
            let mut dir = None;
            let mut keep_going = false;
            for arg in argv {
                match arg.as_str() {
                    "--keep-going" => keep_going = true,
                    _ if dir.is_none() => dir = Some(PathBuf::from(arg)),
                    other => bail!("unknown argument `{other}`\n\n{USAGE}"),
                }
            }
            let dir = dir.context("corpus needs a folder of OpenAPI documents")?;
            corpus::corpus(
                &std::env::current_dir()?.join(dir),
                &workspace_root(),
                keep_going,
            )
        }
        Some("bench") => {
            let root = workspace_root();
            let mut options = bench::Options {
                spec: root.join("../shared/specs/progenitor-nexus.json"),
                runs: 7,
                only: Vec::new(),
            };
            while let Some(arg) = argv.next() {
                let mut value =
                    |name: &str| argv.next().with_context(|| format!("{name} needs a value"));
                match arg.as_str() {
                    "--spec" => options.spec = std::env::current_dir()?.join(value("--spec")?),
                    "--runs" => {
                        options.runs = value("--runs")?.parse().context("--runs takes a number")?
                    }
                    "--only" => {
                        options.only = value("--only")?
                            .split(',')
                            .map(|n| {
                                n.trim()
                                    .parse()
                                    .context("--only takes figure numbers, e.g. 1,4")
                            })
                            .collect::<Result<_>>()?
                    }
                    other => bail!("unknown argument `{other}`\n\n{USAGE}"),
                }
            }
            bench::bench(&root, &options)?;
            Ok(ExitCode::SUCCESS)
        }
        Some("-h" | "--help") | None => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        Some(other) => bail!("unknown task `{other}`\n\n{USAGE}"),
    }
}

fn parse_args(mut argv: impl Iterator<Item = String>) -> Result<Args> {
    let mut args = Args {
        check: false,
        spec: None,
        out: None,
        crate_name: None,
        standalone: false,
        deny_warnings: false,
        lenient: false,
    };
    while let Some(arg) = argv.next() {
        let mut value = |name: &str| argv.next().with_context(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--check" => args.check = true,
            "--standalone" => args.standalone = true,
            "--deny-warnings" => args.deny_warnings = true,
            "--lenient" => args.lenient = true,
            "--spec" => args.spec = Some(value("--spec")?.into()),
            "--out" => args.out = Some(value("--out")?.into()),
            "--crate-name" => args.crate_name = Some(value("--crate-name")?),
            other => bail!("unknown argument `{other}`\n\n{USAGE}"),
        }
    }
    Ok(args)
}

/// A warning's message with its specifics (`quoted` names, parenthesised
/// details) replaced by `…`.
fn group_key(message: &str) -> String {
    let mut key = String::new();
    let mut depth = 0usize;
    let mut quoted = false;
    for c in message.chars() {
        match c {
            '`' if depth == 0 => {
                if !quoted {
                    key.push('…');
                }
                quoted = !quoted;
            }
            '(' if !quoted => {
                if depth == 0 {
                    key.push('…');
                }
                depth += 1;
            }
            ')' if !quoted && depth > 0 => depth -= 1,
            _ if quoted || depth > 0 => {}
            c => key.push(c),
        }
    }
    key
}

/// Warnings grouped by what they say (the quoted specifics set aside), the
/// largest group first, each with a few of its places.
fn warning_report(spec_label: &str, warnings: &[openapi_client_gen::Warning]) -> String {
    const SHOWN_PER_GROUP: usize = 5;
    let mut groups: Vec<(String, Vec<&openapi_client_gen::Warning>)> = Vec::new();
    for warning in warnings {
        let key = group_key(&warning.message);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(warning),
            None => groups.push((key, vec![warning])),
        }
    }
    groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
    let mut out = format!(
        "warning: {} generator warning(s) for {spec_label}, in {} kind(s):\n",
        warnings.len(),
        groups.len()
    );
    for (key, members) in &groups {
        out.push_str(&format!("  [{}] {key}\n", members.len()));
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

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn codegen(args: Args) -> Result<ExitCode> {
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
    let spec_label = match spec.strip_prefix(&root) {
        Ok(relative) => relative.to_string_lossy().replace('\\', "/"),
        Err(_) => given_spec.unwrap_or_else(|| spec.to_string_lossy().into_owned()),
    };
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
    let generated = generate(
        &text,
        &CrateOptions {
            crate_name,
            spec_label: spec_label.clone(),
            standalone,
            extra_manifest,
            lenient: args.lenient,
        },
    )
    .map_err(|e| {
        let hint = lenient_hint(&e);
        anyhow::anyhow!("cannot generate a client from {spec_label}: {e}{hint}")
    })?;

    if !generated.warnings.is_empty() {
        eprint!("{}", warning_report(&spec_label, &generated.warnings));
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
            println!("{} is up to date with {spec_label}", out.display());
            return Ok(ExitCode::SUCCESS);
        }
        for d in &drift {
            print!("{}", d.diff);
        }
        eprintln!(
            "error: {} generated file(s) in {} are out of date with {spec_label}: {}\n\
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

    for status in render::write(&out, &generated.files)? {
        match status {
            FileStatus::Written(path) => println!("wrote {path}"),
            FileStatus::Removed(path) => println!("removed stale {path}"),
            FileStatus::Unchanged(_) => {}
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::group_key;

    #[test]
    fn warnings_group_by_their_wording() {
        assert_eq!(
            group_key(
                "example does not match its schema (Tag: expected `x`); it is not round-tripped"
            ),
            "example does not match its schema …; it is not round-tripped"
        );
        assert_eq!(
            group_key("type name `Foo` is already used by #/a; this one is `Foo2`"),
            "type name … is already used by #/a; this one is …"
        );
    }
}
