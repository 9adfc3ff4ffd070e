//! `Debug` impls that print `"***"` for credential fields, shared by the
//! schema types and the types operations own (parameters, headers).

use super::ident;
use proc_macro2::TokenStream;
use quote::quote;

/// A field as a hand-written `Debug` impl shows it.
pub(crate) struct DebugField {
    pub name: String,
    pub sensitive: bool,
    pub optional: bool,
}

/// `Debug` that prints `"***"` for credential fields (`Some("***")` when
/// optional and set, so "is it set?" can still be answered).
pub(crate) fn redacted_debug_impl(type_name: &str, fields: &[DebugField]) -> TokenStream {
    let name = ident(type_name);
    let entries = fields.iter().map(|f| {
        let field = ident(&f.name);
        let label = &f.name;
        match (f.sensitive, f.optional) {
            (false, _) => quote!(.field(#label, &self.#field)),
            (true, false) => quote!(.field(#label, &"***")),
            (true, true) => quote!(.field(#label, &self.#field.as_ref().map(|_| "***"))),
        }
    });
    quote! {
        impl std::fmt::Debug for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(#type_name)
                    #(#entries)*
                    .finish()
            }
        }
    }
}
