//! Enums in `types.rs`: string enums, untagged unions, and unions tagged by
//! a discriminator property.

use super::{box_type, from_trait, ident, string_type, ty, wire};
use crate::model::{Api, EnumDef, TaggedDef, TypeRef, UnionDef, UnionVariant};
use proc_macro2::TokenStream;
use quote::quote;

/// A string enum with `as_str`, `Display`, `FromStr` and serde impls that
/// go through the wire value. With a catch-all variant every string reads;
/// without one (a `const`), other values are an error.
pub fn enum_def(api: &Api, type_name: &str, doc: &TokenStream, e: &EnumDef) -> TokenStream {
    let name = ident(type_name);
    let string = string_type(api);
    let from = from_trait(api);
    let variants: Vec<_> = e.variants.iter().map(|v| ident(&v.name)).collect();
    let values: Vec<_> = e.variants.iter().map(|v| v.value.as_str()).collect();
    let variant_docs = values.iter().map(|v| format!(" `{v:?}`"));
    let separator = (!doc.is_empty()).then(|| quote!(#[doc = ""]));
    let Some(catch_all) = &e.catch_all else {
        let error = format!("unknown {type_name} value: {{value:?}}");
        return quote! {
            #doc
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
            pub enum #name {
                #(#[doc = #variant_docs] #variants,)*
            }

            impl #name {
                /// The value as sent on the wire.
                pub fn as_str(&self) -> &'static str {
                    match self {
                        #(Self::#variants => #values,)*
                    }
                }
            }

            impl std::fmt::Display for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }

            impl std::str::FromStr for #name {
                type Err = #string;
                fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                    match value {
                        #(#values => Ok(Self::#variants),)*
                        _ => Err(format!(#error)),
                    }
                }
            }
        };
    };
    let catch_all = ident(catch_all);
    quote! {
        #doc
        #separator
        /// Values this client does not know yet (added to the API later) are
        /// kept in the catch-all variant rather than failing to deserialise.
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #(#[doc = #variant_docs] #variants,)*
            /// A value not listed in the API description.
            #catch_all(#string),
        }

        impl #name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#variants => #values,)*
                    Self::#catch_all(value) => value.as_str(),
                }
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl #from<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#values => Self::#variants,)*
                    other => Self::#catch_all(other.to_owned()),
                }
            }
        }

        impl std::str::FromStr for #name {
            type Err = std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }
    }
}

/// A string enum's serde impls, through its wire value (`serde_impls.rs`).
pub fn enum_serde(api: &Api, type_name: &str, e: &EnumDef) -> TokenStream {
    let name = ident(type_name);
    if e.catch_all.is_none() {
        let variants: Vec<_> = e.variants.iter().map(|v| ident(&v.name)).collect();
        let values: Vec<_> = e.variants.iter().map(|v| v.value.as_str()).collect();
        return wire::closed_enum_impls(type_name, &variants, &values);
    }
    let string = string_type(api);
    quote! {
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <#string as serde::Deserialize>::deserialize(deserializer)?;
                Ok(Self::from(value.as_str()))
            }
        }
    }
}

/// The Rust type behind any aliases, for comparing types.
fn resolved(api: &Api, t: &TypeRef) -> TokenStream {
    ty(api, api.resolve_alias(t), &quote!())
}

/// `From<T> for Enum` for each variant `(name, type, boxed)` whose Rust type
/// no other variant shares (aliases included), or the impls would conflict.
fn from_impls<'a>(
    api: &Api,
    name: &proc_macro2::Ident,
    variants: impl Iterator<Item = (&'a str, &'a TypeRef, bool)>,
    here: &TokenStream,
) -> Vec<TokenStream> {
    let variants: Vec<_> = variants.collect();
    let rust_types: Vec<String> = variants
        .iter()
        .map(|(_, t, _)| resolved(api, t).to_string())
        .collect();
    let unique = |i: usize| rust_types.iter().filter(|t| **t == rust_types[i]).count() == 1;
    let from = from_trait(api);
    variants
        .iter()
        .enumerate()
        .filter(|(i, (_, _, boxed))| !boxed && unique(*i))
        .map(|(_, (variant, t, _))| {
            let variant = ident(variant);
            let t = ty(api, t, here);
            quote! {
                impl #from<#t> for #name {
                    fn from(value: #t) -> Self {
                        Self::#variant(value)
                    }
                }
            }
        })
        .collect()
}

pub fn union_def(
    api: &Api,
    type_name: &str,
    doc: &TokenStream,
    u: &UnionDef,
    here: &TokenStream,
) -> TokenStream {
    let name = ident(type_name);
    let variants = u.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let mut t = ty(api, &v.ty, here);
        if v.boxed {
            let boxed = box_type(api);
            t = quote!(#boxed<#t>);
        }
        quote!(#variant(#t),)
    });
    let froms = from_impls(
        api,
        &name,
        u.variants.iter().map(|v| (v.name.as_str(), &v.ty, v.boxed)),
        here,
    );
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#variants)*
        }
        #(#froms)*
    }
}

/// An untagged union's serde impls (`serde_impls.rs`): each variant
/// written as itself; read by trying the variants in order.
pub fn union_serde(api: &Api, type_name: &str, u: &UnionDef, here: &TokenStream) -> TokenStream {
    let name = ident(type_name);
    let variant_names: Vec<_> = u.variants.iter().map(|v| ident(&v.name)).collect();
    let attempts = u.variants.iter().map(|v| union_attempt(api, v, here));
    let serialize = wire::untagged_serialize(type_name, &variant_names);
    // Without struct variants the first variant that accepts the payload
    // wins, and there is no fallback to keep.
    let (doc_choice, fallback, otherwise) = if u.variants.iter().all(|v| v.known_fields.is_none()) {
        let message = format!("data did not match any variant of untagged enum {type_name}");
        (
            quote!(#[doc = " Variants are tried in order; the first that accepts the payload wins."]),
            quote!(),
            quote!(::std::result::Result::Err(<D::Error as serde::de::Error>::custom(#message))),
        )
    } else {
        let message = format!("data did not match any variant of {type_name}");
        (
            quote! {
                /// Variants are tried in order. One whose constant properties the
                /// payload contradicts is skipped; of those that accept it, the first
                /// that keeps every property present wins, else the first at all.
            },
            quote!(let mut fallback = ::std::option::Option::None;),
            quote!(fallback.ok_or_else(|| <D::Error as serde::de::Error>::custom(#message))),
        )
    };
    quote! {
        #serialize

        #doc_choice
        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                #fallback
                #(#attempts)*
                #otherwise
            }
        }
    }
}

/// The statements that try one untagged variant.
fn union_attempt(api: &Api, v: &UnionVariant, here: &TokenStream) -> TokenStream {
    let variant = ident(&v.name);
    let t = ty(api, &v.ty, here);
    let wrap = if v.boxed {
        let boxed = box_type(api);
        quote!(#boxed::new(inner))
    } else {
        quote!(inner)
    };
    let checks: Vec<TokenStream> = v
        .constants
        .iter()
        .map(|(wire, constant, required)| {
            let constant = json_literal(constant);
            if *required {
                quote!(value.get(#wire) == ::std::option::Option::Some(&serde_json::json!(#constant)))
            } else {
                quote!(value.get(#wire).is_none_or(|found| *found == serde_json::json!(#constant)))
            }
        })
        .collect();
    let covers = v.known_fields.as_ref().map(|known| {
        quote! {
            value.as_object().is_none_or(|map| map.keys().all(|k| [#(#known),*].contains(&k.as_str())))
        }
    });
    let accept = match covers {
        Some(covers) => quote! {
            let parsed = Self::#variant(#wrap);
            if #covers {
                return ::std::result::Result::Ok(parsed);
            }
            if fallback.is_none() {
                fallback = ::std::option::Option::Some(parsed);
            }
        },
        // Not a struct: it keeps what it accepts.
        None => quote! {
            return ::std::result::Result::Ok(Self::#variant(#wrap));
        },
    };
    let attempt = quote! {
        if let ::std::result::Result::Ok(inner) = <#t as serde::Deserialize>::deserialize(&value) {
            #accept
        }
    };
    if checks.is_empty() {
        attempt
    } else {
        quote!(if #(#checks)&&* { #attempt })
    }
}

/// A scalar JSON value as tokens `serde_json::json!` reads back.
fn json_literal(value: &serde_json::Value) -> TokenStream {
    use proc_macro2::Literal;
    use serde_json::Value;
    match value {
        Value::Null => quote!(null),
        Value::Bool(b) => quote!(#b),
        Value::String(s) => {
            let lit = Literal::string(s);
            quote!(#lit)
        }
        Value::Number(n) => {
            let lit = if let Some(i) = n.as_i64() {
                Literal::i64_unsuffixed(i)
            } else if let Some(u) = n.as_u64() {
                Literal::u64_unsuffixed(u)
            } else {
                Literal::f64_unsuffixed(n.as_f64().unwrap_or_default())
            };
            quote!(#lit)
        }
        // Never a constant here (see `describe_variants`).
        Value::Array(_) | Value::Object(_) => quote!(null),
    }
}

/// A union tagged by a discriminator property. The tag stays inside each
/// variant's JSON (where the variant's struct declares it, it is a field of
/// that struct too), so serde's internally tagged enums, which strip the
/// tag, do not fit; the impls read the tag and hand the whole object on.
pub fn tagged_def(
    api: &Api,
    type_name: &str,
    doc: &TokenStream,
    t: &TaggedDef,
    here: &TokenStream,
) -> TokenStream {
    let name = ident(type_name);
    let tag = &t.tag;
    let boxed = box_type(api);
    let variants = t.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let mut inner = ty(api, &v.ty, here);
        if v.boxed {
            inner = quote!(#boxed<#inner>);
        }
        let values = v
            .values
            .iter()
            .map(|value| format!(" `{tag}: {value:?}`"))
            .collect::<Vec<_>>()
            .join(",");
        let doc = format!(" Selected by{values}.");
        quote!(#[doc = #doc] #variant(#inner),)
    });
    let froms = from_impls(
        api,
        &name,
        t.variants.iter().map(|v| (v.name.as_str(), &v.ty, v.boxed)),
        here,
    );
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name {
            #(#variants)*
        }
        #(#froms)*
    }
}

/// A tagged union's serde impls (`serde_impls.rs`). A variant whose type
/// declares the tag writes it itself; another gets it written first
/// (`wire::serialize_tagged`, straight to the serializer). Reading looks
/// at the tag, then reads the whole object as its variant.
pub fn tagged_serde(api: &Api, type_name: &str, t: &TaggedDef) -> TokenStream {
    let name = ident(type_name);
    let tag = &t.tag;
    let boxed = box_type(api);
    let serialize_arms = t.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let value = &v.values[0];
        if v.has_tag_field {
            quote!(Self::#variant(inner) => serde::Serialize::serialize(inner, serializer),)
        } else {
            quote!(Self::#variant(inner) => wire::serialize_tagged(inner, #tag, #value, serializer),)
        }
    });
    let all_values: Vec<&str> = t
        .variants
        .iter()
        .flat_map(|v| v.values.iter().map(String::as_str))
        .collect();
    let deserialize_arms = t.variants.iter().map(|v| {
        let variant = ident(&v.name);
        let values = &v.values;
        let wrap = if v.boxed {
            quote!(|inner| Self::#variant(#boxed::new(inner)))
        } else {
            quote!(Self::#variant)
        };
        quote!(#(#values)|* => serde_json::from_value(value).map(#wrap),)
    });
    quote! {
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    #(#serialize_arms)*
                }
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                use serde::de::Error as _;
                const TAGS: &[&str] = &[#(#all_values),*];
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                let tag = match value.get(#tag) {
                    Some(serde_json::Value::String(tag)) => tag.clone(),
                    _ => return Err(D::Error::missing_field(#tag)),
                };
                let parsed = match tag.as_str() {
                    #(#deserialize_arms)*
                    other => return Err(D::Error::unknown_variant(other, TAGS)),
                };
                parsed.map_err(D::Error::custom)
            }
        }
    }
}
