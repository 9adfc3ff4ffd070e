//! No input makes the generator panic, overflow its stack or take
//! unbounded time: mutated fixture specs (a seeded, bounded fuzz run),
//! garbage text, very deep nesting and very large specs.

use openapi_client_gen::{CrateOptions, Error, generate};
use serde_json::{Value, json};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

fn options() -> CrateOptions {
    CrateOptions {
        crate_name: "fuzzed".into(),
        spec_label: "fuzz".into(),
        standalone: false,
        extra_manifest: None,
        extra_module: false,
        lenient: false,
        config: Default::default(),
    }
}

/// Runs the generator, turning a panic into a test failure that shows the
/// input.
fn generate_without_panic(text: &str, what: &str) -> Result<(), Error> {
    match catch_unwind(AssertUnwindSafe(|| generate(text, &options()))) {
        Ok(result) => result.map(|_| ()),
        Err(_) => panic!(
            "generator panicked on {what}:\n{}",
            &text[..text.len().min(4000)]
        ),
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Every place in the tree, as pointer-free paths of keys and indices.
fn paths(value: &Value, prefix: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(prefix.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                prefix.push(json!(k));
                paths(v, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                prefix.push(json!(i));
                paths(v, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(root: &'a mut Value, path: &[Value]) -> Option<&'a mut Value> {
    path.iter().try_fold(root, |node, step| match step {
        Value::String(k) => node.get_mut(k.as_str()),
        Value::Number(i) => node.get_mut(i.as_u64()? as usize),
        _ => None,
    })
}

fn random_value(rng: &mut Rng, refs: &[String]) -> Value {
    match rng.below(10) {
        0 => Value::Null,
        1 => json!(rng.below(1000) as i64 - 500),
        2 => json!("string"),
        3 => json!([]),
        4 => json!({}),
        5 => json!(true),
        6 => json!({"$ref": refs[rng.below(refs.len())]}),
        7 => json!({"type": ["string", "null", "integer"]}),
        8 => json!({"oneOf": [{"type": "null"}], "discriminator": {"propertyName": "x"}}),
        _ => json!({"allOf": [{"$ref": "#/components/schemas/Nope"}, {"type": "string"}]}),
    }
}

fn mutate(doc: &mut Value, rng: &mut Rng) {
    let refs = vec![
        "#/components/schemas/Page".to_owned(),
        "#/components/parameters/OrderId".to_owned(),
        "#/paths".to_owned(),
        "#".to_owned(),
        "other.yaml#/x".to_owned(),
        "#/components/schemas/Everything/properties/point".to_owned(),
    ];
    let mut all = Vec::new();
    paths(doc, &mut Vec::new(), &mut all);
    let path = all[rng.below(all.len())].clone();
    let Some((last, parent_path)) = path.split_last() else {
        return;
    };
    let Some(parent) = at(doc, parent_path) else {
        return;
    };
    match (parent, last, rng.below(3)) {
        (Value::Object(map), Value::String(key), 0) => {
            map.remove(key);
        }
        (Value::Array(items), Value::Number(i), 0) => {
            let i = i.as_u64().unwrap_or(0) as usize;
            if i < items.len() {
                items.remove(i);
            }
        }
        (parent, _, _) => {
            if let Some(target) = at(parent, std::slice::from_ref(last)) {
                *target = random_value(rng, &refs);
            }
        }
    }
}

#[test]
fn mutated_specs_never_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut fixtures: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"))
        .collect();
    fixtures.sort();
    let mut rejected = 0;
    let mut runs = 0;
    for (f, path) in fixtures.iter().enumerate() {
        let original: Value =
            openapi_client_gen::load::parse_text(&std::fs::read_to_string(path).unwrap()).unwrap();
        for seed in 0..60u64 {
            let mut rng = Rng((seed + 1)
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .wrapping_add(f as u64)
                | 1);
            let mut doc = original.clone();
            for _ in 0..1 + rng.below(4) {
                mutate(&mut doc, &mut rng);
            }
            let text = serde_json::to_string(&doc).unwrap();
            runs += 1;
            if generate_without_panic(&text, &format!("{} seed {seed}", path.display())).is_err() {
                rejected += 1;
            }
        }
    }
    // The mutations are real: some of them break the spec.
    assert!(
        rejected > 0 && rejected < runs,
        "{rejected} of {runs} rejected"
    );
}

#[test]
fn garbage_text_is_an_error() {
    let inputs = [
        "",
        "   ",
        "{",
        "[1, 2",
        "openapi",
        "- a\n- b",
        "\u{0}\u{1}binary",
        "openapi: 3.1.0\n  info: [",
        "{\"openapi\": 3.1}",
        "null",
        "42",
    ];
    for input in inputs {
        assert!(
            generate_without_panic(input, &format!("{input:?}")).is_err(),
            "{input:?} was accepted"
        );
    }
}

fn nested_schema(depth: usize) -> String {
    let mut schema = String::from(r#"{"type": "string"}"#);
    for _ in 0..depth {
        schema = format!(r#"{{"type": "object", "properties": {{"inner": {schema}}}}}"#);
    }
    format!(
        r#"{{"openapi": "3.1.0", "info": {{"title": "Deep", "version": "1"}}, "components": {{"schemas": {{"Deep": {schema}}}}}}}"#
    )
}

#[test]
fn very_deep_nesting_is_an_error_not_a_stack_overflow() {
    let err = generate_without_panic(&nested_schema(20_000), "deep JSON").unwrap_err();
    assert!(matches!(err, Error::Syntax { .. }), "{err}");
    let yaml = format!(
        "openapi: 3.1.0\ninfo: {{title: t, version: '1'}}\nx: {}{}\n",
        "[".repeat(20_000),
        "]".repeat(20_000)
    );
    assert!(generate_without_panic(&yaml, "deep YAML").is_err());
}

#[test]
fn moderately_deep_nesting_generates() {
    generate_without_parts(&nested_schema(40));
}

fn generate_without_parts(text: &str) {
    generate_without_panic(text, "spec").expect("generates");
}

#[test]
fn large_specs_generate() {
    // Ten thousand schemas in a reference chain with a cycle back to the
    // start, unions and inline enums along the way, and a few hundred
    // operations.
    const N: usize = 10_000;
    let mut schemas = serde_json::Map::new();
    for i in 0..N {
        let next = format!("#/components/schemas/S{}", (i + 1) % N);
        let schema = match i % 50 {
            0 => json!({"oneOf": [{"$ref": next}, {"type": "string"}]}),
            1 => json!({"type": "object", "required": ["kind"], "properties": {
                "kind": {"type": "string", "enum": ["a", "b", format!("v{i}")]},
                "next": {"$ref": next}
            }}),
            _ => {
                json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}, "next": {"$ref": next}}})
            }
        };
        schemas.insert(format!("S{i}"), schema);
    }
    let mut paths = serde_json::Map::new();
    for i in 0..300 {
        paths.insert(
            format!("/things/{i}/{{id}}"),
            json!({"get": {
                "operationId": format!("get_thing_{i}"),
                "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/S{}", i * 7)}}}}}
            }}),
        );
    }
    let doc = json!({"openapi": "3.1.0", "info": {"title": "Large", "version": "1"}, "paths": paths, "components": {"schemas": schemas}});
    let generated = generate(&doc.to_string(), &options()).expect("large spec generates");
    let types = generated
        .files
        .iter()
        .find(|f| f.path == "src/types.rs")
        .unwrap();
    assert!(types.contents.contains("pub struct S9999"));
    // The cycle through every struct is broken by boxing.
    assert!(types.contents.contains("Box<S"), "recursion is boxed");
}
