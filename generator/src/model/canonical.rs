//! The JSON a generated type serialises a sample back to, or why it
//! rejects the sample: what each round-trip test compares with
//! (`samples.rs` makes the samples).

use super::{Api, FloatKind, IntKind, TimeCrate, TypeId, TypeKind, TypeRef, formats};
use serde_json::{Map, Value, json};

/// What the generated type serialises `value` back to, or why it rejects it.
pub(super) fn canonical(api: &Api, ty: &TypeRef, value: &Value) -> Result<Value, String> {
    let kind = |expected: &str| format!("expected {expected}, found {}", short(value));
    match ty {
        TypeRef::Named(id) => canonical_named(api, *id, value),
        TypeRef::String => value
            .is_string()
            .then(|| value.clone())
            .ok_or_else(|| kind("a string")),
        TypeRef::Bool => value
            .is_boolean()
            .then(|| value.clone())
            .ok_or_else(|| kind("a boolean")),
        TypeRef::Integer(k) => {
            let fits = match k {
                IntKind::I8 => value.as_i64().is_some_and(|v| i8::try_from(v).is_ok()),
                IntKind::I16 => value.as_i64().is_some_and(|v| i16::try_from(v).is_ok()),
                IntKind::I32 => value.as_i64().is_some_and(|v| i32::try_from(v).is_ok()),
                IntKind::I64 => value.is_i64(),
                IntKind::U8 => value.as_u64().is_some_and(|v| u8::try_from(v).is_ok()),
                IntKind::U16 => value.as_u64().is_some_and(|v| u16::try_from(v).is_ok()),
                IntKind::U32 => value.as_u64().is_some_and(|v| u32::try_from(v).is_ok()),
                IntKind::U64 => value.is_u64(),
            };
            fits.then(|| value.clone())
                .ok_or_else(|| kind(&format!("an integer that fits {k:?}")))
        }
        TypeRef::Float(k) => {
            let f = value.as_f64().ok_or_else(|| kind("a number"))?;
            let f = match k {
                FloatKind::F32 => f64::from(f as f32),
                FloatKind::F64 => f,
            };
            serde_json::Number::from_f64(f)
                .map(Value::Number)
                .ok_or_else(|| kind("a finite number"))
        }
        TypeRef::Any => Ok(value.clone()),
        TypeRef::Object => value
            .is_object()
            .then(|| value.clone())
            .ok_or_else(|| kind("an object")),
        TypeRef::Array(item) => match value {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| canonical(api, item, v).map_err(|e| format!("[{i}]: {e}")))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            _ => Err(kind("an array")),
        },
        TypeRef::Map(item) => match value {
            Value::Object(map) => map
                .iter()
                .map(|(k, v)| {
                    canonical(api, item, v)
                        .map(|v| (k.clone(), v))
                        .map_err(|e| format!("{k}: {e}"))
                })
                .collect::<Result<Map<_, _>, _>>()
                .map(Value::Object),
            _ => Err(kind("an object")),
        },
        TypeRef::Nullable(inner) => match value {
            Value::Null => Ok(Value::Null),
            other => canonical(api, inner, other),
        },
        TypeRef::DateTime if api.formats.date_time == TimeCrate::Jiff => formatted(
            value,
            "an RFC 3339 date-time",
            formats::canonical_date_time_minimal,
        ),
        TypeRef::DateTime => {
            formatted(value, "an RFC 3339 date-time", formats::canonical_date_time)
        }
        TypeRef::Date => formatted(value, "a date (YYYY-MM-DD)", formats::canonical_date),
        TypeRef::Uuid => formatted(value, "a UUID", formats::canonical_uuid),
        TypeRef::Decimal => formats::canonical_decimal(value)
            .map(Value::String)
            .ok_or_else(|| kind("a decimal (digits, with a point)")),
        TypeRef::Binary => value
            .is_string()
            .then(|| value.clone())
            .ok_or_else(|| kind("a string")),
        TypeRef::Tuple(members) => match value {
            Value::Array(items) if items.len() == members.len() => members
                .iter()
                .zip(items)
                .enumerate()
                .map(|(i, (m, v))| canonical(api, m, v).map_err(|e| format!("[{i}]: {e}")))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array),
            _ => Err(kind(&format!("an array of {} items", members.len()))),
        },
    }
}

fn formatted(
    value: &Value,
    what: &str,
    canonical: fn(&str) -> Option<String>,
) -> Result<Value, String> {
    value
        .as_str()
        .and_then(canonical)
        .map(Value::String)
        .ok_or_else(|| format!("expected {what}, found {}", short(value)))
}

fn canonical_named(api: &Api, id: TypeId, value: &Value) -> Result<Value, String> {
    let def = api.ty(id);
    match &def.kind {
        TypeKind::Alias(ty) => canonical(api, ty, value),
        TypeKind::Enum(e) => match value.as_str() {
            Some(s) if e.catch_all.is_some() || e.variants.iter().any(|v| v.value == s) => {
                Ok(value.clone())
            }
            _ => Err(format!(
                "{}: expected one of its values, found {}",
                def.name,
                short(value)
            )),
        },
        TypeKind::Tagged(t) => {
            let tag = value
                .get(&t.tag)
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{}: missing tag `{}`", def.name, t.tag))?;
            let variant = t
                .variants
                .iter()
                .find(|v| v.values.iter().any(|x| x == tag))
                .ok_or_else(|| format!("{}: unknown tag value {tag:?}", def.name))?;
            let mut out = canonical(api, &variant.ty, value)?;
            if let Value::Object(map) = &mut out {
                if !variant.has_tag_field {
                    map.insert(t.tag.clone(), json!(variant.values[0]));
                }
            }
            Ok(out)
        }
        // As the generated `Deserialize` chooses (see `UnionDef`).
        TypeKind::Union(u) => {
            let mut fallback = None;
            for v in u.variants.iter().filter(|v| v.constants_hold(value)) {
                if let Ok(out) = canonical(api, &v.ty, value) {
                    if v.covers(value) {
                        return Ok(out);
                    }
                    fallback.get_or_insert(out);
                }
            }
            fallback.ok_or_else(|| format!("{}: matches none of the variants", def.name))
        }
        TypeKind::Struct(s) => {
            let Value::Object(input) = value else {
                return Err(format!(
                    "{}: expected an object, found {}",
                    def.name,
                    short(value)
                ));
            };
            let mut out = Map::new();
            for f in &s.fields {
                match input.get(&f.wire_name) {
                    // Nullable or not: a required property that is absent
                    // would come back as `null` (its `Option` re-encoded).
                    None if f.required => {
                        return Err(format!(
                            "{}: missing required property `{}`",
                            def.name, f.wire_name
                        ));
                    }
                    None => {}
                    // A `Nullable` field writes its `null` back too.
                    Some(Value::Null) if f.nullable && (f.required || f.explicit_null) => {
                        out.insert(f.wire_name.clone(), Value::Null);
                    }
                    Some(Value::Null) if f.nullable => {}
                    Some(v) => {
                        let v = canonical(api, &f.ty, v)
                            .map_err(|e| format!("{}.{}: {e}", def.name, f.wire_name))?;
                        out.insert(f.wire_name.clone(), v);
                    }
                }
            }
            if let Some(extra) = &s.additional {
                for (k, v) in input {
                    if !s.fields.iter().any(|f| &f.wire_name == k) {
                        out.insert(
                            k.clone(),
                            canonical(api, extra, v)
                                .map_err(|e| format!("{}.{k}: {e}", def.name))?,
                        );
                    }
                }
            }
            Ok(Value::Object(out))
        }
    }
}

fn short(value: &Value) -> String {
    let text = value.to_string();
    if text.len() > 40 {
        let cut = text.char_indices().nth(37).map_or(text.len(), |(i, _)| i);
        format!("{}...", &text[..cut])
    } else {
        text
    }
}
