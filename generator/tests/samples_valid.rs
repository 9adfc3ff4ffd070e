//! Every synthesised round-trip sample of the fixtures satisfies its schema,
//! checked by an independent JSON Schema validator (the `jsonschema` crate).
//!
//! The schemas are read from the normalised document (so a sample's type
//! and its schema share a pointer) and put into JSON Schema draft 4 terms:
//! `nullable` becomes a `null` alternative, 3.1 tuples `items` arrays.
//! `oneOf` is checked as `anyOf`: the generated unions are untagged and try
//! their variants in order, so a sample is not made to match one variant
//! only. The one sample outside its schema on purpose (a string enum's
//! catch-all value) is left out, and so are `.lenient` fixtures, whose
//! schemas are broken on purpose, and the members of implicitly tagged
//! unions, whose structs leave the tag to the union.

use openapi_client_gen::load::load;
use openapi_client_gen::model::{TypeKind, TypeRef, UNKNOWN_VALUE_ORIGIN, build_with};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut all: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "json"))
        .collect();
    all.sort();
    all
}

/// The normalised document in draft 4 terms.
fn draft4(value: &Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.iter().map(draft4).collect()),
        Value::Object(obj) => {
            let mut out: Map<String, Value> = obj
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "nullable" | "x-oapi-null"))
                .map(|(k, v)| (k.clone(), draft4(v)))
                .collect();
            if let Some(tuple) = out.remove("x-oapi-prefix-items") {
                out.insert("items".into(), tuple);
            }
            if let Some(one_of) = out.remove("oneOf") {
                out.insert("anyOf".into(), one_of);
            }
            if obj.get("x-oapi-null") == Some(&Value::Bool(true)) {
                out.insert("type".into(), json!("null"));
            }
            if obj.get("nullable") == Some(&Value::Bool(true)) {
                return json!({"anyOf": [{"type": "null"}, Value::Object(out)]});
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// A JSON pointer `#/a/{b}` as a URI fragment (`#/a/%7Bb%7D`).
fn uri_fragment(pointer: &str) -> String {
    let mut out = String::new();
    for c in pointer.chars() {
        if c.is_ascii_alphanumeric() || "#-._~!$&'()*+,;=:@/".contains(c) {
            out.push(c);
        } else {
            let mut bytes = [0; 4];
            for b in c.encode_utf8(&mut bytes).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

#[test]
fn synthesised_samples_satisfy_their_schemas() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for spec in fixtures() {
        let text = std::fs::read_to_string(&spec).unwrap();
        // A `.lenient` fixture's schemas are broken on purpose.
        if spec.to_string_lossy().ends_with(".lenient.yaml") {
            continue;
        }
        let doc = load(&text).unwrap();
        let api = build_with(&doc, false).unwrap();
        let document = draft4(&doc.raw);
        let tag_left_to_union: Vec<&TypeRef> = api
            .types
            .iter()
            .filter_map(|t| match &t.kind {
                TypeKind::Tagged(tagged) => Some(tagged),
                _ => None,
            })
            .flat_map(|tagged| tagged.variants.iter().filter(|v| !v.has_tag_field))
            .map(|v| &v.ty)
            .collect();
        for sample in &api.samples {
            if tag_left_to_union.contains(&&sample.ty) {
                continue;
            }
            if sample.origin == UNKNOWN_VALUE_ORIGIN || !sample.origin.starts_with("synthesised") {
                continue;
            }
            let TypeRef::Named(id) = &sample.ty else {
                continue;
            };
            let origin = api.ty(*id).origin.to_string();
            if origin == "#" {
                continue;
            }
            let mut root = document.clone();
            // `draft4` turned every `oneOf` into an `anyOf`.
            root["$ref"] = json!(uri_fragment(&origin.replace("/oneOf/", "/anyOf/")));
            let validator = jsonschema::options()
                .with_draft(jsonschema::Draft::Draft4)
                .should_validate_formats(true)
                .build(&root)
                .unwrap_or_else(|e| panic!("{}: {origin}: {e}", spec.display()));
            checked += 1;
            let errors: Vec<String> = validator
                .iter_errors(&sample.input)
                .map(|e| e.to_string())
                .collect();
            if !errors.is_empty() {
                failures.push(format!(
                    "{} {} ({origin}): {}\n  {}",
                    spec.file_name().unwrap().to_string_lossy(),
                    sample.test_name,
                    sample.input,
                    errors.join("\n  ")
                ));
            }
        }
    }
    assert!(checked > 100, "only {checked} samples checked");
    assert!(
        failures.is_empty(),
        "{} of {checked} synthesised samples break their schema:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
