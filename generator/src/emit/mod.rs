//! Stage 3, *emit*: the model → token streams, one per generated file.

mod args;
mod client;
mod contract;
mod debug;
mod doc_text;
mod enums;
mod mock;
mod operation;
mod operation_types;
mod paginate;
mod tests;
mod types;
mod wire;

pub(crate) use doc_text::{escape_doc, first_line};

use crate::model::{Api, Docs, FloatKind, IntKind, TimeCrate, TypeRef};
use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

/// The generated crate's Rust source files. Each is emitted on its own, so
/// that render can emit and format them on threads of their own (token
/// streams cannot leave the thread that made them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RustFile {
    Lib,
    Types,
    /// The written-out serde impls of the types (`types/serde_impls.rs`).
    TypesSerde,
    Client,
    /// The typed mocks (cargo feature `mock`).
    Mock,
    /// The round-trip tests; `crate_ident` is how they name the crate.
    RoundtripTests,
}

impl RustFile {
    pub const ALL: [RustFile; 6] = [
        RustFile::Lib,
        RustFile::Types,
        RustFile::TypesSerde,
        RustFile::Client,
        RustFile::Mock,
        RustFile::RoundtripTests,
    ];

    /// How many parts the file is emitted in; formatted in order, they
    /// are the file.
    pub fn parts(self) -> usize {
        match self {
            RustFile::Types => types::PARTS,
            RustFile::TypesSerde => types::SERDE_PARTS,
            _ => 1,
        }
    }
}

/// The contract program's tokens (`examples/contract.rs`).
pub fn contract_program(api: &Api, crate_ident: &str) -> TokenStream {
    contract::program(api, crate_ident)
}

/// The tokens of one part of a file (see [`RustFile::parts`]).
pub fn emit(api: &Api, crate_ident: &str, file: RustFile, part: usize) -> TokenStream {
    match file {
        RustFile::Lib => lib(api),
        RustFile::Types => types::types(api, part),
        RustFile::TypesSerde => types::serde_impls(api, part),
        RustFile::Client => client::client(api),
        RustFile::Mock => mock::mock(api),
        RustFile::RoundtripTests => tests::roundtrip(api, &ident(crate_ident)),
    }
}

/// An identifier the model has already made valid.
pub(crate) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// The name of a type an operation declares.
fn operation_type(api: &Api, id: crate::model::OperationTypeId) -> Ident {
    ident(&api.operation_type(id).name)
}

fn lib(api: &Api) -> TokenStream {
    let mut doc = format!(
        "Typed async client for the {} (version {}).",
        api.title, api.version
    );
    if let Some(description) = api.description.as_deref().filter(|d| !d.trim().is_empty()) {
        doc.push_str("\n\n");
        doc.push_str(description.trim());
    }
    let docs = doc_lines(&escape_doc(&doc));
    let groups = (!api.groups.is_empty()).then(|| {
        quote!(
            pub use client::groups;
        )
    });
    quote! {
        #docs
        // Descriptions come from the API document: its Markdown may hold
        // `[brackets]`, HTML and URLs that rustdoc would read as links.
        #![allow(rustdoc::broken_intra_doc_links, rustdoc::invalid_html_tags, rustdoc::bare_urls)]
        // Large APIs nest types deeply; rustdoc's auto-trait checks need room.
        #![recursion_limit = "512"]
        // `rustfmt` would reformat the generated modules; fenced off, so that
        // `cargo fmt --check` and `cargo xtask codegen --check` agree.
        #[rustfmt::skip]
        pub mod types;
        #[rustfmt::skip]
        mod client;
        #[rustfmt::skip]
        mod runtime;
        #[cfg(feature = "mock")]
        #[rustfmt::skip]
        pub mod mock;

        pub use client::Client;
        #groups
        #[rustfmt::skip]
        pub use runtime::{
            http_client_builder, AttemptRequest, AttemptResponse, ByteStream, Config, CredentialError, CredentialFuture, CredentialProvider, DecodeError, Delivery, Error, EventStream, FilePart,
            Hook, HookError, Hooks, JsonLines, Nullable, PageStop, Paginated, RedirectPolicy, RedirectRefusal, RequestInfo, ResponseValue, RetryPolicy, Secret, ServerEvent, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_EVENT_BYTES, DEFAULT_STREAM_IDLE_TIMEOUT, DEFAULT_TIMEOUT,
        };
    }
}

/// `#![doc = "..."]` lines for a crate or module.
fn doc_lines(text: &str) -> TokenStream {
    let lines = text.lines().map(|l| format!(" {l}"));
    quote! { #(#![doc = #lines])* }
}

/// `#[doc]` attributes (and `#[deprecated]`) for an item.
pub(crate) fn docs(docs: &Docs) -> TokenStream {
    let text = docs.text.as_deref().map(escape_doc).unwrap_or_default();
    let lines = text.lines().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        }
    });
    let deprecated = docs.deprecated.then(|| quote!(#[deprecated]));
    quote! { #(#[doc = #lines])* #deprecated }
}

/// A std type (or variant) by its short name, or by full path where a schema type of
/// the same name shadows it in the types module.
pub(crate) fn std_item(api: &Api, short: &str, path: TokenStream) -> TokenStream {
    if api.shadowed_std_names.contains(short) {
        path
    } else {
        let short = ident(short);
        quote!(#short)
    }
}

/// The Rust type for a use of a type. `types` is the path to the types
/// module from where the tokens go (empty inside it).
pub(crate) fn ty(api: &Api, t: &TypeRef, types: &TokenStream) -> TokenStream {
    let string = || std_item(api, "String", quote!(::std::string::String));
    match t {
        TypeRef::Named(id) => {
            let name = ident(&api.ty(*id).name);
            if types.is_empty() {
                quote!(#name)
            } else {
                quote!(#types::#name)
            }
        }
        TypeRef::String => string(),
        TypeRef::Bool => quote!(bool),
        TypeRef::Integer(k) => match k {
            IntKind::I8 => quote!(i8),
            IntKind::I16 => quote!(i16),
            IntKind::I32 => quote!(i32),
            IntKind::I64 => quote!(i64),
            IntKind::U8 => quote!(u8),
            IntKind::U16 => quote!(u16),
            IntKind::U32 => quote!(u32),
            IntKind::U64 => quote!(u64),
        },
        TypeRef::Float(FloatKind::F32) => quote!(f32),
        TypeRef::Float(FloatKind::F64) => quote!(f64),
        TypeRef::Any => quote!(serde_json::Value),
        TypeRef::Object => {
            let string = string();
            quote!(serde_json::Map<#string, serde_json::Value>)
        }
        TypeRef::Array(item) => {
            let item = ty(api, item, types);
            let vec = vec_type(api);
            quote!(#vec<#item>)
        }
        TypeRef::Map(value) => {
            let value = ty(api, value, types);
            let string = string();
            quote!(std::collections::BTreeMap<#string, #value>)
        }
        TypeRef::Nullable(inner) => {
            let inner = ty(api, inner, types);
            let option = option_type(api);
            quote!(#option<#inner>)
        }
        TypeRef::DateTime => match api.formats.date_time {
            TimeCrate::Chrono => quote!(chrono::DateTime<chrono::Utc>),
            TimeCrate::Jiff => quote!(jiff::Timestamp),
            TimeCrate::Text => string(),
        },
        TypeRef::Date => match api.formats.date {
            TimeCrate::Chrono => quote!(chrono::NaiveDate),
            TimeCrate::Jiff => quote!(jiff::civil::Date),
            TimeCrate::Text => string(),
        },
        TypeRef::Uuid if api.formats.uuid => quote!(uuid::Uuid),
        TypeRef::Decimal if api.formats.decimal => quote!(rust_decimal::Decimal),
        TypeRef::Uuid | TypeRef::Decimal => string(),
        TypeRef::Binary => string(),
        TypeRef::Tuple(members) => {
            let members = members.iter().map(|m| ty(api, m, types));
            quote!((#(#members,)*))
        }
    }
}

pub(crate) fn option_type(api: &Api) -> TokenStream {
    std_item(api, "Option", quote!(::std::option::Option))
}

pub(crate) fn vec_type(api: &Api) -> TokenStream {
    std_item(api, "Vec", quote!(::std::vec::Vec))
}

pub(crate) fn box_type(api: &Api) -> TokenStream {
    std_item(api, "Box", quote!(::std::boxed::Box))
}

pub(crate) fn from_trait(api: &Api) -> TokenStream {
    std_item(api, "From", quote!(::std::convert::From))
}

pub(crate) fn string_type(api: &Api) -> TokenStream {
    std_item(api, "String", quote!(::std::string::String))
}
