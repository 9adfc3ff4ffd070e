//! JSON Schemas → named Rust types.
//!
//! Component schemas become types named after their key. Inline schemas that
//! need a type of their own (objects with properties, string enums, unions)
//! are named from where they sit (`ValidationError` + `loc` item →
//! `ValidationErrorLocItem`); each schema position is converted once, so a
//! schema reached along two paths is one type.

use super::cycles;
use super::naming::{self, Namespace};
use super::{
    Docs, EnumDef, EnumVariant, Field, FloatKind, IntKind, StructDef, TypeDef, TypeId, TypeKind,
    TypeRef, UnionDef, UnionVariant,
};
use crate::error::{Error, Pointer, Warning};
use crate::load::Document;
use crate::load::normalize::{X_IGNORED, X_NULL, X_PREFIX_ITEMS};
use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, AnySchema, ReferenceOr, Schema, SchemaData, SchemaKind, StringFormat,
    Type, VariantOrUnknownOrEmpty,
};
use std::collections::HashMap;

/// What a schema turns into before it is given a name (or not).
enum Shape {
    /// An existing type or a type expression; no new definition needed.
    Ref(TypeRef),
    /// A new definition, named by the caller.
    Def(TypeKind),
}

/// The object-ish parts of a schema, gathered across `allOf` members.
struct ObjectPart<'s> {
    properties: &'s IndexMap<String, ReferenceOr<Box<Schema>>>,
    required: &'s [String],
    additional: Option<&'s AdditionalProperties>,
    at: Pointer,
}

pub(super) struct Converter<'a> {
    doc: &'a Document,
    types: Vec<Option<TypeDef>>,
    /// Component schemas marked `nullable: true`, by type.
    nullable: Vec<bool>,
    /// The type defined for a schema position, so it is converted once.
    by_pointer: HashMap<Pointer, TypeId>,
    /// Titled inline schemas already defined, by their JSON.
    by_content: HashMap<String, TypeId>,
    /// Schemas parsed from the raw tree (targets of deep `$ref`s).
    parsed: HashMap<Pointer, Option<Schema>>,
    names: Namespace,
    /// Where each type name was first claimed, for collision warnings.
    name_owners: HashMap<String, Pointer>,
    pub warnings: Vec<Warning>,
    pub errors: Vec<Error>,
    /// Examples found on request and response media types.
    pub examples: Vec<MediaExample>,
}

/// An example given on a media type, for the round-trip tests.
#[derive(Debug, Clone)]
pub struct MediaExample {
    pub ty: TypeRef,
    /// Snake-case context for the test name (`refresh_token_body`).
    pub context: String,
    pub value: serde_json::Value,
    pub origin: Pointer,
}

impl<'a> Converter<'a> {
    pub fn new(doc: &'a Document) -> Self {
        Converter {
            doc,
            types: Vec::new(),
            nullable: Vec::new(),
            by_pointer: HashMap::new(),
            parsed: HashMap::new(),
            by_content: HashMap::new(),
            names: Namespace::default(),
            name_owners: HashMap::new(),
            warnings: Vec::new(),
            errors: Vec::new(),
            examples: Vec::new(),
        }
    }

    pub fn warn(&mut self, at: &Pointer, message: impl Into<String>) {
        self.warnings.push(Warning {
            pointer: at.clone(),
            message: message.into(),
        });
    }

    /// Claims a name in the shared type namespace (also used for the types
    /// operations add: error enums, parameter structs).
    pub fn claim_type_name(&mut self, desired: &str, at: &Pointer) -> String {
        let (name, renamed) = self.names.claim(desired);
        if renamed {
            let owner = self
                .name_owners
                .get(desired)
                .map_or_else(|| "a built-in name".to_owned(), Pointer::to_string);
            self.warn(
                at,
                format!("type name `{desired}` is already used by {owner}; this one is `{name}`"),
            );
        }
        self.name_owners.insert(name.clone(), at.clone());
        name
    }

    fn components(&self) -> Vec<(&'a String, &'a ReferenceOr<Schema>)> {
        let mut all: Vec<_> = self
            .doc
            .openapi
            .components
            .iter()
            .flat_map(|c| c.schemas.iter())
            .collect();
        // Sorted, so that names (and collision suffixes) do not depend on
        // the order of keys in the document.
        all.sort_by(|a, b| a.0.cmp(b.0));
        all
    }

    /// Reserves a type for every component schema before any is converted,
    /// so references can be resolved in any order (and in cycles).
    pub fn register_components(&mut self) {
        let base = Pointer::root().join("components").join("schemas");
        for (key, schema) in self.components() {
            let at = base.join(key);
            let name = self.claim_type_name(&naming::type_name(key), &at);
            let nullable = schema.as_item().is_some_and(|s| s.schema_data.nullable);
            let id = self.reserve(at);
            self.nullable[id.0] = nullable;
            // Name is fixed now; the definition comes later.
            self.types[id.0] = Some(TypeDef {
                name,
                origin: Pointer::root(),
                docs: Docs::default(),
                nullable,
                kind: TypeKind::Alias(TypeRef::Any),
            });
        }
    }

    fn reserve(&mut self, at: Pointer) -> TypeId {
        let id = TypeId(self.types.len());
        self.types.push(None);
        self.nullable.push(false);
        self.by_pointer.insert(at, id);
        id
    }

    pub fn convert_components(&mut self) {
        let base = Pointer::root().join("components").join("schemas");
        for (key, schema) in self.components() {
            let at = base.join(key);
            let id = self.by_pointer[&at];
            let name = self.types[id.0]
                .as_ref()
                .map(|t| t.name.clone())
                .unwrap_or_default();
            let (kind, docs) = match schema {
                ReferenceOr::Reference { reference } => (
                    TypeKind::Alias(self.reference(reference, &at)),
                    Docs::default(),
                ),
                ReferenceOr::Item(schema) => {
                    let docs = docs(schema, key);
                    let kind = match self.shape(schema, &at, &name) {
                        Shape::Def(kind) => kind,
                        Shape::Ref(ty) => TypeKind::Alias(ty),
                    };
                    (kind, docs)
                }
            };
            let nullable = self.nullable[id.0];
            self.types[id.0] = Some(TypeDef {
                name,
                origin: at,
                docs,
                nullable,
                kind,
            });
        }
    }

    /// Converts a schema in a position that takes a type (a property, an
    /// item, a body); `hint` names a new type if one is needed.
    pub fn convert(&mut self, schema: &ReferenceOr<Schema>, at: &Pointer, hint: &str) -> TypeRef {
        match schema {
            ReferenceOr::Reference { reference } => self.reference(reference, at),
            ReferenceOr::Item(schema) => self.convert_schema(schema, at, hint),
        }
    }

    fn convert_boxed(
        &mut self,
        schema: &ReferenceOr<Box<Schema>>,
        at: &Pointer,
        hint: &str,
    ) -> TypeRef {
        match schema {
            ReferenceOr::Reference { reference } => self.reference(reference, at),
            ReferenceOr::Item(schema) => self.convert_schema(schema, at, hint),
        }
    }

    pub fn convert_schema(&mut self, schema: &Schema, at: &Pointer, hint: &str) -> TypeRef {
        // An inline schema with a title names a concept; the same titled
        // schema repeated inline (common in generated specs) is one type.
        let content_key = schema
            .schema_data
            .title
            .as_ref()
            .and_then(|_| serde_json::to_string(schema).ok());
        if let Some(id) = content_key
            .as_ref()
            .and_then(|key| self.by_content.get(key))
        {
            return nullable_if(schema.schema_data.nullable, TypeRef::Named(*id));
        }
        let base = match self.by_pointer.get(at) {
            Some(id) => TypeRef::Named(*id),
            None => match self.shape(schema, at, hint) {
                Shape::Ref(ty) => ty,
                Shape::Def(kind) => {
                    let docs = docs(schema, hint);
                    let id = self.define(hint, at, docs, kind);
                    if let Some(key) = content_key {
                        self.by_content.insert(key, id);
                    }
                    TypeRef::Named(id)
                }
            },
        };
        nullable_if(schema.schema_data.nullable, base)
    }

    fn define(&mut self, hint: &str, at: &Pointer, docs: Docs, kind: TypeKind) -> TypeId {
        let name = self.claim_type_name(&naming::type_name(hint), at);
        let id = self.reserve(at.clone());
        self.types[id.0] = Some(TypeDef {
            name,
            origin: at.clone(),
            docs,
            nullable: false,
            kind,
        });
        id
    }

    /// Resolves a `$ref` to the type at its target.
    pub fn reference(&mut self, reference: &str, at: &Pointer) -> TypeRef {
        let Some(target) = Pointer::from_ref(reference) else {
            self.errors.push(Error::invalid(
                at,
                format!("external $ref `{reference}` is not supported; bundle the document into one file first (e.g. `redocly bundle`)"),
            ));
            return TypeRef::Any;
        };
        if let Some(&id) = self.by_pointer.get(&target) {
            return nullable_if(self.nullable[id.0], TypeRef::Named(id));
        }
        let segments: Vec<String> = target.segments().collect();
        if segments.first().map(String::as_str) == Some("components")
            && segments.get(1).is_some_and(|kind| kind != "schemas")
        {
            self.errors.push(Error::invalid(
                at,
                format!(
                    "$ref `{reference}` points to a {} component where a schema is expected",
                    segments[1]
                ),
            ));
            return TypeRef::Any;
        }
        let Some(schema) = self.schema_at(&target) else {
            self.errors.push(Error::invalid(
                at,
                format!(
                    "$ref `{reference}` does not point to a schema in this document{}",
                    self.suggestion(&segments)
                ),
            ));
            return TypeRef::Any;
        };
        let hint = segments.last().cloned().unwrap_or_default();
        // Reserve first: the target may refer back to itself.
        let id = self.reserve(target.clone());
        let name = self.claim_type_name(&naming::type_name(&hint), &target);
        let docs = docs(&schema, &hint);
        let kind = match self.shape(&schema, &target, &name) {
            Shape::Def(kind) => kind,
            Shape::Ref(ty) => TypeKind::Alias(ty),
        };
        self.nullable[id.0] = schema.schema_data.nullable;
        self.types[id.0] = Some(TypeDef {
            name,
            origin: target,
            docs,
            nullable: schema.schema_data.nullable,
            kind,
        });
        nullable_if(schema.schema_data.nullable, TypeRef::Named(id))
    }

    /// Whether a type is (an alias of) a struct, following names.
    pub fn is_struct(&self, ty: &TypeRef) -> bool {
        let mut ty = ty;
        for _ in 0..32 {
            match ty {
                TypeRef::Named(id) => match self.types[id.0].as_ref().map(|t| &t.kind) {
                    Some(TypeKind::Struct(_)) => return true,
                    Some(TypeKind::Alias(target)) => ty = target,
                    _ => return false,
                },
                TypeRef::Nullable(inner) => ty = inner,
                _ => return false,
            }
        }
        false
    }

    /// "; did you mean ...?" for a missing component schema with a close name.
    fn suggestion(&self, segments: &[String]) -> String {
        let [first, kind, name] = segments else {
            return String::new();
        };
        if first != "components" || kind != "schemas" {
            return String::new();
        }
        let closest = self
            .components()
            .into_iter()
            .map(|(key, _)| (naming::edit_distance(key, name), key))
            .filter(|(d, key)| *d <= 2.max(key.len() / 4))
            .min();
        match closest {
            Some((_, key)) => format!(" (did you mean `#/components/schemas/{key}`?)"),
            None => String::new(),
        }
    }

    /// The schema at a pointer, parsed from the normalised tree.
    fn schema_at(&mut self, target: &Pointer) -> Option<Schema> {
        if let Some(cached) = self.parsed.get(target) {
            return cached.clone();
        }
        let parsed = target
            .resolve(&self.doc.raw)
            .and_then(|v| serde_json::from_value::<Schema>(v.clone()).ok());
        self.parsed.insert(target.clone(), parsed.clone());
        parsed
    }

    fn shape(&mut self, schema: &Schema, at: &Pointer, hint: &str) -> Shape {
        if let Some(serde_json::Value::Array(ignored)) =
            schema.schema_data.extensions.get(X_IGNORED)
        {
            let names: Vec<String> = ignored
                .iter()
                .filter_map(|k| k.as_str())
                .map(|k| format!("`{k}`"))
                .collect();
            self.warn(
                at,
                format!(
                    "{} not represented in the generated type; values are not checked against it",
                    names.join(", ")
                ),
            );
        }
        if schema.schema_data.extensions.get(X_NULL) == Some(&serde_json::Value::Bool(true)) {
            return Shape::Ref(TypeRef::Any);
        }
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                let values: Vec<String> = s.enumeration.iter().flatten().cloned().collect();
                if values.is_empty() {
                    Shape::Ref(string_format(&format_name(&s.format)))
                } else {
                    Shape::Def(TypeKind::Enum(enum_def(&values)))
                }
            }
            SchemaKind::Type(Type::Integer(i)) => {
                Shape::Ref(TypeRef::Integer(int_kind(&format_name(&i.format))))
            }
            SchemaKind::Type(Type::Number(n)) => {
                Shape::Ref(TypeRef::Float(float_kind(&format_name(&n.format))))
            }
            SchemaKind::Type(Type::Boolean(_)) => Shape::Ref(TypeRef::Bool),
            SchemaKind::Type(Type::Object(o)) => {
                let part = ObjectPart {
                    properties: &o.properties,
                    required: &o.required,
                    additional: o.additional_properties.as_ref(),
                    at: at.clone(),
                };
                self.object_shape(vec![part], hint)
            }
            SchemaKind::Type(Type::Array(a)) => {
                Shape::Ref(self.array(a.items.as_ref(), &schema.schema_data, at, hint))
            }
            SchemaKind::AllOf { all_of } => self.all_of_shape(all_of, None, at, hint),
            SchemaKind::OneOf { one_of } => {
                self.discriminated(one_of, &schema.schema_data, &at.join("oneOf"), hint)
            }
            SchemaKind::AnyOf { any_of } => {
                self.discriminated(any_of, &schema.schema_data, &at.join("anyOf"), hint)
            }
            SchemaKind::Not { .. } => {
                self.warn(
                    at,
                    "`not` cannot be expressed as a Rust type; using serde_json::Value",
                );
                Shape::Ref(TypeRef::Any)
            }
            SchemaKind::Any(any) => self.any_shape(any, &schema.schema_data, at, hint),
        }
    }

    fn array(
        &mut self,
        items: Option<&ReferenceOr<Box<Schema>>>,
        data: &SchemaData,
        at: &Pointer,
        hint: &str,
    ) -> TypeRef {
        if let Some(serde_json::Value::Array(members)) = data.extensions.get(X_PREFIX_ITEMS) {
            if items.is_none() && !members.is_empty() {
                return self.tuple(members, at, hint);
            }
            self.warn(
                at,
                "tuple with additional `items` is represented as an array of serde_json::Value",
            );
            return TypeRef::Array(Box::new(TypeRef::Any));
        }
        let item = match items {
            Some(items) => self.convert_boxed(items, &at.join("items"), &format!("{hint}Item")),
            None => TypeRef::Any,
        };
        TypeRef::Array(Box::new(item))
    }

    fn tuple(&mut self, members: &[serde_json::Value], at: &Pointer, hint: &str) -> TypeRef {
        let mut tys = Vec::new();
        for (i, member) in members.iter().enumerate() {
            let member_at = at.join("prefixItems").join(i.to_string());
            let ty = match serde_json::from_value::<ReferenceOr<Schema>>(member.clone()) {
                Ok(schema) => self.convert(&schema, &member_at, &format!("{hint}{}", i + 1)),
                Err(e) => {
                    self.errors.push(Error::invalid(
                        &member_at,
                        format!("invalid tuple member schema: {e}"),
                    ));
                    TypeRef::Any
                }
            };
            tys.push(ty);
        }
        TypeRef::Tuple(tys)
    }

    /// `openapiv3` puts schemas whose keywords mix kinds here; read them by
    /// what they contain.
    fn any_shape(&mut self, any: &AnySchema, data: &SchemaData, at: &Pointer, hint: &str) -> Shape {
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
                if has_object_keywords {
                    self.warn(
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
            None if any.items.is_some() || data.extensions.contains_key(X_PREFIX_ITEMS) => {
                Shape::Ref(self.array(any.items.as_ref(), data, at, hint))
            }
            Some("string") | None if all_strings && !strings.is_empty() => {
                Shape::Def(TypeKind::Enum(enum_def(&strings)))
            }
            Some("string") => Shape::Ref(string_format(any.format.as_deref().unwrap_or(""))),
            Some("integer") => Shape::Ref(TypeRef::Integer(int_kind(
                any.format.as_deref().unwrap_or(""),
            ))),
            Some("number") => Shape::Ref(TypeRef::Float(float_kind(
                any.format.as_deref().unwrap_or(""),
            ))),
            Some("boolean") => Shape::Ref(TypeRef::Bool),
            _ => Shape::Ref(TypeRef::Any),
        }
    }

    fn object_shape(&mut self, parts: Vec<ObjectPart<'_>>, hint: &str) -> Shape {
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
                let data = schema.as_item().map(|s| &s.schema_data);
                let sensitive = naming::is_sensitive_name(wire)
                    || data.is_some_and(|d| {
                        d.extensions.get("x-sensitive") == Some(&serde_json::Value::Bool(true))
                    })
                    || schema.as_item().is_some_and(|s| is_password(s));
                if !wire.chars().any(|c| c.is_ascii_alphanumeric()) {
                    self.warn(&pat, format!("property name `{wire}` has no ASCII letters or digits for a Rust name; the field is named after its position"));
                }
                let (name, renamed) = names.claim(&naming::field_name(wire));
                if renamed {
                    self.warn(
                        &pat,
                        format!(
                            "field name collides after conversion to snake_case; using `{name}`"
                        ),
                    );
                }
                let required = required.contains(&wire);
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
                    docs: schema.as_item().map(|s| docs(s, wire)).unwrap_or_default(),
                });
            }
        }
        Shape::Def(TypeKind::Struct(StructDef {
            fields,
            additional: additional_ty,
        }))
    }

    fn all_of_shape(
        &mut self,
        members: &[ReferenceOr<Schema>],
        own: Option<ObjectPart<'_>>,
        at: &Pointer,
        hint: &str,
    ) -> Shape {
        let own_empty = own.as_ref().is_none_or(|o| {
            o.properties.is_empty() && o.additional.is_none() && o.required.is_empty()
        });
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
                self.warn(&member_at, "allOf member is not an object schema; the combination is represented as serde_json::Value");
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

    /// Resolves an `allOf` member (following references and nested `allOf`s)
    /// into the object schemas it merges. False when it is not mergeable.
    fn flatten_all_of(
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
                let Some(target) = Pointer::from_ref(reference) else {
                    return false;
                };
                match self.schema_at(&target) {
                    Some(schema) => (schema, target),
                    None => {
                        self.errors.push(Error::invalid(
                            at,
                            format!(
                                "$ref `{reference}` does not point to a schema in this document"
                            ),
                        ));
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

    /// A union with a `discriminator` becomes a tagged enum when every
    /// member is a reference to an object schema; otherwise an untagged one.
    fn discriminated(
        &mut self,
        members: &[ReferenceOr<Schema>],
        data: &SchemaData,
        at: &Pointer,
        hint: &str,
    ) -> Shape {
        let Some(discriminator) = &data.discriminator else {
            return self.union_shape(members, at, hint);
        };
        let refs: Option<Vec<&str>> = members
            .iter()
            .map(|m| match m {
                ReferenceOr::Reference { reference } => Some(reference.as_str()),
                ReferenceOr::Item(_) => None,
            })
            .collect();
        let Some(refs) = refs.filter(|r| r.len() > 1) else {
            self.warn(
                at,
                "discriminator with inline members is treated as an untagged union",
            );
            return self.union_shape(members, at, hint);
        };
        let tag = discriminator.property_name.clone();
        let mut names = Namespace::default();
        let mut variants = Vec::new();
        for (i, reference) in refs.iter().enumerate() {
            if refs[..i].contains(reference) {
                continue; // listed twice; its mapping values are gathered once
            }
            let ty = self.reference(reference, &at.join(i.to_string()));
            let (ty, _) = ty.strip_nullable();
            let key = reference.rsplit('/').next().unwrap_or_default().to_owned();
            // Explicit mapping values first; the schema name is the default.
            let mut values: Vec<String> = discriminator
                .mapping
                .iter()
                .filter(|(_, target)| target.as_str() == *reference || target.as_str() == key)
                .map(|(value, _)| value.clone())
                .collect();
            if values.is_empty() {
                values.push(key.clone());
            }
            let target = Pointer::from_ref(reference);
            let has_tag_field = target
                .and_then(|t| t.resolve(&self.doc.raw))
                .is_some_and(|schema| declares_property(&self.doc.raw, schema, &tag, 0));
            let (name, _) = names.claim(&naming::type_name(&key));
            variants.push(super::TaggedVariant {
                name,
                values,
                ty,
                has_tag_field,
                boxed: false,
            });
        }
        Shape::Def(TypeKind::Tagged(super::TaggedDef { tag, variants }))
    }

    fn union_shape(&mut self, members: &[ReferenceOr<Schema>], at: &Pointer, hint: &str) -> Shape {
        let mut tys: Vec<TypeRef> = Vec::new();
        for (i, member) in members.iter().enumerate() {
            let member_hint = match member
                .as_item()
                .and_then(|s| s.schema_data.title.as_deref())
            {
                Some(title) => naming::type_name(title),
                None => format!("{hint}Variant{}", i + 1),
            };
            let ty = self.convert(member, &at.join(i.to_string()), &member_hint);
            if !tys.contains(&ty) {
                tys.push(ty);
            }
        }
        if tys.len() == 1 {
            return Shape::Ref(tys.remove(0));
        }
        let mut names = Namespace::default();
        let variants = tys
            .into_iter()
            .map(|ty| {
                let (name, _) = names.claim(&self.variant_label(&ty));
                UnionVariant {
                    name,
                    ty,
                    boxed: false,
                }
            })
            .collect();
        Shape::Def(TypeKind::Union(UnionDef { variants }))
    }

    fn variant_label(&self, ty: &TypeRef) -> String {
        match ty {
            TypeRef::Named(id) => self.types[id.0]
                .as_ref()
                .map(|t| t.name.clone())
                .unwrap_or_else(|| "Variant".into()),
            TypeRef::String => "String".into(),
            TypeRef::Bool => "Boolean".into(),
            TypeRef::Integer(_) => "Integer".into(),
            TypeRef::Float(_) => "Number".into(),
            TypeRef::Any => "Value".into(),
            TypeRef::Object => "Object".into(),
            TypeRef::Array(inner) => format!("{}List", self.variant_label(inner)),
            TypeRef::Map(inner) => format!("{}Map", self.variant_label(inner)),
            TypeRef::Nullable(inner) => self.variant_label(inner),
            TypeRef::DateTime => "DateTime".into(),
            TypeRef::Date => "Date".into(),
            TypeRef::Uuid => "Uuid".into(),
            TypeRef::Binary => "Binary".into(),
            TypeRef::Tuple(_) => "Tuple".into(),
        }
    }

    /// Hands back the finished types, with recursion boxed.
    pub fn finish(self) -> (Vec<TypeDef>, Vec<Warning>, Vec<Error>) {
        let mut types: Vec<TypeDef> = self
            .types
            .into_iter()
            .map(|t| {
                t.unwrap_or_else(|| TypeDef {
                    name: "Unresolved".into(),
                    origin: Pointer::root(),
                    docs: Docs::default(),
                    nullable: false,
                    kind: TypeKind::Alias(TypeRef::Any),
                })
            })
            .collect();
        let mut warnings = self.warnings;
        cycles::order_union_variants(&mut types);
        warnings.extend(cycles::box_recursion(&mut types));
        (types, warnings, self.errors)
    }
}

/// Whether an object schema (following `allOf` and references) declares a
/// property.
fn declares_property(
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

fn nullable_if(nullable: bool, ty: TypeRef) -> TypeRef {
    match ty {
        TypeRef::Nullable(_) | TypeRef::Any => ty,
        ty if nullable => TypeRef::Nullable(Box::new(ty)),
        ty => ty,
    }
}

fn is_password(schema: &Schema) -> bool {
    matches!(
        &schema.schema_kind,
        SchemaKind::Type(Type::String(s)) if matches!(s.format, VariantOrUnknownOrEmpty::Item(StringFormat::Password))
    )
}

fn format_name<T: serde::Serialize>(format: &VariantOrUnknownOrEmpty<T>) -> String {
    match format {
        VariantOrUnknownOrEmpty::Item(item) => serde_json::to_value(item)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        VariantOrUnknownOrEmpty::Unknown(s) => s.clone(),
        VariantOrUnknownOrEmpty::Empty => String::new(),
    }
}

/// String formats with a well-known Rust type; the rest stay `String`.
fn string_format(format: &str) -> TypeRef {
    match format {
        "date-time" => TypeRef::DateTime,
        "date" => TypeRef::Date,
        "uuid" => TypeRef::Uuid,
        "binary" => TypeRef::Binary,
        _ => TypeRef::String,
    }
}

fn int_kind(format: &str) -> IntKind {
    match format {
        "int8" => IntKind::I8,
        "int16" => IntKind::I16,
        "int32" => IntKind::I32,
        "uint8" => IntKind::U8,
        "uint16" => IntKind::U16,
        "uint32" => IntKind::U32,
        "uint64" | "uint" => IntKind::U64,
        _ => IntKind::I64,
    }
}

fn float_kind(format: &str) -> FloatKind {
    match format {
        "float" => FloatKind::F32,
        _ => FloatKind::F64,
    }
}

fn enum_def(values: &[String]) -> EnumDef {
    let mut names = Namespace::default();
    let mut variants = Vec::new();
    for value in values {
        if variants.iter().any(|v: &EnumVariant| &v.value == value) {
            continue;
        }
        let (name, _) = names.claim(&naming::variant_name(value));
        variants.push(EnumVariant {
            name,
            value: value.clone(),
        });
    }
    let catch_all = (variants.len() > 1).then(|| names.claim("Unknown").0);
    EnumDef {
        variants,
        catch_all,
    }
}

/// Documentation from `title` and `description`. FastAPI derives titles
/// from names (`organization_id` → "Organization Id"); such a title says
/// nothing the name does not, so it is left out.
pub(super) fn docs(schema: &Schema, name: &str) -> Docs {
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
            let values: Vec<String> = i
                .enumeration
                .iter()
                .flatten()
                .map(|v| format!("`{v}`"))
                .collect();
            if !values.is_empty() {
                facts.push(format!("One of {}.", values.join(", ")));
            }
        }
        SchemaKind::Type(Type::Number(n)) => {
            facts.extend(bounds(
                n.minimum.map(number),
                n.maximum.map(number),
                n.exclusive_minimum,
                n.exclusive_maximum,
            ));
            let values: Vec<String> = n
                .enumeration
                .iter()
                .flatten()
                .map(|v| format!("`{v}`"))
                .collect();
            if !values.is_empty() {
                facts.push(format!("One of {}.", values.join(", ")));
            }
        }
        SchemaKind::Type(Type::Boolean(b)) => {
            let values: Vec<String> = b
                .enumeration
                .iter()
                .flatten()
                .map(|v| format!("`{v}`"))
                .collect();
            if !values.is_empty() {
                facts.push(format!("One of {}.", values.join(", ")));
            }
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
            let values: Vec<String> = any.enumeration.iter().map(code).collect();
            facts.push(format!("One of {}.", values.join(", ")));
        }
        _ => {}
    }
    facts
}
