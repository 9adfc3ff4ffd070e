//! `cargo xtask codegen` as a user runs it, on temporary copies.

use std::path::Path;
use std::process::{Command, Output};

const SPEC: &str = "openapi: 3.1.0
info: {title: Tiny, version: 1.0.0}
paths:
  /things:
    get:
      operationId: list_things
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
components:
  schemas:
    Thing:
      type: object
      required: [id]
      properties:
        id: {type: string}
";

fn xtask(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("xtask runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn generate_into(dir: &Path, spec: &str) -> Output {
    std::fs::write(dir.join("spec.yaml"), spec).unwrap();
    xtask(
        &[
            "codegen",
            "--spec",
            "spec.yaml",
            "--out",
            "client",
            "--crate-name",
            "tiny-client",
        ],
        dir,
    )
}

fn check(dir: &Path) -> Output {
    xtask(
        &[
            "codegen",
            "--check",
            "--spec",
            "spec.yaml",
            "--out",
            "client",
            "--crate-name",
            "tiny-client",
        ],
        dir,
    )
}

#[test]
fn check_passes_when_current_and_fails_with_a_diff_when_the_spec_changes() {
    let dir = tempfile::tempdir().unwrap();
    let out = generate_into(dir.path(), SPEC);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dir.path().join("client/src/types.rs").exists());

    let out = check(dir.path());
    assert!(
        out.status.success(),
        "fresh output is current: {}",
        text(&out.stderr)
    );

    // Add an optional property to the spec, as a spec change would.
    let changed = SPEC.replace(
        "        id: {type: string}\n",
        "        id: {type: string}\n        label: {type: string}\n",
    );
    std::fs::write(dir.path().join("spec.yaml"), &changed).unwrap();
    let out = check(dir.path());
    assert_eq!(out.status.code(), Some(1));
    let diff = text(&out.stdout);
    assert!(
        diff.contains("+++ b/src/types.rs") && diff.contains("+    pub label: Option<String>,"),
        "{diff}"
    );
    assert!(
        text(&out.stderr).contains("run `cargo xtask codegen`"),
        "{}",
        text(&out.stderr)
    );

    // Regenerating brings it back in step.
    assert!(generate_into(dir.path(), &changed).status.success());
    assert!(check(dir.path()).status.success());
}

#[test]
fn hand_edits_to_generated_files_are_drift_and_get_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    assert!(generate_into(dir.path(), SPEC).status.success());
    let types = dir.path().join("client/src/types.rs");
    let hand_written = dir.path().join("client/tests/mine.rs");
    std::fs::write(&hand_written, "// my own test\n").unwrap();
    let bench = dir.path().join("client/benches/mine.rs");
    std::fs::create_dir_all(bench.parent().unwrap()).unwrap();
    std::fs::write(&bench, "// my own bench\n").unwrap();
    std::fs::write(
        &types,
        std::fs::read_to_string(&types).unwrap() + "// sneaky edit\n",
    )
    .unwrap();

    let out = check(dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("-// sneaky edit"),
        "{}",
        text(&out.stdout)
    );
    assert!(
        !text(&out.stdout).contains("my own") && !text(&out.stderr).contains("mine.rs"),
        "hand-written files are not drift: {}",
        text(&out.stderr)
    );

    let out = generate_into(dir.path(), SPEC);
    assert!(
        text(&out.stdout).contains("wrote src/types.rs"),
        "{}",
        text(&out.stdout)
    );
    // One line a person can read at a glance ends the run: only the
    // edited file was written again.
    let summary = text(&out.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned();
    assert!(
        summary.ends_with(": 1 type, 1 operation, 1 file changed, 0 warnings"),
        "{summary}"
    );
    assert!(!std::fs::read_to_string(&types).unwrap().contains("sneaky"));
    assert_eq!(
        std::fs::read_to_string(&hand_written).unwrap(),
        "// my own test\n",
        "hand-written files are left alone"
    );
    assert_eq!(
        std::fs::read_to_string(&bench).unwrap(),
        "// my own bench\n",
        "hand-written benches are left alone"
    );
}

#[test]
fn unchanged_files_are_not_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    assert!(generate_into(dir.path(), SPEC).status.success());
    let out = generate_into(dir.path(), SPEC);
    assert!(out.status.success());
    let stdout = text(&out.stdout);
    assert_eq!(
        stdout.lines().count(),
        1,
        "nothing written the second time: {stdout}"
    );
    assert!(
        stdout.trim_end().ends_with(", 0 files changed, 0 warnings"),
        "{stdout}"
    );
}

#[test]
fn stale_generated_files_are_reported_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    assert!(generate_into(dir.path(), SPEC).status.success());
    let stale = dir.path().join("client/src/old.rs");
    std::fs::write(
        &stale,
        "// @generated by `cargo xtask codegen` from an older spec\n",
    )
    .unwrap();

    let out = check(dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("src/old.rs"),
        "{}",
        text(&out.stderr)
    );

    let out = generate_into(dir.path(), SPEC);
    assert!(text(&out.stdout).contains("removed stale src/old.rs"));
    assert!(!stale.exists());
}

#[test]
fn a_broken_spec_fails_with_its_location_and_leaves_the_client_alone() {
    let dir = tempfile::tempdir().unwrap();
    assert!(generate_into(dir.path(), SPEC).status.success());
    let before = std::fs::read_to_string(dir.path().join("client/src/types.rs")).unwrap();

    let broken = SPEC.replace(
        "$ref: '#/components/schemas/Thing'",
        "$ref: '#/components/schemas/Thnig'",
    );
    let out = generate_into(dir.path(), &broken);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("#/paths/~1things/get/responses/200/content/application~1json/schema"),
        "{stderr}"
    );
    assert!(stderr.contains("Thnig"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("client/src/types.rs")).unwrap(),
        before
    );
}

#[test]
fn swagger_2_is_refused_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    let out = generate_into(
        dir.path(),
        "swagger: '2.0'\ninfo: {title: Old, version: '1'}\npaths: {}\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("Swagger 2.0"),
        "{}",
        text(&out.stderr)
    );
    assert!(!dir.path().join("client").exists());
}

#[test]
fn unknown_arguments_are_refused_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let out = xtask(&["codegen", "--frobnicate"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("`--frobnicate`"), "{stderr}");
    assert!(stderr.contains("cargo xtask --help"), "{stderr}");
    assert!(
        !stderr.contains("did you mean"),
        "nothing is close: {stderr}"
    );

    let out = xtask(&["codegen", "--chek"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("(did you mean `--check`?)"),
        "{}",
        text(&out.stderr)
    );
    let out = xtask(&["codgen"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("(did you mean `codegen`?)"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn every_command_answers_help_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["--help"][..],
        &["-h"],
        &[],
        &["codegen", "--help"],
        &["corpus", "-h"],
        &["bench", "--help"],
    ] {
        let out = xtask(args, dir.path());
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
        let help = text(&out.stdout);
        for flag in ["--check", "--spec", "--lenient", "--keep-going", "--runs"] {
            assert!(help.contains(flag), "{args:?}: no {flag} in {help}");
        }
    }
}

/// The whole of what a user sees for a spec with several independent
/// mistakes: every one, in one run, each at its place.
#[test]
fn snapshot_of_a_spec_with_several_errors() {
    let dir = tempfile::tempdir().unwrap();
    let spec = "openapi: 3.1.0
info: {title: Broken, version: '1'}
paths:
  /pets/{petId}:
    get:
      operationId: getPet
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pett'}
  /pets:
    get:
      operationId: getPet
      responses:
        '200': {description: ok}
components:
  schemas:
    Pet:
      type: object
      properties:
        owner: {$ref: 'people.yaml#/Person'}
";
    let out = generate_into(dir.path(), spec);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(text(&out.stdout), "");
    assert_eq!(
        text(&out.stderr),
        "error: cannot generate a client from spec.yaml: 4 errors in the OpenAPI document:
  - #/components/schemas/Pet/properties/owner: external $ref `people.yaml#/Person` is not supported; bundle the document into one file first (e.g. `redocly bundle`)
  - #/paths/~1pets~1{petId}/get/operationId: operationId `getPet` is already used by #/paths/~1pets/get; operationIds must be unique
  - #/paths/~1pets~1{petId}/get/parameters: path template `/pets/{petId}` uses `{petId}`, but no path parameter `petId` is declared
  - #/paths/~1pets~1{petId}/get/responses/200/content/application~1json/schema: $ref `#/components/schemas/Pett` does not point to a schema in this document (did you mean `#/components/schemas/Pet`?)
hint: 3 of these errors affect only part of the document, which `--lenient` would degrade with warnings; the others must be fixed
"
    );
    assert!(!dir.path().join("client").exists(), "nothing is written");
}

#[test]
fn snapshot_of_a_structural_error_and_a_syntax_error() {
    let dir = tempfile::tempdir().unwrap();
    let spec = "openapi: 3.0.3
info: {title: Broken, version: '1'}
paths:
  /pets/{petId}:
    get:
      parameters:
        - {name: petId, in: body, required: true, schema: {type: string}}
      responses:
        '200': {description: ok}
";
    let out = generate_into(dir.path(), spec);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "error: cannot generate a client from spec.yaml: #/paths/~1pets~1{petId}/get/parameters/0: unknown variant `body`, expected one of `query`, `header`, `path`, `cookie`\n"
    );

    let out = generate_into(dir.path(), "openapi: 3.1.0\ninfo:\n  title: [unclosed\n");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "error: cannot generate a client from spec.yaml: YAML syntax error at line 4, column 1: did not find expected ',' or ']', while parsing a flow sequence at line 3 column 10\n"
    );
}

#[test]
fn warnings_are_grouped_and_can_be_denied() {
    let dir = tempfile::tempdir().unwrap();
    let spec = SPEC.replace("        id: {type: string}\n", "        id: {type: string}\n        odd: {not: {type: string}}\n        odder: {not: {type: integer}}\n");
    let out = generate_into(dir.path(), &spec);
    assert!(out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("warning: 2 generator warning(s) for spec.yaml, in 1 kind(s):\n  [2] constraints the generated types do not check\n"), "{stderr}");
    assert!(
        stderr.contains("#/components/schemas/Thing/properties/odd: `not` cannot be expressed"),
        "{stderr}"
    );

    let out = xtask(
        &[
            "codegen",
            "--spec",
            "spec.yaml",
            "--out",
            "client2",
            "--deny-warnings",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("--deny-warnings: 2 generator warning(s)"));
    assert!(!dir.path().join("client2").exists());
}

/// Every error kind, as the CLI reports it: exit status 1, the place as a
/// JSON pointer (or line and column), and what is wrong.
#[test]
fn each_error_kind_names_its_place_and_fails_the_run() {
    const HEAD: &str = "openapi: 3.1.0\ninfo: {title: T, version: '1'}\n";
    let ok_response = "      responses:\n        '200': {description: ok}\n";
    let cases: Vec<(&str, String, &str, &str)> = vec![
        (
            "invalid YAML",
            "openapi: 3.1.0\ninfo: {title: [\n".into(),
            "YAML syntax error at line",
            "did not find expected",
        ),
        (
            "invalid JSON",
            "{\"openapi\": \"3.1.0\",}".into(),
            "JSON syntax error at line 1, column",
            "trailing comma",
        ),
        (
            "Swagger 2.0",
            "swagger: '2.0'\ninfo: {title: T, version: '1'}\n".into(),
            "Swagger 2.0",
            "Convert it first",
        ),
        (
            "unknown version",
            "openapi: 2.5.0\ninfo: {title: T, version: '1'}\n".into(),
            "#/openapi",
            "OpenAPI 2.5.0 is not supported",
        ),
        (
            "missing $ref",
            format!(
                "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {{type: object, properties: {{b: {{$ref: '#/components/schemas/B'}}}}}}\n"
            ),
            "#/components/schemas/A/properties/b",
            "does not point to a schema",
        ),
        (
            "external $ref",
            format!(
                "{HEAD}paths: {{}}\ncomponents:\n  schemas:\n    A: {{$ref: 'common.yaml#/A'}}\n"
            ),
            "#/components/schemas/A",
            "external $ref `common.yaml#/A` is not supported",
        ),
        (
            "$ref to a non-schema component",
            format!(
                "{HEAD}paths: {{}}\ncomponents:\n  parameters:\n    P: {{name: p, in: query, schema: {{type: string}}}}\n  schemas:\n    A: {{type: object, properties: {{p: {{$ref: '#/components/parameters/P'}}}}}}\n"
            ),
            "#/components/schemas/A/properties/p",
            "points to a parameters component",
        ),
        (
            "duplicate operationId",
            format!(
                "{HEAD}paths:\n  /a:\n    get:\n      operationId: same\n{ok_response}  /b:\n    get:\n      operationId: same\n{ok_response}"
            ),
            "#/paths/~1b/get/operationId",
            "operationId `same` is already used by #/paths/~1a/get",
        ),
        (
            "undeclared path parameter",
            format!("{HEAD}paths:\n  /a/{{id}}:\n    get:\n{ok_response}"),
            "#/paths/~1a~1{id}/get/parameters",
            "no path parameter `id` is declared",
        ),
        (
            "invalid parameter location",
            format!(
                "{HEAD}paths:\n  /a:\n    get:\n      parameters: [{{name: p, in: body, schema: {{type: string}}}}]\n{ok_response}"
            ),
            "#/paths/~1a/get/parameters/0",
            "unknown variant `body`",
        ),
    ];
    for (kind, spec, place, what) in cases {
        let dir = tempfile::tempdir().unwrap();
        let out = generate_into(dir.path(), &spec);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{kind}: {stderr}");
        assert!(
            stderr.contains(place) && stderr.contains(what),
            "{kind}: expected `{place}` and `{what}` in:\n{stderr}"
        );
        assert!(
            !dir.path().join("client").exists(),
            "{kind}: nothing is written"
        );
    }
}

/// A top-level requirement naming a scheme that does not exist is checked
/// for every operation, but the user reads about it once, and the client is
/// written.
#[test]
fn an_unknown_security_scheme_is_one_warning_and_the_client_generates() {
    let dir = tempfile::tempdir().unwrap();
    let spec = SPEC.replace(
        "paths:\n",
        "security: [{nope: []}]\npaths:\n  /others:\n    get:\n      responses: {'204': {description: none}}\n",
    );
    let out = generate_into(dir.path(), &spec);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        stderr,
        "warning: 1 generator warning(s) for spec.yaml, in 1 kind(s):
  [1] parts of the document left out
      #/security/0: security requirement names `nope`, which is not in #/components/securitySchemes; the requirement is ignored
"
    );
    assert!(dir.path().join("client/src/client.rs").exists());
}

/// A defect that touches one part of the document is refused by default,
/// with a hint; `--lenient` generates and names each degraded part.
#[test]
fn local_defects_are_errors_with_a_hint_and_warnings_under_lenient() {
    let dir = tempfile::tempdir().unwrap();
    let spec = SPEC.replace(
        "        id: {type: string}\n",
        "        id: {type: string}\n        owner: {$ref: '#/components/schemas/Person'}\n        tag: {$ref: ''}\n",
    );
    let out = generate_into(dir.path(), &spec);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "error: cannot generate a client from spec.yaml: 2 errors in the OpenAPI document:
  - #/components/schemas/Thing/properties/owner: $ref `#/components/schemas/Person` does not point to a schema in this document
  - #/components/schemas/Thing/properties/tag: empty $ref
hint: each of these errors affects only part of the document; `cargo xtask codegen --lenient` generates the client anyway, degrading each such part (with a warning that names it)
"
    );
    assert!(!dir.path().join("client").exists(), "nothing is written");

    let out = xtask(
        &[
            "codegen",
            "--spec",
            "spec.yaml",
            "--out",
            "client",
            "--lenient",
        ],
        dir.path(),
    );
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("      #/components/schemas/Thing/properties/owner: $ref `#/components/schemas/Person` does not point to a schema in this document; using serde_json::Value\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "      #/components/schemas/Thing/properties/tag: empty $ref; using serde_json::Value\n"
        ),
        "{stderr}"
    );
    let types = std::fs::read_to_string(dir.path().join("client/src/types.rs")).unwrap();
    assert!(
        types.contains("pub owner: Option<serde_json::Value>"),
        "{types}"
    );
}

/// `--lenient` covers only local defects: the rest still fail, with their
/// place, and nothing is written.
#[test]
fn lenient_does_not_relax_other_errors() {
    let dir = tempfile::tempdir().unwrap();
    let spec = SPEC.replace(
        "        id: {type: string}\n",
        "        id: {type: string}\n        owner: {$ref: 'people.yaml#/Person'}\n        tag: {$ref: '#/components/schemas/Tag'}\n",
    );
    std::fs::write(dir.path().join("spec.yaml"), spec).unwrap();
    let out = xtask(
        &[
            "codegen",
            "--spec",
            "spec.yaml",
            "--out",
            "client",
            "--lenient",
        ],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: cannot generate a client from spec.yaml: #/components/schemas/Thing/properties/owner: external $ref `people.yaml#/Person` is not supported"),
        "{stderr}"
    );
    assert!(!dir.path().join("client").exists(), "nothing is written");

    // Without --lenient the hint says the local one is not the whole story.
    let out = generate_into(
        dir.path(),
        &std::fs::read_to_string(dir.path().join("spec.yaml")).unwrap(),
    );
    assert!(
        text(&out.stderr).ends_with("hint: 1 of these errors affect only part of the document, which `--lenient` would degrade with warnings; the others must be fixed\n"),
        "{}",
        text(&out.stderr)
    );
}

/// A spec given by an absolute path outside the workspace: the generated
/// files name it by file name, so two machines (or two directories) give
/// byte-identical output.
#[test]
fn output_does_not_depend_on_where_the_spec_lies() {
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for dir in [first.path(), second.path()] {
        let spec = dir.join("nested/dirs/shop.yaml");
        std::fs::create_dir_all(spec.parent().unwrap()).unwrap();
        std::fs::write(&spec, SPEC).unwrap();
        let out = xtask(
            &[
                "codegen",
                "--spec",
                spec.to_str().unwrap(),
                "--out",
                "client",
                "--crate-name",
                "tiny-client",
            ],
            dir,
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        let types = std::fs::read_to_string(dir.join("client/src/types.rs")).unwrap();
        let manifest = std::fs::read_to_string(dir.join("client/Cargo.toml")).unwrap();
        for file in [&types, &manifest] {
            assert!(!file.contains(&*dir.to_string_lossy()), "{file}");
            assert!(file.contains("from shop.yaml"), "{file}");
        }
        outputs.push((types, manifest));
    }
    assert_eq!(outputs[0], outputs[1]);
}
