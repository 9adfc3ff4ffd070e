//! Object-like schemas: properties, `allOf` merging, and the schemas
//! `openapiv3` leaves untyped (`AnySchema`), read by what they contain.

use super::keywords::{adds_no_shape, requires_only};
use super::{
    Converter, ObjectPart, Shape, docs, enum_def, float_kind, int_kind, is_password, nullable_if,
    string_format,
};
use crate::error::WarningKind;
use crate::error::{LocalKind, Pointer};
use crate::load::normalize::X_PREFIX_ITEMS;
use crate::model::naming::{self, Namespace};
use crate::model::{Field, StructDef, TypeKind, TypeRef, UnionDef, UnionVariant};
use openapiv3::{
    AdditionalProperties, AnySchema, ReferenceOr, Schema, SchemaData, SchemaKind, Type,
    VariantOrUnknownOrEmpty,
};

impl Converter<'_> {
    /// `openapiv3` puts schemas whose keywords mix kinds here; read them by
    /// what they contain.
    pub(super) fn any_shape(
        &mut self,
        any: &AnySchema,
        data: &SchemaData,
        at: &Pointer,
        hint: &str,
    ) -> Shape {
        let own = ObjectPart {
            properties: &any.properties,
            required: &any.required,
            additional: any.additional_properties.as_ref(),
            at: at.clone(),
        };
        let has_object_keywords = !any.properties.is_empty() || any.additional_properties.is_some();
        if !any.all_of.is_empty() {
            return self.all_of_shape(&any.all_of, Some(own), at, hint);
        }
        for (members, key) in [(&any.one_of, "oneOf"), (&any.any_of, "anyOf")] {
            if !members.is_empty() {
                // "either `a` or `b` is required": the struct of the
                // properties, those fields optional, the rule in the docs.
                if !any.properties.is_empty() && members.iter().all(requires_only) {
                    let own = ObjectPart {
                        properties: &any.properties,
                        required: &any.required,
                        additional: any.additional_properties.as_ref(),
                        at: at.clone(),
                    };
                    return self.object_shape(vec![own], hint);
                }
                if has_object_keywords {
                    self.warn(
                        WarningKind::Loosened,
                        at,
                        format!(
                            "properties beside `{key}` are not merged into the union's variants"
                        ),
                    );
                }
                return self.discriminated(members, data, &at.join(key), hint);
            }
        }
        if has_object_keywords || any.typ.as_deref() == Some("object") {
            return self.object_shape(vec![own], hint);
        }
        let strings: Vec<String> = any
            .enumeration
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        let all_strings = !any.enumeration.is_empty()
            && strings.len() == any.enumeration.iter().filter(|v| !v.is_null()).count();
        match any.typ.as_deref() {
            Some("array") => Shape::Ref(self.array(any.items.as_ref(), data, at, hint)),
            None if data.extensions.contains_key(X_PREFIX_ITEMS) => {
                Shape::Ref(self.array(any.items.as_ref(), data, at, hint))
            }
            None if any.items.is_some() => self.list_or_other(any, data, at, hint),
            Some("string") | None if all_strings && !strings.is_empty() => {
                Shape::Def(TypeKind::Enum(enum_def(&strings)))
            }
            Some("string") => Shape::Ref(string_format(
                any.format.as_deref().unwrap_or(""),
                self.formats,
            )),
            Some("integer") => Shape::Ref(TypeRef::Integer(int_kind(
                any.format.as_deref().unwrap_or(""),
            ))),
            Some("number") => Shape::Ref(TypeRef::Float(float_kind(
                any.format.as_deref().unwrap_or(""),
                any.minimum,
                any.maximum,
            ))),
            Some("boolean") => Shape::Ref(TypeRef::Bool),
            _ => Shape::Ref(TypeRef::Any),
        }
    }

    /// `items` without `type: array`: JSON Schema lets any value through
    /// and checks the items of a list only. Documents write it both meaning
    /// a list and by mistake for an object (Slack's does), and servers send
    /// either; a list of the items, or any other value, reads both.
    fn list_or_other(
        &mut self,
        any: &AnySchema,
        data: &SchemaData,
        at: &Pointer,
        hint: &str,
    ) -> Shape {
        self.warn(
            WarningKind::Loosened,
            at,
            "`items` without `type: array` lets values that are not lists through too; the type is a list of the items, or any other JSON value",
        );
        let list = self.array(any.items.as_ref(), data, at, hint);
        let [list_name, other_name] = naming::LIST_OR_OTHER;
        let variant = |name: &str, ty| UnionVariant {
            name: name.to_owned(),
            ty,
            boxed: false,
            constants: Vec::new(),
            known_fields: None,
        };
        Shape::Def(TypeKind::Union(UnionDef {
            variants: vec![variant(list_name, list), variant(other_name, TypeRef::Any)],
        }))
    }

    pub(super) fn object_shape(&mut self, parts: Vec<ObjectPart<'_>>, hint: &str) -> Shape {
        let additional = parts.iter().rev().find_map(|p| p.additional);
        let additional_at = parts
            .iter()
            .rev()
            .find(|p| p.additional.is_some())
            .map(|p| p.at.join("additionalProperties"));
        let additional_ty = match (additional, additional_at) {
            (Some(AdditionalProperties::Schema(schema)), Some(aat)) => {
                Some(self.convert(schema, &aat, &format!("{hint}Value")))
            }
            // `true` allows any extra property, as `{}` does: keep them.
            (Some(AdditionalProperties::Any(true)), _) => Some(TypeRef::Any),
            _ => None,
        };
        if parts.iter().all(|p| p.properties.is_empty()) {
            return Shape::Ref(match additional_ty {
                Some(TypeRef::Any) | None => TypeRef::Object,
                Some(ty) => TypeRef::Map(Box::new(ty)),
            });
        }
        let required: Vec<&String> = parts.iter().flat_map(|p| p.required.iter()).collect();
        let mut names = Namespace::default();
        let mut fields: Vec<Field> = Vec::new();
        for part in &parts {
            for (wire, schema) in part.properties {
                if fields.iter().any(|f| &f.wire_name == wire) {
                    continue;
                }
                let pat = part.at.join("properties").join(wire);
                let ty =
                    self.convert_boxed(schema, &pat, &format!("{hint}{}", naming::type_name(wire)));
                let (ty, nullable) = ty.strip_nullable();
                let effective = schema.as_item().map(|s| super::docs::effective_data(s));
                let data = effective.as_ref();
                let sensitive = naming::is_sensitive_name(wire)
                    || naming::echoes_caller_input(wire, ty == TypeRef::Any)
                    || data.is_some_and(|d| {
                        d.extensions.get("x-sensitive") == Some(&serde_json::Value::Bool(true))
                    })
                    || schema.as_item().is_some_and(|s| is_password(s));
                if !wire.chars().any(|c| c.is_ascii_alphanumeric()) {
                    self.warn(WarningKind::Renamed, &pat, format!("property name `{wire}` has no ASCII letters or digits for a Rust name; the field is named after its position"));
                }
                let (name, renamed) = names.claim(&naming::field_name(wire));
                if renamed {
                    self.warn(
                        WarningKind::Renamed,
                        &pat,
                        format!(
                            "field name collides after conversion to snake_case; using `{name}`"
                        ),
                    );
                }
                // A read-only property is never sent and a write-only one never
                // returned, so one Rust type serves both directions only if
                // such properties are optional, whatever `required` says.
                let one_way = data.is_some_and(|d| d.read_only || d.write_only);
                let schema_required = required.contains(&wire);
                let required = schema_required && !one_way;
                fields.push(Field {
                    name,
                    wire_name: wire.clone(),
                    // `{}` admits null: optional, it reads like a nullable
                    // field; required, `Value::Null` carries it.
                    nullable: nullable || (ty == TypeRef::Any && !required),
                    ty,
                    required,
                    sensitive,
                    boxed: false,
                    constant: self.single_value(schema),
                    schema_required,
                    origin: pat.clone(),
                    docs: schema.as_item().map(|s| docs(s, wire)).unwrap_or_default(),
                    // Decided once the operations are known.
                    explicit_null: false,
                });
            }
        }
        let additional_name = naming::additional_field_name(&fields);
        Shape::Def(TypeKind::Struct(StructDef {
            fields,
            additional: additional_ty,
            additional_name,
        }))
    }

    /// The one value a property schema allows (following a `$ref`).
    fn single_value(&mut self, schema: &ReferenceOr<Box<Schema>>) -> Option<serde_json::Value> {
        match schema {
            ReferenceOr::Item(schema) => single_value(schema),
            ReferenceOr::Reference { reference } => {
                single_value(&self.schema_at(&Pointer::from_ref(reference)?)?)
            }
        }
    }

    pub(super) fn all_of_shape(
        &mut self,
        members: &[ReferenceOr<Schema>],
        own: Option<ObjectPart<'_>>,
        at: &Pointer,
        hint: &str,
    ) -> Shape {
        let own_empty = own.as_ref().is_none_or(|o| {
            o.properties.is_empty() && o.additional.is_none() && o.required.is_empty()
        });
        if let Some(shape) = self.one_meaningful_member(members, own.as_ref(), at, hint) {
            return shape;
        }
        if members.len() == 1 && own_empty {
            return match &members[0] {
                ReferenceOr::Reference { reference } => Shape::Ref(self.reference(reference, at)),
                ReferenceOr::Item(schema) => {
                    let inner_at = at.join("allOf").join("0");
                    match self.shape(schema, &inner_at, hint) {
                        Shape::Ref(ty) => Shape::Ref(nullable_if(schema.schema_data.nullable, ty)),
                        def => def,
                    }
                }
            };
        }
        // Gather every member's object parts; the member schemas are
        // owned here (deep references are parsed), so collect them first.
        let mut owned: Vec<(Schema, Pointer)> = Vec::new();
        for (i, member) in members.iter().enumerate() {
            let member_at = at.join("allOf").join(i.to_string());
            if !self.flatten_all_of(member, &member_at, &mut owned, 0) {
                self.warn(WarningKind::Loosened, &member_at, "allOf member is not an object schema; the combination is represented as serde_json::Value");
                return Shape::Ref(TypeRef::Any);
            }
        }
        let mut parts: Vec<ObjectPart<'_>> = Vec::new();
        for (schema, member_at) in &owned {
            if let Some(part) = object_part(schema, member_at) {
                parts.push(part);
            }
        }
        if let Some(own) = own {
            parts.push(own);
        }
        self.object_shape(parts, hint)
    }

    /// `allOf: [{$ref: Status}, {description: ...}]`: every member but one
    /// only annotates (or constrains what Rust does not model), so the
    /// combination is that member's type. Several members of one scalar
    /// type (a string enum and a string with a pattern) are the narrowest.
    fn one_meaningful_member(
        &mut self,
        members: &[ReferenceOr<Schema>],
        own: Option<&ObjectPart<'_>>,
        at: &Pointer,
        hint: &str,
    ) -> Option<Shape> {
        let own_adds_fields = own.is_some_and(|o| {
            !o.properties.is_empty()
                || !o.required.is_empty()
                || !matches!(o.additional, None | Some(AdditionalProperties::Any(true)))
        });
        if own_adds_fields {
            return None;
        }
        let mut nullable = false;
        let mut meaningful = Vec::new();
        for (i, member) in members.iter().enumerate() {
            match member {
                ReferenceOr::Item(schema) if adds_no_shape(schema) => {
                    nullable |= schema.schema_data.nullable;
                }
                _ => meaningful.push(i),
            }
        }
        let chosen = match meaningful.as_slice() {
            [] => return None,
            [one] => *one,
            several => self.narrowest(members, several)?,
        };
        let member_at = at.join("allOf").join(chosen.to_string());
        Some(match &members[chosen] {
            ReferenceOr::Reference { reference } => {
                Shape::Ref(nullable_if(nullable, self.reference(reference, &member_at)))
            }
            ReferenceOr::Item(schema) => match self.shape(schema, &member_at, hint) {
                Shape::Ref(ty) => {
                    Shape::Ref(nullable_if(nullable || schema.schema_data.nullable, ty))
                }
                def => def,
            },
        })
    }

    /// Among members that are all the same scalar type, the one that says
    /// most: an enum, else a format, else the first. `None` when they are
    /// not all one scalar type.
    fn narrowest(
        &mut self,
        members: &[ReferenceOr<Schema>],
        candidates: &[usize],
    ) -> Option<usize> {
        let mut scored = Vec::new();
        for &i in candidates {
            let schema = match &members[i] {
                ReferenceOr::Item(schema) => schema.clone(),
                ReferenceOr::Reference { reference } => {
                    self.schema_at(&Pointer::from_ref(reference)?)?
                }
            };
            scored.push((scalar_kind(&schema)?, specificity(&schema), i));
        }
        if scored.iter().any(|(kind, _, _)| *kind != scored[0].0) {
            return None;
        }
        // Highest specificity; the first listed among equals.
        scored
            .iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.2.cmp(&a.2)))
            .map(|(_, _, i)| *i)
    }

    /// Resolves an `allOf` member (following references and nested `allOf`s)
    /// into the object schemas it merges. False when it is not mergeable.
    pub(super) fn flatten_all_of(
        &mut self,
        member: &ReferenceOr<Schema>,
        at: &Pointer,
        out: &mut Vec<(Schema, Pointer)>,
        depth: usize,
    ) -> bool {
        if depth > 32 {
            return false;
        }
        let (schema, at) = match member {
            ReferenceOr::Reference { reference } => {
                if reference.trim().is_empty() {
                    self.local(
                        LocalKind::EmptyRef,
                        at,
                        "empty $ref".into(),
                        "the allOf member is left out",
                    );
                    return true;
                }
                let Some(target) = Pointer::from_ref(reference) else {
                    return false;
                };
                match self.schema_at(&target) {
                    Some(schema) => (schema, target),
                    None => {
                        self.local(
                            LocalKind::MissingRef,
                            at,
                            format!(
                                "$ref `{reference}` does not point to a schema in this document"
                            ),
                            "the allOf member is left out",
                        );
                        return true;
                    }
                }
            }
            ReferenceOr::Item(schema) => (schema.clone(), at.clone()),
        };
        let nested: Vec<ReferenceOr<Schema>> = match &schema.schema_kind {
            SchemaKind::AllOf { all_of } => all_of.clone(),
            SchemaKind::Any(any) => any.all_of.clone(),
            SchemaKind::Type(Type::Object(_)) => Vec::new(),
            _ => return false,
        };
        if let SchemaKind::Any(any) = &schema.schema_kind {
            if !any.one_of.is_empty()
                || !any.any_of.is_empty()
                || any.typ.as_deref().is_some_and(|t| t != "object")
            {
                return false;
            }
        }
        for (i, inner) in nested.iter().enumerate() {
            if !self.flatten_all_of(inner, &at.join("allOf").join(i.to_string()), out, depth + 1) {
                return false;
            }
        }
        out.push((schema, at));
        true
    }
}

/// The only value a schema's `enum` (or `const`) allows, when it has one.
fn single_value(schema: &Schema) -> Option<serde_json::Value> {
    use serde_json::Value;
    fn one<T: Clone>(values: &[T], to: impl Fn(T) -> Value) -> Option<Value> {
        match values {
            [only] => Some(to(only.clone())),
            _ => None,
        }
    }
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) => {
            one(&s.enumeration, |v| v.map_or(Value::Null, Value::String))
        }
        SchemaKind::Type(Type::Integer(i)) => {
            one(&i.enumeration, |v| v.map_or(Value::Null, Value::from))
        }
        SchemaKind::Type(Type::Number(n)) => {
            one(&n.enumeration, |v| v.map_or(Value::Null, Value::from))
        }
        SchemaKind::Type(Type::Boolean(b)) => {
            one(&b.enumeration, |v| v.map_or(Value::Null, Value::Bool))
        }
        SchemaKind::Any(any) => one(&any.enumeration, |v| v),
        _ => None,
    }
}

/// The JSON type of a scalar schema.
fn scalar_kind(schema: &Schema) -> Option<&'static str> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(_)) => Some("string"),
        SchemaKind::Type(Type::Integer(_)) => Some("integer"),
        SchemaKind::Type(Type::Number(_)) => Some("number"),
        SchemaKind::Type(Type::Boolean(_)) => Some("boolean"),
        SchemaKind::Any(any) => match any.typ.as_deref()? {
            t @ ("string" | "integer" | "number" | "boolean")
                if any.properties.is_empty() && any.all_of.is_empty() =>
            {
                Some(match t {
                    "string" => "string",
                    "integer" => "integer",
                    "number" => "number",
                    _ => "boolean",
                })
            }
            _ => None,
        },
        _ => None,
    }
}

/// How much a scalar schema narrows its type: 2 for an enum, 1 for a format.
fn specificity(schema: &Schema) -> u8 {
    match &schema.schema_kind {
        SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => 2,
        SchemaKind::Type(Type::Integer(i)) if !i.enumeration.is_empty() => 2,
        SchemaKind::Type(Type::Number(n)) if !n.enumeration.is_empty() => 2,
        SchemaKind::Type(Type::Boolean(b)) if !b.enumeration.is_empty() => 2,
        SchemaKind::Any(any) if !any.enumeration.is_empty() => 2,
        SchemaKind::Type(Type::String(s))
            if !matches!(s.format, VariantOrUnknownOrEmpty::Empty) =>
        {
            1
        }
        SchemaKind::Type(Type::Integer(i))
            if !matches!(i.format, VariantOrUnknownOrEmpty::Empty) =>
        {
            1
        }
        SchemaKind::Type(Type::Number(n))
            if !matches!(n.format, VariantOrUnknownOrEmpty::Empty) =>
        {
            1
        }
        SchemaKind::Any(any) if any.format.is_some() => 1,
        _ => 0,
    }
}

/// Whether an object schema (following `allOf` and references) declares a
/// property.
pub(super) fn declares_property(
    raw: &serde_json::Value,
    schema: &serde_json::Value,
    property: &str,
    depth: usize,
) -> bool {
    if depth > 16 {
        return false;
    }
    if let Some(target) = schema
        .get("$ref")
        .and_then(|r| r.as_str())
        .and_then(Pointer::from_ref)
    {
        return target
            .resolve(raw)
            .is_some_and(|s| declares_property(raw, s, property, depth + 1));
    }
    schema
        .get("properties")
        .and_then(|p| p.get(property))
        .is_some()
        || schema
            .get("allOf")
            .and_then(|a| a.as_array())
            .is_some_and(|all| {
                all.iter()
                    .any(|m| declares_property(raw, m, property, depth + 1))
            })
}

fn object_part<'s>(schema: &'s Schema, at: &Pointer) -> Option<ObjectPart<'s>> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => Some(ObjectPart {
            properties: &o.properties,
            required: &o.required,
            additional: o.additional_properties.as_ref(),
            at: at.clone(),
        }),
        SchemaKind::Any(any) => Some(ObjectPart {
            properties: &any.properties,
            required: &any.required,
            additional: any.additional_properties.as_ref(),
            at: at.clone(),
        }),
        _ => None,
    }
}
