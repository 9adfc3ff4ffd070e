//! `type` arrays and `null` members: the 3.1 ways of saying "nullable" and
//! "one of several JSON types", rewritten to `nullable` and `anyOf`.

use super::{X_NULL, X_PREFIX_ITEMS};
use crate::error::{Error, Pointer};
use serde_json::{Map, Value, json};

pub(super) fn type_array(obj: &mut Map<String, Value>, at: &Pointer) -> Result<(), Error> {
    let Some(Value::Array(types)) = obj.get("type") else {
        return Ok(());
    };
    let mut names = Vec::new();
    for t in types {
        match t.as_str() {
            Some(name) => names.push(name.to_owned()),
            None => {
                return Err(Error::invalid(
                    &at.join("type"),
                    format!("type names must be strings, found {t}"),
                ));
            }
        }
    }
    let nullable = names.iter().any(|n| n == "null");
    names.retain(|n| n != "null");
    names.dedup();
    obj.remove("type");
    if nullable {
        obj.insert("nullable".into(), json!(true));
    }
    match names.as_slice() {
        [] if nullable => {
            obj.insert(X_NULL.into(), json!(true));
        }
        [] => {}
        [single] => {
            obj.insert("type".into(), json!(single));
        }
        several => {
            let members: Vec<Value> = several.iter().map(|t| split_by_type(obj, t)).collect();
            for keywords in TYPE_KEYWORDS.iter().map(|(_, k)| *k) {
                for k in keywords {
                    obj.remove(*k);
                }
            }
            if let Some(existing) = obj.remove("anyOf") {
                let all_of = obj.entry("allOf").or_insert_with(|| json!([]));
                if let Value::Array(all) = all_of {
                    all.push(json!({ "anyOf": existing }));
                }
            }
            obj.insert("anyOf".into(), Value::Array(members));
        }
    }
    Ok(())
}

/// Keywords that only apply to one JSON type, so they follow it into its
/// `anyOf` member when a `type` array is split.
const TYPE_KEYWORDS: [(&str, &[&str]); 5] = [
    (
        "string",
        &[
            "format",
            "pattern",
            "minLength",
            "maxLength",
            "contentEncoding",
            "contentMediaType",
        ],
    ),
    (
        "number",
        &[
            "format",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
        ],
    ),
    (
        "integer",
        &[
            "format",
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
        ],
    ),
    (
        "array",
        &[
            "items",
            "minItems",
            "maxItems",
            "uniqueItems",
            X_PREFIX_ITEMS,
        ],
    ),
    (
        "object",
        &[
            "properties",
            "required",
            "additionalProperties",
            "minProperties",
            "maxProperties",
        ],
    ),
];

fn split_by_type(obj: &Map<String, Value>, type_name: &str) -> Value {
    let mut member = Map::new();
    member.insert("type".into(), json!(type_name));
    if let Some((_, keywords)) = TYPE_KEYWORDS.iter().find(|(t, _)| *t == type_name) {
        for k in *keywords {
            if let Some(v) = obj.get(*k) {
                member.insert((*k).into(), v.clone());
            }
        }
    }
    if let Some(Value::Array(values)) = obj.get("enum") {
        let kept: Vec<Value> = values
            .iter()
            .filter(|v| json_type(v) == Some(type_name) || (type_name == "number" && v.is_number()))
            .cloned()
            .collect();
        if !kept.is_empty() {
            member.insert("enum".into(), Value::Array(kept));
        }
    }
    Value::Object(member)
}

pub(super) fn json_type(value: &Value) -> Option<&'static str> {
    match value {
        Value::String(_) => Some("string"),
        Value::Bool(_) => Some("boolean"),
        Value::Number(n) if n.is_i64() || n.is_u64() => Some("integer"),
        Value::Number(_) => Some("number"),
        Value::Array(_) => Some("array"),
        Value::Object(_) => Some("object"),
        Value::Null => None,
    }
}

/// Is this (already normalised) member the 3.1 `{type: 'null'}`?
fn is_null_schema(member: &Value) -> bool {
    let Some(obj) = member.as_object() else {
        return false;
    };
    obj.get(X_NULL) == Some(&json!(true))
        && obj
            .keys()
            .all(|k| matches!(k.as_str(), "nullable" | "title" | "description") || k == X_NULL)
}

/// Pulls `{type: 'null'}` members out of a union and marks the schema
/// nullable; a union left with one member collapses into it.
pub(super) fn null_members(obj: &mut Map<String, Value>, key: &str) {
    let Some(Value::Array(members)) = obj.get_mut(key) else {
        return;
    };
    let before = members.len();
    members.retain(|m| !is_null_schema(m));
    if members.len() == before {
        return;
    }
    obj.insert("nullable".into(), json!(true));
    let Some(Value::Array(members)) = obj.get_mut(key) else {
        return;
    };
    match members.len() {
        0 => {
            obj.remove(key);
            obj.insert(X_NULL.into(), json!(true));
        }
        1 => {
            let only = members.pop().unwrap_or(Value::Null);
            obj.remove(key);
            collapse_single(obj, only);
        }
        _ => {}
    }
}

/// Replaces a one-member union by its member. A `$ref` member stays a
/// reference (wrapped in `allOf`) so the named type is reused; an inline one
/// is merged, the outer schema's documentation winning.
fn collapse_single(obj: &mut Map<String, Value>, member: Value) {
    let Value::Object(member) = member else {
        return;
    };
    if member.contains_key("$ref") || member.contains_key("allOf") && obj.contains_key("allOf") {
        let all_of = obj.entry("allOf").or_insert_with(|| json!([]));
        if let Value::Array(all) = all_of {
            all.insert(0, Value::Object(member));
        }
        return;
    }
    for (k, v) in member {
        let outer_wins = matches!(
            k.as_str(),
            "title"
                | "description"
                | "default"
                | "example"
                | "deprecated"
                | "readOnly"
                | "writeOnly"
        );
        if k == "nullable" {
            if v == json!(true) {
                obj.insert(k, v);
            }
        } else if !(outer_wins && obj.contains_key(&k)) {
            obj.insert(k, v);
        }
    }
}
