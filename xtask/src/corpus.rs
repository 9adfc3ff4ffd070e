//! `cargo xtask corpus DIR`: generate, lint, build and test a client crate
//! for every OpenAPI document in a folder, and print a table.

use anyhow::{Context, Result};
use openapi_client_gen::render;
use openapi_client_gen::{CrateOptions, Error, generate};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

struct Row {
    spec: String,
    generated: String,
    warnings: usize,
    clippy: String,
    tests: String,
    seconds: f64,
    ok: bool,
}

pub fn corpus(dir: &Path, root: &Path, keep_going: bool) -> Result<ExitCode> {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
        })
        .collect();
    specs.sort();
    let out_root = root.join("target/corpus");
    let target_dir = root.join(FIXTURE_TARGET);
    let mut rows = Vec::new();
    for spec in &specs {
        let name = spec
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        eprintln!("== {name}");
        let started = Instant::now();
        let row = run_one(spec, &name, root, &out_root, &target_dir);
        let mut row = match row {
            Ok(row) => row,
            Err(e) => Row {
                spec: name.clone(),
                generated: format!("error: {e:#}"),
                warnings: 0,
                clippy: "-".into(),
                tests: "-".into(),
                seconds: 0.0,
                ok: false,
            },
        };
        row.seconds = started.elapsed().as_secs_f64();
        let failed = !row.ok;
        rows.push(row);
        if failed && !keep_going {
            break;
        }
    }
    print_table(&rows);
    Ok(if rows.iter().all(|r| r.ok) && rows.len() == specs.len() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn run_one(
    spec: &Path,
    name: &str,
    root: &Path,
    out_root: &Path,
    target_dir: &Path,
) -> Result<Row> {
    let text = std::fs::read_to_string(spec)?;
    let crate_name = format!(
        "corpus-{}",
        name.to_ascii_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
    );
    // `X.lenient.yaml`: a document with local defects, refused by default.
    let lenient = name.ends_with(".lenient");
    let mut options = CrateOptions {
        crate_name,
        spec_label: crate::spec_label(spec, root),
        standalone: true,
        extra_manifest: None,
        extra_module: false,
        lenient: false,
        config: crate::read_config(&spec.with_extension("codegen.toml"), spec)?,
    };
    let mut row = Row {
        spec: name.to_owned(),
        generated: String::new(),
        warnings: 0,
        clippy: "-".into(),
        tests: "-".into(),
        seconds: 0.0,
        ok: false,
    };
    if lenient {
        match generate(&text, &options) {
            Err(e) if e.local_count().0 == e.local_count().1 => options.lenient = true,
            Err(e) => {
                row.generated = format!(
                    "error (not only local defects): {}",
                    e.to_string().lines().next().unwrap_or_default()
                );
                return Ok(row);
            }
            Ok(_) => {
                row.generated = "FAILED: a .lenient document must be refused by default".into();
                return Ok(row);
            }
        }
    }
    let generated = match generate(&text, &options) {
        Ok(g) => g,
        Err(Error::Swagger2) => {
            row.generated = "refused: Swagger 2.0".into();
            row.ok = true;
            return Ok(row);
        }
        Err(e) => {
            row.generated = format!(
                "error: {}",
                e.to_string().lines().next().unwrap_or_default()
            );
            return Ok(row);
        }
    };
    row.generated = if lenient { "yes (--lenient)" } else { "yes" }.into();
    row.warnings = generated.warnings.len();
    for w in generated.warnings.iter().take(20) {
        eprintln!("  warning: {w}");
    }
    let out = out_root.join(name);
    render::write(&out, &generated.files)?;
    copy_hand_written_tests(spec, &out)?;
    let manifest = out.join("Cargo.toml");
    // `--all-features`: the `mock` module is linted, documented and used by
    // the hand-written tests too.
    let clippy = cargo(
        &[
            "clippy",
            "--all-targets",
            "--all-features",
            "--quiet",
            "--",
            "-D",
            "warnings",
        ],
        &manifest,
        target_dir,
    )?;
    row.clippy = if clippy.0 {
        "clean".into()
    } else {
        "FAILED".into()
    };
    if !clippy.0 {
        eprintln!("{}", tail(&clippy.1, 40));
        return Ok(row);
    }
    let doc = cargo(
        &["doc", "--no-deps", "--all-features", "--quiet"],
        &manifest,
        target_dir,
    )?;
    if !doc.0 {
        row.clippy = "clean; rustdoc FAILED".into();
        eprintln!("{}", tail(&doc.1, 40));
        return Ok(row);
    }
    row.clippy = "clean".into();
    let test = cargo(
        &["test", "--all-features", "--quiet"],
        &manifest,
        target_dir,
    )?;
    let (passed, failed) = count_tests(&test.1);
    row.tests = format!("{passed} passed, {failed} failed");
    // Clippy sees the lib and test targets; this catches whatever else
    // the test build compiles (doctests): a generated crate has no warnings.
    let warnings = compiler_warnings(&test.1);
    if warnings > 0 {
        row.tests
            .push_str(&format!("; {warnings} compiler warning(s)"));
    }
    if !test.0 || warnings > 0 {
        eprintln!("{}", tail(&test.1, 40));
    }
    row.ok = test.0 && failed == 0 && warnings == 0;
    Ok(row)
}

/// A fixture `X.yaml` may come with hand-written tests in `X.tests/`; they
/// are copied into the generated crate's `tests/` (they use the crate as
/// `corpus_x`).
fn copy_hand_written_tests(spec: &Path, out: &Path) -> Result<()> {
    let dir = spec.with_extension("tests");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(());
    };
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "rs") {
            let target = out.join("tests").join(path.file_name().unwrap_or_default());
            std::fs::create_dir_all(out.join("tests"))?;
            std::fs::copy(&path, &target)
                .with_context(|| format!("cannot copy {}", path.display()))?;
        }
    }
    Ok(())
}

/// Where `corpus` and `contract` build the crates they generate: one
/// target directory, so the dependencies are built once for all of them.
pub(crate) const FIXTURE_TARGET: &str = "target/corpus-target";

/// Cargo for a crate `corpus` or `contract` generated, building into
/// `target_dir`. Each such crate is built once and thrown away, so
/// incremental caches and full debug info would only be disk: with them, the
/// 27 fixtures filled 16 GB and ran a CI machine out of space. Line tables
/// keep a failing test's backtrace readable. Either setting the caller has
/// made in the environment wins.
pub(crate) fn fixture_cargo(target_dir: &Path) -> Command {
    let mut command = crate::cargo();
    command
        .env("CARGO_TARGET_DIR", target_dir)
        .envs(fixture_settings(|key| std::env::var_os(key).is_some()));
    command
}

/// The settings [`fixture_cargo`] makes, but for those the caller's
/// environment already makes (`is_set`).
fn fixture_settings(
    is_set: impl Fn(&str) -> bool,
) -> impl Iterator<Item = (&'static str, &'static str)> {
    [
        ("CARGO_INCREMENTAL", "0"),
        ("CARGO_PROFILE_DEV_DEBUG", "line-tables-only"),
    ]
    .into_iter()
    .filter(move |(key, _)| !is_set(key))
}

fn cargo(args: &[&str], manifest: &Path, target_dir: &Path) -> Result<(bool, String)> {
    let output = fixture_cargo(target_dir)
        .args(args.iter().take_while(|a| **a != "--"))
        .arg("--manifest-path")
        .arg(manifest)
        .args(args.iter().skip_while(|a| **a != "--"))
        .env("RUSTDOCFLAGS", "-D warnings")
        .output()
        .context("cannot run cargo")?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Ok((output.status.success(), text))
}

fn count_tests(output: &str) -> (u64, u64) {
    let mut totals = (0, 0);
    for line in output.lines().filter(|l| l.starts_with("test result:")) {
        let number_before = |word: &str| {
            line.split(';')
                .find(|part| part.contains(word))
                .and_then(|part| part.split_whitespace().rev().nth(1)?.parse::<u64>().ok())
                .unwrap_or(0)
        };
        totals.0 += number_before("passed");
        totals.1 += number_before("failed");
    }
    totals
}

/// Compiler warnings in cargo's output (`warning: ...` lines, but not the
/// `warning: N warnings emitted` summaries).
fn compiler_warnings(output: &str) -> usize {
    output
        .lines()
        .filter(|l| {
            l.starts_with("warning:")
                && !l.contains("warning emitted")
                && !l.contains("warnings emitted")
                && !l.contains("generated ")
        })
        .count()
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

fn print_table(rows: &[Row]) {
    println!("| spec | generated | warnings | clippy and rustdoc -D warnings | tests | time |");
    println!("|---|---|---|---|---|---|");
    for r in rows {
        println!(
            "| {} | {} | {} | {} | {} | {:.1}s |",
            r.spec, r.generated, r.warnings, r.clippy, r.tests, r.seconds
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn compiler_warnings_are_counted_once_each() {
        let out = "warning: unused import: `crate::types`\n --> src/client.rs:10:5\nwarning: `x` (lib) generated 1 warning\ntest result: ok. 1 passed; 0 failed";
        assert_eq!(super::compiler_warnings(out), 1);
        assert_eq!(
            super::compiler_warnings("test result: ok. 3 passed; 0 failed"),
            0
        );
    }

    #[test]
    fn fixture_builds_keep_no_caches_unless_the_caller_says() {
        let settings =
            |set: &[&str]| super::fixture_settings(|key| set.contains(&key)).collect::<Vec<_>>();
        assert_eq!(
            settings(&[]),
            [
                ("CARGO_INCREMENTAL", "0"),
                ("CARGO_PROFILE_DEV_DEBUG", "line-tables-only")
            ]
        );
        assert_eq!(
            settings(&["CARGO_INCREMENTAL"]),
            [("CARGO_PROFILE_DEV_DEBUG", "line-tables-only")]
        );
        assert!(settings(&["CARGO_INCREMENTAL", "CARGO_PROFILE_DEV_DEBUG"]).is_empty());
    }

    #[test]
    fn test_counts_add_up_across_binaries() {
        let out = "test result: ok. 3 passed; 0 failed; 0 ignored\nfoo\ntest result: FAILED. 5 passed; 2 failed; 0 ignored";
        assert_eq!(super::count_tests(out), (8, 2));
    }
}
