//! How the emitted methods take their arguments and pass parameter
//! styles to the runtime; shared by the client's methods and the mock
//! builders, so it sits below both.

use super::ty;
use crate::model::{Api, ParamStyle, TimeCrate, TypeRef};
use proc_macro2::TokenStream;
use quote::quote;

pub(super) fn style(style: ParamStyle) -> TokenStream {
    match style {
        ParamStyle::Simple => quote!(Style::Simple),
        ParamStyle::Label => quote!(Style::Label),
        ParamStyle::Matrix => quote!(Style::Matrix),
        ParamStyle::Form => quote!(Style::Form),
        ParamStyle::SpaceDelimited => quote!(Style::SpaceDelimited),
        ParamStyle::PipeDelimited => quote!(Style::PipeDelimited),
        ParamStyle::DeepObject => quote!(Style::DeepObject),
    }
}

/// Whether a path parameter is taken by value: a `Copy` scalar.
pub(super) fn path_arg_by_value(t: &TypeRef) -> bool {
    matches!(t, TypeRef::Bool | TypeRef::Integer(_) | TypeRef::Float(_))
}

/// Whether a type is a `String` in Rust: a string, or a formatted one
/// that `[formats]` keeps as text.
pub(super) fn is_text(api: &Api, t: &TypeRef) -> bool {
    match t {
        TypeRef::String => true,
        TypeRef::DateTime => api.formats.date_time == TimeCrate::Text,
        TypeRef::Date => api.formats.date == TimeCrate::Text,
        TypeRef::Uuid => !api.formats.uuid,
        TypeRef::Decimal => !api.formats.decimal,
        _ => false,
    }
}

/// Path parameters are taken by value when they are `Copy` scalars, and
/// as `&str` when they are text.
pub(super) fn path_arg_type(api: &Api, t: &TypeRef, types: &TokenStream) -> TokenStream {
    match t {
        t if is_text(api, t) => quote!(&str),
        t if path_arg_by_value(t) => ty(api, t, types),
        other => borrowed_type(api, other, types),
    }
}

/// A value's type as an argument: by reference, arrays as slices.
pub(super) fn borrowed_type(api: &Api, t: &TypeRef, types: &TokenStream) -> TokenStream {
    match t {
        TypeRef::Array(item) => {
            let item = ty(api, item, types);
            quote!(&[#item])
        }
        other => {
            let t = ty(api, other, types);
            quote!(&#t)
        }
    }
}
