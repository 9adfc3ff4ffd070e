//! JSON instances for the round-trip tests: the spec's own examples, and
//! instances synthesised from each type (minimal, full, with nulls, one per
//! enum value and union variant).
//!
//! Each sample carries the JSON the generated type must serialise it back
//! to. That is the input itself, except where the model says a difference is
//! expected: an optional nullable field given as `null` is dropped (the Rust
//! field is `None`, which is skipped), properties the type does not declare
//! are dropped, and numbers read into a float type come back as floats.

use super::canonical::canonical;
use super::naming::{self, Namespace};
use super::operations::MediaExample;
use super::sample_values;
use super::{Api, Sample, TaggedDef, TaggedVariant, TypeId, TypeKind, TypeRef};
use crate::error::WarningKind;
use crate::error::{Pointer, Warning};
use crate::load::Document;
use crate::load::normalize::{X_EXAMPLES, X_PREFIX_ITEMS};
use serde_json::{Map, Value, json};

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Mode {
    Minimal,
    Full,
    FullNulls,
}

pub(super) fn samples(
    api: &Api,
    doc: &Document,
    media: &[MediaExample],
) -> (Vec<Sample>, Vec<(String, String)>, Vec<Warning>) {
    let mut out = Samples {
        api,
        names: Namespace::with_reserved(naming::TEST_HELPERS),
        seen: std::collections::HashSet::new(),
        samples: Vec::new(),
        skipped: Vec::new(),
        warnings: Vec::new(),
    };
    let synth = Synth { api, raw: &doc.raw };
    // A replaced type is the caller's: its round trips are theirs to test.
    for (id, def) in api.emitted_types().filter(|(_, t)| t.replaced_by.is_none()) {
        let ty = TypeRef::Named(id);
        let stem = naming::field_name(&def.name);
        out.synthesised(&synth, &ty, &stem, &def.kind);
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
    (out.samples, out.skipped, out.warnings)
}

/// The origin of the one sample that is outside its schema on purpose.
pub const UNKNOWN_VALUE_ORIGIN: &str = "a value the API may add later (outside the schema)";

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
    skipped: Vec<(String, String)>,
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
                kind: WarningKind::Example,
                message: format!(
                    "example does not match its schema ({why}); it is not round-tripped"
                ),
            }),
        }
    }

    fn synthesised(&mut self, synth: &Synth, ty: &TypeRef, stem: &str, kind: &TypeKind) {
        let origin = "synthesised from the schema".to_owned();
        // Each case: test name, and the instance or why there is none.
        let mut cases: Vec<(String, Result<Value, String>)> = Vec::new();
        match kind {
            TypeKind::Struct(s) => {
                for (mode, label) in [
                    (Mode::Minimal, "minimal"),
                    (Mode::Full, "full"),
                    (Mode::FullNulls, "full_nulls"),
                ] {
                    if mode == Mode::FullNulls && !s.fields.iter().any(|f| f.nullable) {
                        continue;
                    }
                    let value = synth.synth(ty, mode, &mut Vec::new(), None);
                    cases.push((format!("{stem}_{label}"), value));
                }
            }
            TypeKind::Enum(e) => {
                for v in &e.variants {
                    let name = format!("{stem}_{}", naming::field_name(&v.name));
                    cases.push((name, Ok(json!(v.value))));
                }
            }
            TypeKind::Union(u) => {
                // A scalar member's own constraints (a `pattern`, bounds)
                // are in the document, not in the variant's type.
                let union = match ty {
                    TypeRef::Named(id) => Some(&synth.api.ty(*id).origin),
                    _ => None,
                }
                .filter(|origin| **origin != Pointer::root())
                .and_then(|origin| origin.resolve(synth.raw));
                for v in &u.variants {
                    let name = format!("{stem}_{}", naming::field_name(&v.name));
                    let member = union.and_then(|union| scalar_member(union, &v.ty));
                    cases.push((
                        name,
                        synth.synth(&v.ty, Mode::Full, &mut Vec::new(), member),
                    ));
                }
            }
            TypeKind::Tagged(t) => {
                for v in &t.variants {
                    let name = format!("{stem}_{}", naming::field_name(&v.name));
                    let value = synth.synth_tagged(t, v, Mode::Full, &mut Vec::new());
                    cases.push((name, value));
                }
            }
            TypeKind::Alias(_) => {
                let value = synth.synth(ty, Mode::Full, &mut Vec::new(), None);
                cases.push((format!("{stem}_value"), value));
            }
        }
        for (name, value) in cases {
            match value {
                Ok(v) => self.push(ty, &name, origin.clone(), v),
                Err(why) => self.skipped.push((naming::field_name(&name), why)),
            }
        }
        if let TypeKind::Enum(_) = kind {
            // Deliberately outside the schema: the catch-all variant keeps
            // values the API adds later.
            let unknown = "a value added to the API later";
            self.push(
                ty,
                &format!("{stem}_unknown_value"),
                UNKNOWN_VALUE_ORIGIN.to_owned(),
                json!(unknown),
            );
        }
    }
}

/// Builds instances of the model's types that satisfy their schemas.
pub(super) struct Synth<'a> {
    pub(super) api: &'a Api,
    /// The normalised document, where fields' and types' schemas are.
    pub(super) raw: &'a Value,
}

impl Synth<'_> {
    /// An instance of `ty` satisfying `schema` (when known), or why none
    /// can be made (a required cycle, constraints it cannot meet). Only the
    /// outermost struct follows `mode`; nested ones are minimal.
    pub(super) fn synth(
        &self,
        ty: &TypeRef,
        mode: Mode,
        stack: &mut Vec<TypeId>,
        schema: Option<&Value>,
    ) -> Result<Value, String> {
        let kw = schema
            .map(|s| sample_values::keywords(self.raw, s))
            .unwrap_or_default();
        let sub = |key: &str| kw.get(key).filter(|v| v.is_object());
        let value = match ty {
            TypeRef::Named(id) => {
                if stack.contains(id) {
                    return Err(format!(
                        "`{}` contains itself through required properties",
                        self.api.ty(*id).name
                    ));
                }
                stack.push(*id);
                let value = self.synth_named(*id, mode, stack);
                stack.pop();
                // A named type satisfies its own schema.
                return value;
            }
            TypeRef::String => json!("string"),
            TypeRef::Bool => json!(true),
            TypeRef::Integer(_) => json!(7),
            TypeRef::Float(_) => json!(1.5),
            TypeRef::Any => json!("any JSON value"),
            TypeRef::Object => json!({"key": "value"}),
            TypeRef::Array(item) => Value::Array(
                self.synth(item, Mode::Minimal, stack, sub("items"))
                    .ok()
                    .into_iter()
                    .collect(),
            ),
            TypeRef::Map(item) => {
                let mut map = Map::new();
                if let Ok(v) = self.synth(item, Mode::Minimal, stack, sub("additionalProperties")) {
                    map.insert("key".into(), v);
                }
                Value::Object(map)
            }
            TypeRef::Nullable(inner) => {
                return Ok(self
                    .synth(inner, mode, stack, schema)
                    .unwrap_or(Value::Null));
            }
            TypeRef::DateTime => json!("2024-05-06T07:08:09Z"),
            TypeRef::Date => json!("2024-05-06"),
            TypeRef::Uuid => json!("3fa85f64-5717-4562-b3fc-2c963f66afa6"),
            TypeRef::Decimal => json!("12.30"),
            TypeRef::Binary => json!("binary contents"),
            TypeRef::Tuple(members) => {
                let schemas = kw.get(X_PREFIX_ITEMS).and_then(Value::as_array);
                Value::Array(
                    members
                        .iter()
                        .enumerate()
                        .map(|(i, m)| {
                            let member = schemas.and_then(|s| s.get(i));
                            self.synth(m, Mode::Minimal, stack, member)
                        })
                        .collect::<Result<Vec<_>, _>>()?,
                )
            }
        };
        sample_values::fit(value, &kw)
    }

    /// An instance of one variant of a tagged union, with its tag set.
    fn synth_tagged(
        &self,
        t: &TaggedDef,
        v: &TaggedVariant,
        mode: Mode,
        stack: &mut Vec<TypeId>,
    ) -> Result<Value, String> {
        let mut value = self.synth(&v.ty, mode, stack, None)?;
        if let Value::Object(map) = &mut value {
            map.insert(t.tag.clone(), json!(v.values[0]));
        }
        Ok(value)
    }

    fn synth_named(
        &self,
        id: TypeId,
        mode: Mode,
        stack: &mut Vec<TypeId>,
    ) -> Result<Value, String> {
        let def = self.api.ty(id);
        match &def.kind {
            TypeKind::Struct(s) => {
                let (also_required, excluded) = sample_values::required_alternative(
                    def.origin
                        .resolve(self.raw)
                        .filter(|_| def.origin != Pointer::root()),
                );
                let mut map = Map::new();
                for f in &s.fields {
                    if excluded.contains(&f.wire_name) {
                        continue;
                    }
                    // Read- and write-only properties are optional in Rust,
                    // but an instance of the schema still has them; so are
                    // the properties of the alternative the sample takes.
                    let required =
                        f.required || f.schema_required || also_required.contains(&f.wire_name);
                    let value = if f.nullable
                        && (mode == Mode::FullNulls || (mode == Mode::Minimal && required))
                    {
                        Ok(Value::Null)
                    } else if let Some(constant) = f
                        .constant
                        .as_ref()
                        .filter(|_| required || mode != Mode::Minimal)
                    {
                        // The schema allows this value only.
                        Ok(constant.clone())
                    } else if required || mode != Mode::Minimal {
                        let schema = f.origin.resolve(self.raw);
                        self.synth(&f.ty, Mode::Minimal, stack, schema)
                    } else {
                        continue;
                    };
                    match value {
                        Ok(v) => {
                            map.insert(f.wire_name.clone(), v);
                        }
                        Err(_) if required && f.nullable => {
                            map.insert(f.wire_name.clone(), Value::Null);
                        }
                        Err(why) if required => {
                            return Err(format!("{}.{}: {why}", def.name, f.wire_name));
                        }
                        Err(_) => {}
                    }
                }
                Ok(Value::Object(map))
            }
            TypeKind::Enum(e) => Ok(json!(
                e.variants.first().map_or("value", |v| v.value.as_str())
            )),
            TypeKind::Union(u) => first_ok(
                u.variants
                    .iter()
                    .map(|v| self.synth(&v.ty, Mode::Minimal, stack, None)),
            ),
            TypeKind::Tagged(t) => first_ok(
                t.variants
                    .iter()
                    .map(|v| self.synth_tagged(t, v, Mode::Minimal, stack)),
            ),
            TypeKind::Alias(ty) => {
                let schema = (def.origin != Pointer::root())
                    .then(|| def.origin.resolve(self.raw))
                    .flatten();
                self.synth(ty, mode, stack, schema)
            }
        }
    }
}

/// The member of a union's `anyOf`/`oneOf` that a scalar variant of type
/// `ty` stands for: the one member of its JSON type.
fn scalar_member<'r>(union: &'r Value, ty: &TypeRef) -> Option<&'r Value> {
    let kind = match ty {
        TypeRef::String => "string",
        TypeRef::Float(_) => "number",
        TypeRef::Integer(_) => "integer",
        TypeRef::Bool => "boolean",
        _ => return None,
    };
    let members = union
        .get("anyOf")
        .or_else(|| union.get("oneOf"))?
        .as_array()?;
    let mut of_kind = members
        .iter()
        .filter(|m| m.get("type").and_then(Value::as_str) == Some(kind));
    match (of_kind.next(), of_kind.next()) {
        (Some(member), None) => Some(member),
        _ => None,
    }
}

/// The first success, or the last reason.
fn first_ok(attempts: impl Iterator<Item = Result<Value, String>>) -> Result<Value, String> {
    let mut why = "no variants".to_owned();
    for attempt in attempts {
        match attempt {
            Ok(v) => return Ok(v),
            Err(e) => why = e,
        }
    }
    Err(why)
}
