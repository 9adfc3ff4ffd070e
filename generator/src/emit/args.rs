//! How the emitted methods take their arguments and pass parameter
//! styles to the runtime; shared by the client's methods and the mock
//! builders, so it sits below both.

use super::{ident, ty};
use crate::model::{Api, Operation, ParamStyle, TypeRef};
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

/// Path parameters are taken by value when they are `Copy` scalars, and
/// as `&str` when they are strings (a format `[formats]` keeps as text is
/// one: the model made it a plain string).
pub(super) fn path_arg_type(api: &Api, t: &TypeRef, types: &TokenStream) -> TokenStream {
    match t {
        TypeRef::String => quote!(&str),
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

/// The method a local `client` calls `op` with: `client.list`, or
/// `client.repos().get` for a grouped operation (page helpers and the
/// contract program call operations so).
pub(super) fn method_on_client(api: &Api, op: &Operation) -> TokenStream {
    let method = ident(op.call_name());
    match api.group_of(op) {
        Some(group) => {
            let accessor = ident(&group.accessor);
            quote!(client.#accessor().#method)
        }
        None => quote!(client.#method),
    }
}
