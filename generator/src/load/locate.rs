//! Turns a failed `openapiv3` deserialisation into an error at the deepest
//! place that fails on its own.
//!
//! `openapiv3` uses `#[serde(flatten)]` and untagged enums, which hide where
//! in the document an error happened (serde reports `#/paths` for a bad
//! parameter deep inside). Deserialising the document's parts one by one,
//! parent before children, finds the smallest part that still fails.

use crate::error::{Error, Pointer};
use openapiv3::{
    Components, Operation, Parameter, PathItem, ReferenceOr, RequestBody, Response, Schema,
    SecurityScheme,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Deserialises `value` as `T`; on failure, the error message and the
/// pointer of the failing part (as precise as serde can tell).
fn attempt<T: DeserializeOwned>(value: &Value, at: &Pointer) -> Result<(), (Pointer, String)> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(_) => Ok(()),
        Err(e) => {
            let mut pointer = at.clone();
            for segment in e.path().iter() {
                use serde_path_to_error::Segment;
                match segment {
                    Segment::Seq { index } => pointer = pointer.join(index.to_string()),
                    Segment::Map { key } => pointer = pointer.join(key),
                    Segment::Enum { .. } | Segment::Unknown => {}
                }
            }
            Err((pointer, e.inner().to_string()))
        }
    }
}

/// The most precise error for a document `openapiv3` rejected.
pub fn locate(doc: &Value, fallback: Error) -> Error {
    let mut found = Vec::new();
    let root = Pointer::root();
    if let Some(Value::Object(paths)) = doc.get("paths") {
        for (path, item) in paths {
            let at = root.join("paths").join(path);
            if attempt::<ReferenceOr<PathItem>>(item, &at).is_ok() {
                continue;
            }
            path_item(item, &at, &mut found);
        }
    }
    if let Some(components) = doc.get("components") {
        let at = root.join("components");
        if attempt::<Components>(components, &at).is_err() {
            component_entries::<ReferenceOr<Schema>>(components, "schemas", &at, &mut found);
            component_entries::<ReferenceOr<Parameter>>(components, "parameters", &at, &mut found);
            component_entries::<ReferenceOr<RequestBody>>(
                components,
                "requestBodies",
                &at,
                &mut found,
            );
            component_entries::<ReferenceOr<Response>>(components, "responses", &at, &mut found);
            component_entries::<ReferenceOr<SecurityScheme>>(
                components,
                "securitySchemes",
                &at,
                &mut found,
            );
        }
    }
    if found.is_empty() {
        return fallback;
    }
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found.dedup();
    let errors: Vec<Error> = found
        .into_iter()
        .map(|(p, m)| Error::invalid(&p, m))
        .collect();
    Error::collect(errors).err().unwrap_or(fallback)
}

fn component_entries<T: DeserializeOwned>(
    components: &Value,
    kind: &str,
    at: &Pointer,
    found: &mut Vec<(Pointer, String)>,
) {
    let Some(Value::Object(entries)) = components.get(kind) else {
        return;
    };
    for (name, entry) in entries {
        if let Err(e) = attempt::<T>(entry, &at.join(kind).join(name)) {
            found.push(e);
        }
    }
}

fn path_item(item: &Value, at: &Pointer, found: &mut Vec<(Pointer, String)>) {
    let before = found.len();
    list::<ReferenceOr<Parameter>>(item.get("parameters"), &at.join("parameters"), found);
    for method in METHODS {
        let Some(op) = item.get(method) else { continue };
        let op_at = at.join(method);
        if attempt::<Operation>(op, &op_at).is_ok() {
            continue;
        }
        let inner = found.len();
        list::<ReferenceOr<Parameter>>(op.get("parameters"), &op_at.join("parameters"), found);
        if let Some(body) = op.get("requestBody") {
            if let Err(e) = attempt::<ReferenceOr<RequestBody>>(body, &op_at.join("requestBody")) {
                found.push(e);
            }
        }
        if let Some(Value::Object(responses)) = op.get("responses") {
            for (status, response) in responses {
                if let Err(e) = attempt::<ReferenceOr<Response>>(
                    response,
                    &op_at.join("responses").join(status),
                ) {
                    found.push(e);
                }
            }
        }
        if found.len() == inner {
            if let Err(e) = attempt::<Operation>(op, &op_at) {
                found.push(e);
            }
        }
    }
    if found.len() == before {
        if let Err(e) = attempt::<ReferenceOr<PathItem>>(item, at) {
            found.push(e);
        }
    }
}

fn list<T: DeserializeOwned>(
    items: Option<&Value>,
    at: &Pointer,
    found: &mut Vec<(Pointer, String)>,
) {
    let Some(Value::Array(items)) = items else {
        return;
    };
    for (i, item) in items.iter().enumerate() {
        if let Err(e) = attempt::<T>(item, &at.join(i.to_string())) {
            found.push(e);
        }
    }
}
