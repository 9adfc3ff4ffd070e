//! `Serialize` and `Deserialize` impls written out rather than derived.
//!
//! serde's derive macros run on every build of a generated crate, and what
//! they expand to (a field enum and visitors per type) was over half of the
//! code it compiled. These impls are a match per type over helpers the
//! runtime's `wire.rs` holds once; they read and write the same JSON as the
//! derives did, with the same error messages.
//!
//! `types.rs` imports the runtime's module as `wire` where it has such
//! impls ([`uses_wire`]).

use super::{ident, std_item};
use crate::model::{Api, DATE_TIME_READER, Field, StructDef, TimeCrate, TypeKind, TypeRef};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// Whether any type's impls call the runtime's `wire` module.
pub fn uses_wire(api: &Api) -> bool {
    api.emitted_types()
        .filter(|(_, t)| t.replaced_by.is_none())
        .any(|(_, t)| match &t.kind {
            TypeKind::Struct(_) => true,
            TypeKind::Enum(e) => e.catch_all.is_none(),
            // A variant without its tag is written by `wire::serialize_tagged`.
            TypeKind::Tagged(t) => t.variants.iter().any(|v| !v.has_tag_field),
            _ => false,
        })
}

/// Whether a struct field is a date-time, read by [`date_time_reader`].
pub fn reads_date_times(api: &Api) -> bool {
    api.emitted_types()
        .filter(|(_, t)| t.replaced_by.is_none())
        .any(|(_, t)| match &t.kind {
            TypeKind::Struct(s) => s.fields.iter().any(|f| f.ty == TypeRef::DateTime),
            _ => false,
        })
}

/// The function struct fields that are date-times are read with: RFC 3339,
/// or without an offset, taken as UTC. FastAPI (and many services) write a
/// naive `datetime` so (`2024-05-06T07:08:09.123000`); strictly the server
/// is wrong, but one such field would otherwise fail the whole response.
/// What the client sends always carries an offset.
pub fn date_time_reader(api: &Api) -> TokenStream {
    let reader = ident(DATE_TIME_READER);
    let (ty, body) = match api.formats.date_time {
        TimeCrate::Jiff => (
            quote!(jiff::Timestamp),
            quote! {
                text.parse::<jiff::Timestamp>().ok().or_else(|| {
                    let naive = text.parse::<jiff::civil::DateTime>().ok()?;
                    jiff::tz::Offset::UTC.to_timestamp(naive).ok()
                })
            },
        ),
        _ => (
            quote!(chrono::DateTime<chrono::Utc>),
            quote! {
                chrono::DateTime::parse_from_rfc3339(text)
                    .map(|parsed| parsed.to_utc())
                    .ok()
                    .or_else(|| text.parse::<chrono::NaiveDateTime>().ok().map(|naive| naive.and_utc()))
            },
        ),
    };
    quote! {
        /// Reads a date-time as the API sends it: RFC 3339, or without an
        /// offset (as FastAPI writes a naive `datetime`), taken as UTC.
        fn #reader(text: &str) -> ::std::option::Option<#ty> {
            #body
        }
    }
}

/// `Serialize`, and `Deserialize` through the runtime's `WireStruct`, for a
/// struct. Optional fields are left out when `None`; the flattened map's
/// entries follow the declared fields.
pub fn struct_impls(api: &Api, type_name: &str, s: &StructDef) -> TokenStream {
    let serialize = struct_serialize(api, type_name, s);
    let deserialize = struct_deserialize(api, type_name, s);
    quote! { #serialize #deserialize }
}

/// `field.is_some()`, or for a `Nullable` field `!field.is_absent()` (its
/// `null` is written): whether an optional field is written.
fn is_set(f: &Field) -> TokenStream {
    let field = ident(&f.name);
    if f.explicit_null {
        quote!(!self.#field.is_absent())
    } else {
        quote!(self.#field.is_some())
    }
}

fn struct_serialize(api: &Api, type_name: &str, s: &StructDef) -> TokenStream {
    let name = ident(type_name);
    let entries = s.fields.iter().map(|f| {
        let field = ident(&f.name);
        let wire = &f.wire_name;
        let write = match &s.additional {
            Some(_) => quote!(state.serialize_entry(#wire, &self.#field)?;),
            None => quote!(state.serialize_field(#wire, &self.#field)?;),
        };
        if f.required {
            write
        } else {
            let set = is_set(f);
            quote!(if #set { #write })
        }
    });
    let body = match &s.additional {
        Some(_) => {
            let extra = ident(&s.additional_name);
            let none = std_item(api, "None", quote!(::std::option::Option::None));
            quote! {
                use serde::ser::SerializeMap as _;
                let mut state = serializer.serialize_map(#none)?;
                #(#entries)*
                for (key, value) in &self.#extra {
                    state.serialize_entry(key, value)?;
                }
                state.end()
            }
        }
        None => {
            // The number of fields written: the required ones and the
            // optional ones that are set.
            let always = s.fields.iter().filter(|f| f.required).count();
            let mut len: Vec<TokenStream> = s
                .fields
                .iter()
                .filter(|f| !f.required)
                .map(|f| {
                    let set = is_set(f);
                    quote!(usize::from(#set))
                })
                .collect();
            if always > 0 || len.is_empty() {
                let always = Literal::usize_unsuffixed(always);
                len.insert(0, quote!(#always));
            }
            quote! {
                use serde::ser::SerializeStruct as _;
                let mut state = serializer.serialize_struct(#type_name, #(#len)+*)?;
                #(#entries)*
                state.end()
            }
        }
    };
    quote! {
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                #body
            }
        }
    }
}

fn struct_deserialize(api: &Api, type_name: &str, s: &StructDef) -> TokenStream {
    let name = ident(type_name);
    let none = std_item(api, "None", quote!(::std::option::Option::None));
    let some = std_item(api, "Some", quote!(::std::option::Option::Some));
    let ok = std_item(api, "Ok", quote!(::std::result::Result::Ok));
    let err = std_item(api, "Err", quote!(::std::result::Result::Err));
    // `FIELDS` is sorted, so that the runtime can binary-search long lists;
    // a key's position is its place there.
    let mut sorted: Vec<usize> = (0..s.fields.len()).collect();
    sorted.sort_by(|a, b| s.fields[*a].wire_name.cmp(&s.fields[*b].wire_name));
    let wire_names = sorted.iter().map(|&i| s.fields[i].wire_name.as_str());
    let slots: Vec<_> = s.fields.iter().map(|f| ident(&f.slot())).collect();
    let arms = sorted
        .iter()
        .map(|&i| (&s.fields[i], &slots[i]))
        .enumerate()
        .map(|(position, (f, slot))| {
            let wire = &f.wire_name;
            let i = Literal::usize_unsuffixed(position);
            let position = if s.additional.is_some() {
                quote!(#ok(#i))
            } else {
                quote!(#some(#i))
            };
            if f.ty == TypeRef::DateTime {
                // Leniently: see `date_time_reader`.
                let reader = ident(DATE_TIME_READER);
                return quote!(#position => wire::fill_parsed(&mut map, &mut #slot, #wire, #reader, "an RFC 3339 date-time")?,);
            }
            quote!(#position => wire::fill(&mut map, &mut #slot, #wire)?,)
        });
    let values = s.fields.iter().zip(&slots).map(|(f, slot)| {
        let field = ident(&f.name);
        let wire = &f.wire_name;
        if api.absent_reads_as_none(f) {
            quote!(#field: #slot.unwrap_or_default(),)
        } else {
            quote!(#field: wire::required(#slot, #wire)?,)
        }
    });
    let (next_key, other_keys, extra_slot, extra_value) = match &s.additional {
        Some(_) => {
            let extra = ident(&s.additional_name);
            let extra_slot = ident(&s.additional_slot());
            (
                quote!(next_field_or_key),
                quote! {
                    #ok(_) => wire::skip_value(&mut map)?,
                    #err(key) => {
                        let value = map.next_value()?;
                        #extra_slot.insert(key, value);
                    }
                },
                quote!(let mut #extra_slot = std::collections::BTreeMap::new();),
                quote!(#extra: #extra_slot,),
            )
        }
        None => (
            quote!(next_field),
            quote!(_ => wire::skip_value(&mut map)?,),
            quote!(),
            quote!(),
        ),
    };
    quote! {
        impl wire::WireStruct for #name {
            const NAME: &'static str = #type_name;
            const FIELDS: &'static [&'static str] = &[#(#wire_names),*];

            fn from_map<'de, A: serde::de::MapAccess<'de>>(mut map: A) -> ::std::result::Result<Self, A::Error> {
                #(let mut #slots = #none;)*
                #extra_slot
                while let #some(key) = wire::#next_key(&mut map, Self::FIELDS)? {
                    match key {
                        #(#arms)*
                        #other_keys
                    }
                }
                #ok(Self {
                    #(#values)*
                    #extra_value
                })
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                wire::deserialize_struct(deserializer)
            }
        }
    }
}

/// `Serialize` and `Deserialize` of a string enum without a catch-all
/// variant: its wire value, through `as_str` and a position in `VALUES`.
pub fn closed_enum_impls(
    type_name: &str,
    variants: &[proc_macro2::Ident],
    values: &[&str],
) -> TokenStream {
    let name = ident(type_name);
    // The last variant takes the last position and, unreachably, any other;
    // without variants every value is unknown, and the helper says so.
    let read = match variants.split_last() {
        // One value (a `const`): reading it is the check.
        Some((only, [])) => quote! {
            wire::deserialize_variant(deserializer, VALUES)?;
            ::std::result::Result::Ok(Self::#only)
        },
        Some((last, rest)) => {
            let positions = (0..rest.len()).map(Literal::usize_unsuffixed);
            quote! {
                ::std::result::Result::Ok(match wire::deserialize_variant(deserializer, VALUES)? {
                    #(#positions => Self::#rest,)*
                    _ => Self::#last,
                })
            }
        }
        None => quote! {
            wire::deserialize_variant(deserializer, VALUES)?;
            ::std::result::Result::Err(serde::de::Error::custom("no values are allowed"))
        },
    };
    quote! {
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                const VALUES: &[&str] = &[#(#values),*];
                #read
            }
        }
    }
}

/// `Serialize` of a union: each variant as its inner value, no tag.
pub fn untagged_serialize(type_name: &str, variants: &[proc_macro2::Ident]) -> TokenStream {
    let name = ident(type_name);
    quote! {
        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                match self {
                    #(Self::#variants(inner) => serde::Serialize::serialize(inner, serializer),)*
                }
            }
        }
    }
}
