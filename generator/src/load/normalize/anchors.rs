//! 3.1 schema anchors: `$ref: '#name'` names a schema by its `$anchor`, and
//! `$dynamicRef: '#name'` one by its `$dynamicAnchor`. Both are rewritten to
//! JSON-pointer `$ref`s. A `$dynamicRef` is resolved statically, which is
//! exact when one schema carries the anchor; otherwise it stays, and the
//! model warns that it is not represented.

use crate::error::Pointer;
use serde_json::Value;
use std::collections::BTreeMap;

/// Rewrites anchor references in the whole document.
pub(super) fn resolve(doc: &mut Value) {
    let mut anchors: BTreeMap<String, Vec<Pointer>> = BTreeMap::new();
    let mut dynamic: BTreeMap<String, Vec<Pointer>> = BTreeMap::new();
    collect(doc, &Pointer::root(), &mut anchors, &mut dynamic, 0);
    if anchors.is_empty() && dynamic.is_empty() {
        return;
    }
    rewrite(doc, &anchors, &dynamic, 0);
}

/// Deeper than any real document; the loader refuses deeper ones later.
const MAX_DEPTH: usize = 256;

fn collect(
    value: &Value,
    at: &Pointer,
    anchors: &mut BTreeMap<String, Vec<Pointer>>,
    dynamic: &mut BTreeMap<String, Vec<Pointer>>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Object(obj) => {
            if let Some(name) = obj.get("$anchor").and_then(Value::as_str) {
                anchors.entry(name.to_owned()).or_default().push(at.clone());
            }
            if let Some(name) = obj.get("$dynamicAnchor").and_then(Value::as_str) {
                dynamic.entry(name.to_owned()).or_default().push(at.clone());
            }
            for (k, v) in obj {
                collect(v, &at.join(k), anchors, dynamic, depth + 1);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                collect(v, &at.join(i.to_string()), anchors, dynamic, depth + 1);
            }
        }
        _ => {}
    }
}

/// The one place an anchor names, as a `$ref`.
fn unique(found: Option<&Vec<Pointer>>) -> Option<String> {
    match found.map(Vec::as_slice) {
        Some([only]) => Some(only.to_string()),
        _ => None,
    }
}

fn rewrite(
    value: &mut Value,
    anchors: &BTreeMap<String, Vec<Pointer>>,
    dynamic: &BTreeMap<String, Vec<Pointer>>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Object(obj) => {
            let named = |obj: &serde_json::Map<String, Value>, key: &str| {
                obj.get(key)
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix('#'))
                    .filter(|name| !name.is_empty() && !name.starts_with('/'))
                    .map(str::to_owned)
            };
            if let Some(target) = named(obj, "$ref").and_then(|n| unique(anchors.get(&n))) {
                obj.insert("$ref".into(), Value::String(target));
            }
            if let Some(name) = named(obj, "$dynamicRef") {
                let target = unique(dynamic.get(&name)).or_else(|| {
                    dynamic
                        .get(&name)
                        .is_none()
                        .then(|| unique(anchors.get(&name)))
                        .flatten()
                });
                if let Some(target) = target {
                    obj.remove("$dynamicRef");
                    obj.insert("$ref".into(), Value::String(target));
                }
            }
            for v in obj.values_mut() {
                rewrite(v, anchors, dynamic, depth + 1);
            }
        }
        Value::Array(items) => {
            for v in items {
                rewrite(v, anchors, dynamic, depth + 1);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::resolve;
    use serde_json::json;

    #[test]
    fn anchors_become_pointers() {
        let mut doc = json!({
            "components": {"schemas": {
                "Node": {"$anchor": "node", "$dynamicAnchor": "tree", "type": "object"},
                "Use": {"properties": {
                    "a": {"$ref": "#node"},
                    "b": {"$dynamicRef": "#tree"},
                    "c": {"$dynamicRef": "#nowhere"},
                    "d": {"$ref": "#/components/schemas/Node"},
                }},
            }}
        });
        resolve(&mut doc);
        let props = &doc["components"]["schemas"]["Use"]["properties"];
        assert_eq!(props["a"], json!({"$ref": "#/components/schemas/Node"}));
        assert_eq!(props["b"], json!({"$ref": "#/components/schemas/Node"}));
        assert_eq!(props["c"], json!({"$dynamicRef": "#nowhere"}));
        assert_eq!(props["d"], json!({"$ref": "#/components/schemas/Node"}));
    }
}
