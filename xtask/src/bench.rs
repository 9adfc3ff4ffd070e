//! `cargo xtask bench`: the project's performance figures, each a ratio of
//! medians measured in one run with the two sides alternating, so that the
//! machine's load affects both alike.
//!
//! 1. Rebuild of the generated crate for a large document (`touch
//!    src/lib.rs && cargo build`, dependencies built), ours against
//!    progenitor's.
//! 2. Generating that crate as users run it: the xtask binary that
//!    `cargo xtask` builds (the `codegen` profile), and through `cargo xtask`
//!    (which adds cargo's freshness check), against progenitor's CLI.
//! 3. The same with a release build of xtask.
//! 4. One `refresh_token` call of the Almanac client against a hand-written
//!    reqwest + serde call (`generated-client/benches/request_overhead.rs`):
//!    the median of `--runs` runs of that bench, each its own ratio of
//!    medians.
//!
//! progenitor is installed into `target/bench-tools/` when it is missing.
//! A tool to run by hand; nothing here asserts a time.

use crate::cargo;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The progenitor release the figures compare against.
const PROGENITOR_VERSION: &str = "0.15.1";

pub struct Options {
    pub spec: PathBuf,
    pub runs: usize,
    /// Only these figures (1 to 4, 6); all when empty.
    pub only: Vec<usize>,
}

pub fn bench(root: &Path, options: &Options) -> Result<()> {
    if options.runs < 5 {
        bail!("--runs must be at least 5 so that a median means something");
    }
    let wanted = |figure: usize| options.only.is_empty() || options.only.contains(&figure);
    if (wanted(1) || wanted(2) || wanted(3)) && !options.spec.is_file() {
        bail!(
            "no OpenAPI document at {}; pass one with --spec (the default is \
             ../shared/specs/progenitor-nexus.json beside the workspace)",
            options.spec.display()
        );
    }
    let work = root.join("target/bench");
    std::fs::create_dir_all(&work)?;
    println!("machine: {}", machine());
    println!(
        "spec: {}, {} runs per side\n",
        options.spec.display(),
        options.runs
    );
    let mut rows = Vec::new();
    if wanted(1) || wanted(2) || wanted(3) {
        let progenitor = progenitor(root)?;
        let ours = Generator::Ours(build_xtask(root, "codegen")?);
        let theirs = Generator::Progenitor(progenitor);
        if wanted(2) {
            rows.push(compare(
                "2. codegen, xtask as `cargo xtask` builds it (profile codegen) / progenitor CLI",
                options.runs,
                || ours.generate(&options.spec, &work.join("ours")),
                || theirs.generate(&options.spec, &work.join("theirs")),
            )?);
            rows.push(compare(
                "2'. codegen through `cargo xtask` / progenitor CLI",
                options.runs,
                || cargo_xtask_codegen(root, &options.spec, &work.join("ours")),
                || theirs.generate(&options.spec, &work.join("theirs")),
            )?);
        }
        if wanted(3) {
            let release = Generator::Ours(build_xtask(root, "release")?);
            rows.push(compare(
                "3. codegen, release xtask binary / progenitor CLI",
                options.runs,
                || release.generate(&options.spec, &work.join("ours")),
                || theirs.generate(&options.spec, &work.join("theirs")),
            )?);
        }
        if wanted(1) {
            ours.generate(&options.spec, &work.join("ours"))?;
            theirs.generate(&options.spec, &work.join("theirs"))?;
            let target = work.join("target");
            for side in ["ours", "theirs"] {
                println!("building the {side} crate and its dependencies once...");
                cargo_build(&work.join(side), &target)?;
            }
            rows.push(compare(
                "1. rebuild of the generated crate / progenitor's",
                options.runs,
                || rebuild(&work.join("ours"), &target),
                || rebuild(&work.join("theirs"), &target),
            )?);
        }
    }
    if wanted(4) {
        rows.push(request_overhead(root, options.runs)?);
    }
    if wanted(6) {
        rows.push(events_decoded(root, options.runs)?);
    }
    println!("\n| figure | ours (median) | reference (median) | ratio of medians |");
    println!("|---|---|---|---|");
    for row in &rows {
        println!("{row}");
    }
    Ok(())
}

/// One figure: medians of both sides and their ratio.
struct Row {
    name: String,
    ours: String,
    theirs: String,
    ratio: f64,
}

impl std::fmt::Display for Row {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "| {} | {} | {} | {:.3} |",
            self.name, self.ours, self.theirs, self.ratio
        )
    }
}

/// Runs `a` and `b` alternately, `runs` times each (which goes first
/// swaps every round), after one unmeasured run of each.
fn compare(
    name: &str,
    runs: usize,
    a: impl Fn() -> Result<Duration>,
    b: impl Fn() -> Result<Duration>,
) -> Result<Row> {
    println!("{name}");
    a()?;
    b()?;
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for round in 0..runs {
        if round % 2 == 0 {
            ours.push(a()?);
            theirs.push(b()?);
        } else {
            theirs.push(b()?);
            ours.push(a()?);
        }
        println!(
            "  round {}: {:?} / {:?}",
            round + 1,
            ours[round],
            theirs[round]
        );
    }
    let seconds = |times: Vec<Duration>| median(times.iter().map(Duration::as_secs_f64).collect());
    let (ours, theirs) = (seconds(ours), seconds(theirs));
    Ok(Row {
        name: name.to_owned(),
        ours: format!("{ours:.2} s"),
        theirs: format!("{theirs:.2} s"),
        ratio: ours / theirs,
    })
}

enum Generator {
    Ours(PathBuf),
    Progenitor(PathBuf),
}

impl Generator {
    /// Generates a fresh crate into `out` (removed first: both tools then
    /// write every file) and returns how long it took.
    fn generate(&self, spec: &Path, out: &Path) -> Result<Duration> {
        let _ = std::fs::remove_dir_all(out.join("src"));
        let mut command = match self {
            Generator::Ours(xtask) => {
                let mut command = Command::new(xtask);
                our_codegen_args(&mut command, spec, out);
                command
            }
            Generator::Progenitor(cli) => {
                let mut command = Command::new(cli);
                command.args(["progenitor", "-n", "bench-theirs", "-v", "0.1.0", "-i"]);
                command.arg(spec).arg("-o").arg(out);
                command
            }
        };
        let elapsed = timed(&mut command)?;
        if let Generator::Progenitor(_) = self {
            // Under target/ the crate would count as part of this workspace;
            // ours gets the same table from --standalone.
            let manifest = out.join("Cargo.toml");
            let text = std::fs::read_to_string(&manifest)?;
            if !text.contains("\n[workspace]") {
                std::fs::write(&manifest, format!("{text}\n[workspace]\n"))?;
            }
        }
        Ok(elapsed)
    }
}

/// Runs a command to completion, failing with its output if it fails.
fn timed(command: &mut Command) -> Result<Duration> {
    let started = Instant::now();
    let output = command
        .output()
        .with_context(|| format!("could not run {command:?}"))?;
    let elapsed = started.elapsed();
    if !output.status.success() {
        bail!(
            "{command:?} failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(elapsed)
}

/// `codegen` into `out`, as both ways of running ours are measured.
fn our_codegen_args(command: &mut Command, spec: &Path, out: &Path) {
    command.args([
        "codegen",
        "--standalone",
        "--crate-name",
        "bench-ours",
        "--spec",
    ]);
    command.arg(spec).arg("--out").arg(out);
}

fn cargo_xtask_codegen(root: &Path, spec: &Path, out: &Path) -> Result<Duration> {
    let _ = std::fs::remove_dir_all(out.join("src"));
    let mut command = cargo();
    command.current_dir(root).arg("xtask");
    our_codegen_args(&mut command, spec, out);
    timed(&mut command)
}

/// Builds xtask in `profile` and returns its binary.
fn build_xtask(root: &Path, profile: &str) -> Result<PathBuf> {
    let mut command = cargo();
    command
        .current_dir(root)
        .args(["build", "--quiet", "-p", "xtask", "--profile", profile]);
    timed(&mut command)?;
    Ok(root
        .join("target")
        .join(profile)
        .join(format!("xtask{}", std::env::consts::EXE_SUFFIX)))
}

/// progenitor's CLI, installed under `target/bench-tools/` when missing.
fn progenitor(root: &Path) -> Result<PathBuf> {
    let install_root = root.join("target/bench-tools/progenitor");
    let binary = install_root
        .join("bin")
        .join(format!("cargo-progenitor{}", std::env::consts::EXE_SUFFIX));
    if !binary.is_file() {
        println!(
            "installing cargo-progenitor {PROGENITOR_VERSION} into {} (once; takes minutes)...",
            install_root.display()
        );
        let mut command = cargo();
        command.args([
            "install",
            "--quiet",
            "--locked",
            "cargo-progenitor",
            "--version",
            PROGENITOR_VERSION,
            "--root",
        ]);
        command.arg(&install_root);
        timed(&mut command)?;
    }
    Ok(binary)
}

fn cargo_build(crate_dir: &Path, target: &Path) -> Result<Duration> {
    let mut command = cargo();
    command
        .current_dir(crate_dir)
        .env("CARGO_TARGET_DIR", target)
        .args(["build", "--quiet"]);
    timed(&mut command)
}

/// `touch src/lib.rs && cargo build`: what a change to nothing but the
/// crate itself costs.
fn rebuild(crate_dir: &Path, target: &Path) -> Result<Duration> {
    let lib = crate_dir.join("src/lib.rs");
    let file = std::fs::File::options()
        .append(true)
        .open(&lib)
        .with_context(|| format!("opening {}", lib.display()))?;
    file.set_modified(std::time::SystemTime::now())?;
    cargo_build(crate_dir, target)
}

/// Figure 4, from the request-overhead bench: its comparison 1 (the
/// generated client with its default configuration) and its control (two
/// identical hand-written clients), `runs` times. One run of the bench is
/// already a ratio of medians over tens of thousands of alternating calls,
/// but it moves by about ±0.5 % from run to run with the machine's state;
/// the figure is the median of the runs' ratios.
fn request_overhead(root: &Path, runs: usize) -> Result<Row> {
    println!(
        "4. request overhead (BENCH_ONLY=1,4 cargo bench -p almanac-client --bench \
         request_overhead, {runs} runs)"
    );
    let mut measured = Vec::new();
    for run in 1..=runs {
        let output = cargo()
            .current_dir(root)
            .args([
                "bench",
                "--quiet",
                "-p",
                "almanac-client",
                "--bench",
                "request_overhead",
            ])
            .env("BENCH_ONLY", "1,4")
            .output()?;
        let text = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            bail!(
                "the request-overhead bench failed:\n{text}{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let reading = OverheadRun::parse(&text)
            .with_context(|| format!("the request-overhead bench printed no figures:\n{text}"))?;
        println!(
            "  run {run}: generated {:.2} µs, hand-written {:.2} µs, ratio {:.3} (control {:.3})",
            reading.generated, reading.hand_written, reading.ratio, reading.control
        );
        measured.push(reading);
    }
    let middle = |pick: fn(&OverheadRun) -> f64| median(measured.iter().map(pick).collect());
    println!(
        "  median of the runs: ratio {:.3}, control {:.3}",
        middle(|r| r.ratio),
        middle(|r| r.control)
    );
    Ok(Row {
        name: "4. one refresh_token call, generated client / hand-written reqwest \
               (median of the runs' ratios)"
            .into(),
        ours: format!("{:.2} µs", middle(|r| r.generated)),
        theirs: format!("{:.2} µs", middle(|r| r.hand_written)),
        ratio: middle(|r| r.ratio),
    })
}

/// Figure 6, events decoded per second: the runtime's `EventStream`
/// against a hand-written loop over `reqwest::Response::chunk()` with
/// `serde_json` (`cargo bench -p openapi-client-runtime --bench events`),
/// `runs` times; the median of the runs' ratios (goal ≤ 1.1).
fn events_decoded(root: &Path, runs: usize) -> Result<Row> {
    println!(
        "6. events decoded (cargo bench -p openapi-client-runtime --bench events, {runs} runs)"
    );
    let mut readings = Vec::new();
    for run in 1..=runs {
        let output = cargo()
            .current_dir(root)
            .args([
                "bench",
                "--quiet",
                "-p",
                "openapi-client-runtime",
                "--bench",
                "events",
            ])
            .output()?;
        let text = String::from_utf8_lossy(&output.stdout);
        if !output.status.success() {
            bail!(
                "the events bench failed:\n{text}{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let reading = EventsRun::parse(&text)
            .with_context(|| format!("the events bench printed no figures:\n{text}"))?;
        println!(
            "  run {run}: runtime {:.0} events/s, hand-written {:.0} events/s, ratio {:.3}",
            reading.ours, reading.theirs, reading.ratio
        );
        readings.push(reading);
    }
    let middle = |pick: fn(&EventsRun) -> f64| median(readings.iter().map(pick).collect());
    Ok(Row {
        name: "6. events decoded per second, runtime EventStream / hand-written chunk loop \
               (ratio of times, median of the runs)"
            .into(),
        ours: format!("{:.0} events/s", middle(|r| r.ours)),
        theirs: format!("{:.0} events/s", middle(|r| r.theirs)),
        ratio: middle(|r| r.ratio),
    })
}

/// What one run of the events bench says.
struct EventsRun {
    ours: f64,
    theirs: f64,
    ratio: f64,
}

impl EventsRun {
    fn parse(text: &str) -> Option<Self> {
        let rate = |label: &str| {
            let line = text.lines().find(|l| l.trim_start().starts_with(label))?;
            line[line.find(label)? + label.len()..]
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        };
        let ratio = text
            .lines()
            .find(|l| l.contains("ratio of median times"))?
            .rsplit(' ')
            .next()?
            .parse()
            .ok()?;
        Some(EventsRun {
            ours: rate("runtime EventStream")?,
            theirs: rate("hand-written loop")?,
            ratio,
        })
    }
}

/// What one run of the request-overhead bench (`BENCH_ONLY=1,4`) says
/// about single calls.
struct OverheadRun {
    /// Median µs per call of each side of comparison 1.
    generated: f64,
    hand_written: f64,
    /// Comparison 1's ratio of medians.
    ratio: f64,
    /// The control's ratio of medians (expect 1.000).
    control: f64,
}

impl OverheadRun {
    /// From the bench's text: each side's first `median` line (single calls
    /// come first) and the summary's rows for comparisons 1 and 4.
    fn parse(text: &str) -> Option<Self> {
        let side = |name: &str| {
            let line = text.lines().find(|l| l.trim_start().starts_with(name))?;
            let after = line.split("median").nth(1)?;
            after.split_whitespace().next()?.parse().ok()
        };
        let summary = text.split("\nsummary:").nth(1)?;
        let row = |label: &str| {
            let line = summary.lines().find(|l| l.contains(label))?;
            line.split_whitespace().next()?.parse().ok()
        };
        Some(OverheadRun {
            generated: side("generated")?,
            hand_written: side("hand-written")?,
            ratio: row("[1] ")?,
            control: row("[4] ")?,
        })
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let middle = values.len() / 2;
    if values.len() % 2 == 1 {
        values[middle]
    } else {
        (values[middle - 1] + values[middle]) / 2.0
    }
}

/// What the figures were measured on.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    format!("{cores} cores, {cpu}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape of `BENCH_ONLY=1,4` output, cut down to the lines read.
    const RUN: &str = "\
[1] generated, default Config (60 s per-attempt timeout, ...)
  single calls, the sides alternating call by call (wall clock)
    generated      median  117.07 µs/call   (calls, 10th .. 90th percentile 90.61 .. 153.99)
    hand-written   median  113.53 µs/call   (calls, 10th .. 90th percentile 87.38 .. 149.62)
    ratio of medians 1.031 (+3.55 µs/call); per-pair ratios: median 1.033
  batches: wall clock, one call
    generated      median  110.64 µs/call   (rounds 86.90 .. 149.27)

[4] control: hand-written vs a second, identical hand-written client
    hand-written A median  103.78 µs/call   (calls, 10th .. 90th percentile 83.86 .. 123.93)
    ratio of medians 1.000 (+0.02 µs/call)

summary: generated / hand-written ([4]: A / B); ratio of medians
  single calls     batches: wall    batches: CPU     comparison
  1.031 [1.033]    1.046 [1.060]    1.107 [1.067]    [1] generated, default Config
  0.999 [1.001]    0.998 [1.000]    1.023 [0.993]    [4] control: hand-written / hand-written
";

    #[test]
    fn reads_single_calls_of_comparison_one_and_the_control() {
        let run = OverheadRun::parse(RUN).expect("a complete run");
        assert_eq!(run.generated, 117.07);
        assert_eq!(run.hand_written, 113.53);
        assert_eq!(run.ratio, 1.031);
        assert_eq!(run.control, 0.999);
    }

    #[test]
    fn a_run_without_its_summary_is_not_read() {
        let cut = RUN.split("\nsummary:").next().unwrap();
        assert!(OverheadRun::parse(cut).is_none());
    }

    #[test]
    fn the_events_bench_output_parses() {
        let text = "events decoded, 20000 per round, 21 rounds alternating (median round)\n  runtime EventStream      3280674 events/s  (6.096308ms)\n  hand-written loop        3475404 events/s  (5.754726ms)\n  ratio of median times (runtime / hand-written): 1.059\n";
        let run = EventsRun::parse(text).unwrap();
        assert_eq!(
            (run.ours, run.theirs, run.ratio),
            (3280674.0, 3475404.0, 1.059)
        );
        assert!(EventsRun::parse("nothing").is_none());
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
    }
}
