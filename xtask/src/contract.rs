//! `cargo xtask contract SPEC`: every operation of a document called for
//! real. The crate is generated with its contract program
//! (`examples/contract.rs`, see `openapi_client_gen::contract_program`),
//! Stoplight Prism mocks the document with request validation on, and the
//! program calls each operation once and prints a row per operation.

use crate::corpus::{FIXTURE_TARGET, fixture_cargo};
use anyhow::{Context, Result, bail};
use openapi_client_gen::render;
use openapi_client_gen::{CrateOptions, Error, contract_program, generate};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// How long Prism may take to load a document and listen (stripe's takes
/// over a minute and a half on a 2-core machine).
const PRISM_START: Duration = Duration::from_secs(300);

pub fn contract(spec: &Path, out: Option<&Path>, lenient: bool, root: &Path) -> Result<ExitCode> {
    let specs = if spec.is_dir() {
        if out.is_some() {
            bail!("--out takes a single document, not a folder");
        }
        let mut specs: Vec<PathBuf> = std::fs::read_dir(spec)
            .with_context(|| format!("cannot read {}", spec.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension()
                    .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
            })
            .collect();
        specs.sort();
        specs
    } else {
        vec![spec.to_path_buf()]
    };
    let prism = prism_binary(root)?;
    let mut summary = Vec::new();
    for spec in &specs {
        let name = spec
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        println!("\n== {name}");
        let out = out.map_or_else(
            || root.join("target/contract").join(&name),
            Path::to_path_buf,
        );
        let result = one(spec, &name, &out, lenient, root, &prism);
        let line = match &result {
            Ok(Checked::Passed) => format!("{name}: every operation passed"),
            Ok(Checked::Failed) => format!("{name}: FAILED"),
            Ok(Checked::Skipped(why)) => format!("{name}: not checked: {why}"),
            Err(e) => format!("{name}: FAILED: {e:#}"),
        };
        if !matches!(result, Ok(Checked::Passed)) {
            println!("{line}");
        }
        summary.push((
            line,
            matches!(result, Ok(Checked::Passed | Checked::Skipped(_))),
        ));
    }
    if specs.len() > 1 {
        println!("\n== summary");
        for (line, _) in &summary {
            println!("{line}");
        }
    }
    Ok(if summary.iter().all(|(_, ok)| *ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

enum Checked {
    Passed,
    Failed,
    /// Nothing to call, for a reason that is not the client's.
    Skipped(String),
}

fn one(
    spec: &Path,
    name: &str,
    out: &Path,
    lenient: bool,
    root: &Path,
    prism: &Path,
) -> Result<Checked> {
    let text =
        std::fs::read_to_string(spec).with_context(|| format!("cannot read {}", spec.display()))?;
    let crate_name = format!(
        "contract-{}",
        name.to_ascii_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
    );
    let options = CrateOptions {
        crate_name,
        spec_label: crate::spec_label(spec, root),
        standalone: true,
        extra_manifest: None,
        extra_module: false,
        lenient: lenient || name.ends_with(".lenient"),
        config: crate::read_config(&spec.with_extension("codegen.toml"), spec)?,
    };
    let generated = match generate(&text, &options) {
        Ok(generated) => generated,
        Err(Error::Swagger2) => {
            return Ok(Checked::Skipped("a Swagger 2.0 document".into()));
        }
        Err(e) => bail!("generation failed: {e}"),
    };
    if generated.operations == 0 {
        return Ok(Checked::Skipped("the document has no operations".into()));
    }
    let program = contract_program(&text, &options)?;
    let mut files = generated.files;
    files.push(program);
    render::write(out, &files)?;
    let target_dir = root.join(FIXTURE_TARGET);
    let manifest = out.join("Cargo.toml");
    let built = fixture_cargo(&target_dir)
        .args([
            "build",
            "--quiet",
            "--example",
            "contract",
            "--manifest-path",
        ])
        .arg(&manifest)
        .status()
        .context("cannot run cargo")?;
    if !built.success() {
        bail!("the contract program does not build");
    }
    let log = out.join("prism.log");
    let (mut server, url) = match start_prism(prism, spec, &log)? {
        Ok(started) => started,
        Err(why) => return Ok(Checked::Skipped(why)),
    };
    let started = Instant::now();
    let status = Command::new(target_dir.join("debug/examples/contract"))
        .arg(&url)
        .env("CONTRACT_KNOWN", known_failures(spec)?)
        .status()
        .context("cannot run the contract program");
    let _ = server.kill();
    let _ = server.wait();
    let status = status?;
    println!(
        "({:.1} s; Prism's log: {})",
        started.elapsed().as_secs_f64(),
        log.display()
    );
    Ok(if status.success() {
        Checked::Passed
    } else {
        Checked::Failed
    })
}

/// Operations of `X.yaml` known to fail for a reason that is not the
/// client's, from `X.contract` beside it (`method: why` lines, `#`
/// comments), as the program reads them (`method<TAB>why` lines). Such an
/// operation is listed with its reason, not counted as failed; one that
/// passes is a failure, so that the list stays true.
fn known_failures(spec: &Path) -> Result<String> {
    let Ok(text) = std::fs::read_to_string(spec.with_extension("contract")) else {
        return Ok(String::new());
    };
    let mut known = String::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((method, why)) = line.split_once(':') else {
            bail!(
                "{}:{}: expected `method: why`",
                spec.with_extension("contract").display(),
                n + 1
            );
        };
        known.push_str(&format!("{}\t{}\n", method.trim(), why.trim()));
    }
    Ok(known)
}

/// Prism: `PRISM_BIN`, or the copy `npm ci --prefix
/// generated-client/tests/contract` installs (the version CI pins).
fn prism_binary(root: &Path) -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("PRISM_BIN") {
        return Ok(PathBuf::from(path));
    }
    let local = root.join("generated-client/tests/contract/node_modules/.bin/prism");
    if !local.exists() {
        bail!(
            "Prism is not installed: run `npm ci --prefix generated-client/tests/contract` \
             (Node.js 18 or newer), or point PRISM_BIN at a prism binary"
        );
    }
    Ok(local)
}

/// Prism mocking `spec` on a free port, with request validation, and its
/// URL; or why it could not start (a document it cannot load), from its
/// log.
fn start_prism(
    prism: &Path,
    spec: &Path,
    log: &Path,
) -> Result<std::result::Result<(Child, String), String>> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let log_file = std::fs::File::create(log)?;
    let mut child = Command::new(prism)
        .args([
            "mock",
            "--host",
            "127.0.0.1",
            "--port",
            &port.to_string(),
            "--errors",
        ])
        .arg(spec)
        .stdin(Stdio::null())
        .stdout(log_file.try_clone()?)
        .stderr(log_file)
        .spawn()
        .with_context(|| format!("cannot start {}", prism.display()))?;
    let deadline = Instant::now() + PRISM_START;
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        let exited = child.try_wait()?.is_some();
        if exited || Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let text = std::fs::read_to_string(log).unwrap_or_default();
            // Prism's own reason (a `fatal` line), else its last words.
            let last = text
                .lines()
                .find(|l| l.contains("fatal"))
                .or_else(|| text.lines().rev().find(|l| !l.trim().is_empty()))
                .unwrap_or("no output")
                .trim()
                .chars()
                .take(200)
                .collect::<String>();
            return Ok(Err(format!("Prism could not mock the document: {last}")));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Ok(Ok((child, format!("http://127.0.0.1:{port}"))))
}
