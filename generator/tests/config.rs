//! The configuration file's errors: each names its file, line and column,
//! and what is wrong (with the closest name that exists).

use openapi_client_gen::config::ClientConfig;
use openapi_client_gen::{CrateOptions, Error, generate};

const SPEC: &str = r#"
openapi: 3.1.0
info: {title: T, version: '1'}
paths:
  /pets:
    get:
      operationId: listPets
      tags: [pets]
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Pet'}
components:
  schemas:
    Pet:
      type: object
      properties:
        weight: {type: number}
        owner: {$ref: '#/components/schemas/Owner'}
    Owner:
      type: object
      properties:
        name: {type: string}
"#;

/// Generates `spec` (crate `name`) with the configuration `config`.
fn generate_spec(
    spec: &str,
    name: &str,
    config: &str,
) -> Result<openapi_client_gen::Generated, Error> {
    let config = ClientConfig::parse("codegen.toml", config).map_err(Error::from)?;
    generate(
        spec,
        &CrateOptions {
            crate_name: name.into(),
            spec_label: "spec.yaml".into(),
            standalone: true,
            extra_manifest: None,
            extra_module: false,
            lenient: false,
            config,
        },
    )
}

fn generate_with(config: &str) -> Result<openapi_client_gen::Generated, Error> {
    generate_spec(SPEC, "configured", config)
}

fn error(config: &str) -> String {
    match generate_with(config) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("expected an error for:\n{config}"),
    }
}

#[test]
fn unknown_keys_are_located() {
    assert_eq!(
        error("[operations]\n\nincludes = [\"listPets\"]\n")
            .lines()
            .next()
            .unwrap(),
        "codegen.toml:3:1: unknown field `includes`, expected one of `include`, `exclude`, `include_tags`, `exclude_tags`, `include_paths`, `exclude_paths`"
    );
    assert!(error("[operation]\n").starts_with("codegen.toml:1:2: unknown field `operation`"));
}

#[test]
fn names_that_match_nothing_say_what_is_closest() {
    assert_eq!(
        error("[operations]\ninclude = [\"listPet\"]\n"),
        "codegen.toml:2:12: no operation has the id or method name `listPet`; did you mean `listPets`?"
    );
    assert_eq!(
        error("[operations]\nexclude_tags = [\"pet\"]\n"),
        "codegen.toml:2:17: no operation has the tag `pet`; did you mean `pets`?"
    );
    assert!(
        error("[operations]\ninclude_paths = [\"/users/*\"]\n")
            .contains("no path matches `/users/*`")
    );
    assert_eq!(
        error("[derives.types]\nPett = [\"Eq\"]\n"),
        "codegen.toml:2:1: no type is named `Pett`; did you mean `Pet`?"
    );
    assert!(
        error("[rename.operations]\nlistPet = \"pets\"\n")
            .contains("codegen.toml:2:1: no operation has the id or method name `listPet`")
    );
}

#[test]
fn a_derive_that_cannot_hold_is_refused() {
    assert_eq!(
        error("[derives.types]\nPet = [\"Eq\"]\n"),
        "codegen.toml:2:8: `Pet` cannot derive `Eq`: `Pet` holds a float, which has no `Eq`"
    );
    assert!(error("[derives]\nall = [\"Eqq\"]\n").contains("did you mean `Eq`?"));
    assert!(error("[derives]\nall = [\"Clone\"]\n").contains("every type already derives `Clone`"));
    // Where it holds, a derive on every type is fine: `Owner` gets `Hash`,
    // `Pet` (a float) does not.
    let generated = generate_with("[derives]\nall = [\"Hash\"]\n").unwrap();
    let types = &generated
        .files
        .iter()
        .find(|f| f.path == "src/types.rs")
        .unwrap()
        .contents;
    assert!(
        types.contains("#[derive(Hash)]\npub struct Owner"),
        "{types}"
    );
    assert!(!types.contains("#[derive(Hash)]\npub struct Pet"));
}

#[test]
fn renames_must_be_free_names() {
    assert!(
        error("[rename.types]\nPet = \"Owner\"\n")
            .starts_with("codegen.toml:2:7: `Owner` is not a free UpperCamelCase type name")
    );
    assert!(
        error("[rename.operations]\nlistPets = \"with_hook\"\n")
            .starts_with("codegen.toml:2:12: `with_hook` is taken")
    );
    assert!(
        error("[rename.operations]\nlistPets = \"List Pets\"\n")
            .contains("is not a snake_case method name")
    );
    // An operation without an id is renamed by its method name, and the
    // check knows it by that name too.
    let spec = SPEC.replace(
        "components:\n",
        "  /owners:\n    get:\n      responses:\n        '204': {description: ok}\ncomponents:\n",
    );
    let renamed = |config: &str| {
        generate_spec(&spec, "configured", config)
            .map(|generated| generated.operations)
            .map_err(|e| e.to_string())
    };
    assert_eq!(
        renamed("[rename.operations]\nget_owners = \"owners\"\n"),
        Ok(2)
    );
    let taken = renamed("[rename.operations]\nget_owners = \"with_hook\"\n").unwrap_err();
    assert!(
        taken.starts_with("codegen.toml:2:14: `with_hook` is taken"),
        "{taken}"
    );
    // An entry that names two operations renames the first; the second
    // takes a suffix, with a warning.
    let twice = spec.replace(
        "  /owners:\n    get:\n",
        "  /owners:\n    get:\n      operationId: list_pets\n",
    );
    let generated = generate_spec(
        &twice,
        "configured",
        "[rename.operations]\nlist_pets = \"animals\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let client = &generated
        .files
        .iter()
        .find(|f| f.path == "src/client.rs")
        .unwrap()
        .contents;
    assert!(client.contains("pub async fn animals(") && client.contains("pub async fn animals_2("));
}

#[test]
fn operations_types_share_the_schema_types_names() {
    let spec = SPEC.replace(
        "      tags: [pets]\n",
        "      tags: [pets]\n      parameters:\n        - {name: limit, in: query, schema: {type: integer}}\n",
    );
    let file = |generated: &openapi_client_gen::Generated, path: &str| {
        let file = generated.files.iter().find(|f| f.path == path);
        file.map(|f| f.contents.clone()).unwrap_or_default()
    };
    // A schema type cannot take the name of an operation's own type: the
    // crate would declare it twice.
    let taken = generate_spec(
        &spec,
        "configured",
        "[rename.types]\nOwner = \"ListPetsParams\"\n",
    );
    assert!(
        taken
            .map(|_| String::new())
            .unwrap_or_else(|e| e.to_string())
            .starts_with(
                "codegen.toml:2:9: `ListPetsParams` is not a free UpperCamelCase type name"
            ),
    );
    // An operation's own type is renamed as a schema type is, and the
    // method takes it by its new name.
    let renamed = generate_spec(
        &spec,
        "configured",
        "[rename.types]\nListPetsParams = \"PetQuery\"\n",
    )
    .unwrap();
    assert!(file(&renamed, "src/types.rs").contains("pub struct PetQuery {"));
    assert!(!file(&renamed, "src/types.rs").contains("ListPetsParams"));
    assert!(file(&renamed, "src/client.rs").contains("params: &types::PetQuery"));
    // The other tables change schema types only, and say so.
    let derived = generate_spec(
        &spec,
        "configured",
        "[derives.types]\nListPetsParams = [\"Eq\"]\n",
    );
    let why = derived
        .map(|_| String::new())
        .unwrap_or_else(|e| e.to_string());
    assert!(
        why.starts_with("codegen.toml:2:1: `ListPetsParams` is a type an operation declares, which [derives] does not change"),
        "{why}"
    );
    // Named like a std type, it is declared beside the std paths the types
    // module then spells out.
    let shadowing = generate_spec(
        &spec,
        "configured",
        "[rename.types]\nListPetsParams = \"Option\"\n",
    )
    .unwrap();
    let types = file(&shadowing, "src/types.rs");
    assert!(types.contains("pub struct Option {"), "{types}");
    assert!(
        types.contains("pub limit: ::std::option::Option<i64>"),
        "{types}"
    );
}

#[test]
fn the_filter_keeps_only_what_the_kept_operations_reach() {
    let generated = generate_with("[operations]\nexclude = [\"listPets\"]\n").unwrap();
    assert_eq!((generated.operations, generated.types), (0, 0));
    let generated = generate_with("[operations]\ninclude_tags = [\"pets\"]\n").unwrap();
    assert_eq!((generated.operations, generated.types), (1, 2));
}

#[test]
fn pagination_is_checked_against_the_operation() {
    assert_eq!(
        error("[pagination.listPets]\nstyle = \"cursr\"\nparam = \"cursor\"\n"),
        "codegen.toml:2:9: `cursr` is not a page style (cursor, link, offset, page or none); did you mean `cursor`?"
    );
    assert!(
        error("[pagination.listPets]\nstyle = \"page\"\nparam = \"page\"\n")
            .contains("codegen.toml:3:9: `list_pets` has no query parameter `page`")
    );
    assert!(
        error("[pagination.listPet]\nstyle = \"page\"\nparam = \"page\"\n")
            .contains("did you mean `list_pets`?")
    );
    assert!(
        error("[pagination.listPets]\nstyle = \"page\"\nparam = \"page\"\nmax_page = 3\n")
            .contains("unknown field `max_page`")
    );
}

#[test]
fn fields_variants_and_replacements_are_checked() {
    assert_eq!(
        error("[rename.fields]\n\"Pet.weigth\" = \"mass\"\n"),
        "codegen.toml:2:1: `Pet` has no `weigth`; did you mean `weight`?"
    );
    let message = error("[rename.fields]\n\"Pet.weight\" = \"owner\"\n");
    assert!(
        message
            .starts_with("codegen.toml:2:16: `owner` is not a free snake_case field name in `Pet`"),
        "{message}"
    );
    assert!(
        error("[rename.variants]\n\"Pet.weight\" = \"Mass\"\n")
            .contains("`Pet` is not an enum or union")
    );
    assert!(
        error("[replace.Pett]\ntype = \"my::Pet\"\n")
            .contains("no type is named `Pett`; did you mean `Pet`?")
    );
    assert!(
        error("[replace.Pet]\ntype = \"not a type!\"\n")
            .starts_with("codegen.toml:2:8: `not a type!` is not a Rust type")
    );
    assert!(
        error("[replace.Pet]\ntype = \"my::Pet\"\ndependency = \"my\"\n")
            .contains("is not a `[dependencies]` line")
    );
    // A type that holds a replaced one cannot be given derives the
    // generator cannot check through it.
    assert!(
        error("[replace.Owner]\ntype = \"my::Owner\"\n[derives.types]\nPet = [\"PartialOrd\"]\n")
            .contains("holds `my::Owner` (from `[replace]`)")
    );
    let generated =
        generate_with("[replace.Owner]\ntype = \"my::Owner\"\ndependency = 'my = \"1\"'\n")
            .unwrap();
    let file = |path: &str| {
        generated
            .files
            .iter()
            .find(|f| f.path == path)
            .unwrap()
            .contents
            .clone()
    };
    assert!(file("src/types.rs").contains("pub type Owner = my::Owner;"));
    assert!(file("Cargo.toml").contains("\nmy = \"1\"\n"));
}

#[test]
fn grouping_is_by_tag_or_not_at_all() {
    assert_eq!(
        error("[client]\ngroup_by = \"tags\"\n"),
        "codegen.toml:2:12: `group_by = \"tags\"` is not a grouping: use `\"tag\"`, or leave it out for every operation on `Client`"
    );
    assert!(error("[client]\ngroup = \"tag\"\n").contains("unknown field `group`"));
    let generated = generate_with("[client]\ngroup_by = \"tag\"\n").unwrap();
    let client = &generated
        .files
        .iter()
        .find(|f| f.path == "src/client.rs")
        .unwrap()
        .contents;
    // `listPets` is tagged `pets`: it is `client.pets().list_pets()`.
    assert!(
        client.contains("pub fn pets(&self) -> groups::Pets<'_>"),
        "{client}"
    );
    assert!(client.contains("impl Pets<'_> {"), "{client}");
}

const LISTS: &str = r#"
openapi: 3.1.0
info: {title: T, version: '1'}
paths:
  /items:
    get:
      operationId: listItems
      parameters:
        - {name: page_token, in: query, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                required: [items]
                properties:
                  items: {type: array, items: {type: string}}
                  next_page: {anyOf: [{type: string}, {type: 'null'}]}
  /logs:
    get:
      operationId: listLogs
      parameters:
        - {name: skip, in: query, schema: {type: integer}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {type: string}}
  /pages:
    get:
      operationId: listPages
      parameters:
        - {name: page, in: query, schema: {type: integer}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {type: array, items: {type: string}}
  /links:
    get:
      operationId: listLinks
      parameters:
        - {name: cursor, in: query, schema: {type: string}}
      responses:
        '200':
          description: the next page's URL in `next`, which is no cursor
          content:
            application/json:
              schema:
                type: object
                required: [results, next]
                properties:
                  results: {type: array, items: {type: string}}
                  next: {type: string}
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: page, in: query, schema: {type: integer}}
      responses:
        '200':
          description: not a list
          content:
            application/json:
              schema: {type: object}
"#;

fn generate_lists(config: &str) -> openapi_client_gen::Generated {
    generate_spec(LISTS, "lists", config).unwrap()
}

/// The `pagination.x = { .. }` line a note suggests.
fn suggested_line(note: &openapi_client_gen::Warning) -> String {
    let start = note.message.find("`pagination.").unwrap() + 1;
    let end = start + note.message[start..].find("` to codegen.toml").unwrap();
    note.message[start..end].to_owned()
}

#[test]
fn list_operations_that_look_paginated_are_noted_with_a_line_that_works() {
    let generated = generate_lists("");
    assert!(generated.warnings.is_empty(), "{:?}", generated.warnings);
    let lines: Vec<String> = generated.notes.iter().map(suggested_line).collect();
    assert_eq!(
        lines,
        [
            "pagination.list_items = { style = \"cursor\", param = \"page_token\", items = \"items\", next = \"next_page\" }",
            "pagination.list_logs = { style = \"offset\", param = \"skip\" }",
            "pagination.list_pages = { style = \"page\", param = \"page\", first_page = 1 }",
        ]
    );
    assert_eq!(
        generated.notes[0].pointer.to_string(),
        "#/paths/~1items/get"
    );
    // Each suggested line, pasted in, gives the helper and ends its note.
    let configured = generate_lists(&lines.join("\n"));
    let client = &configured
        .files
        .iter()
        .find(|f| f.path == "src/client.rs")
        .unwrap()
        .contents;
    assert!(client.contains("pub fn list_items_all("));
    assert!(client.contains("pub fn list_logs_all("));
    assert!(client.contains("pub fn list_pages_all("));
    assert!(configured.notes.is_empty(), "{:?}", configured.notes);
    // `style = "none"` says an operation does not page; the switch turns
    // every note off.
    let declined = generate_lists("[pagination.list_items]\nstyle = \"none\"\n");
    assert_eq!(declined.notes.len(), 2);
    assert!(
        !declined
            .files
            .iter()
            .any(|f| f.contents.contains("list_items_all"))
    );
    assert!(
        generate_lists("[client]\npagination_notes = false\n")
            .notes
            .is_empty()
    );
}

const FORMATTED: &str = r#"
openapi: 3.1.0
info: {title: T, version: '1'}
paths:
  /events:
    get:
      operationId: listEvents
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  at: {type: string, format: date-time}
                  on: {type: string, format: date}
                  id: {type: string, format: uuid}
                  price: {type: string, format: decimal}
  /days/{day}:
    get:
      operationId: getDay
      parameters:
        - {name: day, in: path, required: true, schema: {type: string, format: date}}
      responses:
        '204':
          description: ok
  /receipts:
    post:
      operationId: sendReceipt
      responses:
        '202':
          description: queued
          headers:
            X-Receipt-Id: {schema: {type: string, format: uuid}}
"#;

fn generate_formatted(config: &str) -> Result<openapi_client_gen::Generated, Error> {
    generate_spec(FORMATTED, "formatted", config)
}

#[test]
fn format_crates_are_chosen_or_refused_with_a_reason() {
    let file = |generated: &openapi_client_gen::Generated, path: &str| {
        generated
            .files
            .iter()
            .find(|f| f.path == path)
            .unwrap()
            .contents
            .clone()
    };
    // The defaults: chrono and uuid; decimals as strings.
    let default = generate_formatted("").unwrap();
    let types = file(&default, "src/types.rs");
    assert!(
        types.contains("pub at: Option<chrono::DateTime<chrono::Utc>>"),
        "{types}"
    );
    assert!(types.contains("pub id: Option<uuid::Uuid>"), "{types}");
    assert!(types.contains("pub price: Option<String>"), "{types}");
    // Every format as a string: no crate for them in Cargo.toml.
    let strings = generate_formatted(
        "[formats]\ndate-time = \"string\"\ndate = \"string\"\nuuid = \"string\"\n",
    )
    .unwrap();
    let types = file(&strings, "src/types.rs");
    assert!(types.contains("pub at: Option<String>"), "{types}");
    assert!(types.contains("pub on: Option<String>"), "{types}");
    let manifest = file(&strings, "Cargo.toml");
    assert!(
        !manifest.contains("chrono") && !manifest.contains("uuid ="),
        "{manifest}"
    );
    // A format only a response header has still brings its crate.
    let only_header = FORMATTED.replace("id: {type: string, format: uuid}", "id: {type: string}");
    let header_only = generate_spec(&only_header, "formatted", "").unwrap();
    assert!(file(&header_only, "src/types.rs").contains("uuid::Uuid"));
    assert!(file(&header_only, "Cargo.toml").contains("\nuuid = "));
    // A date kept as text is a `&str` argument, as any string is.
    let client = file(&strings, "src/client.rs");
    assert!(client.contains("        day: &str,\n"), "{client}");
    let client = file(&default, "src/client.rs");
    assert!(client.contains("day: &chrono::NaiveDate"), "{client}");
    // jiff and rust_decimal, with their dependencies.
    let chosen =
        generate_formatted("[formats]\ndate-time = \"jiff\"\ndecimal = \"rust_decimal\"\n")
            .unwrap();
    let types = file(&chosen, "src/types.rs");
    assert!(types.contains("pub at: Option<jiff::Timestamp>"), "{types}");
    assert!(
        types.contains("pub on: Option<chrono::NaiveDate>"),
        "{types}"
    );
    assert!(
        types.contains("pub price: Option<rust_decimal::Decimal>"),
        "{types}"
    );
    let manifest = file(&chosen, "Cargo.toml");
    assert!(manifest.contains("\njiff = ") && manifest.contains("\nrust_decimal = "));
    assert!(manifest.contains("\nchrono = "), "{manifest}");

    let error = |config: &str| generate_formatted(config).unwrap_err().to_string();
    assert!(
        error("[formats]\ndate-time = \"time\"\n")
            .starts_with("codegen.toml:2:13: `time` is not offered"),
        "{}",
        error("[formats]\ndate-time = \"time\"\n")
    );
    assert_eq!(
        error("[formats]\ndate = \"jif\"\n"),
        "codegen.toml:2:8: `jif` is not a crate for dates (chrono, jiff or string); did you mean `jiff`?"
    );
    assert!(error("[formats]\ndecimal = \"bigdecimal\"\n").contains("(rust_decimal or string)"));
    assert!(error("[formats]\ndatetime = \"jiff\"\n").contains("unknown field `datetime`"));
}
