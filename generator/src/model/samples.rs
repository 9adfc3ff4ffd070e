//! JSON instances for the round-trip tests: the spec's own examples, and
//! instances synthesised from each type (minimal, full, with nulls, one per
//! enum value and union variant).
//!
//! Each sample carries the JSON the generated type must serialise it back
//! to. That is the input itself, except where the model says a difference is
//! expected: an optional nullable field given as `null` is dropped (the Rust
//! field is `None`, which is skipped), properties the type does not declare
//! are dropped, and numbers read into a float type come back as floats.

use super::naming::{self, Namespace};
use super::schemas::MediaExample;
use super::{
    Api, FloatKind, IntKind, Sample, TaggedDef, TaggedVariant, TypeId, TypeKind, TypeRef, formats,
};
use crate::error::{Pointer, Warning};
use crate::load::Document;
use crate::load::normalize::X_EXAMPLES;
use serde_json::{Map, Value, json};

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Minimal,
    Full,
    FullNulls,
}

pub(super) fn samples(
    api: &Api,
    doc: &Document,
    media: &[MediaExample],
) -> (Vec<Sample>, Vec<Warning>) {
    let mut out = Samples {
        api,
        names: Namespace::with_reserved(naming::TEST_HELPERS),
        seen: std::collections::HashSet::new(),
        samples: Vec::new(),
        warnings: Vec::new(),
    };
    for (i, def) in api.types.iter().enumerate() {
        let ty = TypeRef::Named(TypeId(i));
        let stem = naming::field_name(&def.name);
        out.synthesised(&ty, &stem, &def.kind);
        for (value, origin) in schema_examples(doc, &def.origin) {
            out.example(&ty, &format!("{stem}_example"), value, origin);
        }
    }
    for example in media {
        out.example(
            &example.ty,
            &format!("{}_example", example.context),
            example.value.clone(),
            example.origin.clone(),
        );
    }
    (out.samples, out.warnings)
}

/// `example` and 3.1 `examples` on the schema at `origin`.
fn schema_examples(doc: &Document, origin: &Pointer) -> Vec<(Value, Pointer)> {
    let Some(schema) = origin
        .resolve(&doc.raw)
        .filter(|_| *origin != Pointer::root())
    else {
        return Vec::new();
    };
    if let Some(Value::Array(all)) = schema.get(X_EXAMPLES) {
        return all
            .iter()
            .enumerate()
            .map(|(i, v)| (v.clone(), origin.join("examples").join(i.to_string())))
            .collect();
    }
    schema
        .get("example")
        .map(|v| vec![(v.clone(), origin.join("example"))])
        .unwrap_or_default()
}

struct Samples<'a> {
    api: &'a Api,
    names: Namespace,
    /// Type and input of every sample so far, to skip duplicates.
    seen: std::collections::HashSet<String>,
    samples: Vec<Sample>,
    warnings: Vec<Warning>,
}

impl Samples<'_> {
    fn push(&mut self, ty: &TypeRef, name: &str, origin: String, input: Value) {
        let Ok(expected) = canonical(self.api, ty, &input) else {
            return;
        };
        if !self.seen.insert(format!("{ty:?} {input}")) {
            return;
        }
        let (test_name, _) = self.names.claim(&naming::field_name(name));
        self.samples.push(Sample {
            ty: ty.clone(),
            test_name,
            origin,
            input,
            expected,
        });
    }

    fn example(&mut self, ty: &TypeRef, name: &str, value: Value, origin: Pointer) {
        match canonical(self.api, ty, &value) {
            Ok(_) => self.push(ty, name, format!("example at {origin}"), value),
            Err(why) => self.warnings.push(Warning {
                pointer: origin,
                message: format!(
                    "example does not match its schema ({why}); it is not round-tripped"
                ),
            }),
        }
    }

    fn synthesised(&mut self, ty: &TypeRef, stem: &str, kind: &TypeKind) {
        let origin = "synthesised from the schema".to_owned();
        match kind {
            TypeKind::Struct(s) => {
                let mut stack = Vec::new();
                for (mode, label) in [
                    (Mode::Minimal, "minimal"),
                    (Mode::Full, "full"),
                    (Mode::FullNulls, "full_nulls"),
                ] {
                    if mode == Mode::FullNulls && !s.fields.iter().any(|f| f.nullable) {
                        continue;
                    }
                    if let Some(v) = synth(self.api, ty, mode, &mut stack) {
                        self.push(ty, &format!("{stem}_{label}"), origin.clone(), v);
                    }
                }
            }
            TypeKind::Enum(e) => {
                for v in &e.variants {
                    self.push(
                        ty,
                        &format!("{stem}_{}", naming::field_name(&v.name)),
                        origin.clone(),
                        json!(v.value),
                    );
                }
                let unknown = "a value added to the API later";
                self.push(ty, &format!("{stem}_unknown_value"), origin, json!(unknown));
            }
            TypeKind::Union(u) => {
                for v in &u.variants {
                    if let Some(value) = synth(self.api, &v.ty, Mode::Full, &mut Vec::new()) {
                        self.push(
                            ty,
                            &format!("{stem}_{}", naming::field_name(&v.name)),
                            origin.clone(),
                            value,
                        );
                    }
                }
            }
            TypeKind::Tagged(t) => {
                for v in &t.variants {
                    if let Some(value) = synth_tagged(self.api, t, v, Mode::Full, &mut Vec::new()) {
                        self.push(
                            ty,
                            &format!("{stem}_{}", naming::field_name(&v.name)),
                            origin.clone(),
                            value,
                        );
                    }
                }
            }
            TypeKind::Alias(_) => {
                if let Some(v) = synth(self.api, ty, Mode::Full, &mut Vec::new()) {
                    self.push(ty, &format!("{stem}_value"), origin, v);
                }
            }
        }
    }
}

/// An instance of `ty`; `None` when none can be built (a required cycle).
/// Only the outermost struct follows `mode`; nested ones are minimal.
fn synth(api: &Api, ty: &TypeRef, mode: Mode, stack: &mut Vec<TypeId>) -> Option<Value> {
    Some(match ty {
        TypeRef::Named(id) => {
            if stack.contains(id) {
                return None;
            }
            stack.push(*id);
            let value = synth_named(api, *id, mode, stack);
            stack.pop();
            value?
        }
        TypeRef::String => json!("string"),
        TypeRef::Bool => json!(true),
        TypeRef::Integer(_) => json!(7),
        TypeRef::Float(_) => json!(1.5),
        TypeRef::Any => json!("any JSON value"),
        TypeRef::Object => json!({"key": "value"}),
        TypeRef::Array(item) => {
            Value::Array(synth(api, item, Mode::Minimal, stack).into_iter().collect())
        }
        TypeRef::Map(item) => {
            let mut map = Map::new();
            if let Some(v) = synth(api, item, Mode::Minimal, stack) {
                map.insert("key".into(), v);
            }
            Value::Object(map)
        }
        TypeRef::Nullable(inner) => synth(api, inner, mode, stack).unwrap_or(Value::Null),
        TypeRef::DateTime => json!("2024-05-06T07:08:09Z"),
        TypeRef::Date => json!("2024-05-06"),
        TypeRef::Uuid => json!("3fa85f64-5717-4562-b3fc-2c963f66afa6"),
        TypeRef::Binary => json!("binary contents"),
        TypeRef::Tuple(members) => Value::Array(
            members
                .iter()
                .map(|m| synth(api, m, Mode::Minimal, stack))
                .collect::<Option<Vec<_>>>()?,
        ),
    })
}

/// An instance of one variant of a tagged union, with its tag set.
fn synth_tagged(
    api: &Api,
    t: &TaggedDef,
    v: &TaggedVariant,
    mode: Mode,
    stack: &mut Vec<TypeId>,
) -> Option<Value> {
    let mut value = synth(api, &v.ty, mode, stack)?;
    if let Value::Object(map) = &mut value {
        map.insert(t.tag.clone(), json!(v.values[0]));
    }
    Some(value)
}

fn synth_named(api: &Api, id: TypeId, mode: Mode, stack: &mut Vec<TypeId>) -> Option<Value> {
    match &api.ty(id).kind {
        TypeKind::Struct(s) => {
            let mut map = Map::new();
            for f in &s.fields {
                let value = if f.nullable
                    && (mode == Mode::FullNulls || (mode == Mode::Minimal && f.required))
                {
                    Some(Value::Null)
                } else if let Some(constant) = f
                    .constant
                    .as_ref()
                    .filter(|_| f.required || mode != Mode::Minimal)
                {
                    // The schema allows this value only.
                    Some(constant.clone())
                } else if f.required || mode != Mode::Minimal {
                    synth(api, &f.ty, Mode::Minimal, stack)
                } else {
                    None
                };
                match value {
                    Some(v) => {
                        map.insert(f.wire_name.clone(), v);
                    }
                    None if f.required && f.nullable => {
                        map.insert(f.wire_name.clone(), Value::Null);
                    }
                    None if f.required => return None,
                    None => {}
                }
            }
            Some(Value::Object(map))
        }
        TypeKind::Enum(e) => Some(json!(
            e.variants.first().map_or("value", |v| v.value.as_str())
        )),
        TypeKind::Union(u) => u
            .variants
            .iter()
            .find_map(|v| synth(api, &v.ty, Mode::Minimal, stack)),
        TypeKind::Tagged(t) => t
            .variants
            .iter()
            .find_map(|v| synth_tagged(api, t, v, Mode::Minimal, stack)),
        TypeKind::Alias(ty) => synth(api, ty, mode, stack),
    }
}

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
        TypeRef::DateTime => {
            formatted(value, "an RFC 3339 date-time", formats::canonical_date_time)
        }
        TypeRef::Date => formatted(value, "a date (YYYY-MM-DD)", formats::canonical_date),
        TypeRef::Uuid => formatted(value, "a UUID", formats::canonical_uuid),
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
                    None if f.required && !f.nullable => {
                        return Err(format!(
                            "{}: missing required property `{}`",
                            def.name, f.wire_name
                        ));
                    }
                    None => {}
                    Some(Value::Null) if f.nullable && f.required => {
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
