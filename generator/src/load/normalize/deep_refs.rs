//! References that reach into another object: a `$ref` is a JSON pointer
//! and may point at a parameter, response, request body or header that is
//! not itself an entry of `components` (`#/paths/~1items/get/parameters/0`,
//! `#/components/responses/Conflict/headers/X-Rate`). `openapiv3` resolves
//! only `#/components/<section>/<name>`, so such targets are copied in
//! where they are referenced (the referring object's own fields, such as a
//! `description`, win). Deep references to schemas need no copy: the model
//! resolves any pointer that lands on a schema.

use crate::error::Pointer;
use serde_json::{Map, Value};

/// Hops followed through references to references before giving up (the
/// model then reports what is left).
const MAX_HOPS: usize = 8;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Copies in the target of every deep reference in a parameter, request
/// body, response or header position.
pub(super) fn inline(doc: &mut Value) {
    let mut places: Vec<Pointer> = Vec::new();
    collect(doc, &mut places);
    let copies: Vec<(Pointer, Value)> = places
        .into_iter()
        .filter_map(|at| {
            let copy = target_copy(doc, at.resolve(doc)?)?;
            Some((at, copy))
        })
        .collect();
    for (at, copy) in copies {
        if let Some(place) = resolve_mut(doc, &at) {
            *place = copy;
        }
    }
}

/// The places that hold a deep reference.
fn collect(doc: &Value, places: &mut Vec<Pointer>) {
    let root = Pointer::root();
    let mut check = |value: &Value, at: Pointer| {
        if is_deep_ref(value) {
            places.push(at);
        }
    };
    if let Some(Value::Object(paths)) = doc.get("paths") {
        let at = root.join("paths");
        for (path, item) in paths {
            let at = at.join(path);
            each_item(item, "parameters", &at, &mut check);
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let at = at.join(method);
                each_item(op, "parameters", &at, &mut check);
                if let Some(body) = op.get("requestBody") {
                    check(body, at.join("requestBody"));
                }
                if let Some(Value::Object(responses)) = op.get("responses") {
                    let at = at.join("responses");
                    for (status, response) in responses {
                        check(response, at.join(status));
                        each_entry(response, "headers", &at.join(status), &mut check);
                    }
                }
            }
        }
    }
    if let Some(components) = doc.get("components") {
        let at = root.join("components");
        for section in ["parameters", "requestBodies", "responses", "headers"] {
            each_entry(components, section, &at, &mut check);
        }
        if let Some(Value::Object(responses)) = components.get("responses") {
            let at = at.join("responses");
            for (name, response) in responses {
                each_entry(response, "headers", &at.join(name), &mut check);
            }
        }
    }
}

fn each_item(parent: &Value, key: &str, at: &Pointer, check: &mut impl FnMut(&Value, Pointer)) {
    if let Some(Value::Array(items)) = parent.get(key) {
        let at = at.join(key);
        for (i, item) in items.iter().enumerate() {
            check(item, at.join(i.to_string()));
        }
    }
}

fn each_entry(parent: &Value, key: &str, at: &Pointer, check: &mut impl FnMut(&Value, Pointer)) {
    if let Some(Value::Object(entries)) = parent.get(key) {
        let at = at.join(key);
        for (name, entry) in entries {
            check(entry, at.join(name));
        }
    }
}

/// A local `$ref` that is not `#/components/<section>/<name>`.
fn is_deep_ref(value: &Value) -> bool {
    let Some(pointer) = value
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(Pointer::from_ref)
    else {
        return false;
    };
    let segments: Vec<String> = pointer.segments().collect();
    !(segments.len() == 3 && segments[0] == "components")
}

/// What replaces `referring`: its target with `referring`'s own fields on
/// top, following references that lead to further deep references. `None`
/// when the target does not resolve (the model reports it) or is not an
/// object.
fn target_copy(doc: &Value, referring: &Value) -> Option<Value> {
    let mut current = referring;
    for _ in 0..MAX_HOPS {
        if !is_deep_ref(current) {
            break;
        }
        let pointer = Pointer::from_ref(current.get("$ref")?.as_str()?)?;
        current = pointer.resolve(doc).filter(|v| v.is_object())?;
    }
    let mut copy: Map<String, Value> = current.as_object()?.clone();
    if is_deep_ref(current) {
        return None;
    }
    for (key, value) in referring.as_object()? {
        if key != "$ref" {
            copy.insert(key.clone(), value.clone());
        }
    }
    Some(Value::Object(copy))
}

fn resolve_mut<'a>(doc: &'a mut Value, at: &Pointer) -> Option<&'a mut Value> {
    at.segments().try_fold(doc, |value, segment| match value {
        Value::Object(map) => map.get_mut(&segment),
        Value::Array(items) => items.get_mut(segment.parse::<usize>().ok()?),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deep_references_are_copied_in_and_component_ones_stay() {
        let mut doc = json!({
            "paths": {
                "/a": {"get": {
                    "parameters": [
                        {"name": "kind", "in": "query", "schema": {"type": "string"}},
                        {"$ref": "#/components/parameters/Limit"}
                    ],
                    "responses": {"409": {"$ref": "#/components/responses/Conflict/x-variants/strict", "description": "mine"}}
                }},
                "/b": {"get": {
                    "parameters": [{"$ref": "#/paths/~1a/get/parameters/0"}],
                    "responses": {"200": {"description": "ok", "headers": {
                        "X-Rate": {"$ref": "#/components/responses/Conflict/headers/X-Rate"}
                    }}}
                }},
                "/c": {"get": {
                    "parameters": [{"$ref": "#/paths/~1b/get/parameters/0"}, {"$ref": "#/nowhere/0"}],
                    "responses": {}
                }}
            },
            "components": {
                "parameters": {"Limit": {"name": "limit", "in": "query", "schema": {"type": "integer"}}},
                "responses": {"Conflict": {
                    "description": "conflict",
                    "headers": {"X-Rate": {"schema": {"type": "integer"}}},
                    "x-variants": {"strict": {"description": "strict conflict"}}
                }}
            }
        });
        inline(&mut doc);
        let b = &doc["paths"]["/b"]["get"];
        assert_eq!(b["parameters"][0]["name"], "kind");
        assert_eq!(
            b["responses"]["200"]["headers"]["X-Rate"]["schema"]["type"],
            "integer"
        );
        // The referring object's own fields win.
        assert_eq!(
            doc["paths"]["/a"]["get"]["responses"]["409"],
            json!({"description": "mine"})
        );
        // A chain of deep references is followed.
        assert_eq!(doc["paths"]["/c"]["get"]["parameters"][0]["name"], "kind");
        // Component references stay; a target that does not resolve stays
        // for the model to report.
        assert_eq!(
            doc["paths"]["/a"]["get"]["parameters"][1],
            json!({"$ref": "#/components/parameters/Limit"})
        );
        assert_eq!(
            doc["paths"]["/c"]["get"]["parameters"][1],
            json!({"$ref": "#/nowhere/0"})
        );
    }

    #[test]
    fn a_cycle_of_deep_references_ends() {
        let mut doc = json!({"paths": {"/a": {"get": {
            "parameters": [{"$ref": "#/paths/~1a/get/parameters/1"}, {"$ref": "#/paths/~1a/get/parameters/0"}],
            "responses": {}
        }}}});
        let before = doc.clone();
        inline(&mut doc);
        assert_eq!(doc, before);
    }
}
