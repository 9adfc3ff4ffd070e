//! Scalar schemas: formats, integer and float kinds, and string enums.

use super::super::naming::{self, Namespace};
use crate::model::{EnumDef, EnumVariant, FloatKind, Formats, IntKind, TimeCrate, TypeRef};
use openapiv3::VariantOrUnknownOrEmpty;

pub(super) fn format_name<T: serde::Serialize>(format: &VariantOrUnknownOrEmpty<T>) -> String {
    match format {
        VariantOrUnknownOrEmpty::Item(item) => serde_json::to_value(item)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        VariantOrUnknownOrEmpty::Unknown(s) => s.clone(),
        VariantOrUnknownOrEmpty::Empty => String::new(),
    }
}

/// String formats with a well-known Rust type, unless `[formats]` keeps
/// them as text; the rest stay `String`.
pub(super) fn string_format(format: &str, formats: Formats) -> TypeRef {
    match format {
        "date-time" if formats.date_time != TimeCrate::Text => TypeRef::DateTime,
        "date" if formats.date != TimeCrate::Text => TypeRef::Date,
        "uuid" if formats.uuid => TypeRef::Uuid,
        "decimal" if formats.decimal => TypeRef::Decimal,
        "binary" => TypeRef::Binary,
        _ => TypeRef::String,
    }
}

pub(super) fn int_kind(format: &str) -> IntKind {
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

/// `format: float` is `f32` only when the schema's bounds keep every value
/// within `f32`'s range; otherwise a large value (`1.79e308`) would decode
/// to infinity and re-encode as `null`, so it is `f64`.
pub(super) fn float_kind(format: &str, minimum: Option<f64>, maximum: Option<f64>) -> FloatKind {
    let fits = |bound: Option<f64>| bound.is_some_and(|b| b.abs() <= f64::from(f32::MAX));
    if format == "float" && fits(minimum) && fits(maximum) {
        FloatKind::F32
    } else {
        FloatKind::F64
    }
}

pub(super) fn enum_def(values: &[String]) -> EnumDef {
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
