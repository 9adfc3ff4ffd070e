//! `types.rs`: one Rust item per named schema, plus each operation's error
//! enum and parameter struct.

use super::{box_type, docs, enums, ident, option_type, string_type, ty, vec_type};
use crate::model::{
    Api, Field, Operation, ParamLocation, ResponseBody, StructDef, TypeDef, TypeKind,
};
use proc_macro2::TokenStream;
use quote::quote;

pub fn types(api: &Api) -> TokenStream {
    let here = quote!();
    let defs = api.types.iter().map(|t| type_def(api, t, &here));
    let errors = api
        .operations
        .iter()
        .filter_map(|op| error_enum(api, op, &here));
    let params = api
        .operations
        .iter()
        .filter_map(|op| params_struct(api, op, &here));
    quote! {
        //! Types for the API's schemas, and each operation's parameters and
        //! declared error bodies.
        #![allow(deprecated)]
        // Descriptions come from the API document, not all of it tidy Markdown.
        #![allow(clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]
        // Unions mirror the schema; boxing big variants would change the API.
        #![allow(clippy::large_enum_variant)]

        #(#defs)*
        #(#errors)*
        #(#params)*
    }
}

fn type_def(api: &Api, def: &TypeDef, here: &TokenStream) -> TokenStream {
    let name = ident(&def.name);
    let doc = docs(&def.docs);
    match &def.kind {
        TypeKind::Struct(s) => struct_def(api, def, s, here),
        TypeKind::Enum(e) => enums::enum_def(api, &def.name, &doc, e),
        TypeKind::Tagged(t) => enums::tagged_def(api, &def.name, &doc, t, here),
        TypeKind::Union(u) => enums::union_def(api, &def.name, &doc, u, here),
        TypeKind::Alias(target) => {
            let target = ty(api, target, here);
            quote! { #doc pub type #name = #target; }
        }
    }
}

/// The field's Rust type: boxed where it closes a cycle, optional where it
/// may be absent or null.
fn field_type(api: &Api, f: &Field, here: &TokenStream) -> TokenStream {
    let mut t = ty(api, &f.ty, here);
    if f.boxed {
        let boxed = box_type(api);
        t = quote!(#boxed<#t>);
    }
    if f.is_option() {
        let option = option_type(api);
        t = quote!(#option<#t>);
    }
    t
}

fn struct_def(api: &Api, def: &TypeDef, s: &StructDef, here: &TokenStream) -> TokenStream {
    let name = ident(&def.name);
    let doc = docs(&def.docs);
    let is_none = format!("{}::is_none", option_type(api)).replace(' ', "");
    let fields = s.fields.iter().map(|f| {
        let field = ident(&f.name);
        let t = field_type(api, f, here);
        let doc = docs(&f.docs);
        let wire = &f.wire_name;
        let mut serde = Vec::new();
        if f.name != *wire {
            serde.push(quote!(rename = #wire));
        }
        if !f.required {
            serde.push(quote!(default, skip_serializing_if = #is_none));
        }
        let serde = (!serde.is_empty()).then(|| quote!(#[serde(#(#serde),*)]));
        quote! { #doc #serde pub #field: #t, }
    });
    let additional = s.additional.as_ref().map(|extra| {
        let field = ident(&additional_field_name(s));
        let value = ty(api, extra, here);
        let string = string_type(api);
        quote! {
            /// Properties beyond the declared ones.
            #[serde(flatten)]
            pub #field: std::collections::BTreeMap<#string, #value>,
        }
    });
    let sensitive = s.fields.iter().any(|f| f.sensitive);
    let all_optional = s.fields.iter().all(|f| !f.required);
    let derive_debug = (!sensitive).then(|| quote!(Debug,));
    let derive_default = all_optional.then(|| quote!(Default,));
    let debug_impl = sensitive.then(|| redacted_debug(def, s));
    quote! {
        #doc
        #[derive(#derive_debug Clone, PartialEq, #derive_default serde::Serialize, serde::Deserialize)]
        pub struct #name {
            #(#fields)*
            #additional
        }
        #debug_impl
    }
}

/// The field name for a flattened `additionalProperties` map, clear of the
/// declared fields.
pub(crate) fn additional_field_name(s: &StructDef) -> String {
    let mut name = "additional_properties".to_owned();
    while s.fields.iter().any(|f| f.name == name) {
        name.push('_');
    }
    name
}

/// `Debug` that prints `"***"` for credential fields.
fn redacted_debug(def: &TypeDef, s: &StructDef) -> TokenStream {
    let name = ident(&def.name);
    let type_name = &def.name;
    let fields = s.fields.iter().map(|f| {
        let field = ident(&f.name);
        let label = &f.name;
        match (f.sensitive, f.is_option()) {
            (false, _) => quote!(.field(#label, &self.#field)),
            (true, false) => quote!(.field(#label, &"***")),
            (true, true) => quote!(.field(#label, &self.#field.as_ref().map(|_| "***"))),
        }
    });
    let additional = s.additional.as_ref().map(|_| {
        let field = ident(&additional_field_name(s));
        let label = additional_field_name(s);
        quote!(.field(#label, &self.#field))
    });
    quote! {
        impl std::fmt::Debug for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(#type_name)
                    #(#fields)*
                    #additional
                    .finish()
            }
        }
    }
}

fn error_enum(api: &Api, op: &Operation, here: &TokenStream) -> Option<TokenStream> {
    let name = ident(op.error_type.as_deref()?);
    let method = &op.method_name;
    let summary =
        format!(" Error responses declared for [`Client::{method}`](crate::Client::{method}).");
    let variants = op.errors.iter().map(|case| {
        let variant = ident(&case.variant);
        let status = match case.status {
            crate::model::StatusMatch::Code(c) => format!("status {c}"),
            crate::model::StatusMatch::Range(r) => format!("status {r}XX"),
            crate::model::StatusMatch::Default => "any other status".into(),
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
    Some(quote! {
        #[doc = #summary]
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#variants)*
        }
    })
}

fn params_struct(api: &Api, op: &Operation, here: &TokenStream) -> Option<TokenStream> {
    let name = ident(op.params_type.as_deref()?);
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
        let type_name = name.to_string();
        let entries = params.iter().map(|p| {
            let field = ident(&p.name);
            let label = &p.name;
            match (p.sensitive, p.required) {
                (false, _) => quote!(.field(#label, &self.#field)),
                (true, true) => quote!(.field(#label, &"***")),
                (true, false) => quote!(.field(#label, &self.#field.as_ref().map(|_| "***"))),
            }
        });
        quote! {
            impl std::fmt::Debug for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.debug_struct(#type_name) #(#entries)* .finish()
                }
            }
        }
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
