//! Rustdoc text from a schema: title, description, defaults, constraints.

use crate::load::normalize::X_UNFIT;
use crate::model::Docs;
use openapiv3::{Schema, SchemaKind, Type, VariantOrUnknownOrEmpty};

/// Documentation from `title` and `description`. FastAPI derives titles
/// from names (`organization_id` → "Organization Id"); such a title says
/// nothing the name does not, so it is left out.
pub(in crate::model) fn docs(schema: &Schema, name: &str) -> Docs {
    let data = &schema.schema_data;
    let squash = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let title = data
        .title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty() && squash(t) != squash(name));
    let description = data
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty());
    let text = match (title, description) {
        (Some(t), Some(d)) if d.starts_with(t) => Some(d.to_owned()),
        (Some(t), Some(d)) => Some(format!("{t}\n\n{d}")),
        (Some(t), None) => Some(t.to_owned()),
        (None, Some(d)) => Some(d.to_owned()),
        (None, None) => None,
    };
    let facts = facts(schema);
    let text = match (text, facts.is_empty()) {
        (text, true) => text,
        (Some(text), false) => Some(format!("{text}\n\n{}", facts.join(" "))),
        (None, false) => Some(facts.join(" ")),
    };
    Docs {
        text,
        deprecated: data.deprecated,
    }
}

/// "One of `a`, `b`." for an enum's allowed values, when it has any.
fn one_of<T: std::fmt::Display>(values: impl Iterator<Item = T>) -> Option<String> {
    let values: Vec<String> = values.map(|v| format!("`{v}`")).collect();
    (!values.is_empty()).then(|| format!("One of {}.", values.join(", ")))
}

/// Defaults and constraints the Rust type does not enforce, for the docs.
fn facts(schema: &Schema) -> Vec<String> {
    let code = |v: &serde_json::Value| format!("`{v}`");
    let number = |n: f64| {
        if n.fract() == 0.0 && n.abs() < 1e15 {
            format!("{}", n as i64)
        } else {
            n.to_string()
        }
    };
    let mut facts = Vec::new();
    let data = &schema.schema_data;
    if let Some(default) = &data.default {
        facts.push(format!("Default: {}.", code(default)));
    }
    if data.read_only {
        facts.push("Read-only: set by the server.".to_owned());
    }
    if data.write_only {
        facts.push("Write-only: never returned by the server.".to_owned());
    }
    let bounds =
        |min: Option<String>, max: Option<String>, ex_min: bool, ex_max: bool| -> Option<String> {
            let low = min.map(|m| format!("{} {m}", if ex_min { ">" } else { "≥" }));
            let high = max.map(|m| format!("{} {m}", if ex_max { "<" } else { "≤" }));
            match (low, high) {
                (None, None) => None,
                (Some(l), None) => Some(format!("Must be {l}.")),
                (None, Some(h)) => Some(format!("Must be {h}.")),
                (Some(l), Some(h)) => Some(format!("Must be {l} and {h}.")),
            }
        };
    let length = |what: &str, min: Option<usize>, max: Option<usize>| -> Option<String> {
        match (min, max) {
            (None, None) => None,
            (Some(a), None) => Some(format!("At least {a} {what}.")),
            (None, Some(b)) => Some(format!("At most {b} {what}.")),
            (Some(a), Some(b)) => Some(format!("Between {a} and {b} {what}.")),
        }
    };
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => {
            facts.extend(length("characters", s.min_length, s.max_length));
            if let Some(p) = &s.pattern {
                facts.push(format!("Pattern: `{}`.", p.replace('`', "'")));
            }
            if let VariantOrUnknownOrEmpty::Unknown(f) = &s.format {
                facts.push(format!("Format: `{f}`."));
            }
        }
        SchemaKind::Type(Type::Integer(i)) => {
            facts.extend(bounds(
                i.minimum.map(|m| m.to_string()),
                i.maximum.map(|m| m.to_string()),
                i.exclusive_minimum,
                i.exclusive_maximum,
            ));
            if let Some(m) = i.multiple_of {
                facts.push(format!("Multiple of {m}."));
            }
            facts.extend(one_of(i.enumeration.iter().flatten()));
        }
        SchemaKind::Type(Type::Number(n)) => {
            facts.extend(bounds(
                n.minimum.map(number),
                n.maximum.map(number),
                n.exclusive_minimum,
                n.exclusive_maximum,
            ));
            facts.extend(one_of(n.enumeration.iter().flatten()));
        }
        SchemaKind::Type(Type::Boolean(b)) => {
            facts.extend(one_of(b.enumeration.iter().flatten()));
        }
        SchemaKind::Type(Type::Array(a)) => {
            facts.extend(length("items", a.min_items, a.max_items));
            if a.unique_items {
                facts.push("Items are unique.".to_owned());
            }
        }
        SchemaKind::Type(Type::Object(o)) => {
            facts.extend(length("properties", o.min_properties, o.max_properties))
        }
        SchemaKind::Any(any)
            if !any.enumeration.is_empty() && any.enumeration.iter().any(|v| !v.is_string()) =>
        {
            facts.extend(one_of(any.enumeration.iter()));
        }
        _ => {}
    }
    if let Some(serde_json::Value::Object(unfit)) = data.extensions.get(X_UNFIT) {
        let listed: Vec<String> = unfit.iter().map(|(k, v)| format!("`{k}: {v}`")).collect();
        facts.push(format!(
            "Also declared, not checked: {}.",
            listed.join(", ")
        ));
    }
    facts
}
