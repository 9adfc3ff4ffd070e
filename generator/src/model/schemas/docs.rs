//! Rustdoc text from a schema: title, description, defaults, constraints.

use super::keywords::{adds_no_shape, requires_only};
use crate::load::normalize::X_UNFIT;
use crate::model::Docs;
use openapiv3::{Schema, SchemaData, SchemaKind, Type, VariantOrUnknownOrEmpty};

/// Documentation from `title` and `description`. FastAPI derives titles
/// from names (`organization_id` → "Organization Id"); such a title says
/// nothing the name does not, so it is left out.
pub(in crate::model) fn docs(schema: &Schema, name: &str) -> Docs {
    let data = &effective_data(schema);
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

/// The schema's annotations, with those its annotation-only `allOf`
/// members add (`allOf: [{$ref: X}, {description: ...}]`); its own win.
pub(in crate::model) fn effective_data(schema: &Schema) -> SchemaData {
    let mut data = schema.schema_data.clone();
    let members = match &schema.schema_kind {
        SchemaKind::AllOf { all_of } => all_of,
        SchemaKind::Any(any) => &any.all_of,
        _ => return data,
    };
    for member in members.iter().filter_map(|m| m.as_item()) {
        if !adds_no_shape(member) {
            continue;
        }
        let m = &member.schema_data;
        data.title = data.title.take().or_else(|| m.title.clone());
        data.description = data.description.take().or_else(|| m.description.clone());
        data.default = data.default.take().or_else(|| m.default.clone());
        data.deprecated |= m.deprecated;
        data.read_only |= m.read_only;
        data.write_only |= m.write_only;
    }
    data
}

/// "Exactly one of these must hold: `a` is set; or `b` and `c` are set."
/// for a `oneOf` (`anyOf`) whose members only list required properties;
/// the struct has those fields optional, so the rule goes in its docs.
fn required_alternatives(
    members: &[openapiv3::ReferenceOr<Schema>],
    quantity: &str,
) -> Option<String> {
    if members.is_empty() || !members.iter().all(requires_only) {
        return None;
    }
    let alternatives: Vec<String> = members
        .iter()
        .filter_map(|m| m.as_item())
        .filter_map(|s| match &s.schema_kind {
            SchemaKind::Any(any) => Some(&any.required),
            _ => None,
        })
        .map(|required| {
            let names: Vec<String> = required.iter().map(|r| format!("`{r}`")).collect();
            let verb = if names.len() == 1 { "is" } else { "are" };
            format!("{} {verb} set", names.join(" and "))
        })
        .collect();
    Some(format!(
        "{quantity} of these must hold: {}.",
        alternatives.join("; or ")
    ))
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
    let data = &effective_data(schema);
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
        SchemaKind::Any(any) if !any.properties.is_empty() => {
            facts.extend(required_alternatives(&any.one_of, "Exactly one"));
            facts.extend(required_alternatives(&any.any_of, "At least one"));
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
