//! Unions: untagged `oneOf`/`anyOf`, and unions tagged by a discriminator.

use super::objects::declares_property;
use super::{Converter, Shape};
use crate::error::Pointer;
use crate::error::WarningKind;
use crate::model::aliases::{self, Nulls};
use crate::model::naming::{self, Namespace};
use crate::model::{TaggedDef, TaggedVariant, TypeDef, TypeKind, TypeRef, UnionDef, UnionVariant};
use openapiv3::{ReferenceOr, Schema, SchemaData, SchemaKind, Type};

impl Converter<'_> {
    /// A union with a `discriminator` becomes a tagged enum when every
    /// member is a reference to an object schema; otherwise an untagged one.
    pub(super) fn discriminated(
        &mut self,
        members: &[ReferenceOr<Schema>],
        data: &SchemaData,
        at: &Pointer,
        hint: &str,
    ) -> Shape {
        let Some(discriminator) = &data.discriminator else {
            if let Some(tagged) = self.implicitly_tagged(members, at, hint) {
                return tagged;
            }
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
                WarningKind::Loosened,
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
            variants.push(TaggedVariant {
                name,
                values,
                ty,
                has_tag_field,
                boxed: false,
            });
        }
        Shape::Def(TypeKind::Tagged(TaggedDef { tag, variants }))
    }

    /// A union without a discriminator whose members are all objects that
    /// require one common property, each member with a different single
    /// string value for it (`{type: {enum: [vpc]}, value: ...}`): the
    /// property tells the members apart as a discriminator would, so the
    /// union is tagged by it. Inline members become structs of their other
    /// properties, named after their tag value; a referenced member keeps
    /// its own type (and serialises the tag itself).
    fn implicitly_tagged(
        &mut self,
        members: &[ReferenceOr<Schema>],
        at: &Pointer,
        hint: &str,
    ) -> Option<Shape> {
        if members.len() < 2 {
            return None;
        }
        let schemas: Vec<Schema> = members
            .iter()
            .map(|member| match member {
                ReferenceOr::Item(schema) => Some(schema.clone()),
                ReferenceOr::Reference { reference } => {
                    self.schema_at(&Pointer::from_ref(reference)?)
                }
            })
            .collect::<Option<_>>()?;
        let tag = tag_candidates(&schemas[0]).into_iter().find(|candidate| {
            let values: Option<Vec<String>> = schemas
                .iter()
                .map(|schema| tag_value(schema, candidate))
                .collect();
            values.is_some_and(|values| {
                values
                    .iter()
                    .enumerate()
                    .all(|(i, value)| !values[..i].contains(value))
            })
        })?;
        let mut names = Namespace::default();
        let mut variants = Vec::new();
        for (i, (member, schema)) in members.iter().zip(&schemas).enumerate() {
            let value = tag_value(schema, &tag)?;
            let member_at = at.join(i.to_string());
            // Named as a discriminator's variants are: after the schema a
            // member refers to, else after its tag value.
            let (name, _) = names.claim(&match member {
                ReferenceOr::Reference { reference } => {
                    naming::type_name(reference.rsplit('/').next().unwrap_or_default())
                }
                ReferenceOr::Item(_) => naming::variant_name(&value),
            });
            let (ty, has_tag_field) = match member {
                ReferenceOr::Reference { reference } => {
                    (self.reference(reference, &member_at), true)
                }
                ReferenceOr::Item(schema) => {
                    let untagged = without_property(schema, &tag);
                    let ty = self.convert_schema(&untagged, &member_at, &format!("{hint}{name}"));
                    (ty, false)
                }
            };
            let (ty, _) = ty.strip_nullable();
            variants.push(TaggedVariant {
                name,
                values: vec![value],
                ty,
                has_tag_field,
                boxed: false,
            });
        }
        Some(Shape::Def(TypeKind::Tagged(TaggedDef { tag, variants })))
    }

    pub(super) fn union_shape(
        &mut self,
        members: &[ReferenceOr<Schema>],
        at: &Pointer,
        hint: &str,
    ) -> Shape {
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
                    constants: Vec::new(),
                    known_fields: None,
                }
            })
            .collect();
        Shape::Def(TypeKind::Union(UnionDef { variants }))
    }

    pub(super) fn variant_label(&self, ty: &TypeRef) -> String {
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
            TypeRef::Decimal => "Decimal".into(),
            TypeRef::Binary => "Binary".into(),
            TypeRef::Tuple(_) => "Tuple".into(),
        }
    }
}

/// The properties of an object schema that could be an implicit tag: the
/// required ones.
fn tag_candidates(schema: &Schema) -> Vec<String> {
    match object_members(schema) {
        Some((properties, required)) => properties
            .keys()
            .filter(|name| required.contains(name))
            .cloned()
            .collect(),
        None => Vec::new(),
    }
}

/// The single string value an object schema requires for `property`.
fn tag_value(schema: &Schema, property: &str) -> Option<String> {
    if schema.schema_data.nullable {
        return None;
    }
    let (properties, required) = object_members(schema)?;
    if !required.iter().any(|r| r == property) {
        return None;
    }
    let ReferenceOr::Item(property) = properties.get(property)? else {
        return None;
    };
    match &property.schema_kind {
        SchemaKind::Type(Type::String(s)) => match s.enumeration.as_slice() {
            [Some(value)] => Some(value.clone()),
            _ => None,
        },
        SchemaKind::Any(any) => match any.enumeration.as_slice() {
            [serde_json::Value::String(value)] => Some(value.clone()),
            _ => None,
        },
        _ => None,
    }
}

type Properties = indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>;

/// The properties and required names of a plain object schema (no
/// composition, which would make the tag's place uncertain).
fn object_members(schema: &Schema) -> Option<(&Properties, &Vec<String>)> {
    match &schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => Some((&o.properties, &o.required)),
        SchemaKind::Any(any)
            if any.all_of.is_empty()
                && any.one_of.is_empty()
                && any.any_of.is_empty()
                && any.typ.as_deref().is_none_or(|t| t == "object") =>
        {
            Some((&any.properties, &any.required))
        }
        _ => None,
    }
}

/// An object schema without one of its properties (the tag, which the
/// union writes and reads).
fn without_property(schema: &Schema, property: &str) -> Schema {
    let mut schema = schema.clone();
    match &mut schema.schema_kind {
        SchemaKind::Type(Type::Object(o)) => {
            o.properties.shift_remove(property);
            o.required.retain(|r| r != property);
        }
        SchemaKind::Any(any) => {
            any.properties.shift_remove(property);
            any.required.retain(|r| r != property);
        }
        _ => {}
    }
    schema
}

/// Fills in what tells each untagged union variant apart (its constants
/// and the properties it keeps), once every type is defined.
pub(super) fn describe_variants(types: &mut [TypeDef]) {
    let described: Vec<Vec<Described>> = types
        .iter()
        .map(|t| match &t.kind {
            TypeKind::Union(u) => u.variants.iter().map(|v| describe(types, &v.ty)).collect(),
            _ => Vec::new(),
        })
        .collect();
    for (t, described) in types.iter_mut().zip(described) {
        if let TypeKind::Union(u) = &mut t.kind {
            for (v, (constants, known)) in u.variants.iter_mut().zip(described) {
                v.constants = constants;
                v.known_fields = known;
            }
        }
    }
}

type Described = (Vec<(String, serde_json::Value, bool)>, Option<Vec<String>>);

fn describe(types: &[TypeDef], ty: &TypeRef) -> Described {
    let kind_of = |id: crate::model::TypeId| types.get(id.0).map(|t| &t.kind);
    let TypeRef::Named(id) = aliases::resolve(ty, types.len(), Nulls::LookedThrough, kind_of)
    else {
        return (Vec::new(), None);
    };
    let Some(TypeKind::Struct(s)) = kind_of(*id) else {
        return (Vec::new(), None);
    };
    let constants = s
        .fields
        .iter()
        .filter_map(|f| {
            let value = f.constant.clone()?;
            // Objects and arrays as constants are left to the variant's
            // own type.
            (!value.is_object() && !value.is_array())
                .then(|| (f.wire_name.clone(), value, f.required && !f.nullable))
        })
        .collect();
    let known = s
        .additional
        .is_none()
        .then(|| s.fields.iter().map(|f| f.wire_name.clone()).collect());
    (constants, known)
}
