//! The model stage on small specs written for one concern each.

use openapi_client_gen::Error;
use openapi_client_gen::WarningKind;
use openapi_client_gen::load::load;
use openapi_client_gen::model::{Api, Field, StructDef, TypeKind, TypeRef, build};

fn api(yaml: &str) -> Api {
    build(&load(yaml).expect("loads")).expect("builds")
}

fn error(yaml: &str) -> Error {
    match load(yaml) {
        Ok(doc) => build(&doc).expect_err("should not build"),
        Err(e) => e,
    }
}

/// A 3.1 document with the given components and paths.
fn spec(components: &str, paths: &str) -> String {
    format!(
        "openapi: 3.1.0\ninfo: {{title: T, version: '1'}}\npaths:\n{paths}\ncomponents:\n  schemas:\n{components}"
    )
}

fn struct_named<'a>(api: &'a Api, name: &str) -> &'a StructDef {
    match &api
        .types
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no type {name}"))
        .kind
    {
        TypeKind::Struct(s) => s,
        other => panic!("{name} is {other:?}"),
    }
}

fn field<'a>(s: &'a StructDef, wire: &str) -> &'a Field {
    s.fields
        .iter()
        .find(|f| f.wire_name == wire)
        .unwrap_or_else(|| panic!("no field {wire}"))
}

#[test]
fn required_optional_and_nullable_are_kept_apart() {
    let api = api(&spec(
        "    A:\n      type: object\n      required: [req, req_null]\n      properties:\n        req: {type: string}\n        req_null: {anyOf: [{type: string}, {type: 'null'}]}\n        opt: {type: string}\n        opt_null: {type: [string, 'null']}\n",
        "  {}",
    ));
    let a = struct_named(&api, "A");
    let flags = |w: &str| {
        (
            field(a, w).required,
            field(a, w).nullable,
            field(a, w).ty.clone(),
        )
    };
    assert_eq!(flags("req"), (true, false, TypeRef::String));
    assert_eq!(flags("req_null"), (true, true, TypeRef::String));
    assert_eq!(flags("opt"), (false, false, TypeRef::String));
    assert_eq!(flags("opt_null"), (false, true, TypeRef::String));
}

#[test]
fn recursion_is_boxed_only_where_needed() {
    let api = api(&spec(
        "    Node:\n      type: object\n      properties:\n        next: {$ref: '#/components/schemas/Node'}\n        children: {type: array, items: {$ref: '#/components/schemas/Node'}}\n        leaf: {$ref: '#/components/schemas/Leaf'}\n    Leaf:\n      type: object\n      properties:\n        v: {type: integer}\n",
        "  {}",
    ));
    let node = struct_named(&api, "Node");
    assert!(field(node, "next").boxed);
    assert!(!field(node, "children").boxed, "Vec already allocates");
    assert!(!field(node, "leaf").boxed, "no cycle through Leaf");
}

#[test]
fn mutual_recursion_is_boxed() {
    let api = api(&spec(
        "    A:\n      type: object\n      properties:\n        b: {$ref: '#/components/schemas/B'}\n    B:\n      type: object\n      properties:\n        a: {$ref: '#/components/schemas/A'}\n",
        "  {}",
    ));
    assert!(field(struct_named(&api, "A"), "b").boxed);
    assert!(field(struct_named(&api, "B"), "a").boxed);
}

#[test]
fn all_of_merges_properties_and_required() {
    let api = api(&spec(
        "    Base:\n      type: object\n      required: [id]\n      properties:\n        id: {type: integer}\n    Child:\n      allOf:\n        - $ref: '#/components/schemas/Base'\n        - type: object\n          required: [name]\n          properties:\n            name: {type: string}\n",
        "  {}",
    ));
    let child = struct_named(&api, "Child");
    let names: Vec<_> = child
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.required))
        .collect();
    assert_eq!(names, vec![("id", true), ("name", true)]);
}

#[test]
fn a_single_ref_all_of_is_the_referenced_type() {
    let api = api(&spec(
        "    A:\n      type: object\n      properties:\n        x: {type: string}\n    B:\n      type: object\n      properties:\n        a:\n          allOf: [{$ref: '#/components/schemas/A'}]\n          description: Wrapped the pydantic v1 way.\n",
        "  {}",
    ));
    let a_id = api.types.iter().position(|t| t.name == "A").unwrap();
    let a = field(struct_named(&api, "B"), "a");
    assert_eq!(
        a.ty,
        TypeRef::Named(openapi_client_gen::model::TypeId(a_id))
    );
    assert_eq!(a.docs.text.as_deref(), Some("Wrapped the pydantic v1 way."));
}

#[test]
fn untagged_unions_try_the_pickiest_variant_first() {
    let api = api(&spec(
        "    U:\n      oneOf:\n        - {type: string}\n        - {type: number}\n        - {type: integer}\n        - {$ref: '#/components/schemas/Loose'}\n        - {$ref: '#/components/schemas/Strict'}\n    Loose:\n      type: object\n      properties:\n        a: {type: string}\n    Strict:\n      type: object\n      required: [a, b]\n      properties:\n        a: {type: string}\n        b: {type: string}\n",
        "  {}",
    ));
    let TypeKind::Union(u) = &api.types.iter().find(|t| t.name == "U").unwrap().kind else {
        panic!()
    };
    let order: Vec<_> = u.variants.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        order,
        vec!["Strict", "Loose", "Integer", "Number", "String"]
    );
}

#[test]
fn colliding_names_are_suffixed_with_a_warning() {
    let api = api(&spec(
        "    foo-bar:\n      type: object\n      properties: {a: {type: string}}\n    FooBar:\n      type: object\n      properties: {b: {type: string}}\n",
        "  {}",
    ));
    let mut names: Vec<_> = api.types.iter().map(|t| t.name.clone()).collect();
    names.sort();
    assert_eq!(names, vec!["FooBar", "FooBar2"]);
    assert!(
        api.warnings.iter().any(|w| w.kind == WarningKind::Renamed
            && w.message.contains("FooBar")
            && w.pointer.to_string().starts_with("#/components/schemas/")),
        "{:?}",
        api.warnings
    );
}

#[test]
fn fastapi_operation_ids_become_method_names() {
    let api = api(&spec(
        "    A: {type: string}\n",
        "  /v1/items/{item_id}:\n    get:\n      operationId: read_item_v1_items__item_id__get\n      parameters: [{name: item_id, in: path, required: true, schema: {type: integer}}]\n      responses: {'200': {description: ok}}\n",
    ));
    assert_eq!(api.operations[0].method_name, "read_item");
}

#[test]
fn missing_references_are_errors_at_their_place() {
    let err = error(&spec(
        "    A:\n      type: object\n      properties:\n        b: {$ref: '#/components/schemas/Missing'}\n",
        "  {}",
    ));
    let text = err.to_string();
    assert!(
        text.contains("#/components/schemas/A/properties/b"),
        "{text}"
    );
    assert!(text.contains("Missing"), "{text}");
}

#[test]
fn external_references_are_refused_clearly() {
    let err = error(&spec("    A: {$ref: 'other.yaml#/A'}\n", "  {}"));
    assert!(
        err.to_string().contains("external $ref `other.yaml#/A`"),
        "{err}"
    );
}

#[test]
fn a_ref_to_a_non_schema_component_is_an_error() {
    let yaml = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\ncomponents:\n  parameters:\n    P: {name: p, in: query, schema: {type: string}}\n  schemas:\n    A:\n      type: object\n      properties:\n        p: {$ref: '#/components/parameters/P'}\n";
    let err = error(yaml);
    assert!(
        err.to_string().contains("points to a parameters component"),
        "{err}"
    );
}

#[test]
fn undeclared_path_parameters_are_errors() {
    let err = error(&spec(
        "    A: {type: string}\n",
        "  /items/{id}:\n    get:\n      responses: {'200': {description: ok}}\n",
    ));
    let text = err.to_string();
    assert!(
        text.contains("`{id}`") && text.contains("#/paths/~1items~1{id}/get"),
        "{text}"
    );
}

#[test]
fn independent_errors_are_reported_together() {
    let err = error(&spec(
        "    A:\n      type: object\n      properties:\n        b: {$ref: '#/components/schemas/Nope1'}\n        c: {$ref: '#/components/schemas/Nope2'}\n",
        "  {}",
    ));
    match err {
        Error::Many(errors) => assert_eq!(errors.len(), 2),
        other => panic!("expected two errors, got {other}"),
    }
}

#[test]
fn unknown_security_schemes_are_one_warning_and_ignored() {
    let yaml = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\nsecurity: [{nope: [], key: []}]\npaths:\n  /a:\n    get:\n      responses: {'200': {description: ok}}\n  /b:\n    get:\n      responses: {'200': {description: ok}}\n  /c:\n    get:\n      security: [{gone: []}]\n      responses: {'200': {description: ok}}\ncomponents:\n  securitySchemes:\n    key: {type: apiKey, in: header, name: X-Key}\n";
    let api = api(yaml);
    let about = |key: &str| {
        api.warnings
            .iter()
            .filter(|w| w.kind == WarningKind::LeftOut && w.message.contains(&format!("`{key}`")))
            .map(|w| w.pointer.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(about("nope"), ["#/security/0"]);
    assert_eq!(about("gone"), ["#/paths/~1c/get/security/0"]);
    assert_eq!(api.operations.len(), 3);
    // The scheme that exists still applies.
    assert_eq!(api.operations[0].security, [vec![0]]);
    assert!(api.operations[2].security.iter().all(Vec::is_empty));
}

#[test]
fn an_error_reached_twice_is_listed_once() {
    let err = Error::collect(vec![
        Error::invalid(&openapi_client_gen::Pointer::root(), "same"),
        Error::invalid(&openapi_client_gen::Pointer::root(), "same"),
        Error::invalid(&openapi_client_gen::Pointer::root(), "other"),
    ])
    .unwrap_err();
    assert_eq!(err.to_string().matches("same").count(), 1, "{err}");
}

#[test]
fn examples_that_break_their_schema_are_warned_about() {
    let api = api(&spec(
        "    A:\n      type: object\n      required: [n]\n      properties:\n        n: {type: integer}\n      example: {n: 'not a number'}\n",
        "  {}",
    ));
    let warning = api
        .warnings
        .iter()
        .find(|w| w.kind == WarningKind::Example)
        .expect("warning");
    assert_eq!(
        warning.pointer.to_string(),
        "#/components/schemas/A/example"
    );
    assert!(
        !api.samples.iter().any(|s| s.origin.contains("example")),
        "bad example is not round-tripped"
    );
}

#[test]
fn optional_nullable_nulls_are_expected_to_disappear() {
    let api = api(&spec(
        "    A:\n      type: object\n      required: [r]\n      properties:\n        r: {type: [string, 'null']}\n        o: {type: [string, 'null']}\n      example: {r: null, o: null, extra: 1}\n",
        "  {}",
    ));
    let sample = api
        .samples
        .iter()
        .find(|s| s.origin.contains("example"))
        .expect("example sample");
    assert_eq!(sample.expected, serde_json::json!({"r": null}));
}

#[test]
fn security_schemes_become_named_setters() {
    let yaml = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\ncomponents:\n  securitySchemes:\n    key: {type: apiKey, in: header, name: X-Key}\n    b1: {type: http, scheme: bearer}\n    b2: {type: oauth2, flows: {}}\n";
    let api = api(yaml);
    let setters: Vec<_> = api
        .security_schemes
        .iter()
        .map(|s| s.setter.as_str())
        .collect();
    assert_eq!(
        setters,
        vec![
            "with_b1_bearer_token",
            "with_b2_bearer_token",
            "with_api_key"
        ]
    );
}

#[test]
fn keywords_without_a_rust_form_are_warned_about() {
    let api = api(&spec(
        "    A:\n      type: object\n      properties:\n        a: {type: string}\n      patternProperties:\n        '^x-': {type: string}\n      if: {required: [a]}\n      then: {required: [b]}\n",
        "  {}",
    ));
    let warning = api
        .warnings
        .iter()
        .find(|w| w.kind == WarningKind::Unenforced)
        .expect("warning");
    assert!(
        warning.message.contains("patternProperties"),
        "{}",
        warning.message
    );
    assert_eq!(warning.pointer.to_string(), "#/components/schemas/A");
    assert!(warning.message.contains("`if`"), "{}", warning.message);
}

#[test]
fn constraints_and_defaults_reach_the_docs() {
    let api = api(&spec(
        "    A:\n      type: object\n      properties:\n        size: {type: integer, minimum: 1, maximum: 10, default: 5, description: Page size.}\n        code: {type: string, pattern: '^[A-Z]{3}$', readOnly: true}\n        level: {type: integer, enum: [1, 2, 3]}\n",
        "  {}",
    ));
    let a = struct_named(&api, "A");
    assert_eq!(
        field(a, "size").docs.text.as_deref(),
        Some("Page size.\n\nDefault: `5`. Must be ≥ 1 and ≤ 10.")
    );
    assert_eq!(
        field(a, "code").docs.text.as_deref(),
        Some("Read-only: set by the server. Pattern: `^[A-Z]{3}$`.")
    );
    assert_eq!(
        field(a, "level").docs.text.as_deref(),
        Some("One of `1`, `2`, `3`.")
    );
}

#[test]
fn one_way_properties_are_optional_in_both_directions() {
    let api = api(&spec(
        "    User:\n      type: object\n      required: [id, name, password]\n      properties:\n        id: {type: integer, readOnly: true}\n        name: {type: string}\n        password: {type: string, writeOnly: true}\n",
        "  {}",
    ));
    let user = struct_named(&api, "User");
    // The server never returns `password` and ignores a sent `id`: both
    // must be absent-able, or decoding a response (or building a request)
    // would fail.
    assert!(!field(user, "id").required);
    assert!(!field(user, "password").required);
    assert!(field(user, "name").required);
}

#[test]
fn references_to_missing_components_of_any_kind_are_errors() {
    let yaml = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths:\n  /a:\n    post:\n      parameters: [{$ref: '#/components/parameters/Nope'}]\n      requestBody: {$ref: '#/components/requestBodies/Nope'}\n      responses:\n        '200': {$ref: '#/components/responses/Nope'}\n";
    let text = error(yaml).to_string();
    for (place, section) in [
        ("#/paths/~1a/post/parameters/0", "parameters"),
        ("#/paths/~1a/post/requestBody", "requestBodies"),
        ("#/paths/~1a/post/responses/200", "responses"),
    ] {
        let line = format!(
            "{place}: $ref `#/components/{section}/Nope` does not resolve to an entry of #/components/{section}"
        );
        assert!(text.contains(&line), "missing `{line}` in:\n{text}");
    }
}

#[test]
fn openapi_3_1_additions_load_and_warn_where_they_cannot_be_kept() {
    let yaml = "openapi: 3.1.0
jsonSchemaDialect: https://json-schema.org/draft/2020-12/schema
info: {title: T, summary: Short., version: '1', license: {name: MIT, identifier: MIT}}
security: [{cert: []}]
paths:
  /a: {$ref: '#/components/pathItems/A'}
webhooks:
  ping: {post: {responses: {'200': {description: ok}}}}
components:
  securitySchemes:
    cert: {type: mutualTLS}
  pathItems:
    A: {get: {operationId: getA, responses: {'200': {description: ok}}}}
";
    let api = api(yaml);
    assert_eq!(api.operations[0].method_name, "get_a");
    assert!(api.operations[0].security.iter().all(Vec::is_empty));
    assert_eq!(api.mutual_tls, ["cert"]);
    assert_eq!(api.description.as_deref(), Some("Short."));
    let places: Vec<(String, WarningKind)> = api
        .warnings
        .iter()
        .map(|w| (w.pointer.to_string(), w.kind))
        .collect();
    assert_eq!(
        places,
        [
            (
                "#/components/securitySchemes/cert".into(),
                WarningKind::LeftOut
            ),
            ("#/jsonSchemaDialect".into(), WarningKind::Unenforced),
            ("#/webhooks".into(), WarningKind::LeftOut)
        ]
    );
}

#[test]
fn a_response_header_that_refs_a_parameter_uses_its_schema_with_a_warning() {
    let yaml = "openapi: 3.0.3
info: {title: T, version: '1'}
paths:
  /a:
    get:
      responses:
        '200':
          description: ok
          headers:
            X-Limit: {$ref: '#/components/parameters/Limit'}
components:
  parameters:
    Limit: {name: X-Limit, in: header, description: The limit., schema: {type: integer, format: int32}}
";
    let api = api(yaml);
    let header = &api.operations[0].response_headers[0];
    assert_eq!(
        header.ty,
        TypeRef::Integer(openapi_client_gen::model::IntKind::I32)
    );
    assert_eq!(header.docs.text.as_deref(), Some("The limit."));
    assert_eq!(api.warnings.len(), 1, "{:?}", api.warnings);
    assert_eq!(api.warnings[0].kind, WarningKind::Loosened);
    assert_eq!(
        api.warnings[0].to_string(),
        "#/paths/~1a/get/responses/200/headers/X-Limit: response header $ref `#/components/parameters/Limit` points to a parameter, not a header; its schema and description are used"
    );
}

#[test]
fn all_of_a_type_and_annotations_is_that_type_and_incompatible_ones_stay_values() {
    let api = api(&spec(
        "    S: {type: string, enum: [a, b]}
    T:
      type: object
      properties:
        s: {allOf: [{$ref: '#/components/schemas/S'}, {examples: [a]}, {deprecated: true}]}
        narrow: {allOf: [{type: string, pattern: '^x'}, {type: string, format: date}]}
        clash: {allOf: [{type: string}, {type: integer}]}",
        "  {}",
    ));
    let t = struct_named(&api, "T");
    assert!(matches!(field(t, "s").ty, TypeRef::Named(id) if api.ty(id).name == "S"));
    assert!(field(t, "s").docs.deprecated);
    assert_eq!(field(t, "narrow").ty, TypeRef::Date);
    assert_eq!(field(t, "clash").ty, TypeRef::Any);
    assert!(
        api.warnings.iter().any(|w| w.kind == WarningKind::Loosened
            && w.pointer.to_string().ends_with("/clash/allOf/0")),
        "{:?}",
        api.warnings
    );
}

#[test]
fn untagged_variants_know_their_constants_and_fields() {
    let api = api(&spec(
        "    U: {oneOf: [{$ref: '#/components/schemas/A'}, {$ref: '#/components/schemas/B'}]}
    A: {type: object, required: [t], properties: {t: {const: 2}, x: {type: string}}}
    B: {type: object, required: [t], properties: {t: {type: integer, enum: [4]}}, additionalProperties: true}",
        "  {}",
    ));
    let TypeKind::Union(u) = &api.types.iter().find(|t| t.name == "U").unwrap().kind else {
        panic!("U is not a union")
    };
    let a = u.variants.iter().find(|v| v.name == "A").unwrap();
    let b = u.variants.iter().find(|v| v.name == "B").unwrap();
    assert_eq!(a.constants, [("t".to_owned(), serde_json::json!(2), true)]);
    assert_eq!(
        a.known_fields.as_deref(),
        Some(&["t".to_owned(), "x".to_owned()][..])
    );
    assert_eq!(b.constants, [("t".to_owned(), serde_json::json!(4), true)]);
    assert_eq!(b.known_fields, None);
    assert!(a.constants_hold(&serde_json::json!({"t": 2})));
    assert!(!a.constants_hold(&serde_json::json!({"t": 4})));
    assert!(!a.covers(&serde_json::json!({"t": 2, "y": 1})));
}

/// A `$ref` may land on a schema inside a parameter, a response or an
/// operation; it resolves to that schema. One that lands on the parameter
/// itself is still the wrong kind.
#[test]
fn references_into_other_objects_resolve_to_the_schema_they_land_on() {
    let yaml = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/deep-refs-v30.yaml"
    ))
    .unwrap();
    let api = api(&yaml);
    let problem = struct_named(&api, "Problem");
    let conflict = field(problem, "conflict");
    let TypeRef::Named(id) = &conflict.ty else {
        panic!("{:?}", conflict.ty)
    };
    assert_eq!(api.types[id.0].name, "Conflict");
    let item = struct_named(&api, "ListItemsResponseItem");
    assert!(matches!(field(item, "kind").ty, TypeRef::Named(_)));

    let wrong = "openapi: 3.0.3\ninfo: {title: T, version: '1'}\npaths: {}\ncomponents:\n  parameters:\n    Kind: {name: kind, in: query, schema: {type: string}}\n  schemas:\n    A:\n      type: object\n      properties:\n        k: {$ref: '#/components/parameters/Kind'}\n";
    let message = error(wrong).to_string();
    assert!(
        message.contains("points to a parameters component"),
        "{message}"
    );
}

/// `/items#stream`: the fragment is warned about at its path and never
/// sent; it still tells the two operations apart.
#[test]
fn a_fragment_in_a_path_key_is_not_part_of_the_path() {
    let yaml = "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths:\n  /items:\n    get:\n      responses: {'204': {description: ok}}\n  /items#stream:\n    get:\n      responses: {'204': {description: ok}}\n";
    let api = api(yaml);
    let paths: Vec<(&str, &str)> = api
        .operations
        .iter()
        .map(|op| (op.method_name.as_str(), op.path.as_str()))
        .collect();
    assert_eq!(
        paths,
        [("get_items", "/items"), ("get_items_stream", "/items")]
    );
    let warning = api
        .warnings
        .iter()
        .find(|w| w.message.contains("fragment"))
        .expect("a warning");
    assert_eq!(warning.pointer.to_string(), "#/paths/~1items#stream");
}
