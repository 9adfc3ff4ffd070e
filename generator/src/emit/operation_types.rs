//! Types an operation adds to `types.rs`: its error and success enums,
//! its parameter struct and its multipart form struct.

use super::debug::{DebugField, redacted_debug_impl};
use super::{docs, escape_doc, ident, option_type, string_type, ty, vec_type};
use crate::model::{
    Api, FormFile, OperationType, OperationTypeKind, ParamLocation, ResponseBody, ResponseCase,
    StatusMatch,
};
use proc_macro2::TokenStream;
use quote::quote;

/// Every type operations declare, in the order `types.rs` has them: the
/// success enums, error enums, parameters, forms and headers, each in
/// the order of their operations.
pub fn all(api: &Api) -> TokenStream {
    let here = quote!();
    let of = |wanted: fn(&OperationTypeKind) -> bool| {
        api.operation_types
            .iter()
            .filter(move |def| wanted(&def.kind))
    };
    let successes =
        of(|k| matches!(k, OperationTypeKind::Success)).map(|def| success_enum(api, def, &here));
    let errors = of(|k| {
        matches!(
            k,
            OperationTypeKind::Errors { .. } | OperationTypeKind::ErrorsAlias(_)
        )
    })
    .map(|def| error_enum(api, def, &here));
    let params =
        of(|k| matches!(k, OperationTypeKind::Params)).map(|def| params_struct(api, def, &here));
    let forms =
        of(|k| matches!(k, OperationTypeKind::Form(_))).map(|def| form_struct(api, def, &here));
    let headers =
        of(|k| matches!(k, OperationTypeKind::Headers)).map(|def| headers_struct(api, def, &here));
    quote! {
        #(#successes)*
        #(#errors)*
        #(#params)*
        #(#forms)*
        #(#headers)*
    }
}

/// The enum of an operation's declared error responses, or the alias that
/// gives an earlier operation's identical enum this operation's name.
fn error_enum(api: &Api, def: &OperationType, here: &TokenStream) -> TokenStream {
    let op = &api.operations[def.owner];
    let (shown, link) = api.method_link(op);
    let shared_with = match &def.kind {
        OperationTypeKind::ErrorsAlias(first) => {
            let first = &api.operation_type(*first).name;
            let (name, first_ident) = (ident(&def.name), ident(first));
            let doc = format!(
                " Error responses declared for [`{shown}`]({link}): the same as [`{first}`]'s, so the same type."
            );
            return quote! { #[doc = #doc] pub type #name = #first_ident; };
        }
        OperationTypeKind::Errors { shared_with } => shared_with.as_slice(),
        _ => &[],
    };
    let mut summary = format!(" Error responses declared for [`{shown}`]({link})");
    match shared_with {
        [] => summary.push('.'),
        [other] => {
            let (other_shown, other_link) = api.method_link(&api.operations[*other]);
            summary.push_str(&format!(
                " and [`{other_shown}`]({other_link}), which has the same ones."
            ))
        }
        others => summary.push_str(&format!(
            " and {} other operations that have the same ones (their error types are aliases of this one).",
            others.len()
        )),
    }
    response_enum(api, &def.name, &summary, &op.errors, here)
}

fn success_enum(api: &Api, def: &OperationType, here: &TokenStream) -> TokenStream {
    let op = &api.operations[def.owner];
    let (shown, link) = api.method_link(op);
    let summary = format!(" Successful responses of [`{shown}`]({link}), one variant per status.");
    response_enum(api, &def.name, &summary, &op.successes, here)
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
            format!("Response for {status}.")
        } else {
            // After the text: a closing fence must stay alone on its line.
            let text = escape_doc(case.description.trim());
            match text.ends_with("```") || text.ends_with("~~~") {
                true => format!("{text}\n\n({status})"),
                false => format!("{} ({status}).", text.trim_end_matches('.')),
            }
        };
        let doc = doc.lines().map(|line| format!(" {line}"));
        let payload = match &case.body {
            ResponseBody::Empty => quote!(),
            ResponseBody::Json(t) => {
                let t = ty(api, t, here);
                quote!((#t))
            }
            // The model reads streams whole in an enum of bodies.
            ResponseBody::Text | ResponseBody::EventStream(_) => {
                let string = string_type(api);
                quote!((#string))
            }
            ResponseBody::Bytes | ResponseBody::JsonLines(_) => {
                let vec = vec_type(api);
                quote!((#vec<u8>))
            }
        };
        quote! { #(#[doc = #doc])* #variant #payload, }
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
fn form_struct(api: &Api, def: &OperationType, here: &TokenStream) -> TokenStream {
    let OperationTypeKind::Form(fields) = &def.kind else {
        return quote!();
    };
    let name = ident(&def.name);
    let (shown, link) = api.method_link(&api.operations[def.owner]);
    let summary = format!(" The `multipart/form-data` body of [`{shown}`]({link}).");
    let option = option_type(api);
    let entries = fields.iter().map(|f| {
        let field = ident(&f.name);
        let mut t = match f.file {
            Some(FormFile::One) => quote!(crate::FilePart),
            Some(FormFile::Many) => {
                let vec = vec_type(api);
                quote!(#vec<crate::FilePart>)
            }
            None => ty(api, &f.ty, here),
        };
        if f.optional {
            t = quote!(#option<#t>);
        }
        let doc = docs(&f.docs);
        quote! { #doc pub #field: #t, }
    });
    let derive_default = fields.iter().all(|f| f.optional).then(|| quote!(Default,));
    quote! {
        #[doc = #summary]
        #[derive(Debug, Clone, PartialEq, #derive_default)]
        pub struct #name {
            #(#entries)*
        }
    }
}

/// A struct that reads the declared response headers of an operation from
/// a response's `HeaderMap`, each parsed into its schema's type.
fn headers_struct(api: &Api, def: &OperationType, here: &TokenStream) -> TokenStream {
    let op = &api.operations[def.owner];
    let type_name = &def.name;
    let name = ident(type_name);
    let (shown, link) = api.method_link(op);
    let summary = format!(
        " Response headers declared for [`{shown}`]({link}); read them with `from_headers(response.headers())`."
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
    quote! {
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
    }
}

fn params_struct(api: &Api, def: &OperationType, here: &TokenStream) -> TokenStream {
    let op = &api.operations[def.owner];
    let params_type = &def.name;
    let name = ident(params_type);
    let (shown, link) = api.method_link(op);
    let summary = format!(" Query, header and cookie parameters of [`{shown}`]({link}).");
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
    quote! {
        #[doc = #summary]
        #[derive(#derive_debug Clone, PartialEq, #derive_default)]
        pub struct #name {
            #(#fields)*
        }
        #debug_impl
    }
}
