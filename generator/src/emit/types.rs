//! `types.rs`: one Rust item per named schema, plus each operation's error
//! enum and parameter struct; and `types/serde_impls.rs`, their written-out
//! serde impls, kept apart so that the declarations read on their own.

use super::debug::{DebugField, redacted_debug_impl};
use super::{box_type, docs, enums, ident, operation_types, option_type, string_type, ty, wire};
use crate::model::{Api, Field, StructDef, TypeDef, TypeKind};
use proc_macro2::TokenStream;
use quote::quote;

/// `types.rs` comes in parts that render formats side by side (it is the
/// largest file): the head, the schema types in [`SCHEMA_PARTS`] runs, then
/// the operations' own types.
pub const PARTS: usize = SCHEMA_PARTS + 2;
const SCHEMA_PARTS: usize = 4;

/// `types/serde_impls.rs` comes in parts too: its head, then the impls of
/// the schema types in the same runs as `types.rs`.
pub const SERDE_PARTS: usize = SCHEMA_PARTS + 1;

/// The schema types of run `run` (of [`SCHEMA_PARTS`]), with their ids.
fn schema_run(api: &Api, run: usize) -> impl Iterator<Item = &TypeDef> {
    let count = api.types.len();
    let range = count * run / SCHEMA_PARTS..count * (run + 1) / SCHEMA_PARTS;
    api.emitted_types()
        .filter(move |(id, _)| range.contains(&id.0))
        .map(|(_, t)| t)
}

/// One part of `types.rs`; the parts in order are the whole file.
pub fn types(api: &Api, part: usize) -> TokenStream {
    match part {
        0 => head(api),
        run if run <= SCHEMA_PARTS => {
            let here = quote!();
            let defs = schema_run(api, run - 1).map(|t| type_def(api, t, &here));
            quote!(#(#defs)*)
        }
        _ => operation_types::all(api),
    }
}

/// One part of `types/serde_impls.rs`.
pub fn serde_impls(api: &Api, part: usize) -> TokenStream {
    if part == 0 {
        return serde_head(api);
    }
    let here = quote!();
    let impls = schema_run(api, part - 1).map(|t| type_serde(api, t, &here));
    quote!(#(#impls)*)
}

fn head(api: &Api) -> TokenStream {
    let sensitive_keys = &api.sensitive_keys;
    quote! {
        //! Types for the API's schemas, and each operation's parameters and
        //! declared error bodies.
        //!
        //! A field's Rust name is its JSON property's unless its docs give
        //! the wire name. An optional field (`Option`) is left out of the
        //! JSON when `None`; a `Nullable` one is left out when `Absent` and
        //! sent as `null` when `Null`. The serde impls are written out in
        //! `serde_impls.rs` (derives would cost every build their
        //! expansion).
        #![allow(deprecated)]
        // Descriptions come from the API document, not all of it tidy Markdown.
        #![allow(clippy::doc_lazy_continuation, clippy::doc_overindented_list_items)]
        // Unions mirror the schema; boxing big variants would change the API.
        #![allow(clippy::large_enum_variant)]

        #[rustfmt::skip]
        mod serde_impls;

        /// JSON keys whose values the client's error messages never quote
        /// (credentials, and fields that echo what the caller sent).
        pub(crate) const SENSITIVE_KEYS: &[&str] = &[#(#sensitive_keys),*];
    }
}

fn serde_head(api: &Api) -> TokenStream {
    let wire = wire::uses_wire(api).then(|| {
        quote!(
            use crate::runtime::wire;
        )
    });
    let date_time_reader = wire::reads_date_times(api).then(|| wire::date_time_reader(api));
    quote! {
        //! `Serialize` and `Deserialize` of the types in `types.rs`, written
        //! out rather than derived: derives expand on every build.
        #![allow(deprecated)]

        #[allow(unused_imports)]
        use super::*;
        #wire

        #date_time_reader
    }
}

/// A schema type's serde impls; none for an alias (its target has them).
fn type_serde(api: &Api, def: &TypeDef, here: &TokenStream) -> TokenStream {
    if def.replaced_by.is_some() {
        return quote!();
    }
    match &def.kind {
        TypeKind::Struct(s) => wire::struct_impls(api, &def.name, s),
        TypeKind::Enum(e) => enums::enum_serde(api, &def.name, e),
        TypeKind::Union(u) => enums::union_serde(api, &def.name, u, here),
        TypeKind::Tagged(t) => enums::tagged_serde(api, &def.name, t),
        TypeKind::Alias(_) => quote!(),
    }
}

/// `#[derive(...)]` of the derives the configuration adds to `def`, but
/// those it already has (`present`); nothing when none are left.
fn added_derives(def: &TypeDef, present: &[&str]) -> TokenStream {
    let paths = def
        .derives
        .iter()
        .filter(|d| !present.contains(&d.as_str()))
        .filter_map(|d| syn::parse_str::<syn::Path>(d).ok());
    let paths: Vec<_> = paths.collect();
    if paths.is_empty() {
        return quote!();
    }
    quote!(#[derive(#(#paths),*)])
}

fn type_def(api: &Api, def: &TypeDef, here: &TokenStream) -> TokenStream {
    let name = ident(&def.name);
    let mut doc = docs(&def.docs);
    // The caller's own type stands for the schema (`codegen.toml`).
    if let Some(path) = def
        .replaced_by
        .as_deref()
        .and_then(|p| syn::parse_str::<syn::Type>(p).ok())
    {
        return quote! { #doc pub type #name = #path; };
    }
    doc.extend(match &def.kind {
        TypeKind::Enum(_) => added_derives(def, &["Eq", "Hash", "PartialOrd", "Ord"]),
        TypeKind::Union(_) | TypeKind::Tagged(_) => added_derives(def, &[]),
        TypeKind::Struct(_) | TypeKind::Alias(_) => quote!(),
    });
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
/// may be absent or null, `Nullable` where those two differ.
fn field_type(api: &Api, f: &Field, here: &TokenStream) -> TokenStream {
    let mut t = ty(api, &f.ty, here);
    if f.boxed {
        let boxed = box_type(api);
        t = quote!(#boxed<#t>);
    }
    if f.explicit_null {
        t = quote!(crate::Nullable<#t>);
    } else if f.is_option() {
        let option = option_type(api);
        t = quote!(#option<#t>);
    }
    t
}

fn struct_def(api: &Api, def: &TypeDef, s: &StructDef, here: &TokenStream) -> TokenStream {
    let name = ident(&def.name);
    let doc = docs(&def.docs);
    let fields = s.fields.iter().map(|f| {
        let field = ident(&f.name);
        let t = field_type(api, f, here);
        let doc = docs(&f.docs);
        // The JSON property, where the Rust name differs.
        let wire = (f.wire_name != f.name).then(|| {
            let line = format!(" Wire name: `{}`.", f.wire_name.replace('`', "'"));
            let separator = f.docs.text.is_some().then(|| quote!(#[doc = ""]));
            quote!(#separator #[doc = #line])
        });
        quote! { #doc #wire pub #field: #t, }
    });
    let additional = s.additional.as_ref().map(|extra| {
        let field = ident(&s.additional_name.clone());
        let value = ty(api, extra, here);
        let string = string_type(api);
        quote! {
            /// Properties beyond the declared ones.
            pub #field: std::collections::BTreeMap<#string, #value>,
        }
    });
    let sensitive = s.fields.iter().any(|f| f.sensitive);
    let all_optional = s.fields.iter().all(|f| !f.required);
    let derive_debug = (!sensitive).then(|| quote!(Debug,));
    let derive_default = all_optional.then(|| quote!(Default,));
    let added = added_derives(def, if all_optional { &["Default"] } else { &[] });
    let debug_impl = sensitive.then(|| redacted_debug(def, s));
    quote! {
        #doc
        #[derive(#derive_debug Clone, PartialEq, #derive_default)]
        #added
        pub struct #name {
            #(#fields)*
            #additional
        }
        #debug_impl
    }
}

/// `Debug` that prints `"***"` for credential fields.
fn redacted_debug(def: &TypeDef, s: &StructDef) -> TokenStream {
    let mut fields: Vec<DebugField> = s
        .fields
        .iter()
        .map(|f| DebugField {
            name: f.name.clone(),
            sensitive: f.sensitive,
            optional: f.is_option(),
        })
        .collect();
    if s.additional.is_some() {
        fields.push(DebugField {
            name: s.additional_name.clone(),
            sensitive: false,
            optional: false,
        });
    }
    redacted_debug_impl(&def.name, &fields)
}
