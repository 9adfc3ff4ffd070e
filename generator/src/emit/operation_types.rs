//! Types an operation adds to `types.rs`: its error and success enums,
//! its parameter struct and its multipart form struct.

use super::debug::{DebugField, redacted_debug_impl};
use super::{docs, ident, option_type, string_type, ty, vec_type};
use crate::model::{
    Api, Field, Operation, ParamLocation, ResponseBody, ResponseCase, StatusMatch, TypeKind,
    TypeRef,
};
use proc_macro2::TokenStream;
use quote::quote;

pub fn error_enum(api: &Api, op: &Operation, here: &TokenStream) -> Option<TokenStream> {
    let method = &op.method_name;
    let summary =
        format!(" Error responses declared for [`Client::{method}`](crate::Client::{method}).");
    Some(response_enum(
        api,
        op.error_type.as_deref()?,
        &summary,
        &op.errors,
        here,
    ))
}

pub fn success_enum(api: &Api, op: &Operation, here: &TokenStream) -> Option<TokenStream> {
    let method = &op.method_name;
    let summary = format!(
        " Successful responses of [`Client::{method}`](crate::Client::{method}), one variant per status."
    );
    Some(response_enum(
        api,
        op.success_type.as_deref()?,
        &summary,
        &op.successes,
        here,
    ))
}

/// An enum with a variant per response case, holding its body.
fn response_enum(
    api: &Api,
    name: &str,
    summary: &str,
    cases: &[ResponseCase],
    here: &TokenStream,
) -> TokenStream {
    let name = ident(name);
    let variants = cases.iter().map(|case| {
        let variant = ident(&case.variant);
        let status = match case.status {
            StatusMatch::Code(c) => format!("status {c}"),
            StatusMatch::Range(r) => format!("status {r}XX"),
            StatusMatch::Default => "any other status".into(),
        };
        let doc = if case.description.trim().is_empty() {
            format!(" Response for {status}.")
        } else {
            format!(
                " {} ({status}).",
                case.description.trim().trim_end_matches('.')
            )
        };
        let payload = match &case.body {
            ResponseBody::Empty => quote!(),
            ResponseBody::Json(t) => {
                let t = ty(api, t, here);
                quote!((#t))
            }
            ResponseBody::Text => {
                let string = string_type(api);
                quote!((#string))
            }
            ResponseBody::Bytes => {
                let vec = vec_type(api);
                quote!((#vec<u8>))
            }
        };
        quote! { #[doc = #doc] #variant #payload, }
    });
    quote! {
        #[doc = #summary]
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#variants)*
        }
    }
}

/// The struct a caller fills for a multipart body: the body schema's
/// fields, with `format: binary` ones as files.
pub fn form_struct(api: &Api, op: &Operation, here: &TokenStream) -> Option<TokenStream> {
    let body = op.body.as_ref()?;
    let name = ident(body.form_type.as_deref()?);
    let fields = form_fields(api, &body.ty)?;
    let method = &op.method_name;
    let summary = format!(
        " The `multipart/form-data` body of [`Client::{method}`](crate::Client::{method})."
    );
    let option = option_type(api);
    let entries = fields.iter().map(|f| {
        let field = ident(&f.name);
        let mut t = match form_file(&f.ty) {
            Some(FormFile::One) => quote!(crate::FilePart),
            Some(FormFile::Many) => {
                let vec = vec_type(api);
                quote!(#vec<crate::FilePart>)
            }
            None => ty(api, &f.ty, here),
        };
        if f.is_option() {
            t = quote!(#option<#t>);
        }
        let doc = docs(&f.docs);
        quote! { #doc pub #field: #t, }
    });
    let derive_default = fields.iter().all(|f| !f.required).then(|| quote!(Default,));
    Some(quote! {
        #[doc = #summary]
        #[derive(Debug, Clone, PartialEq, #derive_default)]
        pub struct #name {
            #(#entries)*
        }
    })
}

/// A struct that reads the declared response headers of an operation from
/// a response's `HeaderMap`, each parsed into its schema's type.
pub fn headers_struct(api: &Api, op: &Operation, here: &TokenStream) -> Option<TokenStream> {
    let type_name = op.headers_type.as_deref()?;
    let name = ident(type_name);
    let method = &op.method_name;
    let summary = format!(
        " Response headers declared for [`Client::{method}`](crate::Client::{method}); read them with `from_headers(response.headers())`."
    );
    let option = option_type(api);
    let fields = op.response_headers.iter().map(|h| {
        let field = ident(&h.name);
        let t = ty(api, &h.ty, here);
        let doc = docs(&h.docs);
        let separator = h.docs.text.is_some().then(|| quote!(#[doc = ""]));
        let wire = format!(
            " The `{}` header; `None` when absent or not a valid value.",
            h.wire_name
        );
        quote! { #doc #separator #[doc = #wire] pub #field: #option<#t>, }
    });
    let reads = op.response_headers.iter().map(|h| {
        let field = ident(&h.name);
        let wire = &h.wire_name;
        quote!(#field: crate::runtime::header_value(headers, #wire),)
    });
    let sensitive = op.response_headers.iter().any(|h| h.sensitive);
    let derive_debug = (!sensitive).then(|| quote!(Debug,));
    let debug_impl = sensitive.then(|| {
        let fields: Vec<DebugField> = op
            .response_headers
            .iter()
            .map(|h| DebugField {
                name: h.name.clone(),
                sensitive: h.sensitive,
                optional: true,
            })
            .collect();
        redacted_debug_impl(type_name, &fields)
    });
    Some(quote! {
        #[doc = #summary]
        #[derive(#derive_debug Clone, PartialEq, Default)]
        pub struct #name {
            #(#fields)*
        }

        impl #name {
            pub fn from_headers(headers: &reqwest::header::HeaderMap) -> Self {
                Self { #(#reads)* }
            }
        }
        #debug_impl
    })
}

/// Whether a multipart field is a file, or a list of files.
pub enum FormFile {
    One,
    Many,
}

pub fn form_file(ty: &TypeRef) -> Option<FormFile> {
    match ty {
        TypeRef::Binary => Some(FormFile::One),
        TypeRef::Array(inner) if **inner == TypeRef::Binary => Some(FormFile::Many),
        _ => None,
    }
}

/// The fields of the struct behind a multipart body type.
pub fn form_fields<'a>(api: &'a Api, ty: &'a TypeRef) -> Option<&'a [Field]> {
    let mut ty = ty;
    for _ in 0..32 {
        match ty {
            TypeRef::Named(id) => match &api.ty(*id).kind {
                TypeKind::Struct(s) => return Some(&s.fields),
                TypeKind::Alias(target) => ty = target,
                _ => return None,
            },
            TypeRef::Nullable(inner) => ty = inner,
            _ => return None,
        }
    }
    None
}

pub fn params_struct(api: &Api, op: &Operation, here: &TokenStream) -> Option<TokenStream> {
    let params_type = op.params_type.as_deref()?;
    let name = ident(params_type);
    let method = &op.method_name;
    let summary = format!(
        " Query, header and cookie parameters of [`Client::{method}`](crate::Client::{method})."
    );
    let params: Vec<_> = op
        .params
        .iter()
        .filter(|p| p.location != ParamLocation::Path)
        .collect();
    let all_optional = params.iter().all(|p| !p.required);
    let derive_default = all_optional.then(|| quote!(Default,));
    let fields = params.iter().map(|p| {
        let field = ident(&p.name);
        let mut t = ty(api, &p.ty, here);
        if !p.required {
            let option = option_type(api);
            t = quote!(#option<#t>);
        }
        let doc = docs(&p.docs);
        let location = match p.location {
            ParamLocation::Query => "query",
            ParamLocation::Header => "header",
            ParamLocation::Cookie => "cookie",
            ParamLocation::Path => "path",
        };
        let wire = format!(" Sent as the `{}` {location} parameter.", p.wire_name);
        let separator = p.docs.text.is_some().then(|| quote!(#[doc = ""]));
        quote! { #doc #separator #[doc = #wire] pub #field: #t, }
    });
    let sensitive = params.iter().any(|p| p.sensitive);
    let derive_debug = (!sensitive).then(|| quote!(Debug,));
    let debug_impl = sensitive.then(|| {
        let fields: Vec<DebugField> = params
            .iter()
            .map(|p| DebugField {
                name: p.name.clone(),
                sensitive: p.sensitive,
                optional: !p.required,
            })
            .collect();
        redacted_debug_impl(params_type, &fields)
    });
    Some(quote! {
        #[doc = #summary]
        #[derive(#derive_debug Clone, PartialEq, #derive_default)]
        pub struct #name {
            #(#fields)*
        }
        #debug_impl
    })
}
